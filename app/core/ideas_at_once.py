"""Sparking ideas with an engine the creator connected, which can follow a longer request:
the whole set in one request, as JSON that follows a schema (OpenAI's ``response_format``).
Each card is shown as soon as its object has streamed in and passed the judging every idea
passes (``app.core.judging``); places still empty are filled by the careful pipeline
(``app.core.ideas.spark``), so a set is as full as it is with the built-in model.

Public: ``spark_at_once``, ``set_messages``, ``set_schema``, ``streamed_ideas``.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator

from .brief import Brief
from .idea_cards import IdeaCard, clean_hook, clean_title
from .ideas import OPENING_LINE_FORMATS, SparkUpdate, piece, shortfall_message, spark
from .judging import Meaning, judge, rank
from .model import GenerationStats, Message, Sampling, TextEmbedder, TextGenerator
from .techniques import TECHNIQUES, Technique

# Room for a title, a sentence and a technique's name per idea, and the JSON around them.
TOKENS_PER_IDEA = 96
SET_TEMPERATURE = 0.7
_OBJECT = re.compile(r"\{[^{}]*\}")


def set_schema(count: int, techniques: tuple[Technique, ...]) -> dict:
    """The JSON schema of a reply: ``{"ideas": [{"title", "hook", "technique"}, …]}``, ``count`` of them."""
    idea = {"type": "object", "additionalProperties": False, "required": ["title", "hook", "technique"],
            "properties": {"title": {"type": "string"}, "hook": {"type": "string"},
                           "technique": {"type": "string", "enum": [t.name for t in techniques]}}}
    return {"type": "object", "additionalProperties": False, "required": ["ideas"],
            "properties": {"ideas": {"type": "array", "minItems": count, "maxItems": count, "items": idea}}}


def set_messages(brief: Brief, count: int, techniques: tuple[Technique, ...]) -> list[Message]:
    """One request for ``count`` ideas, each from a different one of ``techniques``."""
    words = f" Use the words: {', '.join(brief.keywords)}." if brief.keywords else ""
    avoid = f" Never mention: {', '.join(brief.avoid)}." if brief.avoid else ""
    hook = ("its opening sentence" if brief.format in OPENING_LINE_FORMATS
            else f"one sentence that tells {brief.audience or 'readers'} why it is worth their time")
    moves = "; ".join(f"{t.name} ({t.explanation.rstrip('.').lower()})" for t in techniques)
    return [Message("user", f"Suggest {count} different ideas for {piece(brief)}.{words}{avoid} Give each a short "
                            f"title, {hook}, and the technique it uses, each idea a different one of these: {moves}. "
                            "Reply with JSON only.")]


def streamed_ideas(text: str, techniques: tuple[Technique, ...] = TECHNIQUES) -> list[IdeaCard]:
    """The ideas whose JSON objects are complete so far in a streamed reply; a technique not
    among ``techniques`` is left unnamed."""
    names = {t.name for t in techniques}
    cards = []
    for match in _OBJECT.finditer(text, max(text.find("["), 0)):
        try:
            item = json.loads(match.group())
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            technique = item.get("technique") if item.get("technique") in names else ""
            cards.append(IdeaCard(clean_title(item["title"]), clean_hook(str(item.get("hook") or "")),
                                  technique=technique))
    return cards


async def spark_at_once(
    brief: Brief, model: TextGenerator, count: int = 5, keep: tuple[IdeaCard, ...] = (),
    embedder: TextEmbedder | None = None, techniques: tuple[Technique, ...] = TECHNIQUES,
) -> AsyncIterator[SparkUpdate]:
    """Like ``app.core.ideas.spark``: cards as they pass, and a last update that is ranked
    and final; the set is asked for in one request, and the careful pipeline tops it up."""
    meaning = Meaning(embedder)
    await meaning.learn(brief, list(keep))
    kept, dropped, stats = list(keep), Counter(), []
    wanted = count - len(keep)
    sampling = Sampling(max_new_tokens=TOKENS_PER_IDEA * wanted + 32, temperature=SET_TEMPERATURE,
                        schema=set_schema(wanted, techniques))
    generation = model.generate(set_messages(brief, wanted, techniques), sampling)
    text, seen = "", 0
    async for chunk in generation:
        text += chunk
        if "}" in chunk and len(found := streamed_ideas(text, techniques)) > seen:  # an object may have ended
            for card in found[seen:]:
                await meaning.learn(brief, [card])
                verdict = judge(card, brief, kept, meaning) if len(kept) < count else "more than asked for"
                if verdict == "ok":
                    kept.append(card)
                else:
                    dropped[verdict] += 1
            seen = len(found)
            yield SparkUpdate(list(kept))
    stats.append(generation.stats or GenerationStats(reason="stop"))
    attempts, at_once = 1, (len(kept) - len(keep), wanted)
    if len(kept) < count and not stats[-1].aborted:
        async for update in spark(brief, model, count, keep=tuple(kept), embedder=embedder, techniques=techniques):
            if not update.finished:
                yield update
                continue
            kept, stats, dropped = update.cards, stats + update.stats, dropped + update.dropped
            attempts += update.attempts
    await meaning.learn(brief, kept)
    ranked = list(keep) + rank(kept[len(keep):], brief, meaning)
    shortfall = "" if len(ranked) >= count else shortfall_message(wanted, len(ranked) - len(keep), dropped, attempts)
    yield SparkUpdate(ranked, finished=True, stats=stats, dropped=dropped, shortfall=shortfall, attempts=attempts,
                      at_once=at_once)
