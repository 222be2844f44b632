"""Authorship runs against a per-character model, the editing rule, summary, disclosure,
serialization and the UTF-16 conversions."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from app.core.authorship import (
    IPTC, ORIGINS, Authorship, AuthorshipError, Edit, LineBreaks, edit_between,
)

# Letters, a digit, spaces, punctuation, an apostrophe, a line break and astral characters
# (two UTF-16 units each): enough to hit word edges and surrogate pairs.
ALPHABET = "ab1 .,'\n😀𝔸é"
texts = st.text(alphabet=ALPHABET, max_size=12)
origins = st.sampled_from(ORIGINS)


def is_word_char(ch):
    return ch.isalnum() or ch in "_'’-"


def model_replace(chars, start, end, new_text, origin):
    """The rule on a plain list of (character, origin), one entry per character."""
    chars = chars[:start] + [(c, origin) for c in new_text] + chars[end:]
    if origin in ("human", "pasted"):
        lo, hi = start, start + len(new_text)
        while lo > 0 and is_word_char(chars[lo - 1][0]):
            lo -= 1
        while hi < len(chars) and is_word_char(chars[hi][0]):
            hi += 1
        for i in range(lo, hi):
            if chars[i][1] == "ai":
                chars[i] = (chars[i][0], "ai-edited")
    return chars


def as_chars(authorship):
    return [(ch, authorship.origin_at(i)) for i, ch in enumerate(authorship.text)]


edits = st.tuples(st.floats(0, 1), st.floats(0, 1), texts, origins)


@settings(max_examples=300)
@given(texts, origins, st.lists(edits, max_size=12))
def test_runs_match_a_per_character_model_under_random_edits(first, first_origin, steps):
    authorship = Authorship.written(first, first_origin)
    chars = [(c, first_origin) for c in first]
    for a, b, new_text, origin in steps:
        n = len(chars)
        start, end = sorted((round(a * n), round(b * n)))
        authorship = authorship.replace(start, end, new_text, origin)
        chars = model_replace(chars, start, end, new_text, origin)
        assert as_chars(authorship) == chars
        runs = authorship.runs
        assert all(r.length > 0 for r in runs)
        assert all(x.origin != y.origin for x, y in zip(runs, runs[1:]))
        assert [r.start for r in runs] == [sum(r.length for r in runs[:i]) for i in range(len(runs))]
        assert Authorship.from_dict(json.loads(json.dumps(authorship.to_dict())), authorship.text) == authorship


@given(texts, texts, st.integers(0, 12))
def test_edit_between_rebuilds_the_new_text(before, after, caret):
    for edit in (edit_between(before, after), edit_between(before, after, caret=min(caret, len(after)))):
        assert before[:edit.start] + edit.new_text + before[edit.end:] == after


@given(texts, texts, st.data())
def test_with_the_caret_an_insertion_or_deletion_is_found_exactly(text, piece, data):
    at = data.draw(st.integers(0, len(text)))
    inserted = text[:at] + piece + text[at:]
    assert edit_between(text, inserted, caret=at + len(piece)) == Edit(at, at, piece)
    assert edit_between(inserted, text, caret=at) == Edit(at, at + len(piece), "")


def test_the_caret_places_a_typed_letter_that_equals_its_neighbour():
    text = Authorship.written("aa", "ai")
    greedy = text.apply(edit_between("aa", "aaa"), "human")
    exact = text.apply(edit_between("aa", "aaa", caret=3), "human")
    assert edit_between("aa", "aaa", caret=3) == Edit(2, 2, "a")
    assert [r.origin for r in exact.runs] == ["ai-edited", "human"]
    assert [r.origin for r in greedy.runs] == ["human", "ai-edited"]
    with pytest.raises(AuthorshipError, match="caret 4 is outside"):
        edit_between("aa", "aaa", caret=4)


def test_a_person_editing_one_word_of_model_text_edits_that_word_only():
    text = Authorship.written("The cat sat on the mat.", "ai")
    edited = text.replace(4, 7, "dog", "human")  # "cat" -> "dog"
    assert edited.text == "The dog sat on the mat."
    assert [(r.start, r.length, r.origin) for r in edited.runs] == [(0, 4, "ai"), (4, 3, "human"), (7, 16, "ai")]
    fixed = text.replace(6, 7, "r", "human")  # "cat" -> "car": the rest of the word was edited
    assert [(r.start, r.length, r.origin) for r in fixed.runs] == [
        (0, 4, "ai"), (4, 2, "ai-edited"), (6, 1, "human"), (7, 16, "ai")]
    trimmed = text.replace(5, 6, "", "human")  # a deletion inside "cat"
    assert trimmed.text == "The ct sat on the mat." and trimmed.origin_at(4) == trimmed.origin_at(5) == "ai-edited"
    assert trimmed.origin_at(7) == "ai"


def test_a_model_rewrite_of_a_human_sentence_is_model_text():
    text = Authorship.written("I wrote this. And this.", "human")
    rewritten = text.replace(0, 13, "A model wrote this.", "ai")
    assert [(r.length, r.origin) for r in rewritten.runs] == [(19, "ai"), (10, "human")]


def test_pasting_marks_the_model_word_it_lands_in_but_never_a_persons():
    text = Authorship("hello world", ((6, "human"), (5, "ai")))
    pasted = text.replace(8, 8, "XY", "pasted")
    assert [(r.length, r.origin) for r in pasted.runs] == [(6, "human"), (2, "ai-edited"), (2, "pasted"),
                                                            (3, "ai-edited")]
    assert text.replace(2, 2, "Z", "pasted").origin_at(0) == "human"


def test_edits_check_their_arguments():
    text = Authorship.written("abc", "human")
    with pytest.raises(AuthorshipError, match="cannot replace 2..5 in a text of 3"):
        text.replace(2, 5, "x", "human")
    with pytest.raises(AuthorshipError, match="unknown origin 'robot'"):
        text.replace(0, 0, "x", "robot")
    with pytest.raises(IndexError, match="position 3 is outside"):
        text.origin_at(3)


def test_summary_counts_characters_without_spaces_and_words_by_majority():
    text = Authorship("Sky is blue\nok", ((4, "human"), (7, "ai"), (3, "ai-edited")))
    summary = text.summary()
    assert summary.characters == {"human": 3, "pasted": 0, "ai-edited": 2, "ai": 6}
    assert summary.words == {"human": 1, "pasted": 0, "ai-edited": 1, "ai": 2}
    assert summary.share("ai") == 6 / 11 and summary.share("human", by="words") == 0.25
    assert sum(summary.percentages().values()) == 100


def test_a_word_split_evenly_counts_as_the_more_machine_made_origin():
    assert Authorship("abcd", ((2, "human"), (2, "ai-edited"))).summary().words["ai-edited"] == 1


def test_percentages_add_up_to_a_hundred():
    summary = Authorship("aaa b c", ((3, "human"), (2, "ai"), (2, "pasted"))).summary()
    assert summary.percentages() == {"human": 60, "pasted": 20, "ai-edited": 0, "ai": 20}
    thirds = Authorship("abc", ((1, "human"), (1, "ai"), (1, "pasted"))).summary().percentages()
    assert sum(thirds.values()) == 100 and sorted(thirds.values()) == [0, 33, 33, 34]


def test_disclosure_picks_the_iptc_term():
    human = Authorship.written("All mine.", "human").disclosure()
    assert human.source_type == IPTC + "digitalCreation" and "without generative AI" in human.sentence
    pasted = Authorship("mine quoted", ((5, "human"), (6, "pasted"))).disclosure()
    assert pasted.source_type == IPTC + "digitalCreation" and "60% of its characters were pasted" in pasted.sentence
    ai = Authorship.written("All model.", "ai").disclosure("SmolLM2-135M-Instruct")
    assert ai.source_type == IPTC + "trainedAlgorithmicMedia"
    assert ai.sentence.startswith("Generated by AI (SmolLM2-135M-Instruct) without human edits")
    mixed = Authorship("mine model", ((5, "human"), (3, "ai"), (2, "ai-edited"))).disclosure()
    assert mixed.source_type == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert mixed.sentence == (
        "Written with generative AI: 45% written by a person, 33% generated by AI, 22% generated by AI "
        "and then edited by the person, by characters (IPTC digital source type: composite with trained "
        "algorithmic media).")
    only_edited = Authorship.written("trimmed", "ai-edited").disclosure()
    assert only_edited.source_type == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert Authorship.written("  \n", "ai").disclosure().source_type is None


@pytest.mark.parametrize("data, text, message", [
    ([], "ab", "must be an object"),
    ({"unit": "codepoint", "runs": []}, "ab", "lacks length"),
    ({"unit": "utf16", "length": 2, "runs": []}, "ab", "'codepoint' units, not 'utf16'"),
    ({"unit": "codepoint", "length": 3, "runs": [{"start": 0, "length": 3, "origin": "ai"}]}, "ab",
     "text of 3 characters but this text has 2"),
    ({"unit": "codepoint", "length": 2, "runs": {}}, "ab", "runs must be a list"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 0, "length": 2}]}, "ab", "run 1 must have exactly"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 1, "length": 2, "origin": "ai"}]}, "ab",
     "run 1 starts at 1, expected 0"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 0, "length": 0, "origin": "ai"}]}, "ab",
     "run 1 has length 0"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 0, "length": 2, "origin": "bot"}]}, "ab",
     "unknown origin 'bot'"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 0, "length": 1, "origin": "ai"},
                                                 {"start": 1, "length": 1, "origin": "ai"}]}, "ab",
     "runs 1 and 2 have the same origin"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": 0, "length": 1, "origin": "ai"}]}, "ab",
     "the runs cover 1 characters but the authorship says 2"),
    ({"unit": "codepoint", "length": "2", "runs": []}, "ab", "length must be a whole number, not '2'"),
    ({"unit": "codepoint", "length": 2, "runs": [{"start": True, "length": 2, "origin": "ai"}]}, "ab",
     "run 1 starts at True"),
])
def test_loading_rejects_bad_data_with_a_clear_message(data, text, message):
    with pytest.raises(AuthorshipError, match=message):
        Authorship.from_dict(data, text)


def test_editor_line_breaks_keep_each_characters_origin():
    r""""\r\n" and "\r" become "\n" (as a textarea makes them), with the origin of the "\r"."""
    written = Authorship("Bees\r\nhum\r", ((5, "human"), (5, "ai")))
    assert written.with_editor_line_breaks() == Authorship("Bees\nhum\n", ((5, "human"), (4, "ai")))
    mixed = Authorship("a\r\r\nb", ((2, "ai"), (3, "pasted")))
    assert mixed.with_editor_line_breaks() == Authorship("a\n\nb", ((2, "ai"), (2, "pasted")))
    plain = Authorship("No returns.\n", ((12, "human"),))
    assert plain.with_editor_line_breaks() is plain


def test_streamed_line_breaks_become_the_editors():
    r"""A textarea turns "\r\n" and "\r" into "\n": so does the stream, across chunks too."""
    line_breaks = LineBreaks()
    chunks = ["Bees\r", "\nhum", "", "\r\r\n", "a\r", "\r", "", "\nb", "\n\nc\r"]
    assert "".join(line_breaks(chunk) for chunk in chunks) == "Bees\nhum\n\na\n\nb\n\nc\n"
    assert LineBreaks()("\n") == "\n" and LineBreaks()("no breaks") == "no breaks"
