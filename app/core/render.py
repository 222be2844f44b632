"""Markdown to HTML for model output and drafts, with the ``markdown`` package.

The HTML is not safe by itself: the bridge sanitizes it (DOMPurify) before it
reaches the page. Public: ``render_markdown``, ``render_inline``.
"""
from __future__ import annotations

from functools import cache

_EXTENSIONS = ["sane_lists"]


@cache
def _renderer():
    """A reusable Markdown converter, made on first use (importing ``markdown`` costs start-up time)."""
    import markdown

    return markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


def render_markdown(text: str) -> str:
    """Block-level HTML for a Markdown document."""
    renderer = _renderer()
    try:
        return renderer.convert(text)
    finally:
        renderer.reset()


def render_inline(text: str) -> str:
    """HTML for one line of Markdown (emphasis, code, links) without the wrapping paragraph."""
    html = render_markdown(" ".join(text.split()))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
