"""The studio's page logic: reads the brief, runs the core, shows the results.

It works through two objects given to it — a page (``app.bridge.Page``: DOM by
element id) and a model (a core ``TextGenerator``) — so it imports nothing from
the browser. Public: ``Studio``.
"""
from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace

from .core.catalogue import Catalogue, ModelEntry
from .core.document import export_name, standalone_html, to_plain_text
from .core.draft import draft, move_line, outline
from .core.proofread import Correction, apply_correction, describe_counts, proofread
from .core.refine import alternatives, headlines, paragraph_at, refine, summarize
from .core.undo import UndoStack
from .core.errors import StudioError, WorkerCrashedError
from .core.brief import Brief
from .core.ideas import IdeaCard, SparkUpdate, combine, spark
from .core.techniques import TECHNIQUES
from .core.versions import History, diff_html, word_diff
from .core.model import Message, Sampling
from .core.render import render_inline, render_markdown
from .preview import Preview

EXPLANATIONS = {technique.name: technique.explanation for technique in TECHNIQUES}


EXPLANATIONS["Combination"] = "Two ideas merged into one."


def _actions_html(index: int, pinned: bool, selected: bool) -> str:
    described = f'aria-describedby="idea-title-{index}"'
    return (
        f'<div class="idea-actions">'
        f'<button type="button" id="idea-pin-{index}" data-action="pin" data-index="{index}" '
        f'aria-pressed="{str(pinned).lower()}" {described}>{"Pinned" if pinned else "Pin"}</button>'
        f'<button type="button" id="idea-discard-{index}" data-action="discard" data-index="{index}" '
        f'{described}>Discard</button>'
        f'<button type="button" id="idea-more-{index}" data-action="more" data-index="{index}" '
        f'{described}>More like this</button>'
        f'<button type="button" id="idea-draft-{index}" data-action="draft" data-index="{index}" '
        f'{described}>Draft this</button>'
        f'<label><input type="checkbox" id="idea-select-{index}" data-action="select" data-index="{index}" '
        f'{described}{" checked" if selected else ""}> Combine</label></div>'
    )


def cards_html(cards: list[IdeaCard], pinned: set[str] = frozenset(), selected: set[int] = frozenset(),
               actions: bool = False) -> str:
    """Markup for the idea list; titles and hooks are Markdown from the model. ``actions``
    adds each card's buttons (pin, discard, more like this, select to combine)."""
    items = []
    for index, card in enumerate(cards):
        state = "" if card.complete else ' data-streaming="true"'
        state += ' data-pinned="true"' if card.key() in pinned else ""
        hook = f'<div class="idea-hook">{render_inline(card.hook)}</div>' if card.hook else ""
        technique = (f'<p class="idea-technique">Sparked by <strong>{html.escape(card.technique)}</strong>: '
                     f'{html.escape(EXPLANATIONS.get(card.technique, ""))}</p>') if card.technique else ""
        buttons = _actions_html(index, card.key() in pinned, index in selected) if actions else ""
        items.append(f'<li class="idea-card"{state}><h3 class="idea-title" id="idea-title-{index}">'
                     f'{render_inline(card.title)}</h3>{hook}{technique}{buttons}</li>')
    return "".join(items)


class Studio:
    """Wires the brief form, the Spark and Stop buttons and the idea list."""

    def __init__(self, page, model, read_catalogue: Callable[[], Catalogue]) -> None:
        self.page = page
        self.model = model
        self.read_catalogue = read_catalogue
        self.task: asyncio.Task | None = None
        self.model_ready = False
        self.brief: Brief | None = None
        self.cards: list[IdeaCard] = []
        self.pinned: set[str] = set()
        self.selected: set[int] = set()
        self.drafting: IdeaCard | None = None
        self.history = History()
        self.compared: set[int] = set()
        self.headlines: list[str] = []
        self.undo_stack = UndoStack()
        self.corrections: list[Correction] = []
        self.accepted = 0
        self.rewrites: list = []
        self.rewrite_target: tuple[int, int, str] | None = None
        self.retry_work = None
        self.working = False
        self.preview = Preview(page, "draft-preview", "draft-stats")

    async def start(self) -> None:
        """Hook up events, then wait for the model (the form works meanwhile)."""
        self.page.on("brief-form", "submit", self.on_submit)
        self.page.on("brief", "keydown", self.on_brief_key)
        self.page.on("stop", "click", lambda _event: self.stop())
        self.page.on("retry", "click", lambda _event: self.retry())
        self.page.on("ideas", "click", self.on_card_action)
        self.page.on("ideas", "change", self.on_card_action)
        self.page.on("combine", "click", lambda _event: self.start_combine())
        self.page.on("write-draft", "click", lambda _event: self.start_draft())
        self.page.on("draft", "input", lambda _event: self.on_draft_typed())
        self.page.on("draft", "keydown", self.on_draft_key)
        self.page.on("undo", "click", lambda _event: self.step_history(undo=True))
        self.page.on("redo", "click", lambda _event: self.step_history(undo=False))
        self.page.on("outline", "keydown", self.on_outline_key)
        self.page.on("outline-up", "click", lambda _event: self.move_section(-1))
        self.page.on("outline-down", "click", lambda _event: self.move_section(+1))
        self.page.on("proofread", "click", lambda _event: self.start_proofread())
        self.page.on("corrections", "click", self.on_correction_action)
        self.page.on("rewrites", "click", lambda _event: self.start_rewrites())
        self.page.on("export-md", "click", lambda _event: self.export("md"))
        self.page.on("export-html", "click", lambda _event: self.export("html"))
        self.page.on("export-txt", "click", lambda _event: self.export("txt"))
        self.page.on("copy-draft", "click", lambda _event: self.copy_draft())
        self.page.on("save-version", "click", lambda _event: self.save_version("Saved by you"))
        self.page.on("history", "click", self.on_history_action)
        self.page.on("history", "change", self.on_history_action)
        self.page.on("compare", "click", lambda _event: self.compare())
        self.page.on("refine", "click", lambda _event: self.start_refine())
        self.page.on("summarize-tldr", "click", lambda _event: self.start_extra("tldr"))
        self.page.on("summarize-points", "click", lambda _event: self.start_extra("key points"))
        self.page.on("make-headlines", "click", lambda _event: self.start_extra("headlines"))
        self.page.on("extras", "click", self.on_extra_action)
        self.page.stage("python", "ready", f"Studio ready in {self.page.seconds_since_start():.1f} s")
        self.page.set_enabled("spark", True)
        self.page.set_data("studio", "python", "ready")
        self.page.expose("runPrompt", self.run_prompt)
        try:
            info = await self.model.ready()
            self.show_model(self.read_catalogue().get(info["id"]), info["dtype"])
        except StudioError as error:
            self.show_status(str(error), "error")
            return
        self.model_ready = True
        self.show_status(f"{info['name']} is ready. Write a brief and press Spark ideas (Ctrl+Enter).")

    def show_model(self, entry: ModelEntry, dtype: str) -> None:
        """Say which model writes, how big it is, and under which licence."""
        size = entry.size_bytes(dtype) / 1e6
        self.page.set_text(
            "model-info",
            f"Model: {entry.name} ({dtype}, {size:.0f} MB), {entry.licence}, from {entry.source}. "
            "It runs on this device.",
        )

    def show_status(self, text: str, kind: str = "info") -> None:
        self.page.set_text("status", text)
        self.page.set_data("status", "kind", kind)

    def on_submit(self, event) -> None:
        event.preventDefault()
        self.start_spark()

    def on_brief_key(self, event) -> None:
        if event.key == "Enter" and (event.ctrlKey or event.metaKey):
            event.preventDefault()
            self.start_spark()

    def start_spark(self) -> None:
        if self.busy:
            return
        try:
            brief = Brief.from_fields(
                topic=self.page.value("brief"), audience=self.page.value("brief-audience"),
                format=self.page.value("brief-format"), tone=self.page.value("brief-tone"),
                keywords=self.page.value("brief-keywords"), avoid=self.page.value("brief-avoid"),
            )
        except StudioError as error:
            self.show_status(str(error), "error")
            self.page.focus("brief")
            return
        self.brief = brief
        keep = tuple(card for card in self.cards if card.key() in self.pinned)
        count = max(int(self.page.value("idea-count")), len(keep) + 1)
        self.run_ideas(lambda: spark(brief, self.model, count, keep=keep), "Sparking ideas…", replace=True)

    def on_card_action(self, event) -> None:
        """Pin, discard, more like this, or select for combining, by the card's button."""
        control = event.target.closest("[data-action]")
        if control is None or (self.busy):
            return
        action, index = control.dataset.action, int(control.dataset.index)
        if index >= len(self.cards) or (event.type == "change") != (action == "select"):
            return
        card = self.cards[index]
        if action == "pin":
            self.pinned ^= {card.key()}
        elif action == "discard":
            self.cards.pop(index)
            self.pinned.discard(card.key())
            self.selected = {i - (i > index) for i in self.selected if i != index}
            self.show_status(f"Discarded “{card.title}”.")
        elif action == "select":
            self.selected ^= {index}
        elif action == "draft":
            self.begin(lambda: self.make_outline(card))
            return
        elif action == "more":
            count, keep, brief = len(self.cards) + 2, tuple(self.cards), self.brief
            self.run_ideas(lambda: spark(brief, self.model, count, keep=keep, angle=card),
                           f"Two more ideas like “{card.title}”…")
            return
        self.show_cards()
        # The list was drawn anew: keep keyboard focus on the same control (or the next card's).
        if self.cards:
            self.page.focus(f"idea-{action}-{min(index, len(self.cards) - 1)}")
        else:
            self.page.focus("brief")

    def start_combine(self) -> None:
        if len(self.selected) != 2 or (self.busy):
            return
        first, second = (self.cards[i] for i in sorted(self.selected))
        others = [c for i, c in enumerate(self.cards) if i not in self.selected]
        self.selected = set()
        brief = self.brief
        self.run_ideas(lambda: combine(brief, self.model, first, second, others),
                       f"Combining “{first.title}” and “{second.title}”…", append=True)

    def show_cards(self, cards: list[IdeaCard] | None = None) -> None:
        """Render the cards; with none given, the settled list with its buttons."""
        settled = cards is None
        self.page.set_html("ideas", cards_html(self.cards if settled else cards, self.pinned, self.selected,
                                               actions=settled))
        self.page.set_enabled("combine", settled and len(self.selected) == 2)

    async def make_outline(self, card: IdeaCard) -> None:
        """Outline the chosen idea into the editable outline field."""
        self.drafting = card
        self.page.set_text("draft-idea", f"Drafting “{card.title}”: {card.hook}")
        try:
            await self.model.ready()
            self.show_status(f"Outlining “{card.title}”…")
            headings, from_model = await outline(self.brief, card, self.model)
            self.page.set_value("outline", "\n".join(headings))
            note = "" if from_model else " The model gave no usable outline, so here is a plain one."
            self.show_status(f"Outline ready.{note} Edit or reorder it, then press Write the draft.")
            self.page.focus("outline")
        except asyncio.CancelledError:
            await self.model.settled()
            self.show_status("Stopped outlining.")
        except StudioError as error:
            self.show_error(error)
        finally:
            self.set_busy(False)

    def start_draft(self) -> None:
        if self.drafting is None or (self.busy):
            return
        headings = [line.strip() for line in self.page.value("outline").splitlines() if line.strip()]
        if not headings:
            self.show_status("The outline is empty: write at least one section heading.", "error")
            self.page.focus("outline")
            return
        self.begin(lambda: self.write_draft(headings))

    async def write_draft(self, headings: list[str]) -> None:
        """Stream the draft into the editor section by section; Stop keeps what is written."""
        text = self.page.value("draft")
        with self.model_writes_editor():
            try:
                async for update in draft(self.brief, self.drafting, headings, self.model):
                    text = update.markdown
                    self.page.set_value("draft", text)
                    self.show_status(f"Writing section {update.section + 1} of {len(headings)}: "
                                     f"{headings[update.section]}…")
                self.set_draft(text)
                version = self.save_version(f"Draft of “{self.drafting.title}”", announce=False)
                self.show_status(f"Draft written: {len(headings)} sections, {len(text.split())} words, saved as "
                                 f"v{version.number}. Edit it freely.")
            except asyncio.CancelledError:
                await self.model.settled()
                self.set_draft(text)
                self.save_version(f"Stopped draft of “{self.drafting.title}”", announce=False)
                self.show_status(f"Stopped. The draft keeps the {len(text.split())} words written so far.")
            except StudioError as error:
                self.set_draft(text)
                self.save_version(f"Interrupted draft of “{self.drafting.title}”", announce=False)
                self.show_error(error)

    def set_draft(self, text: str, caret: int | None = None) -> None:
        """Put ``text`` in the editor as one undoable step (a model edit, a restore, an
        accepted correction), and bring the preview and counts up to date."""
        self.page.set_value("draft", text)
        caret = len(text) if caret is None else caret
        self.page.select("draft", caret, caret)
        self.undo_stack.record(text, caret, time.monotonic())
        self.after_draft_change(text)

    def after_draft_change(self, text: str) -> None:
        self.show_preview(text)
        self.page.set_enabled("undo", self.undo_stack.can_undo)
        self.page.set_enabled("redo", self.undo_stack.can_redo)

    def on_draft_typed(self) -> None:
        text = self.page.value("draft")
        self.undo_stack.record(text, self.page.selection("draft")[1], time.monotonic(), typing=True)
        self.after_draft_change(text)

    def on_draft_key(self, event) -> None:
        """Ctrl+Z undoes, Ctrl+Shift+Z or Ctrl+Y redoes — the studio's own history, which
        includes the model's edits."""
        if not (event.ctrlKey or event.metaKey) or event.altKey:
            return
        key = event.key.lower()
        if key in ("z", "y"):
            event.preventDefault()
            self.step_history(undo=key == "z" and not event.shiftKey)

    def step_history(self, undo: bool) -> None:
        if self.busy:
            return
        snapshot = self.undo_stack.undo() if undo else self.undo_stack.redo()
        if snapshot is None:
            self.show_status(f"Nothing to {'undo' if undo else 'redo'}.")
            return
        self.page.set_value("draft", snapshot.text)
        self.page.select("draft", snapshot.caret, snapshot.caret)
        self.after_draft_change(snapshot.text)
        self.show_status("Undone." if undo else "Redone.")

    def on_outline_key(self, event) -> None:
        if event.altKey and event.key in ("ArrowUp", "ArrowDown"):
            event.preventDefault()
            self.move_section(-1 if event.key == "ArrowUp" else +1)

    def move_section(self, step: int) -> None:
        """Move the outline line holding the caret one place up or down."""
        text, caret = move_line(self.page.value("outline"), self.page.selection("outline")[1], step)
        self.page.set_value("outline", text)
        self.page.select("outline", caret, caret)
        self.page.focus("outline")

    def start_proofread(self) -> None:
        """Proofread the selection or the whole draft; corrections are listed to accept or reject."""
        if self.busy:
            return
        text = self.page.value("draft")
        start, end = self.page.selection("draft")
        if start == end:
            start, end = 0, len(text)
        self.begin(lambda: self.run_proofread(text, start, end))

    async def run_proofread(self, text: str, start: int, end: int) -> None:
        self.corrections, self.accepted = [], 0
        with self.model_writes_editor():  # the text must not move while positions are found
            try:
                await self.model.ready()
                async for update in proofread(text[start:end], self.model):
                    self.corrections = [replace(c, start=c.start + start, end=c.end + start)
                                        for c in update.corrections]
                    self.show_status(f"Proofreading sentence {update.done + 1} of {update.total}…"
                                     if update.done < update.total else "Proofread.")
                    self.show_corrections(text)
                self.show_status(f"Proofread: {describe_counts(self.corrections)}. "
                                 "Accept or reject each one." if self.corrections else "Proofread: no corrections.")
            except asyncio.CancelledError:
                await self.model.settled()
                self.show_corrections(text)
                self.show_status(f"Stopped proofreading; {describe_counts(self.corrections)} found so far.")
            except StudioError as error:
                self.show_error(error)

    def show_corrections(self, text: str) -> None:
        items = []
        for i, c in enumerate(self.corrections):
            context = html.escape(text[max(0, c.start - 30):c.start].lstrip()) + \
                f"<mark>{html.escape(c.original)}</mark>" + html.escape(text[c.end:c.end + 30].rstrip())
            items.append(
                f'<li data-kind="{c.kind}"><span class="correction-kind">{c.kind}</span> '
                f'<del>{html.escape(c.original.strip() or "(nothing)")}</del> → '
                f'<ins>{html.escape(c.replacement.strip() or "(remove)")}</ins> '
                f'<span class="correction-context">…{context}…</span> '
                f'<button type="button" id="correction-accept-{i}" data-action="accept" data-index="{i}">Accept</button> '
                f'<button type="button" id="correction-reject-{i}" data-action="reject" data-index="{i}">Reject</button>'
                f'</li>')
        accept_all = ('<button type="button" id="correction-accept-all" data-action="accept-all" data-index="0">'
                      'Accept all</button>') if len(self.corrections) > 1 else ""
        heading = f"<h3>Proofreading: {describe_counts(self.corrections)}</h3>" if self.corrections else ""
        self.page.set_html("corrections", f"{heading}<ol>{''.join(items)}</ol>{accept_all}" if items else "")

    def on_correction_action(self, event) -> None:
        """Accept (apply at its position) or reject one correction, or accept them all."""
        control = event.target.closest("[data-action]")
        if control is None or self.busy:
            return
        action, index = control.dataset.action, int(control.dataset.index)
        if index >= len(self.corrections):
            return
        text = self.page.value("draft")
        if action == "reject":
            self.show_status(f"Rejected {self.corrections.pop(index).describe()}.")
        else:
            chosen = self.corrections[index]
            try:
                if action == "accept-all":
                    while self.corrections:  # from the end, so earlier positions stay put
                        text, self.corrections = apply_correction(text, self.corrections, self.corrections[-1])
                        self.accepted += 1
                else:
                    text, self.corrections = apply_correction(text, self.corrections, chosen)
                    self.accepted += 1
            except StudioError as error:
                self.corrections = []
                self.show_corrections(text)
                self.show_status(str(error), "error")
                return
            self.set_draft(text, caret=chosen.start + len(chosen.replacement))
            self.show_status("Accepted all corrections." if action == "accept-all"
                             else f"Accepted {chosen.describe()}.")
        self.show_corrections(text)
        if self.corrections:
            self.page.focus(f"correction-{action}-{min(index, len(self.corrections) - 1)}")
            return
        if self.accepted:
            version = self.save_version(f"Proofread: {self.accepted} accepted", announce=False)
            self.show_status(f"Proofreading done: {self.accepted} correction{'s' if self.accepted != 1 else ''} "
                             f"accepted, saved as v{version.number}.")
        self.page.focus("draft")

    def start_rewrites(self) -> None:
        """Three rewrites of the selection, or of the paragraph holding the caret."""
        if self.busy:
            return
        text = self.page.value("draft")
        start, end = self.page.selection("draft")
        if start == end:
            start, end = paragraph_at(text, start)
        self.rewrite_target = (start, end, text[start:end])
        self.begin(lambda: self.run_rewrites(text[start:end]))

    async def run_rewrites(self, passage: str) -> None:
        self.rewrites = []
        try:
            await self.model.ready()
            self.show_status("Writing three rewrites…")
            async for found in alternatives(passage, self.model):
                self.rewrites = found
                self.show_rewrites(final=False)
            self.show_rewrites(final=True)
            self.show_status(f"{len(self.rewrites)} rewrite{'s' if len(self.rewrites) != 1 else ''} beside the draft: "
                             "pick one with Use this.")
        except asyncio.CancelledError:
            await self.model.settled()
            self.rewrites = [r for r in self.rewrites if r.summary]
            self.show_rewrites(final=True)
            self.show_status("Stopped.")
        except StudioError as error:
            if self.rewrites:
                self.rewrites = [r for r in self.rewrites if r.summary]
                self.show_rewrites(final=True)
            self.show_error(error)
        finally:
            self.set_busy(False)

    def show_rewrites(self, final: bool) -> None:
        items = "".join(
            f'<li><h4>{html.escape(r.style)}</h4>{render_markdown(r.text, first_heading=5)}'
            + (f'<p class="hint">{html.escape(r.summary)}</p><button type="button" id="rewrite-use-{i}" '
               f'data-rewrite="{i}">Use this</button>' if final and r.summary else "")
            + "</li>"
            for i, r in enumerate(self.rewrites))
        self.page.set_html("extras", f"<h3>Rewrites</h3><ol>{items}</ol>")

    def use_rewrite(self, index: int) -> None:
        """Put the chosen rewrite in place of the passage it was written from."""
        if self.busy or self.rewrite_target is None or index >= len(self.rewrites):
            return
        start, end, original = self.rewrite_target
        text = self.page.value("draft")
        if text[start:end] != original:
            self.show_status("The passage has changed since the rewrites were written: ask for new ones.", "error")
            return
        rewrite = self.rewrites[index]
        self.save_version("Before rewriting", announce=False)
        self.set_draft(text[:start] + rewrite.text + text[end:], caret=start + len(rewrite.text))
        self.rewrite_target = (start, start + len(rewrite.text), rewrite.text)
        version = self.save_version(f"Rewrite: {rewrite.style}", announce=False)
        self.show_status(f"{rewrite.summary} Saved as v{version.number}.")

    def show_preview(self, markdown_text: str) -> None:
        """The sanitized preview and the counts of the draft (a long one a moment later, in pieces)."""
        self.preview.show(markdown_text)

    def start_refine(self) -> None:
        if self.busy:
            return
        text = self.page.value("draft")
        start, end = self.page.selection("draft")
        if start == end:
            start, end = 0, len(text)
        operation, tone = self.page.value("refine-op"), self.page.value("refine-tone")
        self.begin(lambda: self.run_refine(operation, text, start, end, tone))

    async def run_refine(self, operation: str, text: str, start: int, end: int, tone: str) -> None:
        """Refine ``text[start:end]`` in place, streaming; the text before is kept as a version."""
        before, target, after = text[:start], text[start:end], text[end:]
        with self.model_writes_editor():
            try:
                if target.strip():
                    self.save_version("Before refining", announce=False)
                await self.model.ready()
                self.show_status("Refining…")
                async for update in refine(operation, target, self.model, tone):
                    self.page.set_value("draft", before + update.text + after)
                self.set_draft(self.page.value("draft"), caret=len(before + update.text))
                version = self.save_version(update.summary.split(":")[0], announce=False)
                self.show_status(f"{update.summary} Saved as v{version.number}.")
            except asyncio.CancelledError:
                await self.model.settled()
                self.set_draft(self.page.value("draft"))
                self.save_version("Stopped refining", announce=False)
                self.show_status("Stopped. The text before refining is kept in Versions.")
            except StudioError as error:
                if self.page.value("draft") != text:
                    self.set_draft(self.page.value("draft"))
                self.show_error(error)

    def start_extra(self, kind: str) -> None:
        """A summary or headline variants of the selection or the whole draft, shown beside it."""
        if self.busy:
            return
        text = self.page.value("draft")
        start, end = self.page.selection("draft")
        self.begin(lambda: self.run_extra(kind, text[start:end] if start != end else text))

    async def run_extra(self, kind: str, text: str) -> None:
        try:
            await self.model.ready()
            label = {"tldr": "tl;dr", "key points": "key points", "headlines": "headlines"}[kind]
            self.show_status(f"Writing the {label}…")
            if kind == "headlines":
                self.headlines = await headlines(text, self.model)
                items = "".join(
                    f'<li>{html.escape(h)} <button type="button" data-headline="{i}">Use as title</button></li>'
                    for i, h in enumerate(self.headlines))
                self.page.set_html("extras", f"<h3>Headlines</h3><ol>{items}</ol>")
                self.show_status(f"{len(self.headlines)} headline{'s' if len(self.headlines) != 1 else ''}, "
                                 "each under 80 characters.")
            else:
                result = await summarize(kind, text, self.model)
                self.page.set_html("extras", f"<h3>{html.escape(label.capitalize())}</h3>"
                                             f"{render_markdown(result, first_heading=4)}")
                self.show_status(f"The {label} is beside the draft.")
        except asyncio.CancelledError:
            await self.model.settled()
            self.show_status("Stopped.")
        except StudioError as error:
            self.show_error(error)
        finally:
            self.set_busy(False)

    def on_extra_action(self, event) -> None:
        """A button beside the draft: use a headline as the title, or use a rewrite."""
        if (button := event.target.closest("[data-rewrite]")) is not None:
            self.use_rewrite(int(button.dataset.rewrite))
        elif (button := event.target.closest("[data-headline]")) is not None:
            self.use_headline(int(button.dataset.headline))

    def use_headline(self, index: int) -> None:
        """Make a headline the draft's title (its first "# " line), as a new version."""
        headline = self.headlines[index]
        lines = self.page.value("draft").split("\n")
        if lines and lines[0].startswith("# "):
            lines[0] = f"# {headline}"
        else:
            lines[:0] = [f"# {headline}", ""]
        self.set_draft("\n".join(lines), caret=len(headline) + 2)
        version = self.save_version("New title", announce=False)
        self.show_status(f"Title set; saved as v{version.number}.")

    @contextmanager
    def model_writes_editor(self):
        """The editor is read-only while the model writes into it; the studio is busy until done."""
        self.page.set_data("draft", "state", "streaming")
        self.page.set_enabled("draft", False)
        try:
            yield
        finally:
            self.page.set_data("draft", "state", "idle")
            self.page.set_enabled("draft", True)
            self.set_busy(False)

    def save_version(self, label: str, announce: bool = True):
        """Save the editor's text as a version (nothing new if unchanged)."""
        version = self.history.commit(self.page.value("draft"), label, time.time())
        self.show_history()
        if announce:
            self.show_status(f"Saved as v{version.number}.")
        return version

    def show_history(self) -> None:
        items = []
        for version in reversed(self.history.versions):
            n = version.number
            current = ' data-current="true"' if n == self.history.head else ""
            origin = f", from v{version.parent}" if version.parent and version.parent != n - 1 else ""
            items.append(
                f'<li{current}>v{n}: {html.escape(version.label)} · {len(version.text.split())} words{origin}'
                f'{" (current)" if current else ""} '
                f'<button type="button" id="version-restore-{n}" data-action="restore" data-number="{n}">'
                f'Restore v{n}</button> <label><input type="checkbox" id="version-pick-{n}" data-action="pick" '
                f'data-number="{n}"{" checked" if n in self.compared else ""}> Compare</label></li>'
            )
        self.page.set_html("history", "".join(items))
        self.page.set_enabled("compare", len(self.compared) == 2)

    def on_history_action(self, event) -> None:
        control = event.target.closest("[data-action]")
        if control is None:
            return
        action, number = control.dataset.action, int(control.dataset.number)
        if action == "restore" and event.type == "click":
            self.set_draft(self.history.restore(number).text)
            self.show_status(f"Restored v{number}; new versions branch from it.")
        elif action == "pick" and event.type == "change":
            self.compared ^= {number}
        else:
            return
        self.show_history()
        self.page.focus(f"version-{action}-{number}")

    def compare(self) -> None:
        """Word-level diff from the older to the newer of the two ticked versions."""
        if len(self.compared) != 2:
            return
        old, new = (self.history.get(n) for n in sorted(self.compared))
        changes = word_diff(old.text, new.text)
        self.page.set_html("diff", f"<p>From v{old.number} to v{new.number}:</p><p>{diff_html(changes)}</p>")
        changed = sum(1 for op, _ in changes if op != "equal")
        self.show_status(f"v{old.number} → v{new.number}: {changed} change{'s' if changed != 1 else ''}.")

    def export(self, kind: str) -> None:
        """Download the draft as Markdown, standalone sanitized HTML, or plain text."""
        text = self.page.value("draft")
        if not text.strip():
            self.show_status("The draft is empty: write or generate something to export.", "error")
            return
        if kind == "html":
            title = export_name(text, "html").removesuffix(".html").replace("-", " ")
            content, mime = standalone_html(title, self.page.sanitize(render_markdown(text))), "text/html"
        elif kind == "txt":
            content, mime = to_plain_text(text), "text/plain"
        else:
            content, mime = text, "text/markdown"
        name = export_name(text, kind)
        self.page.download(name, content, mime)
        self.show_status(f"Exported {name}.")

    async def copy_draft(self) -> None:
        try:
            await self.page.copy(self.page.value("draft"))
            self.show_status("Copied the draft to the clipboard.")
        except StudioError as error:
            self.show_status(str(error), "error")

    @property
    def busy(self) -> bool:
        """Whether model work is running (one piece at a time)."""
        return bool(self.task and not self.task.done())

    def begin(self, work) -> None:
        """Run one piece of model work as the current task; the studio is busy from now on
        (each piece's own ``finally`` ends that). ``work`` is a function making the coroutine,
        which Try again calls again if the model stops unexpectedly (or a coroutine: no retry)."""
        self.retry_work = work if callable(work) else None
        self.page.set_hidden("retry", True)
        self.set_busy(True)
        self.task = asyncio.ensure_future(work() if callable(work) else work)
        self.task.add_done_callback(self.after_work)

    def after_work(self, task: asyncio.Task) -> None:
        """Work stopped before it began never ran its own ending: end it here."""
        if task is self.task and self.working:
            self.set_busy(False)
            self.show_status("Stopped.")

    def show_error(self, error: StudioError) -> None:
        """Say what went wrong with model work; when the model stopped unexpectedly, offer to
        run the same work again."""
        crashed = isinstance(error, WorkerCrashedError) and self.retry_work is not None
        self.show_status(f"{error} What was written so far is kept: press Try again to run it again."
                         if crashed else str(error), "error")
        self.page.set_hidden("retry", not crashed)

    def retry(self) -> None:
        """Run the work the model's crash interrupted again."""
        if not self.busy and self.retry_work is not None:
            self.begin(self.retry_work)

    def stop(self) -> None:
        if self.busy:
            self.task.cancel()

    def set_busy(self, busy: bool) -> None:
        self.working = busy
        self.page.set_enabled("spark", not busy)
        self.page.set_enabled("stop", busy)
        self.page.set_enabled("write-draft", not busy and self.drafting is not None)
        if busy:
            self.page.set_enabled("combine", False)
        self.page.set_data("ideas", "state", "streaming" if busy else "idle")
        for region in ("ideas", "extras", "corrections"):  # announced once the model is done
            self.page.set_attribute(region, "aria-busy", str(busy).lower())

    def run_ideas(self, updates, working: str, replace: bool = False, append: bool = False) -> None:
        """Run the stream of SparkUpdates that ``updates()`` makes as the current task."""
        self.begin(lambda: self.stream_ideas(updates(), working, replace, append))

    async def stream_ideas(self, updates, working: str, replace: bool, append: bool) -> None:
        """Stream cards into the list; Stop keeps the finished ones. ``replace`` starts a new
        list, ``append`` adds the result after the current cards, otherwise it replaces them."""
        before = [] if replace else list(self.cards)
        prefix = before if append else []
        if replace:
            self.selected = set()
        cards: list[IdeaCard] = before
        update = SparkUpdate(before)
        try:
            if not self.model_ready:
                self.show_status("Waiting for the model to finish loading…")
            await self.model.ready()
            self.show_status(working)
            async for update in updates:
                cards = prefix + update.cards
                self.show_cards(cards)
            self.cards = cards if update.cards or not append else before
            self.show_status(self.summary(update), "warning" if update.shortfall else "info")
        except asyncio.CancelledError:
            self.cards = [c for c in cards if c.complete]
            self.show_status("Stopping…")
            await self.model.settled()
            self.show_status(f"Stopped. Kept {len(self.cards)} idea{'s' if len(self.cards) != 1 else ''}.")
        except StudioError as error:
            self.cards = [c for c in cards if c.complete]
            self.show_error(error)
        finally:
            self.set_busy(False)
            self.show_cards()

    @staticmethod
    def summary(update) -> str:
        """What the spark delivered, what it dropped, and how fast the model wrote."""
        tokens = sum(s.tokens for s in update.stats)
        seconds = sum(s.first_token_ms + s.decode_ms for s in update.stats) / 1000
        speed = f" at {tokens / seconds:.1f} tokens/s" if seconds else ""
        cards = update.cards
        found = update.shortfall or f"{len(cards)} idea{'s' if len(cards) != 1 else ''}."
        dropped = sum(update.dropped.values())
        if dropped and not update.shortfall:
            found += f" {dropped} weaker one{'s' if dropped != 1 else ''} dropped."
        return f"{found} {tokens} tokens{speed}."

    async def run_prompt(self, prompt: str, max_new_tokens: int = 128) -> dict:
        """Greedy completion of one user prompt through the studio path, timed
        in Python (used by bench/ to measure the bridge's cost)."""
        loop = asyncio.get_running_loop()
        await self.model.ready()
        started = loop.time()
        first = None
        text = ""
        generation = self.model.generate([Message("user", prompt)], Sampling.greedy(int(max_new_tokens)))
        async for chunk in generation:
            if first is None:
                first = loop.time()
            text += chunk
        ended = loop.time()
        stats = generation.stats
        return {
            "text": text,
            "tokens": stats.tokens,
            "promptTokens": stats.prompt_tokens,
            "firstTokenMs": ((first or ended) - started) * 1000,
            "decodeMs": (ended - (first or ended)) * 1000,
            "workerFirstTokenMs": stats.first_token_ms,
            "workerDecodeMs": stats.decode_ms,
        }
