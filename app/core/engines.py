"""Which engine writes: the built-in model, or the creator's own OpenAI-compatible server.

``EngineSettings`` is what the creator typed (address, model, key), checked; ``EngineSwitch``
is the one ``TextGenerator`` the studio holds, passing each request to the engine in use, so
the studio's sections never learn that it changed.

Public: ``EngineSettings``, ``EngineSwitch``, ``Profile``, ``BUILT_IN_PROFILE``, ``ENGINE_PROFILE``,
``DEFAULT_ENGINE_URL``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .errors import EngineError
from .model import Message, Sampling
from .techniques import BUILT_IN_TECHNIQUES, TECHNIQUES, Technique

# llama.cpp's llama-server listens here unless told otherwise.
DEFAULT_ENGINE_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class Profile:
    """How ideas are asked of an engine: the creative ``techniques`` it can follow, and
    whether it writes a whole set in one request (``at_once``, ``app.core.ideas_at_once``)
    or one careful title and hook at a time (``app.core.ideas``)."""

    techniques: tuple[Technique, ...]
    at_once: bool


# The built-in 135M model keeps the careful pipeline; a server the creator connects is assumed
# able to follow a longer request until it shows otherwise (``EngineSwitch.asked_at_once``), and
# the careful pipeline fills whatever it gets wrong.
BUILT_IN_PROFILE = Profile(BUILT_IN_TECHNIQUES, at_once=False)
ENGINE_PROFILE = Profile(TECHNIQUES, at_once=True)


@dataclass(frozen=True)
class EngineSettings:
    """An OpenAI-compatible server: its address, the model to use, and an API key ("" for
    none). The key stays in this browser: ``public`` leaves it out."""

    url: str
    model: str = ""
    key: str = ""

    @classmethod
    def checked(cls, url: str, model: str = "", key: str = "") -> EngineSettings:
        """The settings, or an ``EngineError`` that says what is wrong with the address."""
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineError(f'"{url}" is not a server address: write it like {DEFAULT_ENGINE_URL}.')
        return cls(url.rstrip("/"), model.strip(), key.strip())

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def public(self) -> dict:
        """What may be written down anywhere: the address and model, never the key."""
        return {"url": self.url, "model": self.model}

    def identity(self) -> tuple[str, str, str]:
        """(name, id, weights hash) for provenance: no hash is known for a server's model."""
        return (f"{self.model} on {self.origin}", self.model, "")


class EngineSwitch:
    """The studio's ``TextGenerator``: every request goes to the engine in ``use``, at
    first the ``builtin`` model."""

    def __init__(self, builtin) -> None:
        self.builtin = self.engine = builtin
        self.careful = False  # the engine in use wrote too few usable ideas when asked for a set at once

    def use(self, engine) -> None:
        self.engine, self.careful = engine, False

    async def ready(self) -> dict:
        return await self.engine.ready()

    def profile(self) -> Profile:
        """How ideas are asked of the engine in use."""
        if self.engine is self.builtin:
            return BUILT_IN_PROFILE
        return replace(ENGINE_PROFILE, at_once=False) if self.careful else ENGINE_PROFILE

    def asked_at_once(self, kept: int, asked: int) -> None:
        """After a set asked for in one request: when fewer than half of its ideas were kept
        (a small model behind the server), the engine is asked one idea at a time from now on."""
        self.careful = self.careful or 2 * kept < asked

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = ""):
        return self.engine.generate(messages, sampling, prefill)

    async def sample_lines(self, messages: list[Message], sampling: Sampling, count: int):
        return await self.engine.sample_lines(messages, sampling, count)

    def embedder(self):
        return self.engine.embedder()

    async def settled(self) -> None:
        await self.engine.settled()
