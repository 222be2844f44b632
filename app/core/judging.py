"""Judging ideas as a creator would before any is shown: the studio's checks, on the brief
(by shared words, and by meaning when an embedding model is loaded), not a repeat of one
already kept; then ranked by relevance, novelty and the model's confidence.

Public: ``Meaning``, ``NO_MEANING``, ``judge``, ``rank``, ``failed_check``, ``allowed``,
``similarity``, ``is_duplicate``, ``repeats``, ``overlap_words``, and the thresholds below.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .brief import Brief, content_words, overlap
from .checks import Allowed, check_hook, check_title
from .idea_cards import IdeaCard
from .model import TextEmbedder, cosine

DUPLICATE_SIMILARITY = 0.5
# Ranking: a mean token log-probability of -1 (a confident reply) against -2 (a strained
# one) is worth 0.1 of relevance.
CONFIDENCE_WEIGHT = 0.1
# With sentence vectors (all-MiniLM-L6-v2): an idea sharing no word with the brief is still
# on-topic when its meaning is this close; two ideas this close in meaning are duplicates.
ON_TOPIC_COSINE = 0.3
DUPLICATE_COSINE = 0.8
# Short of ideas at the end, an idea this close in meaning may still fill a place.
FALLBACK_COSINE = 0.2
# Faults that leave an idea usable as a last resort when too few ideas pass.
SOFT_VERDICTS = frozenset({"restates the brief"})
# Titles that are labels the model copied from the prompt, not ideas.
_LABEL_TITLES = re.compile(r"^(title|idea|hook|technique|topic|sentence|original|example|answer)\b", re.I)


class Meaning:
    """Sentence vectors of the brief and of ideas, from an embedding model when one is
    available; without one every answer is None and judging falls back on shared words."""

    def __init__(self, embedder: TextEmbedder | None) -> None:
        self.embedder = embedder
        self.brief: list[float] | None = None
        self.vectors: dict[str, list[float]] = {}

    @staticmethod
    def text(card: IdeaCard) -> str:
        return f"{card.title}. {card.hook}"

    async def learn(self, brief: Brief, cards: list[IdeaCard]) -> None:
        """Embed the brief and any of ``cards`` not seen yet (one call)."""
        if self.embedder is None:
            return
        texts = [] if self.brief is not None else [" ".join((brief.topic, *brief.keywords))]
        new = [c for c in cards if self.text(c) not in self.vectors]
        texts += [self.text(c) for c in new]
        if not texts or (vectors := await self.embedder.embed(texts)) is None:
            return
        if self.brief is None:
            self.brief, vectors = vectors[0], vectors[1:]
        self.vectors.update(zip((self.text(c) for c in new), vectors))

    async def closeness(self, brief: Brief, texts: list[str]) -> list[float] | None:
        """How close in meaning each of ``texts`` is to the brief (one call), or None."""
        if self.embedder is None:
            return None
        ask = [] if self.brief is not None else [" ".join((brief.topic, *brief.keywords))]
        if (vectors := await self.embedder.embed(ask + texts)) is None:
            return None
        if self.brief is None:
            self.brief, vectors = vectors[0], vectors[1:]
        return [cosine(self.brief, vector) for vector in vectors]

    def relevance(self, card: IdeaCard) -> float | None:
        vector = self.vectors.get(self.text(card))
        return cosine(self.brief, vector) if vector is not None and self.brief is not None else None

    def similarity(self, a: IdeaCard, b: IdeaCard) -> float | None:
        va, vb = self.vectors.get(self.text(a)), self.vectors.get(self.text(b))
        return cosine(va, vb) if va is not None and vb is not None else None


NO_MEANING = Meaning(None)


def similarity(a: IdeaCard, b: IdeaCard) -> float:
    """Word overlap of two ideas (Jaccard over content words), 0 to 1."""
    return _jaccard(a.words(), b.words())


def allowed(brief: Brief, *texts: str) -> Allowed:
    """What an idea may mention besides plain English: the brief's own words and numbers."""
    return Allowed.from_texts(brief.topic, brief.audience, brief.format, *brief.keywords, *texts)


def failed_check(card: IdeaCard, brief: Brief, *sources: str) -> str:
    """Why ``card`` fails the checks every shown idea must pass ("" when it passes), as a
    short category ("not English", "title too long"…); a card may have no hook."""
    words = allowed(brief, *sources)
    reason = check_title(card.title, words) or (check_hook(card.hook, words) if card.hook else "")
    return reason.split(":")[0].split(" (")[0]


def judge(card: IdeaCard | None, brief: Brief, kept: list[IdeaCard], meaning: Meaning = NO_MEANING,
          sources: tuple[str, ...] = ()) -> str:
    """"ok", or why the idea is dropped: "unusable" (no title, or a label), a failed check
    (``failed_check``; ``sources`` are texts whose words it may borrow), "avoided word",
    "off-topic" (no word of the brief and, with sentence vectors, not close in meaning
    either), "restates the brief" (a title that only repeats the topic) or "duplicate"."""
    if card is None or not card.title or _LABEL_TITLES.match(card.title):
        return "unusable"
    if reason := failed_check(card, brief, *sources):
        return reason
    text = f"{card.title} {card.hook}".casefold()
    if any(word.casefold() in text for word in brief.avoid):
        return "avoided word"
    subject = brief.subject_words()
    relevance = meaning.relevance(card)
    if not overlap(subject, card.words()) and (relevance is None or relevance < ON_TOPIC_COSINE):
        return "off-topic"
    title_words = content_words(card.title)
    extra = title_words - overlap_words(title_words, subject)
    if len(overlap(subject, title_words)) >= 0.6 * len(subject) and len(extra) <= 1:
        return "restates the brief"
    if repeats(card, kept, meaning):
        return "duplicate"
    return "ok"


def repeats(card: IdeaCard, kept: list[IdeaCard], meaning: Meaning) -> bool:
    """A duplicate of one of ``kept`` by words or by meaning, or a hook that opens as one of
    theirs does (a stock opening the checks do not refuse, "In the sleepy town of Ravenswood")."""
    return (is_duplicate(card, kept) or any((meaning.similarity(card, other) or 0) >= DUPLICATE_COSINE
                                            for other in kept)
            or any(_opening(card.hook) == _opening(other.hook) for other in kept if card.hook and other.hook))


def _opening(hook: str) -> tuple[str, ...]:
    """A hook's first four words, for spotting stock openings."""
    return tuple(re.findall(r"\w+", hook.casefold())[:4])


def is_duplicate(card: IdeaCard, others: list[IdeaCard]) -> bool:
    """Whether ``card`` repeats one of ``others``: the same title, much the same words,
    or much the same title words."""
    title_words = content_words(card.title)
    return any(card.key() == other.key() or similarity(card, other) >= DUPLICATE_SIMILARITY
               or _jaccard(title_words, content_words(other.title)) >= DUPLICATE_SIMILARITY for other in others)


def overlap_words(words: set[str], subject: set[str]) -> set[str]:
    """The words among ``words`` that mention a subject word."""
    return {w for w in words if overlap(subject, {w})}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def rank(cards: list[IdeaCard], brief: Brief, meaning: Meaning = NO_MEANING) -> list[IdeaCard]:
    """Cards scored by relevance (closeness in meaning to the brief, or without vectors the
    share of its subject words they mention) plus half their novelty (how little they
    resemble the others) plus a little of the model's confidence in them, best first."""
    subject = brief.subject_words()
    scored = []
    for card in cards:
        relevance = meaning.relevance(card)
        if relevance is None:
            relevance = len(overlap(subject, card.words())) / len(subject) if subject else 0.0
        others = [other for other in cards if other is not card]
        likeness = (meaning.similarity(card, other) for other in others)
        novelty = 1 - max((value if value is not None else similarity(card, other)
                           for value, other in zip(likeness, others)), default=0.0)
        score = relevance + 0.5 * novelty + CONFIDENCE_WEIGHT * card.confidence
        scored.append((score, replace(card, relevance=round(relevance, 3))))
    return [card for _, card in sorted(scored, key=lambda pair: -pair[0])]

