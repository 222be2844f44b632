"""The brief and the idea cards, wired to a fake page."""
from ..core.doubles import run_async
from .fakes import until_idle
from .helpers import idea, open_studio

BRIEF = "urban beekeeping for beginners"
TWO_IDEAS = idea("Rooftop hives", "Urban bees need a beginner's first roof.") + idea(
    "Bee school", "A beginner's urban class with one hive.")


async def sparked(count="2", more=()):
    page, model, context = await open_studio(TWO_IDEAS + list(more))
    page.type("brief", BRIEF)
    page.values["idea-count"] = count
    page.submit("brief-form")
    assert context.work.busy and page.data["studio", "busy"] == "true"
    await until_idle(context)
    return page, context


def test_spark_shows_checked_cards_with_their_buttons_and_says_how_many():
    async def scenario():
        page, context = await sparked()
        assert 'id="idea-pin-0"' in page.html["ideas"] and 'id="idea-draft-1"' in page.html["ideas"]
        assert [card.title for card in context.state.cards] in (["Rooftop hives", "Bee school"],
                                                                   ["Bee school", "Rooftop hives"])
        assert page.texts["status"].startswith("2 ideas.")
        assert page.data["studio", "busy"] == "false" and page.data["ideas", "state"] == "idle"
        assert page.enabled["spark"] and page.attributes["ideas", "aria-busy"] == "false"
    run_async(scenario())


def test_pin_and_discard_redraw_the_list_and_keep_focus():
    async def scenario():
        page, context = await sparked()
        first = context.state.cards[0]
        page.act("ideas", "pin", 0)
        assert 'aria-pressed="true"' in page.html["ideas"] and first.key() in context.state.pinned
        assert page.focused == "idea-pin-0"
        page.act("ideas", "discard", 0)
        assert first not in context.state.cards and first.key() not in context.state.pinned
        assert page.texts["status"] == f"Discarded “{first.title}”." and page.focused == "idea-discard-0"
    run_async(scenario())


def test_two_selected_cards_combine_into_a_third():
    async def scenario():
        page, context = await sparked(more=idea("Rooftop bee school", "A beginner's urban class on a roof hive."))
        page.act("ideas", "select", 0, checked=True)
        assert not page.enabled["combine"]
        page.act("ideas", "select", 1, checked=True)
        assert page.enabled["combine"] and context.state.selected == {0, 1}
        page.click("combine")
        await until_idle(context)
        assert [card.technique for card in context.state.cards][-1] == "Combination"
        assert context.state.cards[-1].title == "Rooftop bee school" and context.state.selected == set()
    run_async(scenario())


def test_an_empty_brief_says_so_and_starts_nothing():
    async def scenario():
        page, model, context = await open_studio()
        page.type("brief", "   ")
        page.press("brief", "Ctrl+Enter")
        assert "Write a brief first" in page.texts["status"] and page.data["status", "kind"] == "error"
        assert page.focused == "brief" and not context.work.busy and model.calls == []
    run_async(scenario())
