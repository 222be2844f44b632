"""The draft's editor: typing (the person's) and pasting (pasted), undo and redo across
typing and the model's edits (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y, and the buttons), the
preview and counts, read-only while the model writes into it, copy and export.

Public: ``EditorSection``.
"""
from __future__ import annotations

from ..core.document import export_name, standalone_html, to_plain_text
from ..core.errors import StudioError
from ..core.render import render_markdown
from ..core.session import DraftChange
from . import ids
from .context import Context
from .preview import Preview


class EditorSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        page = context.page
        self.preview = Preview(page, ids.Editor.PREVIEW, ids.Editor.STATS)
        page.on_input(ids.Editor.DRAFT, self.on_typed)
        undo, redo = (lambda: self.step(undo=True)), (lambda: self.step(undo=False))
        page.on_keys(ids.Editor.DRAFT, {"Ctrl+Z": undo, "Ctrl+Shift+Z": redo, "Ctrl+Y": redo, "Ctrl+Shift+Y": redo})
        page.on_click(ids.Editor.UNDO, undo)
        page.on_click(ids.Editor.REDO, redo)
        page.on_click(ids.Editor.COPY, self.copy)
        for kind, element in ids.Editor.EXPORT.items():
            page.on_click(element, lambda kind=kind: self.export(kind))
        context.draft.listen(self.on_draft)
        context.work.listen(self.on_busy)

    def adopt_early_typing(self) -> None:
        """Text typed into the editor before the studio was listening is the person's."""
        text = self.context.page.value(ids.Editor.DRAFT)
        if text != self.context.draft.text:
            self.context.draft.typed(text, len(text))

    def on_draft(self, change: DraftChange) -> None:
        """Bring the editor, preview, counts and undo buttons up to date with the draft."""
        if change.versions_only:
            return
        page, draft = self.context.page, self.context.draft
        if not change.typed:
            page.set_value(ids.Editor.DRAFT, change.text)
            page.select(ids.Editor.DRAFT, change.caret, change.caret)
        self.preview.show(change.text)
        page.set_enabled(ids.Editor.UNDO, draft.undo.can_undo)
        page.set_enabled(ids.Editor.REDO, draft.undo.can_redo)

    def on_busy(self, busy: bool, job) -> None:
        """The editor is read-only while the model writes into it."""
        if job is not None and job.writes_editor:
            self.context.page.set_data(ids.Editor.DRAFT, "state", "streaming" if busy else "idle")
            self.context.page.set_enabled(ids.Editor.DRAFT, not busy)

    def on_typed(self, pasted: bool) -> None:
        page = self.context.page
        self.context.draft.typed(page.value(ids.Editor.DRAFT), page.selection(ids.Editor.DRAFT)[1], pasted=pasted)

    def step(self, undo: bool) -> None:
        if self.context.work.busy:
            return
        if not self.context.draft.step(undo):
            self.context.status.show(f"Nothing to {'undo' if undo else 'redo'}.")
            return
        self.context.status.show("Undone." if undo else "Redone.")

    def export(self, kind: str) -> None:
        """Download the draft as Markdown, standalone sanitized HTML, or plain text."""
        page, status = self.context.page, self.context.status
        text = page.value(ids.Editor.DRAFT)
        if not text.strip():
            status.show("The draft is empty: write or generate something to export.", "error")
            return
        if kind == "html":
            title = export_name(text, "html").removesuffix(".html").replace("-", " ")
            content, mime = standalone_html(title, page.sanitize(render_markdown(text))), "text/html"
        elif kind == "txt":
            content, mime = to_plain_text(text), "text/plain"
        else:
            content, mime = text, "text/markdown"
        name = export_name(text, kind)
        page.download(name, content, mime)
        status.show(f"Exported {name}.")

    async def copy(self) -> None:
        try:
            await self.context.page.copy(self.context.page.value(ids.Editor.DRAFT))
            self.context.status.show("Copied the draft to the clipboard.")
        except StudioError as error:
            self.context.status.show(str(error), "error")
