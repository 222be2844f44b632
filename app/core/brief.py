"""The creator's brief: topic, audience, format, tone, length, words to use and avoid.

Public: ``Brief``, ``BriefError``, ``FORMATS``, ``TONES``, ``content_words``, ``overlap``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .errors import StudioError

MAX_TOPIC_CHARS = 2000
MAX_FIELD_CHARS = 200

# Format presets: the tone and length a creator usually wants for each.
FORMATS: dict[str, dict] = {
    "blog post": {"tone": "friendly", "words": 800},
    "social thread": {"tone": "playful", "words": 200},
    "short-video script": {"tone": "playful", "words": 150},
    "newsletter": {"tone": "friendly", "words": 400},
    "short story": {"tone": "vivid", "words": 1000},
    "poem": {"tone": "lyrical", "words": 120},
    "product description": {"tone": "persuasive", "words": 120},
}
TONES = ("friendly", "formal", "playful", "persuasive", "vivid", "lyrical", "calm")

_STOPWORDS = frozenset(
    "a an and are as at be about by for from has have how i in into is it its of on or our that the their "
    "this to was we what when who why will with you your my me they them he she his her more most some "
    "can just one all any also very so than then there these those do does not no up out new make".split()
)


class BriefError(StudioError):
    """The brief cannot be used as it is."""


def _clean(text: str) -> str:
    """Control characters become spaces; runs of whitespace fold to one space."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text or "")
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in (_clean(part) for part in re.split(r"[,;\n]", text or "")) if w)


def content_words(text: str) -> set[str]:
    """Lower-cased words without common ones or a plural "s": what two texts must
    share to be about the same thing."""
    words = (w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
             for w in re.findall(r"\w+", text.casefold()))
    return {w for w in words if len(w) > 2 and w not in _STOPWORDS and not w.isdigit()}


def overlap(subject: set[str], words: set[str]) -> set[str]:
    """The subject words that ``words`` mention, counting a shared beginning of at least
    four letters as a mention ("bee" in "beekeeping", "travel" in "travellers")."""
    def mentions(a: str, b: str) -> bool:
        short, long = sorted((a, b), key=len)
        return long.startswith(short if len(short) < 4 else short[:max(4, len(short) - 2)])

    return {s for s in subject if any(mentions(s, w) for w in words)}


@dataclass(frozen=True)
class Brief:
    """What the creator asks for. ``topic`` is their own words; the rest is optional."""

    topic: str
    audience: str = ""
    format: str = ""
    tone: str = ""
    words: int = 0
    keywords: tuple[str, ...] = field(default_factory=tuple)
    avoid: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_text(cls, text: str) -> Brief:
        """A brief from the topic alone."""
        return cls.from_fields(topic=text)

    @classmethod
    def from_fields(cls, topic: str, audience: str = "", format: str = "", tone: str = "",
                    words: int | str = 0, keywords: str = "", avoid: str = "") -> Brief:
        """Clean what the creator typed, or raise BriefError saying what to change."""
        cleaned = _clean(topic)
        if not cleaned:
            raise BriefError("Write a brief first: a topic, and who it is for if you like.")
        if len(cleaned) > MAX_TOPIC_CHARS:
            raise BriefError(
                f"The brief is {len(cleaned):,} characters; keep it under {MAX_TOPIC_CHARS:,} "
                "(a sentence or two works best)."
            )
        audience = _clean(audience)[:MAX_FIELD_CHARS]
        format = _clean(format).lower()
        if format and format not in FORMATS:
            raise BriefError(f'"{format}" is not a format the studio knows: pick one of {", ".join(FORMATS)}.')
        preset = FORMATS.get(format, {})
        tone = _clean(tone).lower() or preset.get("tone", "")
        try:
            count = int(words or 0) or preset.get("words", 0)
        except ValueError:
            raise BriefError("The target length must be a number of words.") from None
        if not 0 <= count <= 5000:
            raise BriefError("Pick a target length between 1 and 5,000 words.")
        return cls(cleaned, audience, format, tone, count, _words(keywords), _words(avoid))

    def describe(self) -> str:
        """One line for prompts: the topic with its audience, format and tone."""
        parts = [self.topic]
        if self.format:
            parts.append(f"Format: {self.format}.")
        if self.audience:
            parts.append(f"Audience: {self.audience}.")
        if self.tone:
            parts.append(f"Tone: {self.tone}.")
        return " ".join(parts)

    def subject_words(self) -> set[str]:
        """The content words an on-brief idea should share with the brief."""
        return content_words(" ".join((self.topic, *self.keywords)))
