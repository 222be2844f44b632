"""Proofreading: rule and model corrections with positions and kinds, accepted one by one."""
import pytest
from hypothesis import given, strategies as st

from app.core.proofread import (
    Correction, ProofreadError, overlaps, apply_correction, classify, corrections_from_rewrite, describe_counts, proofread,
    grammar_corrections, rule_corrections, sentences, spelling_corrections,
)

from .doubles import ScriptedModel, collect, run_async


def changes(text, corrections):
    return [(text[c.start:c.end], c.replacement, c.kind) for c in corrections]


def test_rules_find_mechanical_mistakes_with_their_positions():
    text = "so the the cat sat , and i said  hello. then i'm gone. See e.g. this."
    assert changes(text, rule_corrections(text)) == [
        ("s", "S", "capitalization"),  # the first letter of the text
        ("the the", "the", "grammar"),
        (" ,", ",", "punctuation"),
        ("i", "I", "capitalization"),
        ("  ", " ", "punctuation"),
        ("t", "T", "capitalization"),
        ("i", "I", "capitalization"),
    ]


def test_rules_leave_correct_text_alone():
    for text in ["I think, therefore I am.", "See Fig. 3 and e.g. more. J. smith came.", "It costs 10 10-packs.",
                 "www.example.com is a site.", "Ça va? Oui.", ""]:
        assert rule_corrections(text) == [], text


def test_a_rewrite_becomes_small_local_corrections():
    text = "Their going to the park tomorow if the wether is nice"
    corrected = "They're going to the park tomorrow if the weather is nice."
    assert changes(text, corrections_from_rewrite(text, corrected)) == [
        ("Their", "They're", "spelling"),
        ("tomorow", "tomorrow", "spelling"),
        ("wether", "weather", "spelling"),
        ("nice", "nice.", "punctuation"),
    ]


def test_an_insertion_is_shown_with_the_word_before_it():
    text = "After dinner we left"
    found = corrections_from_rewrite(text, "After dinner, we left", offset=10)
    assert [(c.start, c.end, c.original, c.replacement) for c in found] == [(16, 22, "dinner", "dinner,")]


def test_a_rewritten_sentence_gives_no_corrections():
    text = "The committee will meet on Tuesday to discuss the budget."
    assert corrections_from_rewrite(text, "On Tuesday, budget talks happen with everyone together.") == []
    assert corrections_from_rewrite(text, "") == []
    long_change = "The committee, which is large and very busy indeed, will meet on Tuesday to discuss the budget."
    assert corrections_from_rewrite(text, long_change) == []


@pytest.mark.parametrize("original, replacement, kind", [
    ("recieve", "receive", "spelling"), ("dont", "don't", "punctuation"), ("paris", "Paris", "capitalization"),
    ("go", "goes", "grammar"), ("a apple", "an apple", "grammar"), ("day", "day,", "punctuation"),
])
def test_kinds(original, replacement, kind):
    assert classify(original, replacement) == kind


def test_sentences_skip_headings_code_and_list_markers():
    text = "# Title\n\nOne here. Two there!\n\n- item one\n```\ncode. here\n```\n"
    found = sentences(text)
    assert [s for _, s in found] == ["One here.", "Two there!", "item one"]
    assert all(text[offset:offset + len(s)] == s for offset, s in found)


@given(st.text(alphabet=st.sampled_from("ab .!?\n#-1é😀"), max_size=80))
def test_sentence_offsets_point_at_the_sentence(text):
    for offset, sentence in sentences(text):
        assert text[offset:offset + len(sentence)] == sentence


def test_proofread_merges_rules_and_model_per_sentence():
    text = "i like teh sea. It is blue"
    model = ScriptedModel(["I like the sea.", "It is blue.\n\nI added a full stop."])
    updates = run_async(collect(proofread(text, model)))
    assert [(u.done, u.total) for u in updates] == [(0, 2), (1, 2), (2, 2)]
    assert changes(text, updates[-1].corrections) == [
        ("i", "I", "capitalization"), ("teh", "the", "spelling"), ("blue", "blue.", "punctuation")]
    assert model.calls[0][0][0].content.endswith("\ni like teh sea.")
    assert model.generations[1].closed_early  # the commentary after the sentence is not waited for
    assert describe_counts(updates[-1].corrections) == "3 corrections (1 spelling, 1 punctuation, 1 capitalization)"


def test_empty_text_is_refused():
    with pytest.raises(ProofreadError, match="no text to proofread"):
        run_async(collect(proofread("  \n", ScriptedModel([]))))


def test_accepting_moves_the_other_corrections():
    text = "teh cat and teh dog"
    found = [Correction(0, 3, "teh", "the", "spelling"), Correction(12, 15, "teh", "the", "spelling"),
             Correction(4, 11, "cat and", "cats", "grammar")]
    text, rest = apply_correction(text, found, found[2])
    assert text == "teh cats teh dog"
    text, rest = apply_correction(text, rest, rest[1])
    assert text == "teh cats the dog"
    text, rest = apply_correction(text, rest, rest[0])
    assert (text, rest) == ("the cats the dog", [])
    with pytest.raises(ProofreadError, match="changed since"):
        apply_correction("tex", found, found[0])


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4), st.text("xyz", max_size=4)), max_size=6),
       st.randoms())
def test_accepting_in_any_order_gives_the_same_text(edits, random):
    text = "abcdefghijklmnopqrstuvwxyz01234"
    found = []
    for start, length, replacement in edits:
        end = min(start + length, len(text))
        candidate = Correction(start, end, text[start:end], replacement, "spelling")
        if not any(overlaps(candidate, c) for c in found):
            found.append(candidate)
    expected = text
    for correction in sorted(found, key=lambda c: -c.start):
        expected = expected[:correction.start] + correction.replacement + expected[correction.end:]
    pending = list(found)
    while pending:
        text, pending = apply_correction(text, pending, random.choice(pending))
    assert text == expected


@pytest.mark.parametrize("text, expected", [
    ("I recieve letters.", [("recieve", "receive")]),
    ("Her adress is here.", [("adress", "address")]),  # a missed letter beats a more frequent word
    ("She put teh kettle on.", [("teh", "the")]),  # a rare word never wins on letters alone
    ("Definately.", [("Definately", "Definitely")]),
    ("The colourful stalls of the harbour opened.", []),  # British spelling
    ("We met at the cafe by Okonkwo's shop in Zürich.", []),  # an accent, a name
    ("An impactful, immersive show.", []),  # unknown but no near word: left alone
    ("NASA and the BBC.", []),
])
def test_spelling_comes_from_the_dictionary(text, expected):
    assert [(c.original, c.replacement) for c in spelling_corrections(text)] == expected
    assert all(c.kind == "spelling" for c in spelling_corrections(text))


@pytest.mark.parametrize("text, expected", [
    ("He bought a umbrella and an small bag.", [("a", "an"), ("an", "a")]),
    ("It took a hour at an university.", [("a", "an"), ("an", "a")]),
    ("A one-way trip, an honest man, a European tour.", []),
    ("They was late and we was early.", [("was", "were"), ("was", "were")]),
    ("She were there. If he were king.", [("were", "was")]),
    ("He don't know. She dont care.", [("don't", "doesn't"), ("dont", "doesn't")]),
    ("Their are ways. I could of gone.", [("Their", "There"), ("of", "have")]),
    ("Its a trap. Its roots are deep.", [("Its", "It's")]),
    ("Bring you're own cup. Theyre here, thats all.", [("you're", "your"), ("Theyre", "They're"), ("thats", "that's")]),
    ("You cant park. The cant of the roof.", [("cant", "can't")]),
    ("Closed on mondays and in july.", [("mondays", "Mondays"), ("july", "July")]),
])
def test_word_rules_fix_articles_agreement_and_contractions(text, expected):
    assert sorted((c.original, c.replacement) for c in grammar_corrections(text)) == sorted(expected)


def test_the_models_spelling_guesses_give_way_to_the_dictionary():
    text = "The libary is open."
    model = ScriptedModel(["The liberty is open."])
    final = run_async(collect(proofread(text, model)))[-1]
    assert changes(text, final.corrections) == [("libary", "library", "spelling")]
