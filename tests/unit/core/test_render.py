"""Markdown rendering of model output (sanitizing happens in the page)."""
from app.core.render import render_inline, render_markdown


def test_inline_markdown_has_no_wrapping_paragraph():
    assert render_inline("**Bold** idea") == "<strong>Bold</strong> idea"


def test_documents_render_blocks():
    html = render_markdown("# Title\n\n- one\n- two")
    assert "<h1>Title</h1>" in html and "<li>one</li>" in html


def test_inline_text_is_folded_onto_one_line():
    assert render_inline("a\n\nb") == "a b"
