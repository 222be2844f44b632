"""Headlines: several sampled at once after the text; those that pass the checks, ranked by
closeness in meaning to the text, those far from it left out."""
import pytest

from app.core.headlines import HEADLINE_CANDIDATES, headline_messages, headlines
from app.core.refine import RefineError

from .doubles import ScriptedModel, run_async
from .test_ideas import KeywordEmbedder

TEXT = "Bees like roofs because roofs are quiet and sunny. A city hive gives honey all summer."


def round_of(*lines):
    """One round of sampled replies (the rest of the round repeats the last line)."""
    return [f"{line}\nAnd a line the studio ignores." for line in lines] + [lines[-1]] * (HEADLINE_CANDIDATES - len(lines))


def test_the_request_comes_after_the_text_and_asks_for_the_headline_only():
    content = headline_messages(TEXT)[0].content
    assert content.startswith(TEXT) and content.endswith("Suggest a short headline for the text above. "
                                                          "Reply with the headline only.")


def test_headlines_that_fail_the_checks_or_repeat_are_left_out_and_a_short_round_asks_again():
    model = ScriptedModel(round_of("Bees Love Roofs", "BEES!!! #roofs", "Here's a headline for you", "bees love roofs",
                                   "Headline: Quiet Sunny Roofs")
                          + round_of("City Honey All Summer"))
    found = run_async(headlines(TEXT, model, count=3))
    assert found == ["Bees Love Roofs", "Quiet Sunny Roofs", "City Honey All Summer"]
    assert len(model.calls) == 2 * HEADLINE_CANDIDATES  # two rounds, each sampled at once


def test_with_an_embedding_model_the_closest_come_first_and_those_far_from_the_text_are_left_out():
    model = ScriptedModel(round_of("Roofs in Town", "Honey from a City Hive", "The Sea and Its Waves")
                          + round_of("Roofs in Town"))
    found = run_async(headlines(TEXT, model, count=2, embedder=KeywordEmbedder()))
    assert found[0] == "Honey from a City Hive" and "The Sea and Its Waves" not in found


def test_no_text_no_headlines():
    with pytest.raises(RefineError, match="no text to write headlines for"):
        run_async(headlines("  ", ScriptedModel([])))
