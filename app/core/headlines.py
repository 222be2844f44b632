"""Headlines for a text, the way a 135M model writes them well: the text first, then one
plain request ("Suggest a short headline for the text above. Reply with the headline only."),
several sampled at once at low temperature. Those that pass the studio's checks are ranked by
closeness in meaning to the text, and those far from it are left out.

Public: ``headlines``, ``headline_messages``, ``HEADLINE_MAX_CHARS``, ``HEADLINE_SAMPLING``.
"""
from __future__ import annotations

from .checks import Allowed, check_headline
from .idea_cards import clean_title
from .model import Message, Sampling, TextEmbedder, TextGenerator, cosine
from .refine import SOURCE_MAX_CHARS, RefineError

HEADLINE_MAX_CHARS = 80
# Low temperature: the titles' lesson (app.core.ideas). A request asked after the text, not
# before it: asked first, the model takes the text for something to edit ("This sentence requires…").
HEADLINE_SAMPLING = Sampling(max_new_tokens=24, temperature=0.4)
HEADLINE_CANDIDATES = 8  # sampled at once, per round
# A headline less close than this in meaning to its text is about something else.
ON_TEXT_COSINE = 0.5


def headline_messages(text: str) -> list[Message]:
    return [Message("user", f"{text[:SOURCE_MAX_CHARS]}\n\nSuggest a short headline for the text above. "
                            "Reply with the headline only.")]


async def headlines(text: str, model: TextGenerator, count: int = 5, embedder: TextEmbedder | None = None,
                    max_rounds: int = 2) -> list[str]:
    """Up to ``count`` distinct headlines that pass the checks, best first by closeness in
    meaning to ``text`` (with ``embedder``), asking again when too few are close enough."""
    if not text.strip():
        raise RefineError("There is no text to write headlines for: write or select some first.")
    allowed = Allowed.from_texts(text[:SOURCE_MAX_CHARS])
    found: list[str] = []
    ranked: list[str] = []
    for _ in range(max_rounds):
        replies = await model.sample_lines(headline_messages(text), HEADLINE_SAMPLING, HEADLINE_CANDIDATES)
        for reply, _stats in replies:
            headline = clean_title(reply)
            if (len(headline) <= HEADLINE_MAX_CHARS and not check_headline(headline, allowed)
                    and headline.casefold() not in {h.casefold() for h in found}):
                found.append(headline)
        ranked = await _on_text(found, text, embedder)
        if len(ranked) >= count or any(stats.aborted for _, stats in replies):
            break
    return ranked[:count]


async def _on_text(found: list[str], text: str, embedder: TextEmbedder | None) -> list[str]:
    """``found``, closest in meaning to ``text`` first and without those far from it; as
    found when no embedding model is loaded."""
    vectors = await embedder.embed([text[:SOURCE_MAX_CHARS], *found]) if embedder and found else None
    if vectors is None:
        return list(found)
    scored = sorted(((cosine(vectors[0], vector), index) for index, vector in enumerate(vectors[1:])), reverse=True)
    return [found[index] for score, index in scored if score >= ON_TEXT_COSINE]
