"""Markdown to HTML for model output and drafts, with the ``markdown`` package.

Rendered text is content, not the studio's own markup. In the page it passes
through the content sanitizer that the bridge installs with ``use_sanitizer``
(DOMPurify without forms, controls, ids or data attributes, so rendered text can
neither run code nor pose as one of the studio's controls); the whole markup is
sanitized again when it reaches the DOM. Public: ``render_markdown``,
``render_inline``, ``use_sanitizer``.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache

_EXTENSIONS = ["sane_lists"]
# Outside the page (CPython: tests, command line) nothing is displayed, so nothing is filtered.
_sanitize: Callable[[str], str] = str


def use_sanitizer(sanitize: Callable[[str], str]) -> None:
    """Pass every rendered fragment through ``sanitize`` from now on."""
    global _sanitize
    _sanitize = sanitize


@cache
def _renderer():
    """A reusable Markdown converter, made on first use (importing ``markdown`` costs start-up time)."""
    import markdown

    return markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


def render_markdown(text: str) -> str:
    """Block-level HTML for a Markdown document."""
    renderer = _renderer()
    try:
        return _sanitize(renderer.convert(text))
    finally:
        renderer.reset()


def render_inline(text: str) -> str:
    """HTML for one line of Markdown (emphasis, code, links) without the wrapping paragraph."""
    html = render_markdown(" ".join(text.split()))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
