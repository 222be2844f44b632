"""The idea parser, prompt and spark loop, fed the output small models really produce."""
import pytest
from hypothesis import given, strategies as st

from app.core.brief import Brief
from app.core.ideas import (
    IdeaCard, combine, idea_messages, judge, parse_idea, parse_ideas, rank, similarity, spark,
)
from app.core.model import GenerationStats, Sampling
from app.core.techniques import TECHNIQUES

from .doubles import ScriptedModel, collect, run_async


def test_idea_prompt_carries_the_technique_and_the_brief_fields():
    brief = Brief.from_fields("urban beekeeping", audience="retirees", format="newsletter", keywords="honey, roofs")
    content = idea_messages(brief, TECHNIQUES[0])[1].content
    assert TECHNIQUES[0].instruction in content
    for part in ("urban beekeeping", "Audience: retirees", "Format: newsletter", "Tone: friendly", "honey, roofs"):
        assert part in content


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


def test_one_idea_reply_with_bold_title():
    assert parse_idea("**Bees on Roofs**\nWhy the city sky is a bee's best friend.") == IdeaCard(
        "Bees on Roofs", "Why the city sky is a bee's best friend.")
    assert parse_idea("**Bees on Roofs**: short hook here.").hook == "short hook here."
    assert parse_idea("**A title that\nruns over lines** and a hook.").title == "A title that runs over lines"
    assert parse_idea("") is None
    assert parse_idea("**Bee Day** Sentence 1: \"Bees** wake early in town.\"").hook == 'Bees wake early in town.'
    assert parse_idea("**Bee Day**\n1. Bees wake early in town.").hook == "Bees wake early in town."
    assert parse_idea("**Bee Day** Bees wake early https://x.example/a #BeeLife in town.").hook == (
        "Bees wake early in town.")



BRIEF = Brief.from_fields("urban beekeeping for beginners", avoid="pesticide")


@pytest.mark.parametrize("card, verdict", [
    (IdeaCard("Rooftop Bees", "How beginners start a hive above the city street."), "ok"),
    (IdeaCard("The Lost City", "A tale of gold and dragons under the old sea."), "off-topic"),
    (IdeaCard("Bee Basics", "a hook too short"), "unusable"),
    (IdeaCard("Title", "How beginners start beekeeping in any city flat."), "unusable"),
    (IdeaCard("Pesticide Free Bees", "Why urban beekeeping skips the usual sprays."), "avoided word"),
    (IdeaCard("Rooftop bees!", "How beginners start a hive above the city street today."), "duplicate"),
    (IdeaCard("Rooftop Bees Club", "A weekly meet-up where neighbours share one urban hive."), "duplicate"),
    (IdeaCard("Urban Beekeeping for Beginners", "A guide to the first hive in a city flat."), "restates the brief"),
    (None, "unusable"),
])
def test_judge_keeps_only_usable_on_brief_new_ideas(card, verdict):
    kept = [IdeaCard("Rooftop Bees", "How beginners start a hive above the city street.")]
    assert judge(card, BRIEF, kept if verdict == "duplicate" else []) == verdict


def test_rank_puts_the_most_relevant_and_novel_first():
    cards = [IdeaCard("Honey cake", "A recipe with a twist for the weekend bakers."),
             IdeaCard("Urban beekeeping for beginners", "Five first steps for a beginner's city hive."),
             IdeaCard("Bees in town", "Urban hives and what a beginner needs first.")]
    ranked = rank(cards, BRIEF)
    assert ranked[0].title == "Urban beekeeping for beginners" and ranked[-1].title == "Honey cake"
    assert ranked[0].relevance > ranked[-1].relevance


def test_similarity_is_symmetric_and_bounded():
    a, b = IdeaCard("Bees on roofs", "city hives"), IdeaCard("Roofs for bees", "hives in the city")
    assert similarity(a, b) == similarity(b, a) == 1.0
    assert similarity(a, IdeaCard("Knitting", "wool")) == 0.0


def run_spark(model, count, brief=BRIEF):
    return run_async(collect(spark(brief, model, count, Sampling.greedy())))


def reply(title, hook):
    return f"{title}**\n{hook} And then the model rambles on about other things for a while."


def test_spark_delivers_exactly_n_ideas_each_with_its_own_technique():
    model = ScriptedModel([reply("Rooftop hives", "Urban bees need a beginner's first roof."),
                           reply("Bee school", "A beginner's urban class with one hive."),
                           reply("City honey", "Urban beekeeping turns a balcony sweet.")])
    updates = run_spark(model, 3)
    final = updates[-1]
    assert final.finished and len(final.cards) == 3 and final.shortfall == ""
    assert len({card.technique for card in final.cards}) == 3
    assert all(card.technique in {t.name for t in TECHNIQUES} for card in final.cards)
    assert all(prefill == "**" for _, prefill in model.calls)
    assert any(not u.finished and u.cards for u in updates)  # cards stream in before the end


def test_spark_stops_each_reply_after_its_first_sentence():
    model = ScriptedModel([reply("Rooftop hives", "Urban bees need a beginner's first roof.")])
    run_spark(model, 1)
    assert model.generations[0].closed_early


def test_spark_tops_up_after_dropping_duplicates_and_off_topic_ideas():
    model = ScriptedModel([reply("Rooftop hives", "Urban bees need a beginner's first roof."),
                           reply("Rooftop hives", "Urban bees need a beginner's first roof."),
                           reply("Dragons", "A tale of gold under the old grey sea."),
                           reply("Bee school", "A beginner's urban class with one hive.")])
    final = run_spark(model, 2)[-1]
    assert [c.title for c in final.cards] in (["Rooftop hives", "Bee school"], ["Bee school", "Rooftop hives"])
    assert final.dropped == {"duplicate": 1, "off-topic": 1}


def test_spark_says_plainly_why_it_fell_short():
    model = ScriptedModel([reply("Dragons", "A tale of gold under the old grey sea.")] * 12)
    final = run_spark(model, 2)[-1]
    assert final.cards == [] and len(model.calls) == 12  # six tries per idea asked for
    assert final.shortfall.startswith("Only 0 of 2 ideas passed after 12 tries (12 off-topic dropped)")


class KeywordEmbedder:
    """A double of the embedding model: a text's vector marks which of a few themes it names."""

    THEMES = (("bee", "hive", "honey", "pollen", "swarm"), ("sea", "ocean", "wave"), ("gold", "treasure"))

    def __init__(self, available=True):
        self.available = available
        self.calls = []

    async def embed(self, texts):
        self.calls.append(texts)
        if not self.available:
            return None
        vectors = []
        for text in texts:
            raw = [float(any(w in text.casefold() for w in theme)) for theme in self.THEMES] + [0.3]
            norm = sum(x * x for x in raw) ** 0.5
            vectors.append([x / norm for x in raw])
        return vectors


def test_meaning_keeps_an_idea_with_no_shared_word_and_drops_a_paraphrase():
    from app.core.ideas import Meaning, judge

    brief = Brief.from_fields(topic="urban beekeeping")
    embedder = KeywordEmbedder()
    honey = IdeaCard("Honey on the roof", "Every jar of honey tells a story of the city.")
    swarm = IdeaCard("Swarm time", "A swarm arrives and the whole street learns about pollen.")
    ocean = IdeaCard("Ocean waves", "A story about the sea and its long waves.")
    meaning = Meaning(embedder)
    run_async(meaning.learn(brief, [honey, swarm, ocean]))
    assert len(embedder.calls) == 1  # the brief and the ideas in one call
    assert judge(honey, brief, [], meaning) == "ok"  # no word of the brief, but close in meaning
    assert judge(honey, brief, []) == "off-topic"  # by words alone
    assert judge(ocean, brief, [], meaning) == "off-topic"
    assert judge(swarm, brief, [honey], meaning) == "duplicate"  # different words, same meaning here


def test_spark_falls_back_on_words_while_no_embedding_model_is_loaded():
    brief = Brief.from_fields(topic="urban beekeeping")
    replies = [reply("Honey on the roof", "Every jar of honey tells a story of the city."),
               reply("Urban hives", "Beekeeping on a city roof starts with one hive.")]
    final = run_async(collect(spark(brief, ScriptedModel(replies), 1, embedder=KeywordEmbedder(available=False))))[-1]
    assert [c.title for c in final.cards] == ["Urban hives"] and final.dropped == {"off-topic": 1}
    with_model = run_async(collect(spark(brief, ScriptedModel(replies), 1, embedder=KeywordEmbedder())))
    assert [c.title for c in with_model[-1].cards] == ["Honey on the roof"]


def test_a_short_spark_fills_up_with_ideas_close_enough_in_meaning():
    brief = Brief.from_fields(topic="urban beekeeping")
    # No word of the brief and no theme of it: cosine 0.29 with the brief, off-topic but close enough to fall back on.
    replies = [reply("Morning light", "A story about quiet streets at dawn.")] * 6
    final = run_async(collect(spark(brief, ScriptedModel(replies), 1, embedder=KeywordEmbedder())))[-1]
    assert [c.title for c in final.cards] == ["Morning light"] and 0.2 < final.cards[0].relevance < 0.3
    assert final.dropped == {"off-topic": 5} and final.shortfall == ""


def test_pinned_cards_stay_first_and_count_towards_n():
    pinned = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.", technique="Analogy")
    model = ScriptedModel([reply("Rooftop hives", "Urban bees need a beginner's first roof."),
                           reply("Bee school", "A beginner's urban class with one hive.")])
    final = run_spark_with(model, 2, keep=(pinned,))
    assert final.cards == [pinned, final.cards[1]] and final.cards[1].title == "Bee school"
    assert final.dropped == {"duplicate": 1}


def test_more_like_this_builds_every_prompt_on_the_card():
    angle = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    model = ScriptedModel([reply("Roof school", "A beginner's urban class on a roof hive.")])
    final = run_spark_with(model, 2, keep=(angle,), angle=angle)
    assert "Build on this idea: Rooftop hives: Urban bees need" in model.calls[0][0][1].content
    assert [c.title for c in final.cards] == ["Rooftop hives", "Roof school"]


def test_combine_merges_two_ideas_into_one_card():
    a = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    b = IdeaCard("Bee school", "A beginner's urban class with one hive.")
    model = ScriptedModel([reply("Rooftop bee school", "Beginners learn urban beekeeping on the roof.")])
    final = run_async(collect(combine(BRIEF, model, a, b, others=[])))[-1]
    content = model.calls[0][0][1].content
    assert "Idea A: Rooftop hives" in content and "Idea B: Bee school" in content
    assert [(c.title, c.technique) for c in final.cards] == [("Rooftop bee school", "Combination")]


def test_an_unusable_combination_says_why():
    a = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    model = ScriptedModel([reply("Dragons", "A tale of gold under the old grey sea.")])
    final = run_async(collect(combine(BRIEF, model, a, a, others=[])))[-1]
    assert final.cards == [] and "off-topic" in final.shortfall


def run_spark_with(model, count, **options):
    return run_async(collect(spark(BRIEF, model, count, Sampling.greedy(), **options)))[-1]
