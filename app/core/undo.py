"""Undo and redo for the editor, across typing and model edits alike.

The browser's own undo forgets everything once a script sets the editor's text, so
the studio keeps its own: every change is recorded; bursts of typing (changes less
than ``TYPING_PAUSE`` seconds apart) undo as one step, a model edit, a restore or an
accepted correction as one step each.

Public: ``Snapshot``, ``UndoStack``.
"""
from __future__ import annotations

from dataclasses import dataclass

TYPING_PAUSE = 1.0


@dataclass(frozen=True)
class Snapshot:
    """The editor's text and where the caret was."""

    text: str
    caret: int = 0


class UndoStack:
    """The editor's past and undone states; the top of ``past`` is what the editor shows."""

    def __init__(self, text: str = "", limit: int = 500) -> None:
        self.past: list[Snapshot] = [Snapshot(text, len(text))]
        self.future: list[Snapshot] = []
        self.limit = limit
        self._last_typing: float | None = None

    @property
    def current(self) -> Snapshot:
        return self.past[-1]

    def record(self, text: str, caret: int, now: float, typing: bool = False) -> None:
        """Note the editor's new state; typing soon after typing joins the same step."""
        if text == self.current.text:
            return
        joins = typing and self._last_typing is not None and now - self._last_typing < TYPING_PAUSE
        if joins and len(self.past) > 1:
            self.past[-1] = Snapshot(text, caret)
        else:
            self.past.append(Snapshot(text, caret))
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
