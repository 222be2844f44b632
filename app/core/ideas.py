"""Sparking ideas from a brief, the way a 135M model can do it well: for each idea one
short, plain request for a title seeded with a named creative technique ("Suggest a
myth-busting title for…", low temperature), then one for a sentence that sells it; every
title and hook must pass the studio's checks (``app.core.checks``) before it is shown;
then the studio's own judgement — drop off-topic and near-duplicate ideas, rank by
relevance, novelty and the model's own confidence, and top up until exactly N, or say
plainly why not.

Public: ``IdeaCard``, ``SparkUpdate``, ``spark``, ``combine``, ``title_messages``,
``hook_messages``, ``combine_messages``, ``clean_title``, ``clean_hook``,
``parse_ideas`` (lists of ideas in any of the shapes small models write), ``judge``,
``rank``, ``similarity``, ``TITLE_SAMPLING``, ``HOOK_SAMPLING``.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from .brief import Brief, content_words, overlap
from .checks import Allowed, check_hook, check_title
from .model import GenerationStats, Message, Sampling, TextEmbedder, TextGenerator, cosine
from .techniques import Technique, technique_order

# Low temperature: at 0.8 the 135M model writes word salad; at 0.4 it writes titles.
TITLE_SAMPLING = Sampling(max_new_tokens=24, temperature=0.4)
HOOK_SAMPLING = Sampling(max_new_tokens=40, temperature=0.4)
HOOK_TRIES = 2
# Titles asked for per idea; the one closest in meaning to the brief is kept.
TITLE_CANDIDATES = 2
# A hook further than this in meaning from the brief sells something else: asked again, then left
# out (the card keeps its title). Read against labelled cards: usable hooks had a median cosine of
# 0.47 with the brief, unusable ones 0.30.
HOOK_ON_BRIEF_COSINE = 0.3

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


@dataclass(frozen=True)
class IdeaCard:
    """One idea: a short title, a one-line hook, and the technique that sparked it."""

    title: str
    hook: str = ""
    complete: bool = True
    technique: str = ""
    relevance: float = 0.0
    confidence: float = 0.0  # the model's mean log-probability per token of title and hook

    def key(self) -> str:
        """Normalized title used to spot duplicates."""
        return re.sub(r"[^\w]+", " ", self.title.casefold()).strip()

    def words(self) -> set[str]:
        return content_words(f"{self.title} {self.hook}")


def _piece(brief: Brief) -> str:
    """"a newsletter about urban beekeeping, for retirees" (format, topic, audience)."""
    audience = f", for {brief.audience}" if brief.audience else ""
    return f"a {brief.format or 'piece'} about {brief.topic}{audience}"


def title_messages(brief: Brief, technique: Technique, angle: IdeaCard | None = None) -> list[Message]:
    """One plain request for a title of the kind ``technique`` names (and, for "more like
    this", like ``angle``'s)."""
    like = f' like "{angle.title}"' if angle else ""
    words = f" Use the words: {', '.join(brief.keywords)}." if brief.keywords else ""
    return [Message("user", f"Suggest {technique.angle}{like} for {_piece(brief)}.{words} "
                            "Reply with the title only.")]


# Formats whose hook is the piece's opening line; for the others it says what the piece offers.
OPENING_LINE_FORMATS = frozenset({"short story", "poem"})


def hook_messages(brief: Brief, title: str) -> list[Message]:
    """One plain request for the sentence that sells the idea titled ``title``: the opening
    line of a story or poem, or for other formats why the piece is worth a reader's time."""
    kind = brief.format or "piece"
    if kind in OPENING_LINE_FORMATS:
        return [Message("user", f'Write the opening sentence of a {kind} titled "{title}".')]
    reader = brief.audience or "readers"
    return [Message("user", f'In one short sentence, tell {reader} why the {kind} "{title}" is worth their time.')]


def combine_messages(brief: Brief, first: IdeaCard, second: IdeaCard) -> list[Message]:
    """A request for one title that joins two ideas."""
    return [Message("user", f'Suggest a title for {_piece(brief)} that joins two ideas: "{first.title}" '
                            f'and "{second.title}". Reply with the title only.')]


_TITLE_LABEL = re.compile(r"^\W*(?:(?:suggested |new |the )?title|headline|answer)\s*\d*\s*:\s*", re.I)


def clean_title(text: str) -> str:
    """The title in a reply: its first line without a "Title:" label, markup or quotes."""
    line = next((line for line in text.strip().splitlines() if line.strip()), "")
    line = _strip_markup(_TITLE_LABEL.sub("", _strip_markup(line)))
    return " ".join(line.split()).rstrip(".")


def clean_hook(text: str) -> str:
    """The hook in a reply: its first sentence (or two, when the first is very short),
    without a label or wrapping quotes."""
    text = " ".join(_LABEL_PREFIX.sub("", text.strip()).split())
    sentences = re.findall(r".+?[.!?…](?:[\"”’')]+|(?=\s|$))", text)
    hook = "".join(sentences[:1]).strip()
    if hook and len(hook.split()) < _HOOK_MIN_WORDS and len(sentences) > 1:
        hook = f"{hook} {sentences[1].strip()}"
    hook = hook or text
    if hook.count('"') == 2 and hook.startswith('"') and hook.rstrip('.!?').endswith('"'):
        hook = hook.replace('"', "")
    if hook[:1] in "\"“" and hook.count(hook[0]) + hook.count("”") == 1:
        hook = hook[1:]  # an opening quote never closed
    if hook.endswith('"') and hook.count('"') == 1:
        hook = hook[:-1]
    return hook.strip()


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
    if _repeats(card, kept, meaning):
        return "duplicate"
    return "ok"


def _repeats(card: IdeaCard, kept: list[IdeaCard], meaning: Meaning) -> bool:
    """A duplicate of one of ``kept`` by words or by meaning, or a hook that opens as one of
    theirs does (the model's one stock opening, "In twilight's hush, where shadows play")."""
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


@dataclass
class SparkUpdate:
    """A snapshot while sparking: the cards so far and the technique of the idea being
    written (``writing``); at the end, why it stopped."""

    cards: list[IdeaCard]
    writing: str = ""
    finished: bool = False
    stats: list[GenerationStats] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    shortfall: str = ""


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


def _line_done(text: str) -> bool:
    """A title reply is done at its first line break after some text."""
    return "\n" in text.strip()


def _sentence_done(text: str) -> bool:
    """A hook reply is done once it holds a whole sentence of a few words."""
    hook = clean_hook(text)
    return len(hook.split()) >= _HOOK_MIN_WORDS and bool(re.search(r"[.!?…][\"”’')]*$", hook))


async def _complete(model: TextGenerator, messages: list[Message], sampling: Sampling,
                    done) -> tuple[str, GenerationStats]:
    """The reply to ``messages``, stopped as soon as ``done(text)``; its stats say
    "stopped" when it was stopped from outside first."""
    generation = model.generate(messages, sampling)
    text, enough = "", False
    async for chunk in generation:
        text += chunk
        if enough := done(text):
            break  # the rest of the reply is not needed: aclose() stops the model
    await generation.aclose()
    stats = generation.stats or GenerationStats(reason="stop")
    if stats.aborted and not enough:
        stats = replace(stats, reason="stopped")
    return text, stats


def _confidence(stats: list[GenerationStats]) -> float:
    tokens = sum(s.tokens for s in stats)
    return round(sum(s.logprob for s in stats) / tokens, 3) if tokens else 0.0


async def _best_title(model: TextGenerator, brief: Brief, request: list[Message], meaning: Meaning,
                      stats: list[GenerationStats], sources: tuple[str, ...]) -> tuple[str, GenerationStats] | str | None:
    """Of ``TITLE_CANDIDATES`` titles asked for, the one that passes the checks and is closest
    in meaning to the brief (then the model's most confident); the reason the last one
    failed when none passes; None when stopped from outside."""
    passed: list[tuple[str, GenerationStats]] = []
    reason = ""
    for _ in range(TITLE_CANDIDATES):
        text, stat = await _complete(model, request, TITLE_SAMPLING, _line_done)
        stats.append(stat)
        if stat.reason == "stopped":
            return None
        title = clean_title(text)
        if not (reason := check_title(title, allowed(brief, *sources))) and title not in dict(passed):
            passed.append((title, stat))
    if not passed:
        return reason.split(":")[0].split(" (")[0]
    closeness = await meaning.closeness(brief, [title for title, _ in passed]) or [0.0] * len(passed)
    scored = [(close + CONFIDENCE_WEIGHT * _confidence([stat]), index) for index, close in enumerate(closeness)
              for stat in [passed[index][1]]]
    return passed[max(scored)[1]]


async def _write_idea(model: TextGenerator, brief: Brief, title_request: list[Message], technique: str,
                      stats: list[GenerationStats], meaning: Meaning = NO_MEANING,
                      sources: tuple[str, ...] = ()) -> IdeaCard | str | None:
    """One idea: the best of a few titles, then its hook (asked again once if it fails the
    checks or is off the brief; left out if it fails twice). Returns the card, the reason
    the titles failed, or None when stopped from outside."""
    best = await _best_title(model, brief, title_request, meaning, stats, sources)
    if best is None or isinstance(best, str):
        return best
    title, stat = best
    own = [stat]
    for _ in range(HOOK_TRIES):
        text, stat = await _complete(model, hook_messages(brief, title), HOOK_SAMPLING, _sentence_done)
        stats.append(stat)
        if stat.reason == "stopped":
            return None
        card = IdeaCard(title, clean_hook(text), technique=technique)
        if not failed_check(card, brief, *sources) and await _hook_on_brief(card, brief, meaning):
            return replace(card, confidence=_confidence(own + [stat]))
    return IdeaCard(title, technique=technique, confidence=_confidence(own))  # no hook beats a wrong one


async def _hook_on_brief(card: IdeaCard, brief: Brief, meaning: Meaning) -> bool:
    """Whether a hook that sells the piece (not a story's opening line, which sets a scene)
    is close enough in meaning to the brief; True without an embedding model."""
    if brief.format in OPENING_LINE_FORMATS:
        return True
    closeness = await meaning.closeness(brief, [card.hook])
    return closeness is None or closeness[0] >= HOOK_ON_BRIEF_COSINE


async def spark(
    brief: Brief, model: TextGenerator, count: int = 5, max_attempts: int | None = None,
    keep: tuple[IdeaCard, ...] = (), angle: IdeaCard | None = None, embedder: TextEmbedder | None = None,
) -> AsyncIterator[SparkUpdate]:
    """Write idea cards until ``count`` distinct, on-brief ones pass the checks: one title
    and hook per technique in turn; a card is shown only once it has passed, and the last
    update is ranked and final. ``keep`` (pinned cards) count towards ``count`` and stay
    first; ``angle`` makes every new title one like that card's ("more like this");
    ``embedder`` (when it has a model loaded) lets ideas be judged by meaning as well."""
    max_attempts = max_attempts or 4 * (count - len(keep))
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
        yield SparkUpdate(list(kept), writing=technique.name)
        written = await _write_idea(model, brief, title_messages(brief, technique, angle), technique.name, stats,
                                    meaning)
        if written is None:
            break  # stopped from outside
        if isinstance(written, str):
            dropped[written] += 1
            continue
        await meaning.learn(brief, [written])
        verdict = judge(written, brief, kept, meaning)
        if verdict == "ok":
            kept.append(written)
        else:
            dropped[verdict] += 1
            if _soft(verdict, written, meaning) and not is_duplicate(written, [c for c, _ in reserve]):
                reserve.append((written, verdict))
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
                  others: list[IdeaCard]) -> AsyncIterator[SparkUpdate]:
    """Write one idea that joins ``first`` and ``second``; the final update holds it (or,
    with ``shortfall`` set, says why it was not usable)."""
    stats: list[GenerationStats] = []
    sources = (first.title, first.hook, second.title, second.hook)
    yield SparkUpdate([], writing="Combination")
    written = await _write_idea(model, brief, combine_messages(brief, first, second), "Combination", stats,
                                sources=sources)
    verdict = written if isinstance(written, str) else "stopped" if written is None else judge(
        written, brief, others, sources=sources)
    if verdict != "ok":
        yield SparkUpdate([], finished=True, stats=stats, dropped=Counter({verdict: 1}),
                          shortfall=f"The combined idea was dropped ({verdict}); try again or combine other ideas.")
        return
    yield SparkUpdate([written], finished=True, stats=stats)
