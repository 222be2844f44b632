"""An idea card, and reading ideas out of what a small model writes: a title on its first
line without labels or quotes, a hook of one or two whole sentences, and lists of ideas
in any of the shapes small models write.

Public: ``IdeaCard``, ``clean_title``, ``clean_hook``, ``parse_ideas``, ``HOOK_MIN_WORDS``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .brief import content_words

_ITEM_START = re.compile(
    r"^(?P<indent>\s*)(?:#{1,6}\s*)?(?:(?P<number>(?:idea\s*)?\d{1,2}\s*[.):\-])|[-*•+])\s+(?P<rest>.*)$",
    re.IGNORECASE,
)
_BOLD = re.compile(r"^\*\*(?P<title>[^*]+?)\*\*\s*[:.\-–—]?\s*(?P<hook>.*)$")
_SPLIT = re.compile(r"\s*(?::|\s[-–—]\s)\s*")
_TITLE_MAX_WORDS = 12
_HOOK_MAX_CHARS = 220
HOOK_MIN_WORDS = 5
# "Sentence 1:", "Hook:", "1." and the like at the start of a hook, copied from prompts or lists.
# Links and hashtags: small models scatter them through hooks.
_NOISE = re.compile(r"https?://\S+|www\.\S+|#\w[\w-]*")
_LABEL_PREFIX = re.compile(r"^\W*(?:(?:sentence|hook|description|idea)\s*\d*\s*:\s*|\d{1,2}[.)]\s+)+", re.I)


@dataclass(frozen=True)
class IdeaCard:
    """One idea: a short title, a one-line hook, and the technique that sparked it."""

    title: str
    hook: str = ""
    complete: bool = True
    technique: str = ""
    relevance: float = 0.0
    confidence: float = 0.0  # the model's mean log-probability per token of title and hook
    loose: bool = False  # no hook, or only loosely on the brief: shown last, and marked

    def key(self) -> str:
        """Normalized title used to spot duplicates."""
        return re.sub(r"[^\w]+", " ", self.title.casefold()).strip()

    def words(self) -> set[str]:
        return content_words(f"{self.title} {self.hook}")



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
    if hook and len(hook.split()) < HOOK_MIN_WORDS and len(sentences) > 1:
        hook = f"{hook} {sentences[1].strip()}"
    hook = hook or text
    if hook.count('"') == 2 and hook.startswith('"') and hook.rstrip('.!?').endswith('"'):
        hook = hook.replace('"', "")
    if hook and hook[0] in "\"“" and hook.count(hook[0]) + hook.count("”") == 1:
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
