"""Proofreading: a list of corrections with positions and types, each accepted or
rejected on its own.

Two sources, merged: mechanical rules that are nearly always right (a doubled word,
a space before punctuation, a lower-case "i", a sentence starting in lower case,
runs of spaces), and the model, asked to fix the typos of one sentence at a time;
its reply is compared word by word with the sentence, and only small local changes
become corrections (a reply that rewrites the sentence is ignored).

Positions are indexes into the Python string (code points).
Public: ``Correction``, ``KINDS``, ``proofread``, ``rule_corrections``,
``corrections_from_rewrite``, ``classify``, ``overlaps``, ``apply_correction``, ``sentences``,
``describe_counts``.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from .errors import StudioError
from .model import Message, Sampling, TextGenerator

KINDS = ("spelling", "grammar", "punctuation", "capitalization")
MAX_CHANGED_WORDS = 3  # a bigger change is a rewrite, not a correction
MIN_SENTENCE_LIKENESS = 0.6  # below this the model rewrote the sentence: ignore its reply
_TOKENS = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "no", "fig", "approx"}


class ProofreadError(StudioError):
    """The text cannot be proofread."""


@dataclass(frozen=True)
class Correction:
    """Replace ``text[start:end]`` (``original``) with ``replacement``."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str

    def describe(self) -> str:
        before = self.original.strip() or "(nothing)"
        after = self.replacement.strip() or "(remove)"
        return f"{self.kind}: “{before}” → “{after}”"


def _correction(text: str, start: int, end: int, replacement: str, kind: str) -> Correction:
    return Correction(start, end, text[start:end], replacement, kind)


def rule_corrections(text: str) -> list[Correction]:
    """Corrections found without the model."""
    found: list[Correction] = []
    for match in re.finditer(r"\b(\w+)(\s+)(\1)\b", text, flags=re.IGNORECASE):
        if not match.group(1).isdigit():
            found.append(_correction(text, match.start(), match.end(), match.group(1), "grammar"))
    for match in re.finditer(r"(?<=\w)[ \t]+([,.;:!?])(?!\w)", text):
        found.append(_correction(text, match.start(), match.end(), match.group(1), "punctuation"))
    for match in re.finditer(r"(?<=\S)[ \t]{2,}(?=\S)", text):
        found.append(_correction(text, match.start(), match.end(), " ", "punctuation"))
    for match in re.finditer(r"(?<![\w'’.-])i(?=(?:['’](?:m|ve|ll|d))?(?![\w'’.-]))", text):
        found.append(_correction(text, match.start(), match.end(), "I", "capitalization"))
    for match in re.finditer(r"(\w+(?:\.\w+)*)([.!?])\s+([a-z])", text):
        if match.group(2) == "." and match.group(1).casefold() in _ABBREVIATIONS:
            continue
        if match.group(2) == "." and len(match.group(1)) == 1:
            continue  # an initial, as in "J. smith" — leave it
        found.append(_correction(text, match.start(3), match.end(3), match.group(3).upper(), "capitalization"))
    if (first := re.match(r"\s*([a-z])", text)) and not re.match(r"\s*[a-z]+[.:/@]", text):
        found.append(_correction(text, first.start(1), first.end(1), first.group(1).upper(), "capitalization"))
    return _without_overlaps(found)


def classify(original: str, replacement: str) -> str:
    """The kind of a correction: spelling, grammar, punctuation or capitalization."""
    letters = lambda s: re.sub(r"[\W_]", "", s)  # noqa: E731
    if letters(original) == letters(replacement):
        return "punctuation"
    if letters(original).casefold() == letters(replacement).casefold():
        return "capitalization"
    old, new = original.split(), replacement.split()
    if len(old) == 1 and len(new) == 1:
        a, b = letters(old[0]).casefold(), letters(new[0]).casefold()
        if a.startswith(b) or b.startswith(a):
            return "grammar"  # an ending added or dropped: "go" → "goes"
        if difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.5:
            return "spelling"
    return "grammar"


def corrections_from_rewrite(text: str, corrected: str, offset: int = 0) -> list[Correction]:
    """The small local changes between ``text`` and the model's ``corrected`` version,
    positioned in the document by ``offset``; nothing when the model rewrote it."""
    old = [m for m in _TOKENS.finditer(text)]
    new = [m.group() for m in _TOKENS.finditer(corrected)]
    words = [m.group() for m in old]
    matcher = difflib.SequenceMatcher(a=words, b=new, autojunk=False)
    if not corrected.strip() or matcher.ratio() < MIN_SENTENCE_LIKENESS:
        return []
    found = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        # Grow a change that is only spacing (or an insertion) to the word before it, so
        # it can be shown and judged: "day" → "day," rather than "" → ",".
        if not "".join(words[i1:i2]).strip() and i1 > 0:
            while i1 > 0 and not words[i1 - 1].strip():
                i1, j1 = i1 - 1, j1 - 1
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
        start = old[i1].start() if i1 < len(old) else len(text)
        end = old[i2 - 1].end() if i2 > i1 else start
        original, replacement = text[start:end], "".join(new[j1:j2])
        if original == replacement:
            continue
        if max(len(original.split()), len(replacement.split())) > MAX_CHANGED_WORDS:
            continue
        found.append(Correction(start + offset, end + offset, original, replacement,
                                classify(original, replacement)))
    return found


def overlaps(a: Correction, b: Correction) -> bool:
    """Whether two corrections touch the same text (or insert at the same place)."""
    return a.start == b.start or not (a.end <= b.start or a.start >= b.end)


def _without_overlaps(corrections: list[Correction]) -> list[Correction]:
    """Sorted by position; of overlapping corrections the first found is kept."""
    kept: list[Correction] = []
    for correction in corrections:
        if not any(overlaps(correction, other) for other in kept):
            kept.append(correction)
    return sorted(kept, key=lambda c: (c.start, c.end))


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of the prose in ``text``; headings, list
    markers and code blocks are left out."""
    found = []
    in_code = False
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
        elif not in_code and stripped and not re.match(r"(#{1,6}\s|\|)", stripped):
            body = re.match(r"\s*(?:[-*+>]\s+|\d+[.)]\s+)?", line).end()
            for match in re.finditer(r"[^.!?]*[.!?]+[\"”')\]]*|[^.!?]+$", line[body:].rstrip("\n")):
                if match.group().strip():
                    lead = len(match.group()) - len(match.group().lstrip())
                    found.append((offset + body + match.start() + lead, match.group().strip()))
        offset += len(line)
    return found


def proofread_messages(sentence: str) -> list[Message]:
    return [Message("user", f"Fix the typos in this sentence:\n{sentence}")]


def _reply_sentence(reply: str) -> str:
    """The corrected sentence from a reply: its first paragraph, without quotes or a
    "Corrected:" label."""
    first = reply.strip().split("\n\n")[0].strip()
    first = re.sub(r"^(corrected( sentence| text)?|fixed)\s*:\s*", "", first, flags=re.IGNORECASE)
    return first.strip().strip('"“”')


@dataclass
class ProofreadUpdate:
    """Corrections so far; ``done`` of ``total`` sentences checked."""

    corrections: list[Correction]
    done: int
    total: int


async def proofread(text: str, model: TextGenerator) -> AsyncIterator[ProofreadUpdate]:
    """Check ``text`` sentence by sentence; each update holds every correction so far."""
    if not text.strip():
        raise ProofreadError("There is no text to proofread: write or select some first.")
    found = rule_corrections(text)
    pieces = sentences(text)
    yield ProofreadUpdate(found, 0, len(pieces))
    for done, (offset, sentence) in enumerate(pieces, start=1):
        budget = min(24 + len(sentence) // 2, 200)
        generation = model.generate(proofread_messages(sentence), Sampling.greedy(budget))
        reply = ""
        async for chunk in generation:
            reply += chunk
            if "\n\n" in reply.strip():
                break  # the corrected sentence is done; what follows is commentary
        await generation.aclose()
        found = _without_overlaps(found + corrections_from_rewrite(sentence, _reply_sentence(reply), offset))
        yield ProofreadUpdate(found, done, len(pieces))


def apply_correction(text: str, corrections: list[Correction], chosen: Correction) -> tuple[str, list[Correction]]:
    """Apply ``chosen``; the other corrections move with the text (any that overlapped
    it are dropped)."""
    if text[chosen.start:chosen.end] != chosen.original:
        raise ProofreadError("The text has changed since it was proofread: proofread it again.")
    shift = len(chosen.replacement) - (chosen.end - chosen.start)
    updated = text[:chosen.start] + chosen.replacement + text[chosen.end:]
    remaining = []
    for other in corrections:
        if other == chosen:
            continue
        if other.end <= chosen.start:
            remaining.append(other)
        elif other.start >= chosen.end:
            remaining.append(replace(other, start=other.start + shift, end=other.end + shift))
    return updated, remaining


def describe_counts(corrections: list[Correction]) -> str:
    """"3 corrections (2 spelling, 1 punctuation)"."""
    if not corrections:
        return "no corrections"
    counts = Counter(c.kind for c in corrections)
    kinds = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind])
    return f"{len(corrections)} correction{'s' if len(corrections) != 1 else ''} ({kinds})"
