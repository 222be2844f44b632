"""Refine operations: prompts, paragraph-by-paragraph rewriting, and what changed."""
import pytest

from app.core.refine import RefineError, change_summary, refine, refine_messages, summarize, summary_messages

from .doubles import KeywordEmbedder, ScriptedModel, WordCountEmbedder, collect, run_async

TEXT = "# Bees\n\nBees like roofs because roofs are quiet and sunny.\n\n- a list stays\n\nCities need bees."


def test_prompts_name_the_operation_and_carry_the_text():
    content = refine_messages("tone", "Bees.", tone="formal")[1].content
    assert "in a formal tone" in content and content.endswith("Text:\nBees.")
    with pytest.raises(RefineError, match="Pick a tone"):
        refine_messages("tone", "Bees.")
    with pytest.raises(RefineError, match="not a refine operation"):
        refine_messages("explode", "Bees.")


def test_each_prose_paragraph_is_rewritten_and_the_rest_kept():
    model = ScriptedModel(["Bees love quiet, sunny roofs.", "Cities need bees.", "Cities need bees."])
    final = run_async(collect(refine("shorter", TEXT, model)))[-1]
    assert final.finished
    assert final.text == "# Bees\n\nBees love quiet, sunny roofs.\n\n- a list stays\n\nCities need bees."
    # A paragraph not short enough gets a second pass; one sentence is never cut away.
    assert [m[0][1].content.split("Text:\n")[1] for m in model.calls] == [
        "Bees like roofs because roofs are quiet and sunny.", "Cities need bees.", "Cities need bees."]
    assert final.summary == "Shorter: 16 → 12 words (-25%)."


def test_continue_appends_a_paragraph_written_from_the_last_ones():
    model = ScriptedModel(["And gardens too."])
    final = run_async(collect(refine("continue", "One.\n\nTwo.", model)))[-1]
    assert final.text == "One.\n\nTwo.\n\nAnd gardens too."
    assert model.calls[0][0][1].content.endswith("Text:\nOne.\n\nTwo.")


def test_empty_text_is_refused_before_any_work():
    with pytest.raises(RefineError, match="no text to refine"):
        run_async(collect(refine("shorter", "  ", ScriptedModel([]))))


def test_change_summary_handles_empty_before():
    assert change_summary("Longer", "", "a b") == "Longer: 0 → 2 words."


def test_summaries_see_at_most_the_start_of_a_long_text():
    model = ScriptedModel([" Bees like roofs. "])
    assert run_async(summarize("tldr", "word " * 1000, model)).text == "Bees like roofs."
    content = model.calls[0][0][1].content
    assert "tl;dr" in content and len(content) < 2200
    with pytest.raises(RefineError, match="not a summary"):
        summary_messages("poem", "text")


def test_three_alternatives_one_per_style_asking_again_when_too_alike():
    from app.core.refine import ALTERNATIVE_STYLES, alternatives

    text = "Bees like quiet roofs in the city."
    model = ScriptedModel(["City bees favour calm rooftops.",
                           "City bees favour calm rooftops.",  # the same as the first: asked again
                           "Up on still, sun-warmed roofs, city bees hum.",
                           "Bees like roofs."])
    updates = run_async(collect(alternatives(text, model)))
    final = updates[-1]
    assert [a.style for a in final] == [style for style, _ in ALTERNATIVE_STYLES]
    assert [a.text for a in final] == ["City bees favour calm rooftops.", "Up on still, sun-warmed roofs, city bees hum.",
                                       "Bees like roofs."]
    assert final[2].summary == "More direct: 7 → 3 words (-57%)."
    assert len(model.calls) == 4 and "more vivid" in model.calls[2][0][1].content


def test_alternatives_need_a_passage_of_sensible_size():
    from app.core.refine import ALTERNATIVE_MAX_CHARS, alternatives

    with pytest.raises(RefineError, match="no text to rewrite"):
        run_async(collect(alternatives(" ", ScriptedModel([]))))
    with pytest.raises(RefineError, match="at most"):
        run_async(collect(alternatives("word " * ALTERNATIVE_MAX_CHARS, ScriptedModel([]))))


def test_paragraph_at_finds_the_paragraph_around_the_caret():
    from app.core.refine import paragraph_at

    text = "# Title\n\nFirst para.\nStill first.\n\n\nSecond."
    start, end = paragraph_at(text, text.index("Still"))
    assert text[start:end] == "First para.\nStill first."
    assert text[slice(*paragraph_at(text, len(text)))] == "Second."
    assert text[slice(*paragraph_at(text, 0))] == "# Title"


def test_shorter_and_longer_are_held_to_their_length_targets():
    from app.core.extract import central_sentences
    from app.core.refine import on_length_target

    text = "One two three four five six seven eight nine ten."
    model = ScriptedModel(["One two three four five six seven eight nine.",  # 90 %: once more
                           "One two three. Four five six. Seven eight nine."])  # still 90 %: trimmed
    final = run_async(collect(refine("shorter", text, model)))[-1]
    assert final.text == "One two three. Four five six." and on_length_target("shorter", text, final.text)
    text = "Bees like quiet roofs in the warm city."
    model = ScriptedModel(["Bees like quiet roofs in the warm city too.",  # 9 of 8 words: once more
                           "Bees like quiet roofs in the warm city, where gardens and parks bloom all summer."])
    final = run_async(collect(refine("longer", text, model)))[-1]
    assert len(model.calls) == 2 and final.text.endswith("summer.")
    assert run_async(central_sentences("Only one very long sentence here.", 2)) == "Only one very long sentence here."


def test_a_rewrite_that_talks_about_itself_is_asked_again_then_the_text_stays_as_it_was():
    text = "Bees like roofs because roofs are quiet and sunny, and the city is warm for them."
    meta = "I made several changes that improve clarity and conciseness."
    final = run_async(collect(refine("simplify", text, ScriptedModel([meta, meta]))))[-1]
    assert final.text == text
    assert "Kept as you wrote it: paragraph 1 (talks about the text instead of being it)" in final.summary
    second = run_async(collect(refine("simplify", text, ScriptedModel([meta, "Bees like quiet, sunny roofs."]))))
    assert second[-1].text == "Bees like quiet, sunny roofs." and "Kept" not in second[-1].summary


def test_a_preamble_line_never_reaches_the_text():
    updates = run_async(collect(refine("simplify", "Bees like quiet roofs in the city.",
                                       ScriptedModel(["Here's a simpler version:\nBees like quiet roofs."]))))
    assert all("Here's" not in update.text for update in updates)
    assert updates[-1].text == "Bees like quiet roofs."


def test_a_summary_that_fails_twice_is_picked_from_the_texts_own_sentences_and_says_why():
    refused = ["Sure! Here it is.", "As an AI, I cannot."]
    result = run_async(summarize("tldr", TEXT, ScriptedModel(refused)))
    assert result.text == "Bees like roofs because roofs are quiet and sunny. Cities need bees."  # headings, lists out
    assert result.note.startswith("Picked from your own sentences: the model's tldr failed the studio's checks twice")
    points = run_async(summarize("key points", "One bee. Two bees here. Three bees there. Four.", ScriptedModel(refused)))
    assert points.text == "- One bee.\n- Two bees here.\n- Three bees there." and points.note
    with pytest.raises(RefineError, match="failed the studio's checks twice"):  # nothing of the creator's to pick
        run_async(summarize("tldr", "# Bees\n\n- a list", ScriptedModel(refused)))
    with pytest.raises(RefineError, match="failed the studio's checks twice"):  # every sentence would be a point
        run_async(summarize("key points", "One bee. Two bees here. Three bees there.", ScriptedModel(refused)))


def test_a_refused_shorter_rewrite_leaves_out_the_sentences_that_add_least():
    from app.core.extract import central_sentences

    text = "Bees like roofs. Hives are quiet. The sea was rough and grey that day in town. Hives do well."
    meta = "I made several changes that improve clarity and conciseness."
    final = run_async(collect(refine("shorter", text, ScriptedModel([meta, meta]), embedder=WordCountEmbedder())))[-1]
    assert final.text == "Bees like roofs. Hives are quiet. Hives do well."
    assert "Kept as you wrote it" not in final.summary
    assert ("Shortened by leaving out your sentences that add least to the rest: paragraph 1 (talks about the text "
            "instead of being it)") in final.summary
    # Without an embedding model the longest choice that keeps the first sentence stays; one
    # sentence cannot be shortened so.
    final = run_async(collect(refine("shorter", text, ScriptedModel([meta, meta]))))[-1]
    assert final.text == "Bees like roofs. The sea was rough and grey that day in town."
    longest_first = "The sea was rough and grey that day in town. Bees like roofs. Hives are quiet. Hives do well."
    assert run_async(central_sentences(longest_first, 13)) == (
        "The sea was rough and grey that day in town. Bees like roofs.")
    one = "Bees like roofs because roofs are quiet and sunny, and the city is warm for them."
    final = run_async(collect(refine("shorter", one, ScriptedModel([meta, meta]))))[-1]
    assert final.text == one and "Kept as you wrote it" in final.summary


def test_a_second_pass_that_fails_the_checks_leaves_the_first_pass():
    text = "Bees like roofs because roofs are quiet and sunny, and the city is warm for them all year."
    first = "Bees like roofs: they are quiet, sunny and warm all year in the city."  # 14 of 17 words: once more
    final = run_async(collect(refine("shorter", text, ScriptedModel([first, "Your writing is now almost complete.",
                                                                     "So no?"]))))[-1]
    assert final.text.startswith("Bees like roofs") and "writing" not in final.text and "no?" not in final.text


def test_a_rewrite_that_adds_facts_or_strays_is_asked_again_then_the_text_stays_as_it_was():
    text = "Our bottle keeps drinks cold for a full day. The lid shuts tight and the wide mouth fits ice."
    invented = ["Our bottle keeps drinks cold for ten years.", "Buy it at Walmart: it keeps drinks cold all day."]
    final = run_async(collect(refine("simplify", text, ScriptedModel(invented))))[-1]
    assert final.text == text
    assert "paragraph 1 (adds a name the text never gave (Walmart))" in final.summary
    elsewhere = "Whales sing across the oceans at night."
    embedder = KeywordEmbedder()
    final = run_async(collect(refine("simplify", text, ScriptedModel([elsewhere, elsewhere]), embedder=embedder)))[-1]
    assert final.text == text and "(says something else than the text)" in final.summary
    kept = "Our bottle keeps drinks cold all day, and the wide lid fits ice."
    final = run_async(collect(refine("simplify", text, ScriptedModel([elsewhere, kept]), embedder=embedder)))[-1]
    assert final.text == kept and "Kept" not in final.summary


def test_alternatives_and_summaries_add_no_facts():
    from app.core.refine import alternatives

    text = "Bees like quiet roofs in the city."
    model = ScriptedModel(["Bees in Paris like quiet roofs.", "City bees favour calm rooftops.",
                           "Up on still, sun-warmed roofs, city bees hum.", "Bees like roofs."])
    assert [a.text for a in run_async(collect(alternatives(text, model)))[-1]][0] == "City bees favour calm rooftops."
    result = run_async(summarize("tldr", text, ScriptedModel(["Bees like 40 roofs.", "Bees like 40 roofs."])))
    assert result.text == text and "adds a number the text never gave (40)" in result.note
