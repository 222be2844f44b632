"""Checking a text against its provenance record or Content Credentials, in the page:
files chosen in the fields or dropped together, sorted by what they hold.

Public: ``VerifySection``, ``sort_dropped``.
"""
from __future__ import annotations

import asyncio
import json

from ..core.errors import StudioError
from . import ids, views
from .context import Context

VERIFY_LIMIT = 10_000_000  # bytes per file checked in the page


def sort_dropped(files: list) -> dict[str, list]:
    """Dropped files by role: one ``text``, at most one ``record`` (a provenance record
    or a C2PA sidecar) and ``previous`` record (the one the other follows), and any
    root certificates to ``trust``. Raises a StudioError saying what is missing."""
    from ..core.provenance import record_hash
    from ..core.verify import classify

    kinds: dict[str, list] = {"text": [], "record": [], "sidecar": [], "certificate": []}
    for file in files:
        kinds[classify(file.data)].append(file)
    if len(kinds["text"]) != 1:
        raise StudioError(f"Drop exactly one text to check (with its record); these were {len(kinds['text'])} "
                          "texts. Or choose the files in the fields.")
    records = kinds["record"]
    sorted_files = {"text": kinds["text"], "record": kinds["sidecar"], "previous": [], "trust": kinds["certificate"]}
    if len(records) + len(kinds["sidecar"]) > 2 or (kinds["sidecar"] and records) or len(kinds["sidecar"]) > 1:
        raise StudioError("Drop one record (and the record before it), or one .c2pa sidecar, with the text.")
    if len(records) == 2:
        first, second = (json.loads(f.data) for f in records)
        if second.get("previous") == record_hash(first):
            records = records[::-1]
        elif first.get("previous") != record_hash(second):
            raise StudioError("Neither dropped record follows the other: drop a record and the one before it.")
        sorted_files["previous"] = records[1:]
    sorted_files["record"] += records[:1]
    return sorted_files


class VerifySection:
    def __init__(self, context: Context) -> None:
        self.context = context
        context.page.on_click(ids.Verify.RUN, self.verify_chosen)
        context.page.on_drop(ids.Verify.DROP, lambda files: self.start({"dropped": files}))

    def verify_chosen(self) -> None:
        """Check the files chosen in the Verify fields."""
        page = self.context.page
        fields = {slot: page.chosen_files(element) for slot, element in ids.Verify.FILES.items()}
        if not fields["text"]:
            self.context.status.show("Choose the text to check (and its record, unless it carries its credentials).",
                                     "error")
            page.focus(ids.Verify.FILES["text"])
            return
        self.start(fields)

    def start(self, handles: dict) -> None:
        """Clear the last verdict and check the files (``data-state`` says when done)."""
        self.context.page.set_html(ids.Verify.RESULT, "")
        self.context.page.set_data(ids.Verify.RESULT, "state", "checking")
        self.context.status.show("Checking…")
        asyncio.ensure_future(self.verify(handles))

    async def verify(self, handles: dict) -> None:
        try:
            await self.check(handles)
        finally:
            self.context.page.set_data(ids.Verify.RESULT, "state", "done")

    async def check(self, handles: dict) -> None:
        from ..core import verify

        page, status = self.context.page, self.context.status
        try:
            picked = {slot: await page.read(files, VERIFY_LIMIT) for slot, files in handles.items()}
            if "dropped" in picked:
                picked = sort_dropped(picked["dropped"])
            text = picked["text"][0]
            record = picked["record"][0] if picked["record"] else None
            previous = picked["previous"][0] if picked["previous"] else None
            anchors = [verify.read_certificate(f.data, f.name) for f in picked["trust"]]
            own_root = await page.load_certificate("root")
            outcome = verify.check(text.data, record.data if record else None, previous.data if previous else None,
                                   page.value(ids.Verify.KEY).strip() or None, anchors + ([own_root] if own_root else []),
                                   text_name=text.name, record_name=f"record {record.name}" if record else "record",
                                   previous_name=f"previous record {previous.name}" if previous else "previous record")
        except (StudioError, verify.UnreadableInput) as error:
            status.show(str(error), "error")
            return
        page.set_html(ids.Verify.RESULT, views.verdict_html(outcome))
        checked = f"{text.name} against {record.name}" if record else f"the credentials {text.name} carries"
        trusted = (" Your own root certificate from this browser counts as trusted."
                   if own_root and "Content Credentials" in outcome.kind else "")
        status.show(f"Checked {checked}: {'valid' if outcome.valid else 'NOT valid'}.{trusted}",
                    "info" if outcome.valid else "warning")
