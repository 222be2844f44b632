"""How the core talks to a language model, whatever runs it.

``TextGenerator`` is the protocol: given chat messages and sampling settings it
streams text chunks and then reports ``GenerationStats``, or returns several one-line
replies at once. ``TextEmbedder`` turns
texts into sentence vectors (for judging ideas by meaning). The page implements it
with the model worker (``app.bridge.WorkerModel``); unit tests use a double.
Public: ``Message``, ``Sampling``, ``GenerationStats``, ``TextGenerator``, ``TextEmbedder``,
``cosine``.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One chat turn."""

    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Sampling:
    """Generation settings; the defaults are what keeps a 135M model from looping."""

    max_new_tokens: int = 256
    do_sample: bool = True
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.15
    # A JSON schema the reply must follow, for engines that take OpenAI's response_format (the
    # built-in model is never asked for one).
    schema: dict | None = None

    @classmethod
    def greedy(cls, max_new_tokens: int = 128) -> Sampling:
        """Deterministic decoding (benchmarks, reproducible tests)."""
        return cls(max_new_tokens=max_new_tokens, do_sample=False, temperature=1.0, top_p=1.0,
                   repetition_penalty=1.0)

    def as_options(self) -> dict:
        """The worker's generation options."""
        options = asdict(self)
        if self.schema is None:
            options.pop("schema")
        if not self.do_sample:
            for key in ("temperature", "top_p"):
                options.pop(key)
        return options


@dataclass(frozen=True)
class GenerationStats:
    """What a finished generation reports."""

    reason: str  # "stop", "length" or "aborted"
    tokens: int = 0
    prompt_tokens: int = 0
    first_token_ms: float = 0.0
    decode_ms: float = 0.0
    logprob: float = 0.0  # sum of the chosen tokens' log-probabilities (the model's confidence)
    reused_tokens: int = 0  # prompt tokens whose KV cache was kept from the previous prompt

    @property
    def aborted(self) -> bool:
        return self.reason == "aborted"

    @property
    def tokens_per_second(self) -> float:
        """Decode speed after the first token."""
        return (self.tokens - 1) / (self.decode_ms / 1000) if self.tokens > 1 and self.decode_ms else 0.0


class Generation(Protocol):
    """A running generation: iterate for text chunks; ``stats`` is set when it ends.
    ``aclose()`` stops it if it is still running and waits until it has ended."""

    stats: GenerationStats | None

    def __aiter__(self) -> AsyncIterator[str]: ...

    async def aclose(self) -> None: ...


class TextGenerator(Protocol):
    """Anything that can stream a chat completion."""

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = "") -> Generation:
        """Stream the assistant's reply; ``prefill`` is the reply's given start (not streamed back)."""
        ...

    async def sample_lines(self, messages: list[Message], sampling: Sampling,
                           count: int) -> list[tuple[str, GenerationStats]]:
        """``count`` independent replies, each to its first line break (a title, say), with
        their stats; where it can, the engine prefills the prompt once and decodes them together."""
        ...

    async def settled(self) -> None:
        """Wait until no generation is running (an aborted one has really stopped)."""


class TextEmbedder(Protocol):
    """Anything that turns texts into unit-length sentence vectors."""

    async def embed(self, texts: list[str]) -> list[list[float]] | None:
        """One vector per text, or None while no embedding model is available (callers then
        fall back on word overlap)."""
        ...


def cosine(a: list[float], b: list[float]) -> float:
    """Cosine similarity of two unit-length vectors (their dot product)."""
    return sum(x * y for x, y in zip(a, b))
