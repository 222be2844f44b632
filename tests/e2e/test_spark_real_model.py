"""Sparking ideas with the real default model, streaming, Stop, and a second request."""
import pytest

BRIEF = "a newsletter intro about urban beekeeping for beginners"


@pytest.mark.real_model
def test_real_model_sparks_ideas_stops_mid_stream_and_sparks_again(open_studio):
    studio = open_studio()
    studio.wait_for_model()
    page = studio.page

    studio.spark(BRIEF)
    page.fill("#brief", BRIEF + " ")  # the page stays responsive while the model streams
    assert page.input_value("#brief") == BRIEF + " "
    studio.wait_until_idle()
    cards = studio.cards()
    assert len(cards) >= 3, studio.status()
    assert all(card["title"].strip() and card["hook"].strip() for card in cards), (studio.status(), cards)
    assert all(card["technique"].startswith("Sparked by ") for card in cards), cards
    assert len({card["technique"] for card in cards}) >= 3  # ideas seeded by different techniques
    assert "tokens/s" in studio.status()

    studio.spark("a short story opening about a lighthouse keeper who collects lost letters")
    page.wait_for_selector("#ideas .idea-card", timeout=120_000)
    page.click("#stop")
    studio.wait_until_idle()
    assert studio.status().startswith("Stopped")
    assert page.is_enabled("#spark") and not page.is_enabled("#stop")

    studio.spark(BRIEF)
    studio.wait_until_idle()
    assert len(studio.cards()) >= 3, studio.status()
