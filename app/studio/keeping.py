"""Keeping the studio's current project in the browser: shortly after each change
(``SAVE_PAUSE`` seconds after typing stops), at once after every model operation and
version and before model work starts, every ``STREAMING_SAVE`` seconds while the model
writes (a crash loses at most the text in flight), and when the page is hidden or closed.
It hears of changes from the draft, the studio's state, the work and the form.

Public: ``ProjectKeeper``, ``SAVE_PAUSE``, ``STREAMING_SAVE``.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

from ..core.project import Project, to_file
from ..core.tracking import utc_time
from . import ids
from .context import Context
from .state import Change

SAVE_PAUSE = 0.8
STREAMING_SAVE = 2.0


class ProjectKeeper:
    """The current project and when it was last stored."""

    def __init__(self, context: Context, store, say: Callable[[str, str], None]) -> None:
        self.context, self.page, self.store, self.say = context, context.page, store, say
        self.project: Project | None = None
        self.kept: Project | None = None  # the project as last stored
        self.pending: asyncio.TimerHandle | None = None
        self.streaming: asyncio.Task | None = None
        self.opening = False  # showing a project is not a change to keep
        self.page.on_input(ids.Brief.FORM, lambda _pasted: self.note_change(False))
        self.page.on_input(ids.Drafting.OUTLINE, lambda _pasted: self.note_change(False))
        self.page.on_leave(self.save_now)
        context.draft.listen(lambda change: self.note_change(change.versions_only))
        context.state.listen(lambda change: change is not Change.OPENED and self.note_change(False))
        context.work.listen(lambda _busy, _job: self.note_change(True))  # before model work starts, and as it ends

    @property
    def busy(self) -> bool:
        return self.context.work.busy

    def snapshot(self, base: Project) -> Project:
        """``base`` with everything the studio shows now. While the model writes into the
        editor, the draft includes what it has written so far, as the model's text."""
        page = self.page
        brief = {name: page.value(element) for name, element in ids.Brief.FIELDS.items()}
        shown = page.value(ids.Editor.DRAFT) if self.busy else None
        return self.context.state.snapshot(base, brief, page.value(ids.Drafting.OUTLINE), self.context.draft, shown)

    def open(self, project: Project) -> None:
        """Show ``project`` in the studio as it was kept; undo starts fresh."""
        self.opening = True
        try:
            for name, element in ids.Brief.FIELDS.items():
                self.page.set_value(element, project.brief[name] or ("5" if name == "count" else ""))
            self.page.set_value(ids.Drafting.OUTLINE, project.outline)
            self.context.state.open(project)
            self.context.draft.open(project.draft, project.versions, project.head)
        finally:
            self.opening = False

    def note_change(self, urgent: bool) -> None:
        """Something changed: keep it now (``urgent``) or after a pause in typing; while
        the model writes, keep it every few seconds too."""
        if self.project is None or self.opening:
            return
        if self.busy and (self.streaming is None or self.streaming.done()):
            self.streaming = asyncio.ensure_future(self.keep_while_busy())
        self.cancel_pending()
        if urgent:
            self.save_now()
        else:
            self.pending = asyncio.get_running_loop().call_later(SAVE_PAUSE, self.save_now)

    def cancel_pending(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    async def keep_while_busy(self) -> None:
        while self.busy:
            await asyncio.sleep(STREAMING_SAVE)
            self.save_now()

    def save_now(self) -> None:
        """Start keeping the current project at once (the write begins before this returns)."""
        self.cancel_pending()
        future = self.start_save()
        if future is not None:
            future.add_done_callback(self.after_save)

    async def save(self, touch: bool = True) -> None:
        """Keep the current project and wait until it is stored (``touch``: as saved now)."""
        future = self.start_save(touch)
        if future is not None:
            await future
            self.after_save(future)

    def start_save(self, touch: bool = True) -> asyncio.Future | None:
        """Start storing the studio's project unless it is as kept; the future carries it."""
        if self.project is None:
            return None
        project = self.snapshot(self.project)
        if self.kept is not None and replace(project, updated=self.kept.updated) == self.kept:
            return None
        if touch:
            project = replace(project, updated=time.time())
        self.project = project
        future = self.store.put(project.id, project.name, project.updated, to_file(project, utc_time()))
        future.saving = project
        return future

    def after_save(self, future: asyncio.Future) -> None:
        if future.cancelled():
            return
        if (error := future.exception()) is not None:
            self.kept = None  # try again with the next change
            self.say(str(error), "error")
            self.context.status.show(str(error), "error")
            return
        self.kept = future.saving
        self.page.set_data(ids.Projects.SECTION, "saved", str(future.saving.updated))
        self.say(f"Saved “{future.saving.name}” at {time.strftime('%H:%M:%S', time.localtime(future.saving.updated))}.")
