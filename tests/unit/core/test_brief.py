"""Briefs: cleaning, presets per format, and the words that make an idea on-brief."""
import pytest

from app.core.brief import FORMATS, Brief, BriefError, content_words, overlap


def test_brief_is_cleaned_of_control_characters_and_extra_space():
    assert Brief.from_text("  urban\tbeekeeping\u0000 for\n\nbeginners ").topic == "urban beekeeping for beginners"


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x01"])
def test_empty_brief_is_refused_with_advice(text):
    with pytest.raises(BriefError, match="Write a brief"):
        Brief.from_text(text)


def test_huge_brief_is_refused_with_its_length():
    with pytest.raises(BriefError, match="200,000 characters"):
        Brief.from_text("a" * 200_000)


def test_emoji_and_right_to_left_text_survive():
    topic = "مدونة عن النحل 🐝 für Anfänger"
    assert Brief.from_text(topic).topic == topic


def test_format_presets_fill_tone_and_length():
    brief = Brief.from_fields("bees", format="Newsletter")
    assert (brief.format, brief.tone, brief.words) == ("newsletter", FORMATS["newsletter"]["tone"], 400)
    assert Brief.from_fields("bees", format="poem", tone="formal", words="50").tone == "formal"


@pytest.mark.parametrize("fields, message", [
    ({"format": "sonnet cycle"}, "not a format"),
    ({"words": "lots"}, "number of words"),
    ({"words": 99999}, "between 1 and 5,000"),
])
def test_bad_fields_are_named(fields, message):
    with pytest.raises(BriefError, match=message):
        Brief.from_fields("bees", **fields)


def test_keywords_and_avoid_words_split_on_commas():
    brief = Brief.from_fields("bees", keywords="honey, roofs;  city ", avoid="sting")
    assert brief.keywords == ("honey", "roofs", "city") and brief.avoid == ("sting",)
    assert {"honey", "roof", "city", "bee"} <= brief.subject_words()


def test_content_words_drop_common_words_and_plurals():
    assert content_words("The bees and their hives in the city") == {"bee", "hive", "city"}


def test_overlap_counts_shared_beginnings():
    subject = content_words("urban beekeeping for travellers")
    assert overlap(subject, content_words("bees travel through urban parks")) == {"urban", "beekeeping", "traveller"}
    assert overlap(subject, content_words("knitting wool")) == set()
