"""What the studio holds besides the draft (which ``core.session.DraftSession`` owns): the
brief, the idea cards, which are pinned and selected, the idea being drafted and the model
that writes. Pure: it turns into a ``Project`` and back, and tells listeners what changed.

Public: ``StudioState``, ``Change``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

from ..core.brief import Brief
from ..core.errors import StudioError
from ..core.idea_cards import IdeaCard
from ..core.project import BRIEF_FIELDS, Project
from ..core.session import DraftSession


class Change(Enum):
    """What a listener hears about."""

    CARDS = "cards"  # the list, pins or selection
    DRAFTING = "drafting"  # the idea being drafted
    OPENED = "opened"  # a project replaced everything
    EDITED = "edited"  # something worth keeping that has no other listener (the outline, say)


@dataclass
class StudioState:
    brief: Brief | None = None
    cards: list[IdeaCard] = field(default_factory=list)
    pinned: set[str] = field(default_factory=set)
    selected: set[int] = field(default_factory=set)
    drafting: IdeaCard | None = None
    # The model that writes, as (name, catalogue id, SHA-256 of the weights), for who wrote what.
    model: tuple[str, str, str] | None = None
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    def listen(self, listener: Callable[[Change], None]) -> None:
        self.listeners.append(listener)

    def tell(self, change: Change) -> None:
        for listener in self.listeners:
            listener(change)

    def pinned_cards(self) -> tuple[IdeaCard, ...]:
        return tuple(card for card in self.cards if card.key() in self.pinned)

    def snapshot(self, base: Project, brief: dict[str, str], outline: str, draft: DraftSession,
                 shown: str | None = None) -> Project:
        """``base`` with all the studio holds; ``brief`` and ``outline`` are the form's text.
        ``shown`` is the editor's text while the model writes into it: kept as the model's."""
        tracked = draft.tracked
        if shown is not None and shown != tracked.text:
            tracked = draft.model_wrote(0, len(tracked.text), shown, self.model)
        return replace(base, brief=dict(brief), cards=tuple(self.cards), pinned=frozenset(self.pinned),
                       drafting=self.drafting, outline=outline, draft=tracked,
                       versions=tuple(draft.history.versions), head=draft.history.head)

    def open(self, project: Project) -> None:
        """Take ``project``'s brief, cards and idea being drafted (the caller opens its draft)."""
        try:
            self.brief = Brief.from_fields(**{name: project.brief[name] for name in BRIEF_FIELDS[:-1]})
        except StudioError:
            self.brief = None
        self.cards, self.pinned, self.selected = list(project.cards), set(project.pinned), set()
        self.drafting = project.drafting
        self.tell(Change.OPENED)
