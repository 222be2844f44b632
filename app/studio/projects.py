"""The creator's projects on this device: the project list, export and import.

On start ``ProjectShelf`` reopens the project open last (``keeping.ProjectKeeper`` keeps
it as it changes). The list lets the creator create, rename, duplicate, delete (with
undo) and switch projects; a project is exported as one file and imported as a new
project, never over another.

Public: ``ProjectShelf``.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace

from ..core.errors import StudioError
from ..core.project import (MAX_FILE_BYTES, Project, ProjectFileError, clean_name, duplicate, file_name, read_file,
                            to_file, unique_name)
from ..core.tracking import utc_time
from . import ids, views
from .context import Context
from .keeping import ProjectKeeper

PERSISTENCE_NOTES = {
    "persisted": "Projects are kept in this browser until you delete them.",
    "best-effort": "Projects are kept in this browser, which may clear them if the device runs short of "
                   "space: export the ones you care about.",
    "unsupported": "This browser may clear kept projects when space runs low: export the ones you care about.",
}


class ProjectShelf:
    """The list of projects and the one open."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.page = page = context.page
        self.store = page.projects()
        self.keeper = ProjectKeeper(context, self.store, self.say)
        self.names: dict[str, str] = {}
        self.deleted: tuple[str, float, str] | None = None  # (name, updated, file) of the last deleted project
        self.dialog_action = "rename"
        P = ids.Projects
        page.on_change(P.LIST, self.on_switch)
        page.on_change(P.IMPORT, self.import_chosen)
        page.on_submit(P.NAME_FORM, self.on_name_submit)
        for element, handler in ((P.NEW, self.ask_new_name), (P.RENAME, self.ask_rename),
                                 (P.DUPLICATE, self.duplicate_current), (P.DELETE, self.delete_current),
                                 (P.UNDO_DELETE, self.undo_delete), (P.EXPORT, self.export_current),
                                 (P.NAME_CANCEL, self.on_name_cancel)):
            page.on_click(element, handler)

    @property
    def busy(self) -> bool:
        return self.context.work.busy

    async def start(self) -> None:
        """Reopen the last project (or start one) and keep it."""
        try:
            await self.reopen_last()
        except StudioError as error:
            self.say(str(error), "error")
            self.keeper.project = self.keeper.kept = Project.new("Untitled", time.time())
        self.page.set_data(ids.Projects.SECTION, "state", "ready")
        asyncio.ensure_future(self.note_persistence())

    async def note_persistence(self) -> None:
        self.page.set_text(ids.Projects.STORAGE_NOTE, PERSISTENCE_NOTES[await self.store.persist()])

    def say(self, text: str, kind: str = "info") -> None:
        """A line about the projects (saving, errors), beside the list."""
        self.page.set_text(ids.Projects.STATUS, text)
        self.page.set_data(ids.Projects.STATUS, "kind", kind)

    # --- which project is open ---

    async def reopen_last(self) -> None:
        stored = await self.store.list()
        current = await self.store.setting("current")
        ids = [p.id for p in stored]
        for project_id in ([current] if current in ids else []) + [i for i in ids if i != current]:
            try:
                project = replace(read_file(await self.store.get(project_id) or ""), id=project_id)
            except ProjectFileError as error:
                self.say(f"A kept project cannot be opened ({error}); it is left as it was.", "error")
                continue
            await self.show(project, kept=True)
            return
        # Nothing kept (a first visit, or the last project deleted): a new project; on a
        # first visit it keeps whatever was typed while the studio started.
        await self.start_new("Untitled", fill_studio=self.keeper.project is not None or self.deleted is not None)

    async def show(self, project: Project, kept: bool, fill_studio: bool = True) -> None:
        """Make ``project`` the studio's current project (``fill_studio``: show its
        contents; without, the project takes what the studio shows)."""
        self.keeper.cancel_pending()
        self.keeper.project = project
        self.keeper.kept = project if kept else None
        if fill_studio:
            self.keeper.open(project)
        if not kept:
            await self.keeper.save(touch=False)
        await self.store.set_setting("current", project.id)
        await self.show_list()

    async def start_new(self, name: str, fill_studio: bool = True) -> None:
        await self.show(Project.new(unique_name(name, set(self.names.values())), time.time()), kept=False,
                        fill_studio=fill_studio)

    # --- the list ---

    async def show_list(self) -> None:
        stored = await self.store.list()
        self.names = {p.id: p.name for p in stored}
        if self.keeper.project.id not in self.names:
            self.names[self.keeper.project.id] = self.keeper.project.name
        self.page.set_html(ids.Projects.LIST, views.project_options_html(self.names))
        self.page.set_value(ids.Projects.LIST, self.keeper.project.id)

    async def on_switch(self) -> None:
        chosen = self.page.value(ids.Projects.LIST)
        if chosen == self.keeper.project.id:
            return
        if self.busy:
            self.page.set_value(ids.Projects.LIST, self.keeper.project.id)
            self.say("Wait until the model has finished (or press Stop), then switch projects.", "error")
            return
        try:
            await self.keeper.save()
            project = replace(read_file(await self.store.get(chosen) or ""), id=chosen)
        except StudioError as error:
            self.page.set_value(ids.Projects.LIST, self.keeper.project.id)
            self.say(str(error), "error")
            return
        await self.show(project, kept=True)
        self.say(f"Opened “{project.name}”.")

    def ask_name(self, action: str, title: str, name: str) -> None:
        """Open the name dialog for ``action`` (new, rename or duplicate)."""
        if self.busy and action != "rename":
            self.say("Wait until the model has finished (or press Stop).", "error")
            return
        self.dialog_action = action
        self.page.set_text(ids.Projects.NAME_TITLE, title)
        self.page.set_value(ids.Projects.NAME, name)
        self.page.show_dialog(ids.Projects.NAME_DIALOG)
        self.page.select(ids.Projects.NAME, 0, len(name))

    def ask_new_name(self) -> None:
        self.ask_name("new", "Name the new project", unique_name("Untitled", set(self.names.values())))

    def ask_rename(self) -> None:
        self.ask_name("rename", "Rename the project", self.keeper.project.name)

    def duplicate_current(self) -> None:
        self.ask_name("duplicate", "Name the copy", unique_name(f"{self.keeper.project.name} (copy)",
                                                                set(self.names.values())))

    def on_name_cancel(self) -> None:
        self.page.close_dialog(ids.Projects.NAME_DIALOG)
        self.page.focus(ids.Projects.NAMING[self.dialog_action])

    async def on_name_submit(self) -> None:
        """The name dialog's OK (or Enter): the form is never sent anywhere."""
        self.page.close_dialog(ids.Projects.NAME_DIALOG)
        name = clean_name(self.page.value(ids.Projects.NAME))
        action = self.dialog_action
        try:
            if action == "rename":
                self.keeper.project = replace(self.keeper.project, name=name)
                await self.keeper.save()
                await self.show_list()
                self.say(f"Renamed to “{name}”.")
            elif action == "new":
                await self.keeper.save()
                await self.start_new(name)
                self.say(f"Started “{self.keeper.project.name}”.")
            else:
                await self.keeper.save()
                copy = duplicate(self.keeper.snapshot(self.keeper.project),
                                 unique_name(name, set(self.names.values())), time.time())
                await self.show(copy, kept=False)
                self.say(f"Made a copy: “{copy.name}” is open.")
        except StudioError as error:
            self.say(str(error), "error")
        self.page.focus(ids.Projects.NAMING[action])

    async def delete_current(self) -> None:
        """Delete the open project (an Undo button brings it back), then open the newest other."""
        if self.busy:
            self.say("Wait until the model has finished (or press Stop), then delete.", "error")
            return
        project = self.keeper.snapshot(self.keeper.project)
        try:
            await self.store.remove(project.id)
        except StudioError as error:
            self.say(str(error), "error")
            return
        self.deleted = (project.name, project.updated, to_file(project, utc_time()))
        self.keeper.kept = self.keeper.project = None
        self.names.pop(project.id, None)
        await self.reopen_last()
        self.say(f"Deleted “{project.name}”.")
        self.page.set_hidden(ids.Projects.UNDO_DELETE, False)
        self.page.focus(ids.Projects.UNDO_DELETE)

    async def undo_delete(self) -> None:
        """Bring back the project deleted last and open it."""
        if self.deleted is None or self.busy:
            return
        name, _updated, file = self.deleted
        project = read_file(file)
        try:
            await self.keeper.save()
            await self.show(project, kept=False)
        except StudioError as error:
            self.say(str(error), "error")
            return
        self.deleted = None
        self.page.set_hidden(ids.Projects.UNDO_DELETE, True)
        self.say(f"Restored “{name}”.")
        self.page.focus(ids.Projects.LIST)

    # --- files ---

    def export_current(self) -> None:
        """Download the open project as one ``.musespark.json`` file."""
        project = self.keeper.snapshot(self.keeper.project)
        name = file_name(project)
        self.page.download(name, to_file(project, utc_time()), "application/json")
        self.say(f"Exported {name}: import it in any MuseSpark studio to carry on.")

    async def import_chosen(self) -> None:
        """Open a chosen project file as a new project; a bad file changes nothing."""
        files = self.page.chosen_files(ids.Projects.IMPORT)
        self.page.set_value(ids.Projects.IMPORT, "")
        if not files:
            return
        if self.busy:
            self.say("Wait until the model has finished (or press Stop), then import.", "error")
            return
        try:
            if files[0].size > MAX_FILE_BYTES:
                raise ProjectFileError(f"{files[0].name} is {files[0].size / 1e6:.1f} MB; project files up to "
                                       f"{MAX_FILE_BYTES / 1e6:.0f} MB can be opened.")
            picked = (await self.page.read(files[:1], MAX_FILE_BYTES))[0]
            project = read_file(picked.data)
        except StudioError as error:
            self.say(f"{files[0].name} was not imported: {error}", "error")
            self.page.set_data(ids.Projects.SECTION, "imported", "refused")
            return
        await self.keeper.save()
        name = unique_name(project.name, set(self.names.values()))
        # A new project beside the others: same contents, a fresh id if its own is taken.
        fresh_id = uuid.uuid4().hex if project.id in self.names else project.id
        await self.show(replace(project, id=fresh_id, name=name), kept=False)
        self.page.set_data(ids.Projects.SECTION, "imported", "done")
        self.say(f"Imported {picked.name} as “{name}”.")
