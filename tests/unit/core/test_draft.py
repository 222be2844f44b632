"""Outline and section-by-section drafting, fed what small models really write."""
from app.core.brief import Brief
from app.core.draft import draft, fallback_outline, kept_on_stop, outline, outline_messages, parse_outline, section_messages
from app.core.idea_cards import IdeaCard

from .doubles import ScriptedModel, collect, run_async

BRIEF = Brief.from_fields("urban beekeeping for beginners", format="newsletter")
IDEA = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")


def test_outline_prompt_names_the_idea_and_the_format():
    content = outline_messages(BRIEF, IDEA)[1].content
    assert "newsletter" in content and "Rooftop hives" in content and "4 short section headings" in content


def test_outline_parser_keeps_short_distinct_headings():
    text = "1. **Why roofs?**\n2. Choosing a hive: size and wood\n3. why roofs?\n- First honey\n5. " + "word " * 20
    assert parse_outline(text) == ["Why roofs?", "Choosing a hive", "First honey", " ".join(["word"] * 8)]


def test_outline_falls_back_when_the_model_gives_no_list():
    headings, from_model = run_async(outline(BRIEF, IDEA, ScriptedModel([" I cannot help with that."])))
    assert (headings, from_model) == (fallback_outline(IDEA), False)
    headings, from_model = run_async(outline(BRIEF, IDEA, ScriptedModel([" Why roofs\n2. First honey\n"])))
    assert (headings, from_model) == (["Why roofs", "First honey"], True)


def test_section_prompt_carries_the_previous_ending_and_the_length():
    content = section_messages(BRIEF, IDEA, ["A", "B"], 1, "…the bees settled.")[1].content
    assert 'Write the section "B" in a friendly tone, about 200 words' in content
    assert "the bees settled." in content


def test_draft_streams_each_section_under_its_heading():
    model = ScriptedModel(["## Why roofs\nBees like height.", "Start with one hive."])
    updates = run_async(collect(draft(BRIEF, IDEA, ["Why roofs", "First hive"], model)))
    final = updates[-1]
    assert final.finished and final.markdown == (
        "# Rooftop hives\n\n## Why roofs\n\nBees like height.\n\n## First hive\n\nStart with one hive.\n")
    assert any(not u.finished and u.section == 1 for u in updates)
    assert "Bees like height." in model.calls[1][0][1].content  # the next section sees the last one's end


def test_move_line_keeps_the_caret_in_the_moved_line():
    from app.core.draft import move_line

    text = "Intro\nWhy bees\nHow to start"
    moved, caret = move_line(text, text.index("bees"), -1)
    assert moved == "Why bees\nIntro\nHow to start" and moved[caret:caret + 4] == "bees"
    moved, caret = move_line(moved, caret, +1)
    moved, caret = move_line(moved, caret, +1)
    assert moved == "Intro\nHow to start\nWhy bees" and moved[caret:caret + 4] == "bees"
    assert move_line(moved, caret, +1) == (moved, caret)  # the last line stays last
    assert move_line("", 0, -1) == ("", 0)


def test_a_section_that_fails_the_checks_is_asked_again_then_left_empty_with_a_note():
    meta = "This newsletter is about bees. I made several changes that improve clarity and conciseness."
    model = ScriptedModel(["Here's the section:\nBees like height.", meta, meta])
    final = run_async(collect(draft(BRIEF, IDEA, ["Why roofs", "First hive"], model)))[-1]
    assert final.markdown == "# Rooftop hives\n\n## Why roofs\n\nBees like height.\n\n## First hive\n"
    assert len(model.calls) == 3 and final.dropped == ["“First hive” (talks about the text instead of being it)"]


def test_a_last_sentence_cut_off_by_the_token_limit_is_dropped():
    model = ScriptedModel(["Bees like height. They fly over the"])
    final = run_async(collect(draft(BRIEF, IDEA, ["Why roofs"], model)))[-1]
    assert final.markdown.endswith("## Why roofs\n\nBees like height.\n") and final.dropped == []


def test_a_stopped_draft_keeps_whole_sentences_of_its_last_section_or_only_its_heading():
    written = "# Rooftop hives\n\n## Why roofs\n\nBees like height.\n\n## First hive\n\nStart with one hive. Then"
    assert kept_on_stop(written, BRIEF, IDEA).endswith("## First hive\n\nStart with one hive.\n")
    meta = written.rsplit("\n\n", 1)[0] + "\n\nI made an edit to make my writing more concise."
    assert kept_on_stop(meta, BRIEF, IDEA) == "# Rooftop hives\n\n## Why roofs\n\nBees like height.\n\n## First hive\n"


def test_each_paragraph_is_checked_and_on_the_last_try_the_failing_ones_are_left_out():
    written = ("Bees like height and quiet roofs.\n1.\nThis passage aims to inspire readers everywhere.\n"
               "(I am excited to embark on this journey.)\nThe hive sits where the wind")
    model = ScriptedModel([written + " blows.\nMore", written, "", ""])
    final = run_async(collect(draft(BRIEF, IDEA, ["Why roofs", "First hive"], model)))[-1]
    assert final.markdown == "# Rooftop hives\n\n## Why roofs\n\nBees like height and quiet roofs.\n\n## First hive\n"
    assert len(model.calls) == 4
    assert final.dropped == ["part of “Why roofs” (too short to be a paragraph)", "“First hive” (empty)"]
