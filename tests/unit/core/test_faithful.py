"""A rewrite that adds facts or says something else is no edit of the creator's text."""
import pytest

from app.core.faithful import FAITHFUL_COSINE, added_facts, unfaithful

from .doubles import KeywordEmbedder, run_async

SOURCE = "Most teenagers need between eight and ten hours of sleep. In Oslo, school starts at 8:15."


@pytest.mark.parametrize("rewrite, reason", [
    ("Teenagers need eight to ten hours of sleep, and school in Oslo starts at 8:15.", ""),
    ("Teens need 8-10 hours of sleep.", "adds a number the text never gave (8)"),
    ("Teens need twelve hours of sleep.", "adds a number the text never gave (twelve)"),
    ("Teens in Oslo sleep less than teens in Bergen.", "adds a name the text never gave (Bergen)"),
    ("Plan ahead with Walmart or Amazon Prime.", "adds a name the text never gave (Walmart)"),
    # Capitals that start a sentence, a line or a list item are no names; "I" is none.
    ("Sleep matters. Schools start early, so I sleep late.\n- Mornings are hard.", ""),
])
def test_numbers_and_names_the_source_never_gave(rewrite, reason):
    assert added_facts(SOURCE, rewrite) == reason


def test_a_rewrite_far_in_meaning_says_something_else():
    embedder = KeywordEmbedder()
    bees = "Bees like quiet roofs in the city."
    assert run_async(unfaithful(bees, "City bees like calm roofs.", embedder)) == ""
    assert run_async(unfaithful(bees, "The ocean waves were grey.", embedder)) == "says something else than the text"
    assert run_async(unfaithful(bees, "The ocean waves were grey.", KeywordEmbedder(available=False))) == ""
    assert 0 < FAITHFUL_COSINE < 1
