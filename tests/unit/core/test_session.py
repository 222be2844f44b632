"""The draft's owner: text, authorship, undo and versions change together and listeners hear of it."""
from app.core.session import DraftChange, DraftSession
from app.core.tracking import Tracked

MODEL = ("SmolLM2", "smollm2-135m-instruct", "ab" * 32)


def session_with_clock():
    ticks = iter(range(1000))
    session = DraftSession(clock=lambda: "2026-05-01T09:30:00Z", monotonic=lambda: float(next(ticks) * 10),
                           wall=lambda: 1.0)
    changes: list[DraftChange] = []
    session.listen(changes.append)
    return session, changes


def test_typing_then_a_model_edit_undo_as_two_steps_with_their_authorship():
    session, changes = session_with_clock()
    session.typed("Hello", 5)
    assert changes[-1].typed and changes[-1].text == "Hello"
    session.set(session.model_wrote(5, 5, " world.", MODEL))
    assert session.text == "Hello world." and changes[-1] == DraftChange("Hello world.", 12)
    assert session.tracked.steps[-1].model == MODEL
    assert session.step(undo=True) and session.text == "Hello"
    assert changes[-1] == DraftChange("Hello", 5)
    assert [run.origin for run in session.tracked.authorship.runs] == ["human"]
    assert session.step(undo=False) and session.text == "Hello world."
    assert not session.step(undo=False)


def test_pasted_text_is_pasted_and_a_step_of_its_own():
    session, _ = session_with_clock()
    session.typed("Quote: ", 7)
    session.typed("Quote: to be", 12, pasted=True)
    assert {run.origin for run in session.tracked.authorship.runs} == {"human", "pasted"}
    session.step(undo=True)
    assert session.text == "Quote: "


def test_versions_save_restore_and_branch_and_tell_listeners():
    session, changes = session_with_clock()
    session.typed("One.", 4)
    first = session.save_version("Saved by you")
    assert changes[-1].versions_only and first.number == 1
    assert session.save_version("Again") is first  # unchanged: nothing new
    session.set(session.model_replaced(0, 4, "Two.", MODEL))
    session.save_version("Refined")
    session.restore(1)
    assert session.text == "One." and session.history.head == 1
    assert any(c.caret == 4 for c in changes[-2:]) and changes[-1].versions_only
    branch = session.save_version("Branch", tracked=session.model_wrote(4, 4, " More.", MODEL))
    assert branch.parent == 1 and session.text == "One."  # saving another text does not change the draft


def test_open_replaces_draft_versions_and_undo():
    session, changes = session_with_clock()
    session.typed("Old.", 4)
    kept = Tracked().person_edit("Kept text.", 10, "human", "2026-05-01T09:30:00Z")
    other, _ = session_with_clock()
    other.set(kept)
    version = other.save_version("v1")
    session.open(kept, (version,), 1)
    assert session.text == "Kept text." and session.history.versions == [version] and session.history.head == 1
    assert not session.undo.can_undo
    assert changes[-2] == DraftChange("Kept text.", 10) and changes[-1].versions_only
