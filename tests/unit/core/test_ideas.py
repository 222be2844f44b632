"""The idea parser, prompt and spark loop, fed the output small models really produce."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, strategies as st

from app.core.ideas import Brief, BriefError, IdeaCard, parse_ideas, spark, spark_messages
from app.core.model import GenerationStats, Sampling


def test_brief_is_cleaned_of_control_characters_and_extra_space():
    assert Brief.from_text("  urban\tbeekeeping\u0000 for\n\nbeginners ").topic == "urban beekeeping for beginners"


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b" * 0 + "\x00\x01"])
def test_empty_brief_is_refused_with_advice(text):
    with pytest.raises(BriefError, match="Write a brief"):
        Brief.from_text(text)


def test_huge_brief_is_refused_with_its_length():
    with pytest.raises(BriefError, match="200,000 characters"):
        Brief.from_text("a" * 200_000)


def test_emoji_and_right_to_left_text_survive_in_the_brief():
    topic = "مدونة عن النحل 🐝 für Anfänger"
    assert Brief.from_text(topic).topic == topic


def test_prompt_names_the_brief_and_the_count():
    messages = spark_messages(Brief("urban beekeeping"), 4)
    assert [m.role for m in messages] == ["system", "user"]
    assert "urban beekeeping" in messages[1].content and "4 creative ideas" in messages[1].content


def test_numbered_list_with_colons():
    text = "Here are some ideas:\n1. Bee Basics: Why the city is good for bees.\n2. Rooftop Hives: Start small on a roof.\n"
    assert parse_ideas(text) == [
        IdeaCard("Bee Basics", "Why the city is good for bees."),
        IdeaCard("Rooftop Hives", "Start small on a roof."),
    ]


def test_bold_titles_bullets_headings_and_dashes():
    text = (
        "- **Honey Money**: Selling your first jar.\n"
        "* Swarm Season - what to do when bees leave\n"
        "### 3. The Quiet Hive\nA calm look at winter.\n"
        "4) \"Neighbours\" — talking to the people next door\n"
    )
    cards = parse_ideas(text)
    assert [c.title for c in cards] == ["Honey Money", "Swarm Season", "The Quiet Hive", "Neighbours"]
    assert cards[2].hook == "A calm look at winter."
    assert cards[3].hook == "talking to the people next door"


def test_run_on_items_without_separator_get_a_short_title():
    cards = parse_ideas("1. Start a beehive on your balcony and learn how bees make honey in the city every summer")
    assert cards[0].title and len(cards[0].title.split()) <= 12
    assert (cards[0].title + " " + cards[0].hook).startswith("Start a beehive")


def test_truncated_last_item_is_incomplete_while_streaming():
    text = "1. Bee Basics: Why bees.\n2. Rooftop Hi"
    streaming = parse_ideas(text, finished=False)
    assert [c.complete for c in streaming] == [True, False]
    assert all(c.complete for c in parse_ideas(text, finished=True))
    assert all(c.complete for c in parse_ideas(text + "ves: on a roof.\n", finished=False))


def test_nested_bullets_under_numbered_items_are_part_of_the_hook():
    text = "1. **Bee Basics**\n   - Why: the city is good for bees.\n\n2. **Rooftop Hives**\n   * Start small.\n"
    cards = parse_ideas(text)
    assert [(c.title, c.hook) for c in cards] == [
        ("Bee Basics", "Why: the city is good for bees."), ("Rooftop Hives", "Start small.")]


def test_rambling_hooks_are_cut_after_a_sentence():
    hook = "First sentence is here and fine. " + "and then it goes on " * 30
    card = parse_ideas(f"1. **Title**: {hook}")[0]
    assert card.hook == "First sentence is here and fine."
    long_word_run = "word " * 100
    assert parse_ideas(f"1. **T**: {long_word_run}")[0].hook.endswith("…")


def test_prose_without_a_list_gives_no_cards():
    assert parse_ideas("I think bees are great and you should write about them.") == []


@given(st.text(max_size=400))
def test_parser_never_fails_and_titles_are_never_blank(text):
    for card in parse_ideas(text, finished=False):
        assert card.title.strip()


class ScriptedModel:
    """A double of the model protocol that streams prepared replies, one per call."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = []

    def generate(self, messages, sampling, prefill=""):
        self.calls.append((messages, prefill))
        return ScriptedGeneration(self.replies.pop(0))


class ScriptedGeneration:
    def __init__(self, text):
        self.chunks = [text[i:i + 7] for i in range(0, len(text), 7)]
        self.stats = None
        self.closed_early = False

    async def __aiter__(self):
        for chunk in self.chunks:
            yield chunk
        self.stats = GenerationStats(reason="stop", tokens=len(self.chunks))

    async def aclose(self):
        if self.stats is None:
            self.closed_early = True
            self.stats = GenerationStats(reason="aborted")


def run_spark(model, count):
    async def collect():
        return [update async for update in spark(Brief("bees"), model, count, Sampling.greedy())]
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, collect()).result()


def test_spark_streams_growing_snapshots_and_finishes():
    model = ScriptedModel(["A**: a.\n2. **B**: b.\n3. C: c.\n"])
    updates = run_spark(model, 3)
    assert updates[-1].finished and [c.title for c in updates[-1].cards] == ["A", "B", "C"]
    assert len(updates) > 2 and not updates[0].finished
    assert model.calls[0][1] == "1. **"


def test_spark_tops_up_with_another_round_and_drops_duplicates():
    model = ScriptedModel(["A**: a.\n2. B: b.\n", "b**: again.\n2. C: c.\n3. D: d.\n"])
    final = run_spark(model, 3)[-1]
    assert [c.title for c in final.cards] == ["A", "B", "C"]
    assert len(model.calls) == 2
    assert "Give me 1 creative ideas" in model.calls[1][0][1].content


def test_spark_stops_the_model_once_enough_ideas_exist():
    model = ScriptedModel(["A: a.\n2. B: b.\n3. C: c.\n4. D: d.\n5. E: e.\n"])
    final = run_spark(model, 2)[-1]
    assert [c.title for c in final.cards] == ["A", "B"]
    assert final.stats[0].reason == "aborted"


def test_spark_gives_up_after_the_round_limit():
    model = ScriptedModel(["**"] * 3)
    final = run_spark(model, 3)[-1]
    assert final.finished and final.cards == [] and len(model.calls) == 3
