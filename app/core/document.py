"""A draft as a document: counts, reading time, and the export formats.

Public: ``TextStats``, ``text_stats``, ``to_plain_text``, ``standalone_html``, ``EXPORT_POLICY``,
``export_name``.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import NamedTuple

from .render import render_markdown

WORDS_PER_MINUTE = 230


class TextStats(NamedTuple):
    """A text's size, as the editor's counts line shows it."""

    words: int
    characters: int
    reading_minutes: int

    def describe(self) -> str:
        minutes = f"{self.reading_minutes} min read" if self.reading_minutes else "under a minute to read"
        return f"{self.words:,} words · {self.characters:,} characters · {minutes}"


def text_stats(text: str) -> TextStats:
    """Words (runs of letters or digits), characters (not counting line breaks) and
    reading time rounded to the nearest minute."""
    words = len(re.findall(r"\w+(?:['’-]\w+)*", text))
    characters = len(text.replace("\n", ""))
    return TextStats(words, characters, round(words / WORDS_PER_MINUTE))


class _TextOnly(HTMLParser):
    """Collects the text of HTML, a blank line between blocks."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag != "li" else "\n")

    def handle_data(self, data):
        if data.strip() or "\n" not in data:  # line breaks between block tags are layout, not text
            self.parts.append(data)


def to_plain_text(markdown_text: str) -> str:
    """The draft without Markdown markup."""
    parser = _TextOnly()
    parser.feed(render_markdown(markdown_text))
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip() + "\n"


# The exported file runs no script and loads only images and media, wherever it is opened.
EXPORT_POLICY = "default-src 'none'; img-src * data:; media-src * data:; style-src 'unsafe-inline'"


def standalone_html(title: str, body_html: str) -> str:
    """A complete HTML file around already-sanitized body markup, with a policy of its own."""
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{EXPORT_POLICY}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;line-height:1.6;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem;color:#1d1730}</style>\n</head>\n<body>\n"
        f"{body_html}\n</body>\n</html>\n"
    )


def export_name(markdown_text: str, extension: str) -> str:
    """A file name from the draft's first heading (or "draft")."""
    heading = next((line.lstrip("# ").strip() for line in markdown_text.splitlines() if line.strip()), "")
    stem = re.sub(r"[^\w]+", "-", heading.casefold()).strip("-")[:60] or "draft"
    return f"{stem}.{extension}"
