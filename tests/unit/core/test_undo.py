"""Undo/redo across typing bursts and model edits, authorship included."""
import pytest
from hypothesis import given, strategies as st

from app.core.authorship import Authorship
from app.core.tracking import Tracked
from app.core.undo import UndoStack

WHEN = "2026-05-01T09:30:00Z"


def test_a_burst_of_typing_undoes_as_one_step_and_a_model_edit_as_another():
    stack = UndoStack("Hi")
    stack.record("Hi t", 4, now=10.0, typing=True)
    stack.record("Hi th", 5, now=10.3, typing=True)
    stack.record("Hi there", 8, now=10.6, typing=True)
    stack.record("Hi there. Model text.", 21, now=11.0)  # the model wrote
    stack.record("Hi there. Model text!", 21, now=15.0, typing=True)  # a pause: a step of its own
    assert stack.undo().text == "Hi there. Model text."
    assert stack.undo().text == "Hi there"
    assert stack.undo().text == "Hi"
    assert stack.undo() is None and not stack.can_undo
    assert stack.redo().text == "Hi there"
    assert stack.redo().caret == 21
    stack.record("Hi there. New.", 14, now=20.0, typing=True)  # a new change drops what was undone
    assert stack.redo() is None and not stack.can_redo


def test_typing_right_after_an_undo_is_a_new_step():
    stack = UndoStack("")
    stack.record("a", 1, now=1.0, typing=True)
    stack.record("ab", 2, now=1.1, typing=True)
    stack.undo()
    stack.record("x", 1, now=1.2, typing=True)
    assert stack.undo().text == ""


def test_unchanged_text_records_nothing_and_the_limit_holds():
    stack = UndoStack("a", limit=3)
    stack.record("a", 0, now=0.0)
    assert not stack.can_undo
    for i in range(10):
        stack.record(f"a{i}", 0, now=float(i))
    assert len(stack.past) == 3


@given(st.lists(st.text("ab", max_size=3), max_size=12))
def test_undo_all_then_redo_all_walks_the_steps(texts):
    stack = UndoStack("start")
    steps = ["start"]
    for i, text in enumerate(texts):
        stack.record(text, 0, now=float(i) * 5)
        if text != steps[-1]:
            steps.append(text)
    undone = [stack.current.text]
    while (snapshot := stack.undo()) is not None:
        undone.append(snapshot.text)
    assert undone == steps[::-1]
    redone = [stack.current.text]
    while (snapshot := stack.redo()) is not None:
        redone.append(snapshot.text)
    assert redone == steps


def test_undo_and_redo_bring_back_who_wrote_the_text():
    typed = Tracked().person_edit("Bees.", 5, "human", WHEN)
    continued = typed.model_edit(0, 5, "Bees.\n\nThey hum.", WHEN, None)
    stack = UndoStack(tracked=Tracked())
    stack.record(typed.text, 5, now=1.0, typing=True, tracked=typed)
    stack.record(continued.text, 16, now=2.0, tracked=continued)
    assert stack.undo().tracked == typed
    assert stack.redo().tracked.authorship.runs[-1].origin == "ai"


def test_the_same_text_with_new_authorship_updates_the_current_step():
    human = Tracked(Authorship.written("Bees.", "human"))
    pasted = human.person_edit("Bees.", 5, "pasted", WHEN)  # unchanged text: nothing to note
    assert pasted is human
    stack = UndoStack("Bees.", tracked=human)
    relabelled = Tracked(Authorship.written("Bees.", "pasted"))
    stack.record("Bees.", 5, now=1.0, tracked=relabelled)
    assert not stack.can_undo and stack.current.tracked == relabelled
    with pytest.raises(ValueError, match="its own text"):
        stack.record("Wasps.", 6, now=2.0, tracked=human)
