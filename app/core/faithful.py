"""Whether a rewrite still says what its source says: it adds no number and no name the
source never gave, and stays close to it in meaning (embedding cosine). Refining,
rewriting and summarizing are edits of the creator's text, not new writing.

Public: ``FAITHFUL_COSINE``, ``added_facts``, ``unfaithful``.
"""
from __future__ import annotations

import re

from .checks import Allowed
from .model import TextEmbedder, cosine

# Hand-written faithful rewrites (shorter, longer, simpler, another tone) of the eval's
# passages score 0.68–0.96 against their source; the model's rewrites a reader rejected as
# unrelated, muddled or describing the edit score 0.13–0.64.
FAITHFUL_COSINE = 0.65

_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand "
    "thousands million millions billion billions dozen dozens".split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(]|\n\s*(?:[-*+]|\d+[.)])?)\s*$")


def _names(text: str) -> list[str]:
    """Capitalised words that do not start a sentence, a line or a list item."""
    return [word.group() for word in _WORD.finditer(text)
            if word.group()[0].isupper() and word.group() != "I" and not _SENTENCE_START.search(text[: word.start()])]


def added_facts(source: str, rewrite: str) -> str:
    """Why ``rewrite`` says more than ``source`` ("" when it does not): a number (in digits
    or words) or a name that ``source`` never gave."""
    given, said = Allowed.from_texts(source), Allowed.from_texts(rewrite)
    if new := (said.numbers - given.numbers) | (said.words & _NUMBER_WORDS - given.words):
        first = min(new, key=lambda number: rewrite.casefold().find(number))  # as the reader meets it
        return f"adds a number the text never gave ({first})"
    if new := [name for name in _names(rewrite) if name.casefold().replace("’", "'") not in given.words]:
        return f"adds a name the text never gave ({new[0]})"
    return ""


async def unfaithful(source: str, rewrite: str, embedder: TextEmbedder | None) -> str:
    """Why ``rewrite`` is no longer an edit of ``source`` ("" when it is): it adds facts, or
    (with an embedding model loaded) it has moved away from what ``source`` says."""
    if reason := added_facts(source, rewrite):
        return reason
    vectors = await embedder.embed([source, rewrite]) if embedder else None
    if vectors is not None and cosine(vectors[0], vectors[1]) < FAITHFUL_COSINE:
        return "says something else than the text"
    return ""
