"""Markdown rendering of model output (sanitizing happens in the page)."""
from app.core.render import render_inline, render_markdown


def test_inline_markdown_has_no_wrapping_paragraph():
    assert render_inline("**Bold** idea") == "<strong>Bold</strong> idea"


def test_documents_render_blocks():
    html = render_markdown("# Title\n\n- one\n- two")
    assert "<h1>Title</h1>" in html and "<li>one</li>" in html


def test_inline_text_is_folded_onto_one_line():
    assert render_inline("a\n\nb") == "a b"


def test_inline_text_shows_html_as_text_and_keeps_markdown():
    assert render_inline('Bees <!--<img src="--><b>hum</b> `a<b` **loud**') == (
        'Bees &lt;!--&lt;img src="--&gt;&lt;b&gt;hum&lt;/b&gt; <code>a&lt;b</code> <strong>loud</strong>')
    assert render_inline("<div>block</div>") == "&lt;div&gt;block&lt;/div&gt;"


def test_documents_keep_their_html_for_the_sanitizer():
    assert "<sup>2</sup>" in render_markdown("E = mc<sup>2</sup>")


def test_rendered_fragments_pass_through_the_installed_sanitizer():
    from app.core import render

    seen = []
    render.use_sanitizer(lambda html: seen.append(html) or html.replace("<em>", "<i>").replace("</em>", "</i>"))
    try:
        assert render_inline("*a*") == "<i>a</i>"
        assert seen == ["<p><em>a</em></p>"]
    finally:
        render.use_sanitizer(str)


LONG = "".join(f"## Part {n}\n\nBees *love* roofs, {n} of them.\n\n- one\n- two\n\n" for n in range(400))


def test_a_short_document_is_one_piece_as_written():
    from app.core.render import markdown_chunks

    assert markdown_chunks("# A\n\n\n\nb  \n") == ["# A\n\n\n\nb  \n"]


def test_a_long_document_is_cut_at_blank_lines_into_pieces_that_keep_every_word():
    from app.core.document import text_stats
    from app.core.render import CHUNK_CHARS, markdown_chunks

    chunks = markdown_chunks(LONG)
    assert len(chunks) > 5 and all(len(chunk) <= CHUNK_CHARS + 100 for chunk in chunks)
    assert sum(text_stats(chunk).words for chunk in chunks) == text_stats(LONG).words
    assert "".join(render_markdown(chunk) for chunk in chunks).count("<h2>") == 400


def test_fenced_code_is_never_cut():
    from app.core.render import markdown_chunks

    code = "```\n" + "\n\n".join(f"line {n}" for n in range(300)) + "\n```"
    chunks = markdown_chunks(f"Intro.\n\n{code}\n\nOutro.", size=500)
    assert any(code in chunk for chunk in chunks)
    assert all(chunk.count("```") in (0, 2) for chunk in chunks)


def test_an_edit_changes_only_the_pieces_around_it():
    from app.core.render import markdown_chunks

    before = markdown_chunks(LONG)
    middle = LONG.index("## Part 200")
    after = markdown_chunks(LONG[:middle] + "A new paragraph here.\n\n" + LONG[middle:])
    assert len(set(after) - set(before)) <= 2


def test_link_definitions_are_found_for_the_pieces_that_link():
    from app.core.render import reference_definitions

    text = "See [the hive][1].\n\n[1]: https://example.org/hive  \n  [two]: /b 'T'\nnot [x]: y"
    assert reference_definitions(text) == "[1]: https://example.org/hive  \n  [two]: /b 'T'"


def test_headings_can_start_below_the_page_heading_they_are_shown_under():
    html = render_markdown("# Title\n\n## Part\n\n#### Deep\n\ntext", first_heading=4)
    assert "<h4" in html and "<h5" in html and "<h6" in html and "<h1" not in html and "<h2" not in html
    assert render_markdown("# Title").startswith("<h1>Title</h1>")
