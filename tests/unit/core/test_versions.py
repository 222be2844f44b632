"""Versions, restore and branching with their authorship, and the word diff (property-tested)."""
import pytest
from hypothesis import given, strategies as st

from app.core.authorship import Authorship
from app.core.tracking import Tracked
from app.core.versions import History, diff_html, word_diff


def test_commits_chain_and_unchanged_text_saves_nothing():
    history = History()
    first = history.commit("one", "Draft", 1.0)
    second = history.commit("one two", "Edit", 2.0)
    assert history.commit("one two", "Edit again", 3.0) is second
    assert (first.number, second.number, second.parent) == (1, 2, 1)


def test_restoring_an_old_version_and_writing_on_branches():
    history = History()
    history.commit("a", "v1", 1)
    history.commit("a b", "v2", 2)
    assert history.restore(1).text == "a"
    branch = history.commit("a c", "v3", 3)
    assert branch.parent == 1 and history.lineage(3) == [1, 3] and history.lineage(2) == [1, 2]
    with pytest.raises(KeyError, match="no version 9"):
        history.restore(9)


def test_versions_and_branches_keep_who_wrote_them():
    history = History()
    typed = Tracked(Authorship.written("Bees.", "human"))
    continued = typed.model_edit(0, 5, "Bees.\n\nThey hum.", "2026-05-01T09:30:00Z", None)
    history.commit(typed.text, "Typed", 1, typed)
    history.commit(continued.text, "Continued", 2, continued)
    assert history.restore(1).tracked == typed
    branch = typed.person_edit("Bees buzz.", 9, "human", "2026-05-01T09:31:00Z")
    history.commit(branch.text, "Branch", 3, branch)
    assert history.get(3).parent == 1 and history.get(2).tracked == continued
    # The same text pasted over itself is new authorship: a version of its own.
    pasted = Tracked(Authorship.written("Bees buzz.", "pasted"))
    assert history.commit(pasted.text, "Pasted", 4, pasted).number == 4
    assert history.commit(pasted.text, "Again", 5, pasted).number == 4
    with pytest.raises(ValueError, match="its own text"):
        history.commit("Other.", "Mismatch", 6, pasted)


def test_word_diff_marks_changed_words():
    runs = word_diff("Bees love roofs.", "Bees adore flat roofs!")
    assert ("delete", "love") in runs and ("insert", "adore flat") in runs
    assert diff_html(runs).count("<ins>") == 2


def test_diff_html_escapes_text():
    assert diff_html(word_diff("", "<b>")) == "<ins>&lt;b&gt;</ins>"


@given(st.text(max_size=200), st.text(max_size=200))
def test_diff_rebuilds_both_texts(old, new):
    runs = word_diff(old, new)
    assert "".join(t for op, t in runs if op != "insert") == old
    assert "".join(t for op, t in runs if op != "delete") == new
