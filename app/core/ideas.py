"""Sparking ideas from a brief, the way a 135M model can do it well: for each idea a few
short, plain requests for a title seeded with a named creative technique ("Suggest a
myth-busting title for…", low temperature), the one closest to the brief kept, then one
request for a sentence that sells it; each idea comes from a technique no kept idea used
yet. Every title and hook must pass the studio's checks
(``app.core.checks``) before it is shown; ``app.core.judging`` drops off-topic and
near-duplicate ideas and ranks the rest; sparking tops up until exactly N, or says
plainly why not.

Public: ``SparkUpdate``, ``spark``, ``combine``, ``title_messages``, ``hook_messages``,
``combine_messages``, ``piece``, ``shortfall_message``, ``TITLE_SAMPLING``, ``HOOK_SAMPLING``,
``OPENING_LINE_FORMATS``.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from .brief import Brief
from .idea_cards import HOOK_MIN_WORDS, IdeaCard, clean_hook, clean_title
from .checks import check_title
from .judging import (CONFIDENCE_WEIGHT, FALLBACK_COSINE, NO_MEANING, SOFT_VERDICTS, Meaning, allowed, failed_check,
                      is_duplicate, judge, rank, repeats)
from .model import GenerationStats, Message, Sampling, TextEmbedder, TextGenerator
from .techniques import TECHNIQUES, Technique, technique_order

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
# A card with no hook, or only this close in meaning to the brief, is weak: shown, but ranked
# after the others. Read against 205 labelled cards (eval/README.md, 2026-12-07 15:00): weak
# cards were usable 6 % of the time, the others 32 %.
STRONG_COSINE = 0.5


def piece(brief: Brief) -> str:
    """"a newsletter about urban beekeeping, for retirees" (format, topic, audience)."""
    audience = f", for {brief.audience}" if brief.audience else ""
    return f"a {brief.format or 'piece'} about {brief.topic}{audience}"


def title_messages(brief: Brief, technique: Technique, angle: IdeaCard | None = None) -> list[Message]:
    """One plain request for a title of the kind ``technique`` names (and, for "more like
    this", like ``angle``'s)."""
    like = f' like "{angle.title}"' if angle else ""
    words = f" Use the words: {', '.join(brief.keywords)}." if brief.keywords else ""
    return [Message("user", f"Suggest {technique.angle}{like} for {piece(brief)}.{words} "
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
    return [Message("user", f'Suggest a title for {piece(brief)} that joins two ideas: "{first.title}" '
                            f'and "{second.title}". Reply with the title only.')]



@dataclass
class SparkUpdate:
    """A snapshot while sparking: the cards so far and the technique of the idea being
    written (``writing``); at the end, how many requests for ideas it made and why it stopped."""

    cards: list[IdeaCard]
    writing: str = ""
    finished: bool = False
    stats: list[GenerationStats] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    shortfall: str = ""
    attempts: int = 0
    at_once: tuple[int, int] | None = None  # (kept, asked) of a set asked for in one request


def _soft(verdict: str, card: IdeaCard | None, meaning: Meaning) -> bool:
    """Whether a dropped idea may still fill a place when too few pass: a title that
    repeats the brief, or no shared word but a meaning close enough."""
    if verdict == "off-topic":
        return (meaning.relevance(card) or 0) >= FALLBACK_COSINE
    return verdict in SOFT_VERDICTS


def _weak(card: IdeaCard, meaning: Meaning) -> bool:
    """A card with no hook, or only loosely on the brief (``STRONG_COSINE``)."""
    relevance = meaning.relevance(card)
    return not card.hook or (relevance is not None and relevance < STRONG_COSINE)


def shortfall_message(count: int, kept: int, dropped: Counter, attempts: int) -> str:
    """What the studio says when only ``kept`` of ``count`` ideas passed."""
    reasons = ", ".join(f"{n} {reason}" for reason, n in dropped.most_common())
    return (f"Only {kept} of {count} ideas passed after {attempts} tries ({reasons} dropped). "
            "Try again, or give the brief more detail.")


def _sentence_done(text: str) -> bool:
    """A hook reply is done once it holds a whole sentence of a few words."""
    hook = clean_hook(text)
    return len(hook.split()) >= HOOK_MIN_WORDS and bool(re.search(r"[.!?…][\"”’')]*$", hook))


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


def _next_technique(techniques: list[Technique], attempts: int, kept: list[IdeaCard]) -> Technique:
    """The technique for the next attempt: the next in turn that no kept idea (nor one held in
    reserve) came from yet (after failures the turn comes round again), so a set mixes as many
    techniques as it can."""
    turn = attempts % len(techniques)
    order = techniques[turn:] + techniques[:turn]
    used = {card.technique for card in kept}
    return next((technique for technique in order if technique.name not in used), order[0])


def _confidence(stats: list[GenerationStats]) -> float:
    tokens = sum(s.tokens for s in stats)
    return round(sum(s.logprob for s in stats) / tokens, 3) if tokens else 0.0


async def _best_title(model: TextGenerator, brief: Brief, request: list[Message], meaning: Meaning,
                      stats: list[GenerationStats], sources: tuple[str, ...],
                      kept: list[IdeaCard]) -> tuple[str, GenerationStats] | str | None:
    """Of ``TITLE_CANDIDATES`` titles asked for at once, the one that passes the checks, does
    not repeat an idea in ``kept`` and is closest in meaning to the brief (then the model's most
    confident); the reason the last one failed when none passes; None when stopped from outside."""
    passed: list[tuple[str, GenerationStats]] = []
    reason = ""
    replies = await model.sample_lines(request, TITLE_SAMPLING, TITLE_CANDIDATES)
    stats.extend(stat for _, stat in replies)
    if any(stat.aborted for _, stat in replies):
        return None  # stopped from outside
    for text, stat in replies:
        title = clean_title(text)
        reason = check_title(title, allowed(brief, *sources)) or ("duplicate" if is_duplicate(IdeaCard(title), kept)
                                                                  else "")
        if not reason and title not in dict(passed):
            passed.append((title, stat))
    if not passed:
        return reason.split(":")[0].split(" (")[0]
    closeness = await meaning.closeness(brief, [title for title, _ in passed]) or [0.0] * len(passed)
    scored = [(close + CONFIDENCE_WEIGHT * _confidence([stat]), index) for index, close in enumerate(closeness)
              for stat in [passed[index][1]]]
    return passed[max(scored)[1]]


async def _write_idea(model: TextGenerator, brief: Brief, title_request: list[Message], technique: str,
                      stats: list[GenerationStats], meaning: Meaning = NO_MEANING,
                      sources: tuple[str, ...] = (), kept: list[IdeaCard] = ()) -> IdeaCard | str | None:
    """One idea: the best of a few titles (none repeating ``kept``), then its hook (asked again
    once if it fails the checks or is off the brief; left out if it fails twice). Returns the
    card, the reason the titles failed, or None when stopped from outside."""
    best = await _best_title(model, brief, title_request, meaning, stats, sources, list(kept))
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
    techniques: tuple[Technique, ...] = TECHNIQUES,
) -> AsyncIterator[SparkUpdate]:
    """Write idea cards until ``count`` distinct, on-brief ones pass the checks: one title
    and hook per technique in turn; a card is shown only once it has passed, and the last
    update is ranked and final, weak cards (``STRONG_COSINE``) last. ``keep``
    (pinned cards) count towards ``count`` and stay first; ``angle`` makes every new title
    one like that card's ("more like this"); ``embedder`` (when it has a model loaded) lets
    ideas be judged by meaning as well; ``techniques`` are those the model is asked for."""
    max_attempts = max_attempts or 4 * (count - len(keep))
    meaning = Meaning(embedder)
    await meaning.learn(brief, list(keep))
    techniques = technique_order(f"{brief.topic}\0{angle.title if angle else ''}", techniques)
    kept: list[IdeaCard] = list(keep)
    reserve: list[tuple[IdeaCard, str]] = []
    stats: list[GenerationStats] = []
    dropped: Counter = Counter()
    attempts = 0
    while len(kept) < count and attempts < max_attempts:
        technique = _next_technique(techniques, attempts, kept + [card for card, _ in reserve])
        attempts += 1
        yield SparkUpdate(list(kept), writing=technique.name)
        written = await _write_idea(model, brief, title_messages(brief, technique, angle), technique.name, stats,
                                    meaning, kept=kept)
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
        if len(kept) < count and not repeats(card, kept, meaning):
            kept.append(card)
            dropped[reasons[card.key()]] -= 1
    dropped = +dropped
    shortfall = "" if len(kept) >= count else shortfall_message(count - len(keep), len(kept) - len(keep), dropped,
                                                                attempts)
    ranked = rank(kept[len(keep):], brief, meaning)
    ranked = list(keep) + sorted((replace(card, loose=_weak(card, meaning)) for card in ranked),
                                 key=lambda card: card.loose)  # stable: weak ones last
    yield SparkUpdate(ranked, finished=True, stats=stats, dropped=dropped, shortfall=shortfall, attempts=attempts)


async def combine(brief: Brief, model: TextGenerator, first: IdeaCard, second: IdeaCard,
                  others: list[IdeaCard]) -> AsyncIterator[SparkUpdate]:
    """Write one idea that joins ``first`` and ``second``; the final update holds it (or,
    with ``shortfall`` set, says why it was not usable)."""
    stats: list[GenerationStats] = []
    sources = (first.title, first.hook, second.title, second.hook)
    yield SparkUpdate([], writing="Combination")
    written = await _write_idea(model, brief, combine_messages(brief, first, second), "Combination", stats,
                                sources=sources, kept=others)
    verdict = written if isinstance(written, str) else "stopped" if written is None else judge(
        written, brief, others, sources=sources)
    if verdict != "ok":
        yield SparkUpdate([], finished=True, stats=stats, dropped=Counter({verdict: 1}),
                          shortfall=f"The combined idea was dropped ({verdict}); try again or combine other ideas.")
        return
    yield SparkUpdate([written], finished=True, stats=stats)
