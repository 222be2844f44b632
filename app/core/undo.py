"""Undo and redo for the editor, across typing and model edits alike.

The browser's own undo forgets everything once a script sets the editor's text, so
the studio keeps its own: every change is recorded; bursts of typing (changes less
than ``TYPING_PAUSE`` seconds apart) undo as one step, a model edit, a restore or an
accepted correction as one step each. Each snapshot carries the draft's authorship
(``tracking.Tracked``), so undo and redo bring back who wrote what with the text.

Public: ``Snapshot``, ``UndoStack``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .tracking import Tracked

TYPING_PAUSE = 1.0


@dataclass(frozen=True)
class Snapshot:
    """The editor's text, where the caret was, and who wrote the text (``tracked``)."""

    text: str
    caret: int = 0
    tracked: Tracked | None = None

    def __post_init__(self) -> None:
        if self.tracked is not None and self.tracked.text != self.text:
            raise ValueError("a snapshot's authorship must be of its own text")


class UndoStack:
    """The editor's past and undone states; the top of ``past`` is what the editor shows."""

    def __init__(self, text: str = "", limit: int = 500, tracked: Tracked | None = None) -> None:
        self.past: list[Snapshot] = [Snapshot(text, len(text), tracked)]
        self.future: list[Snapshot] = []
        self.limit = limit
        self._last_typing: float | None = None

    @property
    def current(self) -> Snapshot:
        return self.past[-1]

    def record(self, text: str, caret: int, now: float, typing: bool = False,
               tracked: Tracked | None = None) -> None:
        """Note the editor's new state; typing soon after typing joins the same step. An
        unchanged text with new authorship (text pasted over the same text) updates the
        current step."""
        if text == self.current.text:
            if tracked is not None and tracked != self.current.tracked:
                self.past[-1] = Snapshot(text, self.current.caret, tracked)
            return
        joins = typing and self._last_typing is not None and now - self._last_typing < TYPING_PAUSE
        if joins and len(self.past) > 1:
            self.past[-1] = Snapshot(text, caret, tracked)
        else:
            self.past.append(Snapshot(text, caret, tracked))
            del self.past[:-self.limit]
        self._last_typing = now if typing else None
        self.future.clear()

    def undo(self) -> Snapshot | None:
        """The state before the last step, or None when there is nothing to undo."""
        if len(self.past) < 2:
            return None
        self.future.append(self.past.pop())
        self._last_typing = None
        return self.current

    def redo(self) -> Snapshot | None:
        """The state the last undo left, or None."""
        if not self.future:
            return None
        self.past.append(self.future.pop())
        self._last_typing = None
        return self.current

    @property
    def can_undo(self) -> bool:
        return len(self.past) > 1

    @property
    def can_redo(self) -> bool:
        return bool(self.future)
