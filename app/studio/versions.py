"""The draft's versions: save one by hand, restore any (writing on branches from it), and
compare two word by word.

Public: ``VersionsSection``.
"""
from __future__ import annotations

from ..core.session import DraftChange
from ..core.versions import word_diff
from . import ids, views
from .context import Context
from .state import Change


class VersionsSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.compared: set[int] = set()
        page = context.page
        page.on_click(ids.Versions.SAVE, self.save)
        page.on_action(ids.Versions.LIST, self.on_action)
        page.on_click(ids.Versions.COMPARE, self.compare)
        context.draft.listen(self.on_draft)
        context.state.listen(self.on_state)

    def on_draft(self, change: DraftChange) -> None:
        if change.versions_only:
            self.show()

    def on_state(self, change: Change) -> None:
        if change is Change.OPENED:
            self.compared = set()
            self.context.page.set_html(ids.Versions.DIFF, "")
            self.show()

    def show(self) -> None:
        history = self.context.draft.history
        self.context.page.set_html(ids.Versions.LIST, views.history_html(history.versions, history.head, self.compared))
        self.context.page.set_enabled(ids.Versions.COMPARE, len(self.compared) == 2)

    def save(self) -> None:
        version = self.context.draft.save_version("Saved by you")
        self.context.status.show(f"Saved as v{version.number}.")

    def on_action(self, action: str, number: int, _checked: bool) -> None:
        if action == "restore":
            self.context.draft.restore(number)
            self.context.status.show(f"Restored v{number}; new versions branch from it.")
        elif action == "pick":
            self.compared ^= {number}
            self.show()
        else:
            return
        self.context.page.focus(f"version-{action}-{number}")

    def compare(self) -> None:
        """Word-level diff from the older to the newer of the two ticked versions."""
        if len(self.compared) != 2:
            return
        old, new = (self.context.draft.history.get(n) for n in sorted(self.compared))
        changes = word_diff(old.text, new.text)
        self.context.page.set_html(ids.Versions.DIFF, views.diff_view(old, new, changes))
        changed = sum(1 for op, _ in changes if op != "equal")
        self.context.status.show(f"v{old.number} → v{new.number}: {changed} change{'s' if changed != 1 else ''}.")
