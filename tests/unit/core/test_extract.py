"""Shortening and summarizing with the creator's own sentences."""
from app.core.extract import SUBSET_SENTENCES, central_sentences, key_sentences, sentences

from .doubles import WordCountEmbedder, run_async

LONG = ("Bees like roofs. Hives are quiet. The sea was rough that day. Bees make honey on roofs. "
        "The sea is far. Hives do well. Quiet roofs suit bees.")


def test_a_long_text_keeps_the_sentences_closest_to_the_whole_in_their_order():
    assert len(sentences(LONG)) > SUBSET_SENTENCES  # sentence by sentence, not every way of leaving some out
    shorter = run_async(central_sentences(LONG, 12, WordCountEmbedder()))
    assert "sea" not in shorter and len(shorter.split()) <= 12
    assert [s for s in sentences(LONG) if s in shorter] == sentences(shorter)  # in their order
    # Without an embedding model, the first sentences that fit.
    assert run_async(central_sentences(LONG, 7)) == "Bees like roofs. Hives are quiet."


def test_key_sentences_are_the_closest_in_their_order_or_the_first():
    assert run_async(key_sentences(LONG, 3, WordCountEmbedder())) == [
        "Bees like roofs.", "Bees make honey on roofs.", "Quiet roofs suit bees."]
    assert run_async(key_sentences(LONG, 2)) == ["Bees like roofs.", "Hives are quiet."]
    assert run_async(key_sentences("One. Two.", 3, WordCountEmbedder())) == ["One.", "Two."]
