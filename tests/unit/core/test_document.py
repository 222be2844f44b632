"""Counts, reading time and exports of a draft."""
from hypothesis import given, strategies as st

from app.core.document import export_name, standalone_html, text_stats, to_plain_text


def test_counts_words_characters_and_reading_time():
    stats = text_stats("# Bees\n\nIt's a bee-friendly city, 24/7.")
    assert (stats.words, stats.characters) == (7, 37)
    assert text_stats("word " * 460).reading_minutes == 2
    assert text_stats("").describe() == "0 words · 0 characters · under a minute to read"


def test_plain_text_drops_markdown_but_keeps_the_words():
    text = to_plain_text("# Title\n\nSome **bold** and [a link](https://example.com).\n\n- one\n- two")
    assert text == "Title\n\nSome bold and a link.\n\n- one\n- two\n"


def test_standalone_html_escapes_the_title():
    page = standalone_html("<script>x</script>", "<p>ok</p>")
    assert "<title>&lt;script&gt;x&lt;/script&gt;</title>" in page and "<p>ok</p>" in page
    assert page.startswith("<!doctype html>")


def test_the_exported_page_allows_no_script():
    page = standalone_html("Bees", "<p>ok</p>")
    assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src * data:" in page
    assert "script-src" not in page and page.index("Content-Security-Policy") < page.index("<style>")


def test_export_names_come_from_the_first_heading():
    assert export_name("# Rooftop Hives: A Guide!\n\ntext", "md") == "rooftop-hives-a-guide.md"
    assert export_name("", "txt") == "draft.txt"


@given(st.text(max_size=300))
def test_stats_never_fail_and_are_never_negative(text):
    stats = text_stats(text)
    assert stats.words >= 0 and stats.characters >= 0 and stats.reading_minutes >= 0
