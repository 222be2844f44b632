"""Proofreading the selection or the whole draft: corrections listed in their context,
each to accept (applied at its place, as the model's edit) or reject, or all at once.

Public: ``ProofreadingSection``.
"""
from __future__ import annotations

from dataclasses import replace

from ..core.errors import StudioError
from ..core.proofread import Correction, apply_correction, describe_counts, proofread
from . import ids, views
from .context import Context
from .state import Change
from .work import Job


class ProofreadingSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.corrections: list[Correction] = []
        self.accepted = 0
        self.text = ""  # the draft the corrections were found in
        context.page.on_click(ids.Assist.PROOFREAD, self.start)
        context.page.on_action(ids.Assist.CORRECTIONS, self.on_action)
        context.state.listen(lambda change: change is Change.OPENED and self.show([]))
        context.work.listen(lambda busy, _job: context.page.set_attribute(ids.Assist.CORRECTIONS, "aria-busy",
                                                                          str(busy).lower()))

    def show(self, corrections: list[Correction]) -> None:
        self.corrections = corrections
        self.context.page.set_html(ids.Assist.CORRECTIONS, views.corrections_html(self.text, corrections))

    def start(self) -> None:
        if self.context.work.busy:
            return
        text, start, end = self.context.target()
        self.text, self.accepted = text, 0
        status = self.context.status

        async def run() -> None:
            self.show([])
            async for update in proofread(text[start:end], self.context.model):
                self.show([replace(c, start=c.start + start, end=c.end + start) for c in update.corrections])
                status.show(f"Proofreading sentence {update.done + 1} of {update.total}…"
                            if update.done < update.total else "Proofread.")
            status.show(f"Proofread: {describe_counts(self.corrections)}. Accept or reject each one."
                        if self.corrections else "Proofread: no corrections.")

        # The editor is held still while positions are found.
        self.context.work.begin(Job(run, writes_editor=True, stopped=lambda: (
            f"Stopped proofreading; {describe_counts(self.corrections)} found so far.")))

    def on_action(self, action: str, index: int, _checked: bool) -> None:
        """Accept (apply at its position) or reject one correction, or accept them all."""
        context = self.context
        if context.work.busy or index >= len(self.corrections):
            return
        text = context.page.value(ids.Editor.DRAFT)
        if action == "reject":
            rejected = self.corrections.pop(index)
            context.status.show(f"Rejected {rejected.describe()}.")
        else:
            chosen = self.corrections[index]
            tracked = context.draft.tracked
            corrections = self.corrections
            try:
                # The chosen one, or all of them from the end (so earlier positions stay put).
                while corrections if action == "accept-all" else chosen in corrections:
                    correction = corrections[-1] if action == "accept-all" else chosen
                    text, corrections = apply_correction(text, corrections, correction)
                    tracked = tracked.model_replace(correction.start, correction.end, correction.replacement,
                                                    context.draft.clock(), context.state.model)
                    self.accepted += 1
            except StudioError as error:
                self.text = text
                self.show([])
                context.status.show(str(error), "error")
                return
            self.corrections = corrections
            context.draft.set(tracked, caret=chosen.start + len(chosen.replacement))
            context.status.show("Accepted all corrections." if action == "accept-all"
                                else f"Accepted {chosen.describe()}.")
        self.text = text
        self.show(self.corrections)
        if self.corrections:
            context.page.focus(f"correction-{action}-{min(index, len(self.corrections) - 1)}")
            return
        if self.accepted:
            version = context.draft.save_version(f"Proofread: {self.accepted} accepted")
            context.status.show(f"Proofreading done: {self.accepted} correction{'s' if self.accepted != 1 else ''} "
                                f"accepted, saved as v{version.number}.")
        context.page.focus(ids.Editor.DRAFT)
