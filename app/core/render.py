"""Markdown to HTML for model output and drafts, with the ``markdown`` package.

Rendered text is content, not the studio's own markup. In the page it passes
through the content sanitizer that the bridge installs with ``use_sanitizer``
(DOMPurify without forms, controls, ids or data attributes, so rendered text can
neither run code nor pose as one of the studio's controls); the whole markup is
sanitized again when it reaches the DOM. A long document can be rendered in
pieces (``markdown_chunks``, ``reference_definitions``), so the page stays quick.
Public: ``render_markdown``, ``render_inline``, ``use_sanitizer``,
``markdown_chunks``, ``reference_definitions``, ``CHUNK_CHARS``.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import cache

_EXTENSIONS = ["sane_lists"]
CHUNK_CHARS = 2000
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)
# Outside the page (CPython: tests, command line) nothing is displayed, so nothing is filtered.
_sanitize: Callable[[str], str] = str


def use_sanitizer(sanitize: Callable[[str], str]) -> None:
    """Pass every rendered fragment through ``sanitize`` from now on."""
    global _sanitize
    _sanitize = sanitize


@cache
def _renderer(first_heading: int = 1, raw_html: bool = True):
    """A reusable Markdown converter, made on first use (importing ``markdown`` costs start-up
    time). Without ``raw_html``, HTML in the text is shown as the text it is."""
    import markdown

    if first_heading == 1:
        renderer = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    else:
        renderer = markdown.Markdown(extensions=[*_EXTENSIONS, "toc"], output_format="html",
                                     extension_configs={"toc": {"baselevel": first_heading}})
    if not raw_html:
        renderer.preprocessors.deregister("html_block")
        renderer.inlinePatterns.deregister("html")
    return renderer


def render_markdown(text: str, first_heading: int = 1, raw_html: bool = True) -> str:
    """Block-level HTML for a Markdown document. ``first_heading`` is the level its top
    headings (``#``) get, and the others follow, up to 6: text shown under a heading of the
    page starts one level below it, so the page's outline stays in order. Without
    ``raw_html``, HTML tags in the text are shown as text."""
    renderer = _renderer(first_heading, raw_html)
    try:
        return _sanitize(renderer.convert(text))
    finally:
        renderer.reset()


def render_inline(text: str) -> str:
    """HTML for one line of Markdown (emphasis, code, links) without the wrapping paragraph.
    HTML tags in it are shown as text: a short line from the model (an idea's title or hook)
    needs no markup beyond Markdown's, and the sanitizer would drop a whole heading whose
    text looks like a tag beside real markup."""
    html = render_markdown(" ".join(text.split()), raw_html=False)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _blocks(text: str) -> list[str]:
    """The document's blocks: runs of lines between blank lines, fenced code kept whole."""
    blocks, lines, fence = [], [], ""
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            fence = "" if opening and opening.group(1).startswith(fence) else fence
        elif opening:
            fence = opening.group(1)
        if line.strip() or fence:
            lines.append(line)
        elif lines:
            blocks.append("\n".join(lines))
            lines = []
    return blocks + ["\n".join(lines)] if lines else blocks


def markdown_chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """A document of more than ``size`` characters cut at blank lines (never inside fenced
    code) into pieces of about ``size`` that render alone; a shorter one whole. Past half of
    ``size``, a piece ends after a block chosen by its content (one in eight, by checksum), so an
    edit changes the pieces around it and not the ones after. Every word is in one piece."""
    if len(text) <= size:
        return [text]
    chunks, current, length = [], [], 0
    for block in _blocks(text):
        current.append(block)
        length += len(block) + 2
        if length >= size or (length >= size // 2 and zlib.crc32(block.encode()) % 8 == 0):
            chunks.append("\n\n".join(current))
            current, length = [], 0
    return chunks + ["\n\n".join(current)] if current else chunks


def reference_definitions(text: str) -> str:
    """The document's reference-link definitions (``[name]: url``), for the pieces that link."""
    return "\n".join(_DEFINITION.findall(text))
