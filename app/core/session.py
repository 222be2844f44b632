"""The draft's one owner: its text with who wrote every part (``tracking.Tracked``), its
undo steps and its versions change together, here and nowhere else. Whatever must follow
an edit (the editor, the preview, the authorship view, the version list, autosave)
listens instead of being called by whoever made the edit.

Public: ``DraftSession``, ``DraftChange``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .tracking import Tracked, utc_time
from .undo import UndoStack
from .versions import History, Version

Model = tuple[str, str, str]  # (name, catalogue id, SHA-256 of the weights)


@dataclass(frozen=True)
class DraftChange:
    """What changed: the text (``caret``: where to put the caret, None when the person
    typed it and the editor shows it already) or only the list of versions."""

    text: str
    caret: int | None = None
    versions_only: bool = False

    @property
    def typed(self) -> bool:
        return self.caret is None and not self.versions_only


class DraftSession:
    """The draft, its authorship, undo and versions; ``listen`` to hear of each change."""

    def __init__(self, clock: Callable[[], str] = utc_time, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.clock, self.monotonic, self.wall = clock, monotonic, wall
        self.tracked = Tracked()
        self.undo = UndoStack(tracked=self.tracked)
        self.history = History()
        self.listeners: list[Callable[[DraftChange], None]] = []

    @property
    def text(self) -> str:
        return self.tracked.text

    def listen(self, listener: Callable[[DraftChange], None]) -> None:
        self.listeners.append(listener)

    def _tell(self, change: DraftChange) -> None:
        for listener in self.listeners:
            listener(change)

    # --- edits ---

    def typed(self, text: str, caret: int, pasted: bool = False) -> None:
        """The person changed the editor to ``text``: typing is theirs (bursts undo as one
        step), pasted or dropped text is pasted (a step of its own)."""
        origin = "pasted" if pasted else "human"
        self.tracked = self.tracked.person_edit(text, caret, origin, self.clock())
        self.undo.record(text, caret, self.monotonic(), typing=not pasted, tracked=self.tracked)
        self._tell(DraftChange(text))

    def model_wrote(self, start: int, end: int, new_text: str, model: Model | None) -> Tracked:
        """The draft with the model's ``new_text`` in place of ``start..end`` (paragraphs it
        kept exactly keep their origin); not applied until ``set``."""
        return self.tracked.model_edit(start, end, new_text, self.clock(), model)

    def model_replaced(self, start: int, end: int, new_text: str, model: Model | None) -> Tracked:
        """The draft with exactly ``start..end`` replaced by the model's ``new_text``; not applied."""
        return self.tracked.model_replace(start, end, new_text, self.clock(), model)

    def set(self, tracked: Tracked, caret: int | None = None) -> None:
        """Make ``tracked`` the draft as one undoable step (a model edit, a restore, an
        accepted correction); the caret goes to ``caret`` or the end."""
        self.tracked = tracked
        caret = len(tracked.text) if caret is None else caret
        self.undo.record(tracked.text, caret, self.monotonic(), tracked=tracked)
        self._tell(DraftChange(tracked.text, caret))

    def step(self, undo: bool) -> bool:
        """Undo or redo one step; False when there is none."""
        snapshot = self.undo.undo() if undo else self.undo.redo()
        if snapshot is None:
            return False
        self.tracked = snapshot.tracked
        self._tell(DraftChange(snapshot.text, snapshot.caret))
        return True

    # --- versions ---

    def save_version(self, label: str, tracked: Tracked | None = None) -> Version:
        """Save the draft (or ``tracked``) as a version; an unchanged one saves nothing new."""
        tracked = tracked or self.tracked
        version = self.history.commit(tracked.text, label, self.wall(), tracked)
        self._tell(DraftChange(self.text, versions_only=True))
        return version

    def restore(self, number: int) -> Version:
        """Bring back version ``number`` as the draft; the next version branches from it."""
        version = self.history.restore(number)
        self.set(version.tracked)
        self._tell(DraftChange(self.text, versions_only=True))
        return version

    def open(self, tracked: Tracked, versions: tuple[Version, ...] | list[Version], head: int | None) -> None:
        """Replace everything with a kept draft and its versions; undo starts fresh."""
        self.tracked = tracked
        self.undo = UndoStack(tracked.text, tracked=tracked)
        self.history = History(versions, head)
        self._tell(DraftChange(tracked.text, len(tracked.text)))
        self._tell(DraftChange(tracked.text, versions_only=True))
