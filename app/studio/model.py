"""The model the studio writes with: which one (size, licence, where from, on which
device), waiting for it to load, then loading the embedding model that judges ideas by
meaning; moving it between the graphics card and the processor; and
``museSpark.runPrompt``, the benchmark's way through the whole studio path.

Public: ``ModelSection``.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..core.catalogue import Catalogue
from ..core.errors import StudioError
from ..core.model import Message, Sampling
from . import ids
from .context import Context


def where_it_runs(info: dict) -> str:
    """Where the model computes, in a creator's words."""
    if info.get("device") == "webgpu":
        return f"on the graphics card (WebGPU: {info.get('gpu') or 'an adapter'})"
    return "on the processor (WASM)"


class ModelSection:
    def __init__(self, context: Context, read_catalogue: Callable[[], Catalogue]) -> None:
        self.context = context
        self.read_catalogue = read_catalogue
        self.embedder_loading: asyncio.Task | None = None
        context.page.expose("runPrompt", self.run_prompt)

    async def start(self) -> None:
        """Wait for the model; say which it is and that the studio is ready, or why not."""
        context = self.context
        try:
            info = await context.model.builtin.ready()
            self.show_model(info)
        except StudioError as error:
            context.status.show(str(error), "error")
            return
        context.work.model_ready = True
        # Ideas are judged by words until the embedding model is there too.
        if (embedder := context.model.builtin.embedder()) is not None:
            context.embedder = embedder
            self.embedder_loading = asyncio.ensure_future(self.load_embedder(embedder))
        ready = f"{info['name']} is ready. Write a brief and press Spark ideas (Ctrl+Enter)."
        context.status.show(f"{info['note']} {ready}" if info.get("note") else ready,
                            "warning" if info.get("note") else "info")

    async def load_embedder(self, embedder) -> None:
        await embedder.start()
        self.context.page.set_data(ids.STUDIO, "embedder", "ready" if embedder.loaded else "unavailable")

    def show_model(self, info: dict) -> None:
        """Say which model writes, how big it is, under which licence and where it runs;
        note its identity (name, id, weights hash) for the provenance of its text."""
        entry, dtype = self.read_catalogue().get(info["id"]), info["dtype"]
        identity = (entry.name, entry.id, entry.weights_sha256(dtype))
        size = entry.size_bytes(dtype) / 1e6
        described = (f"Model: {entry.name} ({dtype}, {size:.0f} MB), {entry.licence}, from {entry.source}. "
                     f"It runs on this device, {where_it_runs(info)}.")
        self.context.builtin_model = (identity, described)
        if self.context.model.engine is self.context.model.builtin:
            self.context.state.model = identity
            self.context.page.set_text(ids.MODEL_INFO, described)

    async def run_on(self, choice: str, model_id: str) -> dict:
        """Load the catalogue's model ``model_id`` on the device ``choice`` asks for; say which
        model writes and where it runs."""
        info = await self.context.model.builtin.run_on(choice, model_id)
        self.show_model(info)
        return info

    async def run_prompt(self, prompt: str, max_new_tokens: int = 128) -> dict:
        """Greedy completion of one user prompt through the studio path, timed in Python
        (bench/ measures the bridge's cost with it)."""
        loop = asyncio.get_running_loop()
        model = self.context.model
        await model.ready()
        started = loop.time()
        first = None
        text = ""
        generation = model.generate([Message("user", prompt)], Sampling.greedy(int(max_new_tokens)))
        async for chunk in generation:
            if first is None:
                first = loop.time()
            text += chunk
        ended = loop.time()
        stats = generation.stats
        return {"text": text, "tokens": stats.tokens, "promptTokens": stats.prompt_tokens,
                "reusedTokens": stats.reused_tokens, "firstTokenMs": ((first or ended) - started) * 1000,
                "decodeMs": (ended - (first or ended)) * 1000, "workerFirstTokenMs": stats.first_token_ms,
                "workerDecodeMs": stats.decode_ms}
