"""Proofreading: a list of corrections with positions and types, each accepted or
rejected on its own.

Three sources, merged in this order (an earlier one wins where two overlap):
- spelling from the dictionary (pyspellchecker's English word frequencies: the most
  frequent known word one edit away from an unknown one; names and words the checks
  accept are left alone);
- rules that are nearly always right: a doubled word, a space before punctuation, a
  lower-case "i", a sentence starting in lower case, runs of spaces, "a"/"an" by the next
  word's sound, "we was"/"they was", "their are", "could of", a contraction without its
  apostrophe, a weekday or month in lower case;
- the model, asked to fix one sentence at a time, for what neither can do; its reply is
  compared word by word with the sentence, and only small local changes that are not
  spelling (the dictionary's job) become corrections.

Positions are indexes into the Python string (code points).
Public: ``Correction``, ``KINDS``, ``proofread``, ``rule_corrections``,
``spelling_corrections``, ``corrections_from_rewrite``, ``classify``, ``overlaps``, ``apply_correction``, ``sentences``,
``describe_counts``.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from .checks import dictionary, known_spelling
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


_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def spelling_corrections(text: str) -> list[Correction]:
    """Words the dictionary does not know, each with the most frequent known word one edit
    away; capitalised words that do not start a sentence are taken for names."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        before = text[: match.start()].rstrip()
        starts_sentence = not before or before[-1] in ".!?:\"“\n"
        if word.isupper() or (word[0].isupper() and not starts_sentence) or known_spelling(word):
            continue
        if "'" in word or "’" in word or len(word) < 3:
            continue  # contractions are the rules' job
        suggestion = _best_spelling(word.casefold())
        if suggestion and "'" not in suggestion:
            if word[0].isupper():
                suggestion = suggestion[0].upper() + suggestion[1:]
            found.append(_correction(text, match.start(), match.end(), suggestion, "spelling"))
    return found


def _best_spelling(word: str) -> str | None:
    """Of the common known words one edit from ``word``, the one that keeps most of its
    letters in order (a missed letter is the commonest slip), then the most frequent; None
    when there is none or the word only lacks an accent ("cafe")."""
    candidates = dictionary().candidates(word) or set()
    plain = {_without_accents(c) for c in candidates}
    if not candidates or word in candidates or word in plain:
        return None
    frequency = dictionary().word_frequency.dictionary
    common = max(frequency.get(c, 0) for c in candidates) / 100  # rare words never win on letters alone
    return max(sorted(candidates), key=lambda c: (frequency.get(c, 0) >= common, _common_letters(word, c),
                                                  frequency.get(c, 0)))


def _without_accents(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _common_letters(a: str, b: str) -> int:
    """The letters ``a`` and ``b`` share in order."""
    return sum(block.size for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())


# Contractions written without their apostrophe (not "cant", "wont", "its": real words too).
_CONTRACTIONS = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't", "wasnt": "wasn't",
    "arent": "aren't", "werent": "weren't", "hasnt": "hasn't", "havent": "haven't", "hadnt": "hadn't",
    "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "youre": "you're",
    "theyre": "they're", "im": "I'm", "ive": "I've", "thats": "that's", "whats": "what's", "alot": "a lot",
}
# Words after "a"/"an" whose first letter misleads: "a university", "an hour".
_VOWEL_SOUNDS_LIKE_CONSONANT = re.compile(r"(?:uni|use|usu|uti|eu|ewe|one|once|ur[aeiou])", re.I)
_SILENT_H = re.compile(r"(?:hour|honest|honou?r|heir)", re.I)
_DAYS_AND_MONTHS = ("monday tuesday wednesday thursday friday saturday sunday january february april june "
                    "july august september october november december").split()
# Phrase rules: (pattern, replacement for the match, kind); the pattern's group 1 is replaced.
_PHRASES = (
    (re.compile(r"\b(?:we|you|they)\s+(was)\b", re.I), "were", "grammar"),
    (re.compile(r"(?<!\bif )(?<!\bwish )\b(?:he|she|it)\s+(were)\b", re.I), "was", "grammar"),
    (re.compile(r"\b(?:he|she|it)\s+(don't|dont)\b", re.I), "doesn't", "grammar"),
    (re.compile(r"\b(their)\s+(?:are|is|was|were)\b", re.I), "there", "grammar"),
    (re.compile(r"\b(?:could|would|should|must)\s+(of)\b", re.I), "have", "grammar"),
    (re.compile(r"\b(you're)\s+(?:own|house|home|friend|family|car|name|work)\b", re.I), "your", "grammar"),
    (re.compile(r"\b(its)\s+(?:a|an|the|not|been|going|so|too|very|just|really|never|always|time|hard|easy)\b",
                re.I), "it's", "grammar"),
    (re.compile(r"\b(cant|wont)\s+(?:be|go|do|get|park|see|stop|find|help|wait|come|make|have)\b", re.I),
     None, "spelling"),
)


def _keep_case(original: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[0].isupper() else replacement


def grammar_corrections(text: str) -> list[Correction]:
    """The word rules: "a"/"an", agreement, there/their, contractions, weekdays and months."""
    found: list[Correction] = []
    for match in re.finditer(r"\b([Aa]n?)\s+([A-Za-z][\w'-]*)", text):
        article, word = match.group(1), match.group(2)
        vowel = word[0] in "aeiouAEIOU" and not _VOWEL_SOUNDS_LIKE_CONSONANT.match(word)
        vowel = vowel or bool(_SILENT_H.match(word))
        if word.isupper() or (vowel == (article.casefold() == "an")):
            continue
        wanted = "an" if vowel else "a"
        found.append(_correction(text, match.start(1), match.end(1), _keep_case(article, wanted), "grammar"))
    for pattern, replacement, kind in _PHRASES:
        for match in pattern.finditer(text):
            original = match.group(1)
            fixed = replacement or original[:-1] + "'" + original[-1]  # cant → can't
            found.append(_correction(text, match.start(1), match.end(1), _keep_case(original, fixed), kind))
    for match in _WORD.finditer(text):
        word = match.group()
        if (fixed := _CONTRACTIONS.get(word.casefold())) and word != "IM":
            found.append(_correction(text, match.start(), match.end(), _keep_case(word, fixed), "spelling"))
        elif word.removesuffix("s") in _DAYS_AND_MONTHS:
            found.append(_correction(text, match.start(), match.end(), word.capitalize(), "capitalization"))
    return _without_overlaps(found)


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
    found = _without_overlaps(rule_corrections(text) + grammar_corrections(text) + spelling_corrections(text))
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
        from_model = [c for c in corrections_from_rewrite(sentence, _reply_sentence(reply), offset)
                      if c.kind != "spelling"]  # spelling is the dictionary's: the model's guesses are worse
        found = _without_overlaps(found + from_model)
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
