"""Refining text: shorter, longer, simpler, another tone, or continued; summaries and
three rewrite alternatives to pick from (headlines: ``app.core.headlines``). Long text is
refined paragraph by paragraph (headings and lists kept as they are) so every prompt
stays small. Every rewrite must pass the checks on model output (``app.core.checks``)
and stay an edit of the creator's text (``app.core.faithful``): one that fails is asked
for again once, and if it fails again the creator's paragraph stays as it was and the
summary says why. Shorter and longer are held to a length target: a second pass from the
result, then for shorter whole sentences left out, those that add least first (which
also shortens a paragraph whose rewrite was refused). Each operation states what it changed.

Public: ``OPERATIONS``, ``refine_messages``, ``refine``, ``RefineUpdate``, ``RefineError``,
``change_summary``, ``summarize``, ``summary_messages``, ``SOURCE_MAX_CHARS``, ``LENGTH_TARGETS``,
``on_length_target``, ``Summary``, ``Alternative``, ``ALTERNATIVE_STYLES``, ``alternatives``,
``paragraph_at``.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from .brief import TONES
from .checks import Allowed, check_prose, strip_comments, strip_preamble, whole_sentences
from .document import text_stats
from .errors import StudioError
from .extract import central_sentences, key_sentences, sentences
from .faithful import added_facts, unfaithful
from .model import GenerationStats, Message, Sampling, TextEmbedder, TextGenerator

SYSTEM_PROMPT = "You are a careful editor. You return only the rewritten text."

# operation → (label, instruction, length factor for the token budget)
OPERATIONS: dict[str, tuple[str, str, float]] = {
    "shorter": ("Shorter", "Rewrite this text shorter: keep the main points in about half the words.", 0.7),
    "longer": ("Longer", "Rewrite this text longer: add detail and an example, about twice the words.", 2.5),
    "simplify": ("Simpler", "Rewrite this text in plain, simple words and short sentences.", 1.2),
    "tone": ("Tone", "Rewrite this text in a {tone} tone. Keep its meaning.", 1.3),
    "continue": ("Continue", "Continue this text with one more paragraph in the same style.", 1.0),
}


class RefineError(StudioError):
    """The refine request cannot be served."""


def refine_messages(operation: str, text: str, tone: str = "") -> list[Message]:
    if operation not in OPERATIONS:
        raise RefineError(f'"{operation}" is not a refine operation: pick one of {", ".join(OPERATIONS)}.')
    if operation == "tone" and tone not in TONES:
        raise RefineError(f"Pick a tone first: one of {', '.join(TONES)}.")
    instruction = OPERATIONS[operation][1].format(tone=tone)
    return [Message("system", SYSTEM_PROMPT), Message("user", f"{instruction}\n\nText:\n{text}")]


def _is_prose(block: str) -> bool:
    """Paragraphs are refined; headings, lists, quotes and code are kept as written."""
    first = block.lstrip()
    return bool(first) and not re.match(r"(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|```|\|)", first)


@dataclass
class RefineUpdate:
    """The refined text so far; ``finished`` and ``summary`` on the last update."""

    text: str
    finished: bool = False
    summary: str = ""
    stats: list[GenerationStats] = field(default_factory=list)


def change_summary(label: str, before: str, after: str) -> str:
    """What an operation changed, in words."""
    old, new = text_stats(before).words, text_stats(after).words
    change = f" ({(new - old) / old:+.0%})" if old else ""
    return f"{label}: {old} → {new} words{change}."


Judge = Callable[[str], Awaitable[str]]  # why a rewrite cannot be kept ("" when it can)


def _edit_judge(source: str, allowed: Allowed, embedder: TextEmbedder | None, minimum: int = 0,
                faithful: bool = True) -> Judge:
    """The checks on model output, at least ``minimum`` words, and (when ``faithful``) still
    saying what ``source`` says."""
    async def judge(written: str) -> str:
        if reason := check_prose(written, allowed):
            return reason
        if len(written.split()) < minimum:
            return "too short to keep the text's meaning"
        return await unfaithful(source, written, embedder) if faithful else ""
    return judge


async def _rewrite(model: TextGenerator, messages: list[Message], budget: int, judge: Judge,
                   stats: list[GenerationStats]) -> AsyncIterator[tuple[str, str | None]]:
    """Stream the model's rewrite as ``(text, None)``, then end with ``(rewrite, reason)``:
    a rewrite that ``judge`` refuses is asked for again once; ``reason`` says why the last
    try failed ("" when one passed, and then ``rewrite`` is it)."""
    reason = ""
    for _ in range(REWRITE_TRIES):
        generation = model.generate(messages, Sampling(max_new_tokens=budget))
        written = ""
        async for chunk in generation:
            written += chunk
            yield strip_preamble(written, streaming=True), None
        stats.append(generation.stats or GenerationStats(reason="stop"))
        written = whole_sentences(strip_comments(written))
        if not (reason := await judge(written)):
            yield written, ""
            return
    yield "", reason


async def _checked(model: TextGenerator, messages: list[Message], budget: int, judge: Judge) -> tuple[str, str]:
    """The checked rewrite (not streamed) and why it failed ("" when it passed)."""
    async for written, reason in _rewrite(model, messages, budget, judge, []):
        if reason is not None:
            return written, reason
    return "", "empty"


async def refine(operation: str, text: str, model: TextGenerator, tone: str = "",
                 embedder: TextEmbedder | None = None) -> AsyncIterator[RefineUpdate]:
    """Stream the refined text. ``continue`` appends one paragraph after the text; the
    others rewrite each prose paragraph in turn, and the rewrite must still say what the
    paragraph says (compared in meaning with ``embedder`` when one is loaded). A paragraph
    whose rewrite fails twice stays as it was (``continue`` then adds nothing), and the
    summary says why."""
    if not text.strip():
        raise RefineError("There is no text to refine: write or select some first.")
    label, _, factor = OPERATIONS.get(operation, ("", "", 1.0))
    refine_messages(operation, "", tone)  # checks the operation and the tone before any work
    stats: list[GenerationStats] = []
    kept: list[str] = []  # paragraphs left as written, and why
    cut: list[str] = []  # paragraphs the studio shortened itself, and why
    blocks = text.strip().split("\n\n")
    if operation == "continue":
        blocks.append("")  # the new paragraph, written from the last two
        sources = {len(blocks) - 1: "\n\n".join(blocks[-3:-1])}
    else:
        sources = {i: block for i, block in enumerate(blocks) if _is_prose(block)}
    done = list(blocks)
    for index in sorted(sources):
        source = sources[index]
        allowed = Allowed.from_texts(source, tone, OPERATIONS[operation][1])  # echoing the request is no comment
        refused = False
        passed = blocks[index]  # what stands if a rewrite fails: the last one that passed, or the creator's
        for attempt in range(2 if operation in LENGTH_TARGETS else 1):
            budget = max(48, min(int(len(source.split()) * 1.5 * factor), 400))
            minimum = max(2, len(sources[index].split()) // 5)  # fewer words cannot keep the text's meaning
            judge = _edit_judge(blocks[index], allowed, embedder, minimum, faithful=operation != "continue")
            async for written, reason in _rewrite(model, refine_messages(operation, source, tone), budget, judge,
                                                  stats):
                if reason is None:  # streamed as written; a rejected rewrite is taken back below
                    done[index] = written.strip()
                    yield RefineUpdate("\n\n".join(b for b in done if b))
            if reason:
                done[index] = passed
                refused = attempt == 0
                if refused:
                    kept.append(f"paragraph {index + 1} ({reason})")
                break
            passed = done[index] = written.strip() or source
            if operation not in LENGTH_TARGETS or on_length_target(operation, blocks[index], done[index]):
                break
            source = done[index]  # not short (or long) enough yet: once more, from the result
        if operation == "shorter" and not on_length_target(operation, blocks[index], done[index]):
            shortened = await central_sentences(done[index], int(LENGTH_TARGETS["shorter"] * _words(blocks[index])),
                                                embedder)
            if refused and shortened != done[index]:
                cut.append(kept.pop())
            done[index] = shortened
    result = "\n\n".join(b for b in done if b)
    summary = change_summary(label, text, result) + _kept_note(kept) + _cut_note(cut)
    yield RefineUpdate(result, finished=True, summary=summary, stats=stats)


REWRITE_TRIES = 2


def _kept_note(kept: list[str]) -> str:
    """What stayed as the creator wrote it, and why."""
    if not kept:
        return ""
    return (f" Kept as you wrote it: {'; '.join(kept)}. The model's rewrite failed the studio's checks twice; "
            "try again or edit it yourself.")


def _cut_note(cut: list[str]) -> str:
    """What the studio shortened by leaving sentences out, and why the model's rewrite was not used."""
    if not cut:
        return ""
    return (f" Shortened by leaving out your sentences that add least to the rest: {'; '.join(cut)}. "
            "The model's rewrite failed the studio's checks twice.")


# The most words a shorter text keeps, and the fewest a longer one reaches, as shares of before.
LENGTH_TARGETS = {"shorter": 0.7, "longer": 1.3}


def _words(text: str) -> int:
    return text_stats(text).words


def on_length_target(operation: str, before: str, after: str) -> bool:
    """Whether ``after`` is short (or long) enough compared with ``before``."""
    ratio = _words(after) / max(_words(before), 1)
    return ratio <= LENGTH_TARGETS["shorter"] if operation == "shorter" else ratio >= LENGTH_TARGETS["longer"]


SUMMARIES = {
    "tldr": "Summarize this text in one or two sentences (a tl;dr).",
    "key points": "List the three key points of this text, one per line.",
}
SOURCE_MAX_CHARS = 2000  # what a summary or headline request shows the model of a long draft
TLDR_WORDS = 40  # the most words of a tl;dr picked from the creator's sentences
KEY_POINTS = 3


@dataclass(frozen=True)
class Summary:
    """A summary, and a note when the studio picked it from the creator's own sentences
    because the model's failed the checks."""

    text: str
    note: str = ""


def summary_messages(kind: str, text: str) -> list[Message]:
    if kind not in SUMMARIES:
        raise RefineError(f'"{kind}" is not a summary: pick one of {", ".join(SUMMARIES)}.')
    return [Message("system", SYSTEM_PROMPT), Message("user", f"{SUMMARIES[kind]}\n\nText:\n{text[:SOURCE_MAX_CHARS]}")]


async def summarize(kind: str, text: str, model: TextGenerator, embedder: TextEmbedder | None = None) -> Summary:
    """A tl;dr or the key points of ``text`` (its first ``SOURCE_MAX_CHARS`` characters),
    adding no number or name the text never gave. When the model's fails twice, the
    text's own sentences closest in meaning to it (``app.core.extract``), with a note; key
    points so only from a text of more than ``KEY_POINTS`` sentences."""
    if not text.strip():
        raise RefineError("There is no text to summarize: write or select some first.")
    source = text[:SOURCE_MAX_CHARS]

    async def judge(written: str) -> str:  # echoing the request ("two sentences") is no new fact
        return check_prose(written, Allowed.from_texts(source)) or added_facts(f"{source}\n{SUMMARIES[kind]}", written)
    written, reason = await _checked(model, summary_messages(kind, text), 120, judge)
    if not reason:
        return Summary(written)
    prose = " ".join(block.strip() for block in whole_sentences(source).split("\n\n") if _is_prose(block))
    if not prose or (kind == "key points" and len(sentences(prose)) <= KEY_POINTS):  # nothing to choose from
        raise RefineError(f"The model's {kind} failed the studio's checks twice ({reason}); try again.")
    picked = (await central_sentences(prose, TLDR_WORDS, embedder) if kind == "tldr" else
              "\n".join(f"- {sentence}" for sentence in await key_sentences(prose, KEY_POINTS, embedder)))
    return Summary(picked, f"Picked from your own sentences: the model's {kind} failed the studio's checks twice "
                           f"({reason}).")


# Three different moves, so the alternatives differ by construction, not only by chance.
ALTERNATIVE_STYLES = (
    ("In other words", "Rewrite this text in other words. Keep its meaning and length."),
    ("More vivid", "Rewrite this text to be more vivid and concrete. Keep its meaning."),
    ("More direct", "Rewrite this text to be shorter and more direct. Keep its meaning."),
)
ALTERNATIVE_MAX_CHARS = 1200


@dataclass(frozen=True)
class Alternative:
    """One rewrite of a passage, the move that made it, and what it changed."""

    style: str
    text: str
    summary: str


def paragraph_at(text: str, position: int) -> tuple[int, int]:
    """The start and end of the paragraph (blank-line separated) around ``position``."""
    start = text.rfind("\n\n", 0, position)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", position)
    end = len(text) if end < 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _alike(a: str, b: str) -> bool:
    """Nearly the same words (Jaccard ≥ 0.85)."""
    words_a, words_b = (set(re.findall(r"\w+", s.casefold())) for s in (a, b))
    shared = len(words_a & words_b) / len(words_a | words_b) if words_a or words_b else 1.0
    return a.strip() == b.strip() or shared >= 0.85


async def alternatives(text: str, model: TextGenerator, tries: int = 2,
                       embedder: TextEmbedder | None = None) -> AsyncIterator[list[Alternative]]:
    """Three rewrites of ``text`` to pick from, one per style; a rewrite too like the text or
    an earlier one, or that no longer says what the text says, is asked for again (up to
    ``tries`` times). Yields the list so far."""
    if not text.strip():
        raise RefineError("There is no text to rewrite: write or select some first.")
    if len(text) > ALTERNATIVE_MAX_CHARS:
        raise RefineError(f"Select a passage of at most {ALTERNATIVE_MAX_CHARS} characters (a paragraph or two) "
                          "for rewrite alternatives.")
    found: list[Alternative] = []
    budget = max(48, min(int(len(text.split()) * 2), 400))
    for style, instruction in ALTERNATIVE_STYLES:
        for _ in range(tries):
            messages = [Message("system", SYSTEM_PROMPT), Message("user", f"{instruction}\n\nText:\n{text}")]
            generation = model.generate(messages, Sampling(max_new_tokens=budget, temperature=0.8))
            written = ""
            async for chunk in generation:
                written += chunk
                yield found + [Alternative(style, written.strip(), "")]
            written = whole_sentences(strip_comments(written))
            allowed = Allowed.from_texts(text, instruction)  # echoing the request is no comment
            judge = _edit_judge(text, allowed, embedder)
            if await judge(written):
                continue
            if written and not any(_alike(written, other) for other in [text] + [a.text for a in found]):
                found.append(Alternative(style, written, change_summary(style, text, written)))
                break
        yield list(found)
