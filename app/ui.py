"""The studio's page logic: reads the brief, runs the core, shows the results.

It works through two objects given to it — a page (``app.bridge.Page``: DOM by
element id) and a model (a core ``TextGenerator``) — so it imports nothing from
the browser. Public: ``Studio``.
"""
from __future__ import annotations

import asyncio
import html
from collections.abc import Callable

from .core.catalogue import Catalogue, ModelEntry
from .core.errors import StudioError
from .core.brief import Brief
from .core.ideas import IdeaCard, spark
from .core.techniques import TECHNIQUES
from .core.model import Message, Sampling
from .core.render import render_inline

EXPLANATIONS = {technique.name: technique.explanation for technique in TECHNIQUES}


def cards_html(cards: list[IdeaCard]) -> str:
    """Markup for the idea list; titles and hooks are Markdown from the model."""
    items = []
    for card in cards:
        state = "" if card.complete else ' data-streaming="true"'
        hook = f'<div class="idea-hook">{render_inline(card.hook)}</div>' if card.hook else ""
        technique = (f'<p class="idea-technique">Sparked by <strong>{html.escape(card.technique)}</strong>: '
                     f'{html.escape(EXPLANATIONS.get(card.technique, ""))}</p>') if card.technique else ""
        items.append(f'<li class="idea-card"{state}><h3 class="idea-title">{render_inline(card.title)}</h3>'
                     f'{hook}{technique}</li>')
    return "".join(items)


class Studio:
    """Wires the brief form, the Spark and Stop buttons and the idea list."""

    def __init__(self, page, model, read_catalogue: Callable[[], Catalogue]) -> None:
        self.page = page
        self.model = model
        self.read_catalogue = read_catalogue
        self.task: asyncio.Task | None = None
        self.model_ready = False

    async def start(self) -> None:
        """Hook up events, then wait for the model (the form works meanwhile)."""
        self.page.on("brief-form", "submit", self.on_submit)
        self.page.on("brief", "keydown", self.on_brief_key)
        self.page.on("stop", "click", lambda _event: self.stop())
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
        if self.task and not self.task.done():
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
        self.task = asyncio.ensure_future(self.spark(brief, int(self.page.value("idea-count"))))

    def stop(self) -> None:
        if self.task and not self.task.done():
            self.task.cancel()

    def set_busy(self, busy: bool) -> None:
        self.page.set_enabled("spark", not busy)
        self.page.set_enabled("stop", busy)
        self.page.set_data("ideas", "state", "streaming" if busy else "idle")

    async def spark(self, brief: Brief, count: int) -> None:
        """Stream idea cards into the list; Stop keeps the ones already written."""
        self.set_busy(True)
        if not self.model_ready:
            self.show_status("Waiting for the model to finish loading…")
        self.page.set_html("ideas", "")
        cards: list[IdeaCard] = []
        try:
            await self.model.ready()
            self.show_status("Sparking ideas…")
            async for update in spark(brief, self.model, count):
                cards = update.cards
                self.page.set_html("ideas", cards_html(cards))
            self.show_status(self.summary(update), "warning" if update.shortfall else "info")
        except asyncio.CancelledError:
            done = [c for c in cards if c.complete] or cards
            self.page.set_html("ideas", cards_html(done))
            self.show_status("Stopping…")
            await self.model.settled()
            self.show_status(f"Stopped. Kept {len(done)} idea{'s' if len(done) != 1 else ''}.")
        except StudioError as error:
            self.show_status(str(error), "error")
        finally:
            self.set_busy(False)

    @staticmethod
    def summary(update) -> str:
        """What the spark delivered, what it dropped, and how fast the model wrote."""
        tokens = sum(s.tokens for s in update.stats)
        seconds = sum(s.first_token_ms + s.decode_ms for s in update.stats) / 1000
        speed = f" at {tokens / seconds:.1f} tokens/s" if seconds else ""
        cards = update.cards
        found = update.shortfall or f"{len(cards)} idea{'s' if len(cards) != 1 else ''}, best first."
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
