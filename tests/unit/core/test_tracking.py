"""Authorship kept as the editor changes: person edits, model edits paragraph by
paragraph, the coalesced steps, and their provenance actions."""
import re

import pytest
from hypothesis import given, strategies as st

from app.core.authorship import IPTC, Authorship
from app.core.provenance import ProvenanceError
from app.core.tracking import Step, Tracked, utc_time

MODEL = ("SmolLM2-135M-Instruct", "smollm2-135m-instruct", "ab" * 32)
WHEN, LATER = "2026-05-01T09:30:00Z", "2026-05-01T09:31:00Z"


def origins(tracked):
    return [tracked.authorship.origin_at(i) for i in range(len(tracked.text))]


def test_typing_pasting_and_editing_model_text():
    tracked = Tracked().person_edit("Bees like roofs.", 16, "human", WHEN)
    tracked = tracked.model_edit(0, 16, "Bees like roofs.\n\nThey hum all day.", LATER, MODEL)
    assert [(r.origin, tracked.text[r.start:r.end]) for r in tracked.authorship.runs] == [
        ("human", "Bees like roofs."), ("ai", "\n\nThey hum all day.")]
    tracked = tracked.person_edit("Bees like roofs.\n\nThey hum all the day.", 34, "human", LATER)
    tracked = tracked.person_edit("Bees like roofs.\n\nThey hum all the day. Honey!", 46, "pasted", LATER)
    runs = [(r.origin, tracked.text[r.start:r.end]) for r in tracked.authorship.runs]
    assert runs == [("human", "Bees like roofs."), ("ai", "\n\nThey hum "), ("ai-edited", "all"),
                    ("human", " the"), ("ai", " day."), ("pasted", " Honey!")]
    assert [s.origin for s in tracked.steps] == ["human", "ai", "human", "pasted"]


def test_a_refinement_rewrites_paragraphs_and_keeps_what_it_left_alone():
    text = "# Bees\n\nBees like quiet sunny roofs.\n\n- one\n- two"
    tracked = Tracked(Authorship.written(text, "human"))
    refined = "# Bees\n\nBees like roofs.\n\n- one\n- two"
    after = tracked.model_edit(0, len(text), refined, WHEN, MODEL)
    assert [(r.origin, after.text[r.start:r.end]) for r in after.authorship.runs] == [
        ("human", "# Bees\n\n"), ("ai", "Bees like roofs."), ("human", "\n\n- one\n- two")]
    # A rewrite of a person's sentence is the model's sentence, even the words it repeats.
    assert "Bees like" not in "".join(after.text[r.start:r.end] for r in after.authorship.runs if r.origin == "human")


def test_a_model_edit_inside_the_draft_leaves_the_rest_alone():
    text = "Intro by me.\n\nA paragraph to rewrite.\n\nOutro by me."
    tracked = Tracked(Authorship.written(text, "human"))
    start, end = text.index("A paragraph"), text.index(" to rewrite.") + len(" to rewrite.")
    after = tracked.model_edit(start, end, "A rewritten paragraph.", WHEN, MODEL)
    assert after.text == "Intro by me.\n\nA rewritten paragraph.\n\nOutro by me."
    assert [r.origin for r in after.authorship.runs] == ["human", "ai", "human"]


def test_a_correction_replaces_exactly_its_span():
    tracked = Tracked(Authorship.written("i think so.", "human"))
    corrected = tracked.model_replace(0, 1, "I", WHEN, MODEL)
    assert corrected.text == "I think so." and origins(corrected)[:2] == ["ai", "human"]


def test_steps_coalesce_and_an_emptied_draft_starts_afresh():
    tracked = Tracked()
    for text in ("B", "Be", "Bee"):
        tracked = tracked.person_edit(text, len(text), "human", WHEN)
    assert tracked.steps == (Step("human", WHEN),)
    same = tracked.model_edit(0, 3, "Bee", LATER, MODEL)
    assert same is tracked  # the model changed nothing
    tracked = tracked.person_edit("", 0, "human", LATER)
    assert tracked == Tracked(Authorship())
    tracked = tracked.person_edit("Wasp", 4, "pasted", LATER)
    assert tracked.steps == (Step("pasted", LATER),)


def test_steps_become_provenance_actions():
    tracked = Tracked().person_edit("Bees.", 5, "human", WHEN).model_edit(0, 5, "Bees.\n\nHum.", LATER, MODEL)
    created, edited = tracked.actions()
    assert (created.action, created.digital_source_type) == ("c2pa.created", IPTC + "digitalCreation")
    assert (edited.action, edited.digital_source_type) == ("c2pa.edited", IPTC + "trainedAlgorithmicMedia")
    assert edited.model.to_dict() == {"name": MODEL[0], "id": MODEL[1], "weightsSha256": MODEL[2]}
    with pytest.raises(ProvenanceError, match="must name the model"):
        Tracked().model_edit(0, 0, "Unnamed.", WHEN, None).actions()


def test_person_edits_are_human_or_pasted_and_times_are_utc():
    with pytest.raises(ValueError, match="human or pasted"):
        Tracked().person_edit("x", 1, "ai", WHEN)
    assert utc_time(0) == "1970-01-01T00:00:00Z"


def paragraphs(text):
    """(start, paragraph) for each blank-line separated paragraph."""
    start = 0
    for gap in re.finditer(r"\n[ \t]*\n", text):
        yield start, text[start:gap.start()]
        start = gap.end()
    yield start, text[start:]


paragraph = st.text("ab \n", max_size=12)


@given(st.lists(paragraph, min_size=1, max_size=5), st.lists(paragraph, max_size=5),
       st.sampled_from(["human", "pasted", "ai-edited"]))
def test_model_edits_keep_only_identical_paragraphs(old_blocks, new_blocks, origin):
    """Property: the text is replaced exactly; every visible character the model wrote is
    ``ai`` unless its paragraph is one the old text had word for word; outside the span
    nothing changes."""
    old, new = "\n\n".join(old_blocks), "\n\n".join(new_blocks)
    text = "Before.\n\n" + old + "\n\nAfter."
    start = len("Before.\n\n")
    tracked = Tracked(Authorship.written(text, origin))
    after = tracked.model_edit(start, start + len(old), new, WHEN, MODEL)
    assert after.text == "Before.\n\n" + new + "\n\nAfter."
    result = origins(after)
    assert result[:start] == [origin] * start and result[start + len(new):] == [origin] * len("\n\nAfter.")
    kept = {piece.strip() for _, piece in paragraphs(old)}
    for offset, piece in paragraphs(new):
        if piece.strip() not in kept:
            assert all(result[start + offset + i] == "ai" for i, ch in enumerate(piece) if not ch.isspace())


@given(st.text("ab \n", max_size=30), st.text("ab \n", max_size=30))
def test_continuing_keeps_every_origin_of_the_text_continued(old, addition):
    """As refine's continue writes it: the paragraphs re-joined, then the new one."""
    tracked = Tracked(Authorship.written(old, "human"))
    continued = "\n\n".join(old.strip().split("\n\n") + [addition])
    after = tracked.model_edit(0, len(old), continued, WHEN, MODEL)
    assert after.text == continued
    for offset, piece in paragraphs(old.strip()):
        assert all(after.authorship.origin_at(offset + i) == "human" for i, ch in enumerate(piece)
                   if not ch.isspace())


def test_sentences_left_out_of_a_paragraph_leave_the_rest_its_origin():
    # The studio's shorter text made of the person's own sentences stays theirs.
    text = "Intro.\n\nBees like roofs. The sea is far. Hives do well.\n\nOutro."
    tracked = Tracked(Authorship.written(text, "human"))
    for shorter in ("Bees like roofs. Hives do well.", "Bees like roofs.", "The sea is far. Hives do well."):
        refined = text.replace("Bees like roofs. The sea is far. Hives do well.", shorter)
        after = tracked.model_edit(0, len(text), refined, WHEN, MODEL)
        assert after.text == refined
        assert [r.origin for r in after.authorship.runs] == ["human"], shorter
    # A sentence the model changed, even by cutting words out of it, is the model's.
    after = tracked.model_edit(0, len(text), text.replace("The sea is far. ", "The sea. "), WHEN, MODEL)
    assert "ai" in [r.origin for r in after.authorship.runs]
