"""Shortening and summarizing by choosing the creator's own sentences: those closest in
meaning to the whole text (sentence embeddings) stay, in their order. The studio falls
back on this when the model's rewrite or summary fails the checks.

Public: ``sentence_spans``, ``sentences``, ``central_sentences``, ``key_sentences``, ``SUBSET_SENTENCES``.
"""
from __future__ import annotations

import re
from itertools import combinations

from .document import text_stats
from .model import TextEmbedder, cosine

_SENTENCE = re.compile(r"[^.!?]+[.!?]+[\"”')]*\s*|[^.!?]+$")
# Up to this many sentences, every way of leaving some out is compared in meaning (at most 30
# texts in one embedding batch: about 0.75 s natively on one thread); beyond, sentence by sentence.
SUBSET_SENTENCES = 5


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of ``text`` starts and ends, with the space after it."""
    return [match.span() for match in _SENTENCE.finditer(text)]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped."""
    return [text[start:end].strip() for start, end in sentence_spans(text) if text[start:end].strip()]


def _words(text: str) -> int:
    return text_stats(text).words


async def _closeness(text: str, parts: list[str], embedder: TextEmbedder | None) -> list[float] | None:
    """How close in meaning each part is to ``text`` (None without an embedding model)."""
    vectors = await embedder.embed([text, *parts]) if embedder else None
    return None if vectors is None else [cosine(vectors[0], vector) for vector in vectors[1:]]


async def central_sentences(text: str, max_words: int, embedder: TextEmbedder | None = None) -> str:
    """``text`` in at most ``max_words`` words by leaving whole sentences out. With up to
    ``SUBSET_SENTENCES`` sentences, the way of leaving some out whose result is closest in
    meaning to the whole; with more, the sentences closest to it, one by one, while they fit.
    Without an embedding model the first sentences are preferred. At least one sentence stays."""
    found = sentences(text)
    if len(found) < 2 or _words(text) <= max_words:
        return text.strip()
    if len(found) > SUBSET_SENTENCES:
        scores = await _closeness(text, found, embedder) or [-i for i in range(len(found))]
        chosen: list[int] = []
        for i in sorted(range(len(found)), key=lambda i: -scores[i]):
            if not chosen or _words(" ".join(found[j] for j in chosen + [i])) <= max_words:
                chosen.append(i)
        return " ".join(found[i] for i in sorted(chosen))
    joined = {choice: " ".join(found[i] for i in choice)
              for size in range(1, len(found)) for choice in combinations(range(len(found)), size)}
    choices = [choice for choice, words in joined.items() if _words(words) <= max_words] or [
        (i,) for i in range(len(found))]
    scores = await _closeness(text, [joined[choice] for choice in choices], embedder)
    if scores is None:
        return joined[max(choices, key=lambda choice: (0 in choice, _words(joined[choice])))]
    ranked = {choice: (round(score, 3), _words(joined[choice])) for choice, score in zip(choices, scores)}
    return joined[max(choices, key=ranked.__getitem__)]


async def key_sentences(text: str, count: int, embedder: TextEmbedder | None = None) -> list[str]:
    """The ``count`` sentences of ``text`` closest in meaning to the whole, in their order
    (without an embedding model, the first ones)."""
    found = sentences(text)
    scores = await _closeness(text, found, embedder) if len(found) > count else None
    if scores is None:
        return found[:count]
    return [found[i] for i in sorted(sorted(range(len(found)), key=lambda i: -scores[i])[:count])]
