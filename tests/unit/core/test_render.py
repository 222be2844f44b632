"""Markdown rendering of model output (sanitizing happens in the page)."""
from app.core.render import render_inline, render_markdown


def test_inline_markdown_has_no_wrapping_paragraph():
    assert render_inline("**Bold** idea") == "<strong>Bold</strong> idea"


def test_documents_render_blocks():
    html = render_markdown("# Title\n\n- one\n- two")
    assert "<h1>Title</h1>" in html and "<li>one</li>" in html


def test_inline_text_is_folded_onto_one_line():
    assert render_inline("a\n\nb") == "a b"


def test_rendered_fragments_pass_through_the_installed_sanitizer():
    from app.core import render

    seen = []
    render.use_sanitizer(lambda html: seen.append(html) or html.replace("<em>", "<i>").replace("</em>", "</i>"))
    try:
        assert render_inline("*a*") == "<i>a</i>"
        assert seen == ["<p><em>a</em></p>"]
    finally:
        render.use_sanitizer(str)
