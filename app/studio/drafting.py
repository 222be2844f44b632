"""From an idea to a draft: Draft this on a card outlines it into the editable outline
(Alt+↑/↓ or the buttons move a section), then Write the draft streams it into the editor
section by section; Stop keeps what is written.

Public: ``DraftingSection``.
"""
from __future__ import annotations

from ..core.draft import draft, kept_on_stop, move_line, outline
from ..core.idea_cards import IdeaCard
from . import ids
from .context import Context
from .state import Change
from .work import Job

NO_IDEA = "Choose “Draft this” on an idea to outline it."


class DraftingSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        page = context.page
        page.on_action(ids.Ideas.LIST, self.on_card_action)
        page.on_keys(ids.Drafting.OUTLINE, {"Alt+ArrowUp": lambda: self.move_section(-1),
                                             "Alt+ArrowDown": lambda: self.move_section(+1)})
        page.on_click(ids.Drafting.UP, lambda: self.move_section(-1))
        page.on_click(ids.Drafting.DOWN, lambda: self.move_section(+1))
        page.on_click(ids.Drafting.WRITE, self.start_draft)
        context.state.listen(self.on_state)
        context.work.listen(lambda busy, _job: self.enable_writing(not busy))

    def on_state(self, change: Change) -> None:
        if change is Change.OPENED:
            card = self.context.state.drafting
            self.context.page.set_text(ids.Drafting.IDEA, f"Drafting “{card.title}”: {card.hook}" if card else NO_IDEA)
        if change in (Change.OPENED, Change.DRAFTING):
            self.enable_writing(not self.context.work.busy)

    def enable_writing(self, idle: bool) -> None:
        self.context.page.set_enabled(ids.Drafting.WRITE, idle and self.context.state.drafting is not None)

    def on_card_action(self, action: str, index: int, _checked: bool) -> None:
        cards = self.context.state.cards
        if action == "draft" and index < len(cards) and not self.context.work.busy:
            card = cards[index]
            self.context.work.begin(Job(lambda: self.make_outline(card), stopped=lambda: "Stopped outlining."))

    async def make_outline(self, card: IdeaCard) -> None:
        """Outline the chosen idea into the editable outline field."""
        context = self.context
        context.state.drafting = card
        context.state.tell(Change.DRAFTING)
        context.page.set_text(ids.Drafting.IDEA, f"Drafting “{card.title}”: {card.hook}")
        context.status.show(f"Outlining “{card.title}”…")
        headings, from_model = await outline(context.state.brief, card, context.model)
        context.page.set_value(ids.Drafting.OUTLINE, "\n".join(headings))
        note = "" if from_model else " The model gave no usable outline, so here is a plain one."
        context.status.show(f"Outline ready.{note} Edit or reorder it, then press Write the draft.")
        context.page.focus(ids.Drafting.OUTLINE)

    def move_section(self, step: int) -> None:
        """Move the outline line holding the caret one place up or down."""
        page = self.context.page
        text, caret = move_line(page.value(ids.Drafting.OUTLINE), page.selection(ids.Drafting.OUTLINE)[1], step)
        page.set_value(ids.Drafting.OUTLINE, text)
        page.select(ids.Drafting.OUTLINE, caret, caret)
        page.focus(ids.Drafting.OUTLINE)
        self.context.state.tell(Change.EDITED)

    def start_draft(self) -> None:
        context = self.context
        if context.state.drafting is None or context.work.busy:
            return
        headings = [line.strip() for line in context.page.value(ids.Drafting.OUTLINE).splitlines() if line.strip()]
        if not headings:
            context.status.show("The outline is empty: write at least one section heading.", "error")
            context.page.focus(ids.Drafting.OUTLINE)
            return
        self.write_draft(headings)

    def write_draft(self, headings: list[str]) -> None:
        """Stream the draft into the editor section by section; Stop keeps what is written."""
        context = self.context
        card, brief = context.state.drafting, context.state.brief
        written = context.page.value(ids.Editor.DRAFT)

        def take(text: str, label: str) -> None:
            context.draft.set(context.model_wrote(0, len(context.draft.text), text))
            context.draft.save_version(f"{label} “{card.title}”")

        async def run() -> None:
            nonlocal written
            update = None
            async for update in draft(brief, card, headings, context.model):
                written = update.markdown
                context.stream_into_editor(written)
                context.status.show(f"Writing section {update.section + 1} of {len(headings)}: "
                                    f"{headings[update.section]}…")
            take(written, "Draft of")
            version = context.draft.history.head
            empty = (f" Left out: {'; '.join(update.dropped)}: the model's text failed the studio's checks "
                     "twice, so write those yourself or try again." if update and update.dropped else "")
            context.status.show(f"Draft written: {len(headings)} sections, {len(written.split())} words, saved as "
                                f"v{version}. Edit it freely.{empty}", "warning" if empty else "info")

        def stopped() -> str:
            kept = kept_on_stop(written, brief, card)
            take(kept, "Stopped draft of")
            return f"Stopped. The draft keeps the {len(kept.split())} words written so far."

        context.work.begin(Job(run, stopped=stopped, failed=lambda _error: take(written, "Interrupted draft of"),
                               writes_editor=True))
