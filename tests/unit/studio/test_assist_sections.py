"""Proofreading, refining, rewrites, summaries and headlines, wired to a fake page."""
from ..core.doubles import run_async
from .fakes import until_idle
from .helpers import open_studio

TEXT = "Bees like roofs because roofs are quiet and sunny, and the city is warm for them all year round."


def test_proofreading_lists_a_correction_and_accepting_it_edits_the_draft_as_a_version():
    async def scenario():
        page, _model, context = await open_studio(["This is an apple on the roof."])
        page.type("draft", "This is a apple on the roof.")
        page.click("proofread")
        await until_idle(context)
        assert 'id="correction-accept-0"' in page.html["corrections"] and "a apple" not in page.texts["status"]
        page.act("corrections", "accept", 0)
        assert context.draft.text == "This is an apple on the roof." and page.values["draft"] == context.draft.text
        assert context.draft.history.versions[-1].label == "Proofread: 1 accepted"
        assert page.focused == "draft"
    run_async(scenario())


def test_refine_rewrites_in_place_and_keeps_the_text_before_as_a_version():
    async def scenario():
        page, _model, context = await open_studio(["Bees like quiet, sunny, warm city roofs."])
        page.type("draft", TEXT)
        page.values["refine-op"] = "shorter"
        page.click("refine")
        await until_idle(context)
        assert context.draft.text == "Bees like quiet, sunny, warm city roofs."
        labels = [v.label for v in context.draft.history.versions]
        assert labels == ["Before refining", "Shorter"] and page.texts["status"].startswith("Shorter:")
    run_async(scenario())


def test_headlines_beside_the_draft_and_one_used_as_the_title():
    async def scenario():
        replies = ["Rooftop Bees in the City", "Quiet Sunny Roofs"] * 8  # two rounds of eight sampled at once
        page, _model, context = await open_studio(replies)
        page.type("draft", TEXT)
        page.click("make-headlines")
        await until_idle(context)
        assert "Rooftop Bees in the City" in page.html["extras"]
        page.act("extras", "use-headline", 1)
        assert context.draft.text.startswith("# Quiet Sunny Roofs\n\n") and page.texts["status"].startswith("Title set")
    run_async(scenario())


def test_a_summary_that_fails_the_checks_twice_is_picked_from_the_draft_and_says_why():
    async def scenario():
        page, _model, context = await open_studio(["Sure! Here it is.", "As an AI, I cannot."])
        page.type("draft", TEXT)
        page.click("summarize-tldr")
        await until_idle(context)
        assert "Picked from your own sentences: the model's tldr failed the studio's checks twice" in page.texts["status"]
        assert page.data["status", "kind"] == "warning" and "Tl;dr" in page.html["extras"]
    run_async(scenario())


def test_rewrites_of_the_caret_s_paragraph_and_use_this():
    async def scenario():
        replies = ["Roofs suit bees: quiet, sunny and warm all year.", "Bees love roofs, warm and quiet all year.",
                   "City roofs are warm, quiet homes for bees."]
        page, _model, context = await open_studio(replies * 3)
        page.type("draft", TEXT)
        page.click("rewrites")
        await until_idle(context)
        assert 'data-action="use-rewrite" data-index="0"' in page.html["extras"], page.texts["status"]
        page.act("extras", "use-rewrite", 0)
        assert context.draft.text != TEXT and context.draft.history.versions[-1].label.startswith("Rewrite:")
    run_async(scenario())
