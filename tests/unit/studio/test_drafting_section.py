"""From a card to a draft, wired to a fake page."""
from ..core.doubles import run_async
from .fakes import until_idle
from .helpers import idea, open_studio

OUTLINE = "Why roofs\nFirst hive"
SECTIONS = ["Roofs are quiet and warm, and bees like them.", "Start with one hive and learn the season."]


async def outlined():
    page, model, context = await open_studio(idea("Rooftop hives", "Urban bees need a beginner's first roof.")
                                             + [OUTLINE] + SECTIONS)
    page.type("brief", "urban beekeeping for beginners")
    page.values["idea-count"] = "1"
    page.submit("brief-form")
    await until_idle(context)
    assert not page.enabled["write-draft"]
    page.act("ideas", "draft", 0)
    await until_idle(context)
    return page, model, context


def test_draft_this_outlines_the_idea_into_the_outline_field():
    async def scenario():
        page, _model, context = await outlined()
        assert page.values["outline"].strip() and page.texts["status"].startswith("Outline ready.")
        assert page.texts["draft-idea"].startswith("Drafting “Rooftop hives”")
        assert page.enabled["write-draft"] and page.focused == "outline" and context.state.drafting.title
    run_async(scenario())


def test_write_the_draft_streams_it_into_the_editor_as_the_model_s_text_and_saves_a_version():
    async def scenario():
        page, _model, context = await outlined()
        page.values["outline"] = OUTLINE
        page.click("write-draft")
        assert page.data["draft", "state"] == "streaming" and page.enabled["draft"] is False
        await until_idle(context)
        assert page.data["draft", "state"] == "idle" and page.enabled["draft"]
        assert "## Why roofs" in page.values["draft"] and page.values["draft"] == context.draft.text
        assert {run.origin for run in context.draft.tracked.authorship.runs} == {"ai"}
        assert context.draft.history.versions[-1].label == "Draft of “Rooftop hives”"
        assert page.texts["status"].startswith("Draft written: 2 sections")
    run_async(scenario())


def test_an_empty_outline_is_refused_and_alt_arrows_move_a_section():
    async def scenario():
        page, _model, context = await outlined()
        page.values["outline"] = "One\nTwo"
        page.selections["outline"] = (5, 5)  # in "Two"
        page.press("outline", "Alt+ArrowUp")
        assert page.values["outline"] == "Two\nOne"
        page.values["outline"] = "  \n"
        page.click("write-draft")
        assert page.texts["status"].startswith("The outline is empty") and not context.work.busy
    run_async(scenario())
