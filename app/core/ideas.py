"""Sparking ideas from a brief: the prompt, a forgiving parser for what a small
model really writes, and the streaming loop that tops up until enough ideas.

Public: ``Brief``, ``IdeaCard``, ``spark_messages``, ``parse_ideas``, ``spark``,
``SparkUpdate``, ``BriefError``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from .errors import StudioError
from .model import GenerationStats, Message, Sampling, TextGenerator

MAX_BRIEF_CHARS = 2000
SYSTEM_PROMPT = "You are a creative assistant who helps writers find fresh ideas."

_ITEM_START = re.compile(
    r"^(?P<indent>\s*)(?:#{1,6}\s*)?(?:(?P<number>(?:idea\s*)?\d{1,2}\s*[.):\-])|[-*•+])\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_BOLD = re.compile(r"^\*\*(?P<title>[^*]+?)\*\*\s*[:.\-–—]?\s*(?P<hook>.*)$")
_SPLIT = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
_TITLE_MAX_WORDS = 12
_HOOK_MAX_CHARS = 220
# The reply is started for the model ("assistant prefill") so it writes a list with bold titles.
SPARK_PREFILL = "1. **"


class BriefError(StudioError):
    """The brief cannot be used as it is."""


@dataclass(frozen=True)
class Brief:
    """What the creator asks for; ``topic`` is their own words."""

    topic: str

    @classmethod
    def from_text(cls, text: str) -> Brief:
        """Clean a typed brief, or raise BriefError saying what to change."""
        cleaned = "".join(
            ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text
        )
        cleaned = re.sub(r"\s+", " ", cleaned).strip()
        if not cleaned:
            raise BriefError("Write a brief first: a topic, and who it is for if you like.")
        if len(cleaned) > MAX_BRIEF_CHARS:
            raise BriefError(
                f"The brief is {len(cleaned):,} characters; keep it under {MAX_BRIEF_CHARS:,} "
                "(a sentence or two works best)."
            )
        return cls(cleaned)


@dataclass(frozen=True)
class IdeaCard:
    """One idea: a short title and a one-line hook."""

    title: str
    hook: str = ""
    complete: bool = True

    def key(self) -> str:
        """Normalized title used to spot duplicates."""
        return re.sub(r"[^\w]+", " ", self.title.casefold()).strip()


def spark_messages(brief: Brief, count: int) -> list[Message]:
    """The chat prompt asking for ``count`` ideas; the reply starts with ``SPARK_PREFILL``."""
    return [
        Message("system", SYSTEM_PROMPT),
        Message("user", f"Give me {count} creative ideas for {brief.topic}. Answer with a numbered list only."),
    ]


def _strip_markup(text: str) -> str:
    return text.strip().strip("*_#").strip().strip('"“”').strip()


def _shorten(text: str, limit: int = _HOOK_MAX_CHARS) -> str:
    """At most ``limit`` characters, cut after a sentence or else at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentence_end = max(head.rfind(". "), head.rfind("! "), head.rfind("? "))
    if sentence_end >= 20:
        return head[: sentence_end + 1]
    return head.rsplit(" ", 1)[0].rstrip(",;:-–— ") + "…"


def _card_from_item(head: str, body: str, complete: bool) -> IdeaCard | None:
    """A card from an item's first line and its continuation lines."""
    head, body = " ".join(head.split()), " ".join(body.split())
    bold = _BOLD.match(head)
    parts = _SPLIT.split(head, maxsplit=1)
    if bold:
        title, hook = bold.group("title"), f"{bold.group('hook')} {body}"
    elif len(parts) == 2 and len(parts[0].split()) <= _TITLE_MAX_WORDS:
        title, hook = parts[0], f"{parts[1]} {body}"
    elif body:
        title, hook = head, body
    else:
        words = head.split()
        sentence_end = next(
            (i for i, w in enumerate(words[:_TITLE_MAX_WORDS]) if w.endswith((".", "!", "?"))), None
        )
        cut = sentence_end + 1 if sentence_end is not None else min(len(words), 8)
        title, hook = " ".join(words[:cut]), " ".join(words[cut:])
    title, hook = _strip_markup(title).rstrip(".:"), _shorten(_strip_markup(hook))
    if not title:
        return None
    return IdeaCard(title=title, hook=hook, complete=complete)


def parse_ideas(text: str, finished: bool = True) -> list[IdeaCard]:
    """Idea cards from model output: numbered, bulleted or heading lists, bold
    titles, ``title: hook`` or ``title - hook`` lines, continuation lines, and a
    truncated last item (marked incomplete while the text is still streaming)."""
    items: list[list[str]] = []  # [first line, continuation]
    numbered = False
    for line in text.splitlines():
        start = _ITEM_START.match(line)
        nested = start and numbered and start.group("indent") and not start.group("number")
        if start and not nested:
            numbered = numbered or bool(start.group("number"))
            items.append([start.group("rest"), ""])
        elif items and line.strip():
            items[-1][1] += " " + (start.group("rest") if nested else line.strip())
    cards = []
    for index, (head, body) in enumerate(items):
        last_streaming = not finished and index == len(items) - 1 and not text.endswith("\n")
        card = _card_from_item(head, body, complete=not last_streaming)
        if card:
            cards.append(card)
    return cards


def _merge(kept: list[IdeaCard], new: list[IdeaCard], count: int) -> list[IdeaCard]:
    seen = {card.key() for card in kept}
    merged = list(kept)
    for card in new:
        if card.key() and card.key() not in seen and len(merged) < count:
            merged.append(card)
            seen.add(card.key())
    return merged


@dataclass
class SparkUpdate:
    """A snapshot while sparking: the cards so far and, at the end, why it stopped."""

    cards: list[IdeaCard]
    finished: bool = False
    stats: list[GenerationStats] = field(default_factory=list)

    @property
    def aborted(self) -> bool:
        return any(s.aborted for s in self.stats)


async def spark(
    brief: Brief, model: TextGenerator, count: int = 5, sampling: Sampling | None = None,
    max_rounds: int = 3,
) -> AsyncIterator[SparkUpdate]:
    """Stream idea cards for ``brief`` until ``count`` distinct ones exist, asking
    the model again (up to ``max_rounds`` times) when a round falls short."""
    sampling = sampling or Sampling(max_new_tokens=64 * count)
    kept: list[IdeaCard] = []
    stats: list[GenerationStats] = []
    for _ in range(max_rounds):
        generation = model.generate(spark_messages(brief, count - len(kept)), sampling, SPARK_PREFILL)
        text = SPARK_PREFILL
        async for chunk in generation:
            text += chunk
            cards = _merge(kept, parse_ideas(text, finished=False), count)
            yield SparkUpdate(cards)
            if len([c for c in cards if c.complete]) >= count:
                break
        await generation.aclose()
        stats.append(generation.stats or GenerationStats(reason="stop"))
        kept = [c for c in _merge(kept, parse_ideas(text), count)]
        if len(kept) >= count or stats[-1].aborted:
            break
    yield SparkUpdate(kept, finished=True, stats=stats)
