"""Sparking ideas with the real default model, streaming, Stop, and a second request."""
import pytest

from app.core.brief import Brief
from app.core.checks import check_prose
from app.core.idea_cards import IdeaCard
from app.core.judging import failed_check

from .conftest import wait_until

BRIEF = "a newsletter intro about urban beekeeping for beginners"


def failing_cards(cards: list[dict], brief: str = BRIEF) -> list[tuple[dict, str]]:
    """The shown cards that fail the checks every shown idea must pass, with the reason."""
    judged = [(card, failed_check(IdeaCard(card["title"], card["hook"]), Brief.from_fields(brief)))
              for card in cards]
    return [(card, reason) for card, reason in judged if reason]


def comments_on_itself(text: str) -> list[str]:
    """The paragraphs of a draft that talk about the text instead of being it."""
    return [p for p in text.split("\n\n") if check_prose(p).startswith("talks about")]


@pytest.mark.real_model
def test_real_model_sparks_ideas_stops_mid_stream_and_sparks_again(open_studio):
    studio = open_studio()
    studio.wait_for_model()
    page = studio.page
    # The embedding model loads after the chat model; ideas are then judged by meaning too.
    page.wait_for_selector("main[data-embedder=ready]", state="attached", timeout=60_000)

    studio.spark(BRIEF)
    page.fill("#brief", BRIEF + " ")  # the page stays responsive while the model streams
    assert page.input_value("#brief") == BRIEF + " "
    studio.wait_until_idle()
    cards = studio.cards()
    # Fewer than asked only with the reason said (the newsletter brief sometimes ends with 2: its
    # titles run long or repeat); the steps below need two.
    assert len(cards) >= 3 or (len(cards) == 2 and studio.status().startswith("Only 2 of 5")), studio.status()
    assert all(card["title"].strip() for card in cards), (studio.status(), cards)  # a hook may be left out
    assert failing_cards(cards) == []
    assert all(card["technique"].startswith("Sparked by ") for card in cards), cards
    assert len({card["technique"] for card in cards}) == len(cards)  # each seeded by a technique of its own
    assert "tokens/s" in studio.status()

    # Pin the first idea, ask for more like the second, combine two, then spark again.
    pinned = cards[0]["title"]
    page.click("#ideas .idea-card:nth-child(1) [data-action=pin]")
    assert page.get_attribute("#ideas .idea-card:nth-child(1) [data-action=pin]", "aria-pressed") == "true"
    assert page.evaluate("document.activeElement.id") == "idea-pin-0"  # focus survives the redraw
    studio.act("#ideas .idea-card:nth-child(2) [data-action=more]")
    more = studio.cards()
    assert len(more) > len(cards) or page.get_attribute("#status", "data-kind") == "warning", studio.status()
    page.check("#ideas .idea-card:nth-child(2) [data-action=select]")
    page.check("#ideas .idea-card:nth-child(3) [data-action=select]")
    studio.act("#combine")
    combined = studio.cards()
    assert (len(combined) == len(more) + 1 and "Combination" in combined[-1]["technique"]) or (
        "combined idea was" in studio.status()), studio.status()
    assert failing_cards(combined) == []
    studio.act("#spark")
    assert studio.cards()[0]["title"] == pinned  # pinned ideas survive a new spark, first

    # Outline the first idea, write the draft, and stop it during the first section.
    studio.act("#ideas .idea-card:nth-child(1) [data-action=draft]")
    headings = [line for line in page.input_value("#outline").splitlines() if line.strip()]
    assert len(headings) >= 2, studio.status()
    page.click("#write-draft")
    wait_until(page, "document.querySelector('#draft').value.split('\\n').length > 4", timeout_ms=120_000)
    page.click("#stop")
    studio.wait_until_idle()
    page.wait_for_selector("#draft[data-state=idle]", state="attached")
    written = page.input_value("#draft")
    assert written.startswith("# ") and f"## {headings[0]}" in written
    assert studio.status().startswith("Stopped. The draft keeps")
    assert comments_on_itself(written) == []
    assert page.inner_text("#draft-preview").strip()  # rendered, sanitized preview of what was kept

    # Refine what was kept, compare it with the stopped draft, and export it. (Stop keeps only the
    # heading of a section whose words fail the checks: then the person adds a paragraph.)
    if not any(p.strip() and not p.lstrip().startswith("#") for p in written.split("\n\n")):
        page.fill("#draft", written + "\nBees like quiet, sunny roofs in the middle of busy cities.\n")
    page.select_option("#refine-op", "shorter")
    studio.act("#refine")
    assert studio.status().startswith("Shorter:"), studio.status()
    assert comments_on_itself(page.input_value("#draft")) == []
    numbers = page.eval_on_selector_all("#history [data-action=pick]", "boxes => boxes.map(b => b.id)")
    page.check(f"#{numbers[0]}")
    page.check(f"#{numbers[-1]}")
    page.click("#compare")
    assert page.locator("#diff del, #diff ins").count() > 0
    with page.expect_download() as download:
        page.click("#export-md")
    assert download.value.suggested_filename.endswith(".md")

    studio.spark("a short story opening about a lighthouse keeper who collects lost letters")
    page.wait_for_selector("#ideas .idea-card", timeout=120_000)
    page.click("#stop")
    studio.wait_until_idle()
    assert studio.status().startswith("Stopped")
    assert page.is_enabled("#spark") and not page.is_enabled("#stop")

    studio.spark(BRIEF)
    studio.wait_until_idle()
    # Fewer cards than asked only with the reason said: a short list beats one with junk in it.
    assert studio.cards() and (len(studio.cards()) >= 3 or studio.status().startswith("Only")), studio.status()
    assert failing_cards(studio.cards()) == []
