"""The core's model protocol served by the page's model worker (assets/model-client.js):
Python cancellation of a generation becomes a worker abort, worker errors become the
core's named exceptions.

Public: ``ClientModel``, ``WorkerModel``, ``WorkerGeneration``, ``WorkerEmbedder``.
"""
from __future__ import annotations

import asyncio

import js
from pyodide.ffi import JsException, create_proxy

from ..core.authorship import LineBreaks
from ..core.model import GenerationStats, Message, Sampling
from .convert import js_value, studio_error

_END = object()


class WorkerGeneration:
    """One generation in the model worker, iterated for its text chunks."""

    def __init__(self, client, spec, messages: list[Message], sampling: Sampling, prefill: str = "",
                 samples: int = 1) -> None:
        self.stats: GenerationStats | None = None
        self.samples: list[tuple[str, GenerationStats]] = []  # with samples > 1: the one-line replies
        self._queue: asyncio.Queue = asyncio.Queue()
        self._on_token = create_proxy(self._queue.put_nowait)
        self._controller = js.AbortController.new()
        promise = client.generate(
            spec,
            js_value([{"role": m.role, "content": m.content} for m in messages]),
            js_value(sampling.as_options()),
            js_value({"onToken": self._on_token, "signal": self._controller.signal, "prefill": prefill,
                      "samples": samples, "stopAtLineEnd": samples > 1}),
        )
        self._done = asyncio.ensure_future(promise)
        self._done.add_done_callback(lambda _: self._queue.put_nowait(_END))

    @property
    def ended(self) -> asyncio.Future:
        """Resolves when the worker has finished this generation, however it ended."""
        return self._done

    async def __aiter__(self):
        line_breaks = LineBreaks()
        try:
            while (chunk := await self._queue.get()) is not _END:
                yield line_breaks(chunk)
            self._finish()
        except BaseException:
            self._controller.abort()
            raise

    def _finish(self) -> None:
        try:
            result = self._done.result().to_py()
        except JsException as error:
            raise studio_error(error) from None
        finally:
            self._on_token.destroy()
        reason = result.get("reason", "stop")
        self.stats = GenerationStats(
            reason=reason,
            tokens=int(result.get("tokens", 0)),
            prompt_tokens=int(result.get("promptTokens", 0)),
            reused_tokens=int(result.get("reusedTokens", 0)),
            first_token_ms=float(result.get("firstTokenMs", 0.0)),
            decode_ms=float(result.get("decodeMs", 0.0)),
            logprob=float(result.get("logprob", 0.0)),
        )
        shared = {"reason": reason, "prompt_tokens": self.stats.prompt_tokens,
                  "first_token_ms": self.stats.first_token_ms, "decode_ms": self.stats.decode_ms}
        self.samples = [(LineBreaks()(sample["text"]),
                         GenerationStats(tokens=int(sample["tokens"]), logprob=float(sample["logprob"]), **shared))
                        for sample in result.get("samples", [])]

    async def aclose(self) -> None:
        """Abort if still running and wait for the worker to confirm."""
        if self.stats is not None:
            return
        if not self._done.done():
            self._controller.abort()
        await asyncio.wait([self._done])
        self._finish()


class ClientModel:
    """The core's ``TextGenerator`` over a JS client with ModelClient's ``generate``: the
    page's model worker, or the creator's own server (``app.bridge.endpoint``)."""

    def __init__(self, client, spec) -> None:
        self._client, self._spec = client, spec
        self._running: set[asyncio.Future] = set()

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = "") -> WorkerGeneration:
        return self._running_one(WorkerGeneration(self._client, self._spec, messages, sampling, prefill))

    async def sample_lines(self, messages: list[Message], sampling: Sampling,
                           count: int) -> list[tuple[str, GenerationStats]]:
        """``count`` one-line replies, asked for at once (nothing streams)."""
        generation = self._running_one(WorkerGeneration(self._client, self._spec, messages, sampling, samples=count))
        async for _ in generation:
            pass
        return generation.samples

    def _running_one(self, generation: WorkerGeneration) -> WorkerGeneration:
        """``generation``, counted as running until the client has ended it (see ``settled``)."""
        self._running.add(generation.ended)
        generation.ended.add_done_callback(self._running.discard)
        return generation

    def embedder(self) -> WorkerEmbedder | None:
        return None

    async def settled(self) -> None:
        """Wait until every generation started here has ended (after an abort, say)."""
        if self._running:
            await asyncio.wait(list(self._running))


class WorkerModel(ClientModel):
    """The built-in model, served by the page's model worker; its embedding model too."""

    def __init__(self) -> None:
        runtime = js.globalThis.museSpark
        super().__init__(runtime.client, None)
        self._loading = runtime.model
        self._chosen = None

    async def ready(self) -> dict:
        """Wait for the start-up load; returns {id, name, dtype, device, gpu, note, choice, facts}
        (facts: what the browser tells of this device) or raises a StudioError."""
        try:
            chosen = await self._loading
        except JsException as error:
            raise studio_error(error) from None
        return self._loaded(chosen)

    async def run_on(self, choice: str, model_id: str) -> dict:
        """Load the catalogue's model ``model_id`` on the device ``choice`` asks for ("auto",
        "webgpu", "wasm"), both kept for the next visits; returns what ``ready`` returns."""
        try:
            chosen = await js.globalThis.museSpark.runModelOn(choice, model_id)
        except JsException as error:
            raise studio_error(error) from None
        return self._loaded(chosen)

    def _loaded(self, chosen) -> dict:
        self._chosen, self._spec = chosen, chosen.spec
        ready = chosen.ready
        facts = chosen.facts
        return {"id": chosen.entry.id, "name": chosen.entry.name, "dtype": ready.dtype or chosen.spec.dtype,
                "device": ready.device or "wasm", "gpu": chosen.gpu, "note": ready.note or chosen.note,
                "choice": chosen.choice,
                "facts": {"memory_gb": facts.memoryGb, "gpu": facts.gpu, "shader_f16": facts.shaderF16}}

    def embedder(self) -> WorkerEmbedder | None:
        """The catalogue's sentence-embedding model in the same worker (after ``ready``)."""
        spec = self._chosen and self._chosen.embedder
        return WorkerEmbedder(self._client, spec) if spec else None


class WorkerEmbedder:
    """The core's ``TextEmbedder``, served by the model worker. Until ``start`` has loaded
    the model, ``embed`` answers None and the core judges by words alone."""

    def __init__(self, client, spec) -> None:
        self._client, self._spec = client, spec
        self.loaded = False

    async def start(self) -> None:
        """Load the embedding model (a first, throwaway embedding); a failure leaves the
        studio judging by words."""
        try:
            await self._client.embed(self._spec, js_value(["warm up"]))
            self.loaded = True
        except JsException:
            self.loaded = False

    async def embed(self, texts: list[str]) -> list[list[float]] | None:
        if not self.loaded:
            return None
        try:
            result = await self._client.embed(self._spec, js_value(list(texts)))
        except JsException:
            return None  # a worker restarted mid-request: words will do for this idea
        return result.vectors.to_py()
