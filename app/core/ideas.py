"""Sparking ideas from a brief, the way a 135M model can do it well: one short,
focused prompt per idea, each seeded with a named creative technique (variety by
construction); a forgiving parser for what a small model really writes; and the
studio's own judgement — drop empty, off-topic and near-duplicate ideas, rank by
relevance and novelty, and top up until exactly N, or say plainly why not.

Public: ``IdeaCard``, ``SparkUpdate``, ``spark``, ``combine``, ``idea_messages``,
``combine_messages``, ``parse_idea``,
``parse_ideas`` (lists of ideas in any of the shapes small models write), ``judge``,
``rank``, ``similarity``, ``IDEA_PREFILL``.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from .brief import Brief, content_words, overlap
from .model import GenerationStats, Message, Sampling, TextEmbedder, TextGenerator, cosine
from .techniques import Technique, technique_order

SYSTEM_PROMPT = "You are a creative assistant who helps writers find fresh ideas."

_ITEM_START = re.compile(
    r"^(?P<indent>\s*)(?:#{1,6}\s*)?(?:(?P<number>(?:idea\s*)?\d{1,2}\s*[.):\-])|[-*•+])\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_BOLD = re.compile(r"^\*\*(?P<title>[^*]+?)\*\*\s*[:.\-–—]?\s*(?P<hook>.*)$")
_SPLIT = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
_TITLE_MAX_WORDS = 12
_HOOK_MAX_CHARS = 220
_HOOK_MIN_WORDS = 5
# "Sentence 1:", "Hook:", "1." and the like at the start of a hook, copied from prompts or lists.
# Links and hashtags: small models scatter them through hooks.
_NOISE = re.compile(r"https?://\S+|www\.\S+|#\w[\w-]*")
_LABEL_PREFIX = re.compile(r"^\W*(?:(?:sentence|hook|description|idea)\s*\d*\s*:\s*|\d{1,2}[.)]\s+)+", re.I)
DUPLICATE_SIMILARITY = 0.5
# With sentence vectors (all-MiniLM-L6-v2): an idea sharing no word with the brief is still
# on-topic when its meaning is this close; two ideas this close in meaning are duplicates.
ON_TOPIC_COSINE = 0.3
DUPLICATE_COSINE = 0.8
# Short of ideas at the end, an idea this close in meaning may still fill a place.
FALLBACK_COSINE = 0.2
# Faults that leave an idea usable as a last resort when too few ideas pass.
SOFT_VERDICTS = frozenset({"restates the brief"})
# Replies are started for the model ("assistant prefill") with the bold title's opening.
IDEA_PREFILL = "**"
# Titles that are labels the model copied from the prompt, not ideas.
_LABEL_TITLES = re.compile(r"^(title|idea|hook|technique|topic|sentence|original|example|answer)\b", re.I)


@dataclass(frozen=True)
class IdeaCard:
    """One idea: a short title, a one-line hook, and the technique that sparked it."""

    title: str
    hook: str = ""
    complete: bool = True
    technique: str = ""
    relevance: float = 0.0

    def key(self) -> str:
        """Normalized title used to spot duplicates."""
        return re.sub(r"[^\w]+", " ", self.title.casefold()).strip()

    def words(self) -> set[str]:
        return content_words(f"{self.title} {self.hook}")


def idea_messages(brief: Brief, technique: Technique, angle: IdeaCard | None = None) -> list[Message]:
    """A short prompt for one idea seeded with ``technique`` (and, for "more like this",
    built on ``angle``); the reply starts with ``IDEA_PREFILL``."""
    extra = f" Use the words: {', '.join(brief.keywords)}." if brief.keywords else ""
    base = f"\nBuild on this idea: {angle.title}: {angle.hook}" if angle else ""
    return [
        Message("system", SYSTEM_PROMPT),
        Message(
            "user",
            f"Topic: {brief.describe()}{extra}{base}\nTechnique: {technique.instruction}\n"
            "Give one new idea that uses this technique. Write a short title, then one sentence "
            "that hooks the reader.",
        ),
    ]


def combine_messages(brief: Brief, first: IdeaCard, second: IdeaCard) -> list[Message]:
    """A prompt merging two ideas into one; the reply starts with ``IDEA_PREFILL``."""
    return [
        Message("system", SYSTEM_PROMPT),
        Message(
            "user",
            f"Topic: {brief.describe()}\nIdea A: {first.title}: {first.hook}\n"
            f"Idea B: {second.title}: {second.hook}\n"
            "Combine idea A and idea B into one new idea. Write a short title, then one sentence "
            "that hooks the reader.",
        ),
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
    hook = " ".join(_NOISE.sub(" ", _LABEL_PREFIX.sub("", hook.replace("**", ""))).split())
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


def parse_idea(text: str, finished: bool = True) -> IdeaCard | None:
    """The one idea in a reply to ``idea_messages``: a bold (or first-line) title and
    the sentence after it."""
    text = text.strip()
    if not text:
        return None
    head, _, body = text.partition("\n")
    if not _BOLD.match(head) and "**" in text and text.startswith("**"):
        # a bold title that runs over lines: join them up to the closing marker
        end = text.find("**", 2)
        head, body = text[: end + 2], text[end + 2:]
    return _card_from_item(head, body, complete=finished)


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


def judge(card: IdeaCard | None, brief: Brief, kept: list[IdeaCard], meaning: Meaning = NO_MEANING) -> str:
    """"ok", or why the idea is dropped: "unusable", "avoided word", "off-topic" (no word
    of the brief and, with sentence vectors, not close in meaning either), "restates the
    brief" (a title that only repeats the topic) or "duplicate" (by words or meaning)."""
    if card is None or not card.title or _LABEL_TITLES.match(card.title):
        return "unusable"
    if len(card.title.split()) > _TITLE_MAX_WORDS or len(card.hook.split()) < _HOOK_MIN_WORDS:
        return "unusable"
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
    if _repeats(card, kept, meaning):
        return "duplicate"
    return "ok"


def _repeats(card: IdeaCard, kept: list[IdeaCard], meaning: Meaning) -> bool:
    """A duplicate of one of ``kept`` by words or by meaning."""
    return is_duplicate(card, kept) or any((meaning.similarity(card, other) or 0) >= DUPLICATE_COSINE
                                           for other in kept)


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
    resemble the others), best first."""
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
        scored.append((relevance + 0.5 * novelty, replace(card, relevance=round(relevance, 3))))
    return [card for _, card in sorted(scored, key=lambda pair: -pair[0])]


@dataclass
class SparkUpdate:
    """A snapshot while sparking: the cards so far; at the end, why it stopped."""

    cards: list[IdeaCard]
    finished: bool = False
    stats: list[GenerationStats] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    shortfall: str = ""


def _hook_done(text: str) -> bool:
    """True once the reply has a title and a whole first sentence after it."""
    card = parse_idea(text)
    return bool(card and re.search(r"[.!?][\"”')]?(\s|$)", card.hook) and len(card.hook.split()) >= _HOOK_MIN_WORDS)


def _soft(verdict: str, card: IdeaCard | None, meaning: Meaning) -> bool:
    """Whether a dropped idea may still fill a place when too few pass: a title that
    repeats the brief, or no shared word but a meaning close enough."""
    if verdict == "off-topic":
        return (meaning.relevance(card) or 0) >= FALLBACK_COSINE
    return verdict in SOFT_VERDICTS


def _shortfall(count: int, kept: int, dropped: Counter, attempts: int) -> str:
    reasons = ", ".join(f"{n} {reason}" for reason, n in dropped.most_common())
    return (f"Only {kept} of {count} ideas passed after {attempts} tries ({reasons} dropped). "
            "Try again, or give the brief more detail.")


async def _write_idea(model: TextGenerator, messages: list[Message], sampling: Sampling,
                      shown: list[IdeaCard], technique: str):
    """Stream one idea; yields the cards to show while it is written, then (None, text, stats)."""
    generation = model.generate(messages, sampling, IDEA_PREFILL)
    text = IDEA_PREFILL
    enough = False
    async for chunk in generation:
        text += chunk
        partial = parse_idea(text, finished=False)
        if partial:
            yield shown + [replace(partial, technique=technique)], None, None
        if enough := _hook_done(text):
            break  # the rest of the reply is not needed: aclose() stops the model
    await generation.aclose()
    stats = generation.stats or GenerationStats(reason="stop")
    if stats.aborted and not enough:
        stats = replace(stats, reason="stopped")
    yield None, text, stats


async def spark(
    brief: Brief, model: TextGenerator, count: int = 5, sampling: Sampling | None = None,
    max_attempts: int | None = None, keep: tuple[IdeaCard, ...] = (), angle: IdeaCard | None = None,
    embedder: TextEmbedder | None = None,
) -> AsyncIterator[SparkUpdate]:
    """Stream idea cards until ``count`` distinct, on-brief ones exist: one generation
    per idea, each with the next technique; the last update is ranked and final.
    ``keep`` (pinned cards) count towards ``count`` and stay first; ``angle`` makes
    every new idea build on that card ("more like this"); ``embedder`` (when it has a
    model loaded) lets ideas be judged by meaning as well as by words."""
    sampling = sampling or Sampling(max_new_tokens=64)
    max_attempts = max_attempts or 6 * (count - len(keep))
    meaning = Meaning(embedder)
    await meaning.learn(brief, list(keep))
    techniques = technique_order(f"{brief.topic}\0{angle.title if angle else ''}")
    kept: list[IdeaCard] = list(keep)
    reserve: list[tuple[IdeaCard, str]] = []
    stats: list[GenerationStats] = []
    dropped: Counter = Counter()
    attempts = 0
    while len(kept) < count and attempts < max_attempts:
        technique = techniques[attempts % len(techniques)]
        attempts += 1
        async for shown, text, stat in _write_idea(
                model, idea_messages(brief, technique, angle), sampling, kept, technique.name):
            if shown is not None:
                yield SparkUpdate(shown)
        stats.append(stat)
        if stat.reason == "stopped":
            break  # stopped from outside
        card = parse_idea(text)
        if card is not None:
            card = replace(card, technique=technique.name)
            await meaning.learn(brief, [card])
        verdict = judge(card, brief, kept, meaning)
        if verdict == "ok":
            kept.append(card)
        else:
            dropped[verdict] += 1
            if _soft(verdict, card, meaning) and not is_duplicate(card, [c for c, _ in reserve]):
                reserve.append((card, verdict))
        yield SparkUpdate(list(kept))
    # Short of ideas: fall back on the best of those whose only fault was a soft one.
    reasons = {card.key(): verdict for card, verdict in reserve}  # ranking sets each card's relevance
    for card in rank([card for card, _ in reserve], brief, meaning):
        if len(kept) < count and not _repeats(card, kept, meaning):
            kept.append(card)
            dropped[reasons[card.key()]] -= 1
    dropped = +dropped
    shortfall = "" if len(kept) >= count else _shortfall(count - len(keep), len(kept) - len(keep), dropped, attempts)
    ranked = list(keep) + rank(kept[len(keep):], brief, meaning)
    yield SparkUpdate(ranked, finished=True, stats=stats, dropped=dropped, shortfall=shortfall)


async def combine(brief: Brief, model: TextGenerator, first: IdeaCard, second: IdeaCard,
                  others: list[IdeaCard], sampling: Sampling | None = None) -> AsyncIterator[SparkUpdate]:
    """Stream one idea that merges ``first`` and ``second``; the final update holds it
    (or, with ``shortfall`` set, says why it was not usable)."""
    sampling = sampling or Sampling(max_new_tokens=64)
    technique = "Combination"
    async for shown, text, stat in _write_idea(model, combine_messages(brief, first, second), sampling, [],
                                               technique):
        if shown is not None:
            yield SparkUpdate(shown)
    card = parse_idea(text)
    verdict = judge(card, brief, others)
    if verdict != "ok":
        yield SparkUpdate([], finished=True, stats=[stat], dropped=Counter({verdict: 1}),
                          shortfall=f"The combined idea was {verdict}; try again or combine other ideas.")
        return
    yield SparkUpdate([replace(card, technique=technique)], finished=True, stats=[stat])
