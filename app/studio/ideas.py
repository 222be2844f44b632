"""The brief and the idea cards: Spark (or Ctrl+Enter in the brief), cards streamed in as
they pass the checks, pin, discard, more like this, and combining two selected ideas.

Public: ``IdeasSection``.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from ..core.brief import Brief
from ..core.errors import StudioError
from ..core.idea_cards import IdeaCard
from ..core.ideas import SparkUpdate, combine, spark
from ..core.ideas_at_once import spark_at_once
from . import ids, views
from .context import Context
from .state import Change
from .work import Job


class IdeasSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        page = context.page
        page.on_submit(ids.Brief.FORM, self.start_spark)
        page.on_keys(ids.Brief.TOPIC, {"Ctrl+Enter": self.start_spark})
        page.on_action(ids.Ideas.LIST, self.on_card_action)
        page.on_click(ids.Ideas.COMBINE, self.start_combine)
        context.state.listen(self.on_state)
        context.work.listen(self.on_busy)

    @property
    def state(self):
        return self.context.state

    def on_state(self, change: Change) -> None:
        if change is Change.OPENED:
            self.show_cards()

    def on_busy(self, busy: bool, _job) -> None:
        page = self.context.page
        page.set_enabled(ids.Ideas.SPARK, not busy)
        page.set_attribute(ids.Ideas.LIST, "aria-busy", str(busy).lower())  # announced once the model is done
        if busy:
            page.set_enabled(ids.Ideas.COMBINE, False)

    def read_brief(self) -> Brief | None:
        """The brief in the form, or None with the reason shown."""
        page = self.context.page
        fields = {name: page.value(element) for name, element in ids.Brief.FIELDS.items() if name != "count"}
        try:
            return Brief.from_fields(**fields)
        except StudioError as error:
            self.context.status.show(str(error), "error")
            page.focus(ids.Brief.TOPIC)
            return None

    def start_spark(self) -> None:
        if self.context.work.busy or (brief := self.read_brief()) is None:
            return
        state = self.state
        state.brief = brief
        keep = state.pinned_cards()
        count = max(int(self.context.page.value(ids.Brief.COUNT)), len(keep) + 1)
        model, embedder, profile = self.context.model, self.context.embedder, self.context.model.profile()
        write = spark_at_once if profile.at_once else spark
        self.run_ideas(lambda: write(brief, model, count, keep=keep, embedder=embedder, techniques=profile.techniques),
                       "Sparking ideas…", replace=True)

    def on_card_action(self, action: str, index: int, _checked: bool) -> None:
        """Pin, discard, more like this, or select for combining (Draft this is the drafting section's)."""
        state = self.state
        if self.context.work.busy or index >= len(state.cards) or action == "draft":
            return
        card = state.cards[index]
        if action == "pin":
            state.pinned ^= {card.key()}
        elif action == "discard":
            state.cards.pop(index)
            state.pinned.discard(card.key())
            state.selected = {i - (i > index) for i in state.selected if i != index}
            self.context.status.show(f"Discarded “{card.title}”.")
        elif action == "select":
            state.selected ^= {index}
        elif action == "more":
            count, keep, brief = len(state.cards) + 2, tuple(state.cards), state.brief
            model, embedder = self.context.model, self.context.embedder
            self.run_ideas(lambda: spark(brief, model, count, keep=keep, angle=card, embedder=embedder,
                                         techniques=model.profile().techniques),
                           f"Two more ideas like “{card.title}”…")
            return
        self.show_cards()
        # The list was drawn anew: keep keyboard focus on the same control (or the next card's).
        page = self.context.page
        if state.cards:
            page.focus(f"idea-{action}-{min(index, len(state.cards) - 1)}")
        else:
            page.focus(ids.Brief.TOPIC)

    def start_combine(self) -> None:
        state = self.state
        if len(state.selected) != 2 or self.context.work.busy:
            return
        first, second = (state.cards[i] for i in sorted(state.selected))
        others = [c for i, c in enumerate(state.cards) if i not in state.selected]
        state.selected = set()
        brief = state.brief
        self.run_ideas(lambda: combine(brief, self.context.model, first, second, others),
                       f"Combining “{first.title}” and “{second.title}”…", append=True)

    def show_cards(self, cards: list[IdeaCard] | None = None, writing: str = "") -> None:
        """Render the cards (and a placeholder for the idea being ``writing``); with none
        given, the settled list with its buttons."""
        state, page = self.state, self.context.page
        settled = cards is None
        page.set_html(ids.Ideas.LIST, views.cards_html(state.cards if settled else cards, state.pinned,
                                                       state.selected, actions=settled, writing=writing))
        page.set_enabled(ids.Ideas.COMBINE, settled and len(state.selected) == 2)
        if settled:
            state.tell(Change.CARDS)

    def run_ideas(self, updates: Callable[[], AsyncIterator[SparkUpdate]], working: str, replace: bool = False,
                  append: bool = False) -> None:
        """Stream the SparkUpdates that ``updates()`` makes into the list as the current work.
        ``replace`` starts a new list, ``append`` adds the result after the current cards,
        otherwise it replaces them; Stop keeps the finished cards."""
        state = self.state
        shown: list[IdeaCard] | None = None  # None until the run begins: then the list as shown

        async def run() -> None:
            nonlocal shown
            before = [] if replace else list(state.cards)
            prefix = before if append else []
            shown = before
            if replace:
                state.selected = set()
            self.context.page.set_data(ids.Ideas.LIST, "state", "streaming")
            self.context.status.show(working)
            update = SparkUpdate(before)
            async for update in updates():
                shown = prefix + update.cards
                self.show_cards(shown, update.writing)
            state.cards = shown if update.cards or not append else before
            if update.at_once:
                self.context.model.asked_at_once(*update.at_once)
            self.context.status.show(summary(update), "warning" if update.shortfall else "info")
            self.settle()

        def keep_finished() -> None:
            if shown is not None:
                state.cards = [c for c in shown if c.complete]
            self.settle()

        def stopped() -> str:
            keep_finished()
            return f"Stopped. Kept {len(state.cards)} idea{'s' if len(state.cards) != 1 else ''}."

        self.context.work.begin(Job(run, stopped=stopped, failed=lambda _error: keep_finished()))

    def settle(self) -> None:
        self.context.page.set_data(ids.Ideas.LIST, "state", "idle")
        self.show_cards()


def summary(update: SparkUpdate) -> str:
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
