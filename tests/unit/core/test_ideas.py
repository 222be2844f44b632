"""The idea parser, prompt and spark loop, fed the output small models really produce."""
import pytest
from hypothesis import given, strategies as st

from app.core.brief import Brief
from app.core.idea_cards import IdeaCard, clean_hook, clean_title, parse_ideas
from app.core.ideas import combine, hook_messages, spark, title_messages
from app.core.judging import failed_check, judge, rank, similarity
from app.core.techniques import BUILT_IN_TECHNIQUES, TECHNIQUES

from .doubles import KeywordEmbedder, ScriptedModel, collect, run_async


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


def test_titles_lose_labels_markup_quotes_and_everything_after_the_first_line():
    assert clean_title('Title: "Bees on Roofs"\nAnd here is why I chose it.') == "Bees on Roofs"
    assert clean_title("**The Quiet Hive.**") == "The Quiet Hive"
    assert clean_title("\n\n  Suggested title: Honey   Money ") == "Honey Money"


def test_hooks_keep_their_first_sentence_without_labels_or_stray_quotes():
    assert clean_hook("Bees wake early in town. Then the model rambles on.") == "Bees wake early in town."
    assert clean_hook('Hook: "Bees wake early in town."') == "Bees wake early in town."
    assert clean_hook('"Bees wake early in town.') == "Bees wake early in town."
    assert clean_hook("Stop. Bees wake early in every town you know.") == "Stop. Bees wake early in every town you know."
    assert clean_hook("") == clean_hook("  ") == ""  # an empty reply (or JSON field) is no hook


def test_title_and_hook_prompts_are_short_plain_and_carry_the_brief():
    brief = Brief.from_fields("urban beekeeping", audience="retirees", format="newsletter", keywords="honey, roofs")
    title = title_messages(brief, TECHNIQUES[1])[0].content
    assert title == (f"Suggest {TECHNIQUES[1].angle} for a newsletter about urban beekeeping, for retirees. "
                     "Use the words: honey, roofs. Reply with the title only.")
    hook = hook_messages(brief, "Honey Money")[0].content
    assert hook == 'In one short sentence, tell retirees why the newsletter "Honey Money" is worth their time.'
    story = Brief.from_fields("a lighthouse keeper", format="short story")
    assert hook_messages(story, "Lost Letters")[0].content == 'Write the opening sentence of a short story titled "Lost Letters".'


BRIEF = Brief.from_fields("urban beekeeping for beginners", avoid="pesticide")


@pytest.mark.parametrize("card, verdict", [
    (IdeaCard("Rooftop Bees", "How beginners start a hive above the city street."), "ok"),
    (IdeaCard("The Lost City", "A tale of gold and dragons under the old sea."), "off-topic"),
    (IdeaCard("Bee Basics", "a hook too short"), "hook too short to be a sentence"),
    (IdeaCard("Title", "How beginners start beekeeping in any city flat."), "unusable"),
    (IdeaCard("POPCISES OF SALADBREWDERS", "How beginners start a hive above the city street."), "not English"),
    (IdeaCard("Rooftop Bees", "Here's a hook: beginners start a hive above the city street."),
     "talks about the text instead of being it"),
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
    return run_async(collect(spark(brief, model, count)))


def idea(title, hook, other_title=None):
    """The replies one idea takes: two titles (each with a line the studio ignores; the same
    one twice unless ``other_title``), then a hook."""
    return [f"{title}\nI chose this title because it is short.", f"{other_title or title}\nAnother line.",
            f"{hook} And then the model rambles on."]


def replies(*ideas):
    return [reply for pair in ideas for reply in pair]


def test_spark_delivers_exactly_n_ideas_each_with_its_own_technique():
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."),
                                  idea("Bee school", "A beginner's urban class with one hive."),
                                  idea("City honey", "Urban beekeeping turns a balcony sweet.")))
    updates = run_spark(model, 3)
    final = updates[-1]
    assert final.finished and len(final.cards) == 3 and final.shortfall == ""
    assert len({card.technique for card in final.cards}) == 3
    assert all(card.technique in {t.name for t in TECHNIQUES} for card in final.cards)
    angles = {t.angle for t in TECHNIQUES}
    title_prompts = [messages[0].content for messages, _ in model.calls if messages[0].content.startswith("Suggest")]
    assert len(title_prompts) == 6  # two titles asked for per idea
    assert all(any(f"Suggest {angle} for" in prompt for angle in angles) for prompt in title_prompts)
    # Each card is shown once it has passed; meanwhile the update names the technique being written.
    assert [(len(u.cards), bool(u.writing)) for u in updates] == [(0, True), (1, True), (2, True), (3, False)]
    assert {u.writing for u in updates[:3]} == {c.technique for c in updates[-1].cards}


def test_spark_stops_each_reply_at_its_title_line_and_first_sentence():
    model = ScriptedModel(idea("Rooftop hives", "Urban bees need a beginner's first roof."))
    run_spark(model, 1)
    assert all(generation.closed_early for generation in model.generations)


def test_a_card_that_fails_the_checks_is_never_shown():
    model = ScriptedModel(replies(
        ["POPCISES FEDERANAZY OF SALADBREWDERS STORAGE"] * 2,  # not English: no hook is asked for
        idea("Rooftop hives", "I made several changes that improve clarity and conciseness."),  # meta
        ["Start small with one box of bees above the street."],  # the hook is asked for again
        idea("Bee school", "A beginner's urban class with one hive.")))
    updates = run_spark(model, 2)
    shown = [card for update in updates for card in update.cards]
    assert {c.title for c in shown} == {"Rooftop hives", "Bee school"}
    assert all(not failed_check(card, BRIEF) for card in shown)
    assert updates[-1].dropped == {"not English": 1}
    assert [c.hook for c in updates[-1].cards if c.title == "Rooftop hives"] == [
        "Start small with one box of bees above the street."]


def test_of_two_titles_the_one_closer_in_meaning_to_the_brief_is_kept():
    brief = Brief.from_fields(topic="urban beekeeping")
    written = idea("Morning light on the roof", "Every jar of honey tells a story of the city.",
                   other_title="Honey from a city hive")
    final = run_async(collect(spark(brief, ScriptedModel(written), 1, embedder=KeywordEmbedder())))[-1]
    assert [c.title for c in final.cards] == ["Honey from a city hive"]


def test_a_hook_that_fails_twice_is_left_out_and_the_card_keeps_its_title():
    meta = "I made several changes that improve clarity and conciseness."
    model = ScriptedModel(idea("Rooftop hives for beginners", meta) + [meta])
    final = run_spark(model, 1)[-1]
    assert [(c.title, c.hook) for c in final.cards] == [("Rooftop hives for beginners", "")]


def test_a_card_without_a_hook_is_shown_but_ranked_after_one_with_a_hook():
    brief = Brief.from_fields(topic="urban beekeeping", format="short story")  # the hook: an opening line
    meta = "I made several changes that improve clarity and conciseness."
    written = replies(idea("Honey from urban hives", meta) + [meta],  # closest to the brief, but its hook is left out
                      idea("Golden roofs", "A jar of gold came from the city hive on the roof."))
    updates = run_async(collect(spark(brief, ScriptedModel(written), 2, embedder=KeywordEmbedder())))
    assert [len(u.cards) for u in updates[:-1]] == [0, 1]  # each shown as soon as it passed
    final = updates[-1].cards
    assert [c.title for c in final] == ["Golden roofs", "Honey from urban hives"]
    assert final[1].relevance > final[0].relevance  # the ranking alone would have put it first
    assert [c.loose for c in final] == [False, True]  # and the card says why it is last


def test_spark_asks_only_for_the_techniques_it_is_given():
    few = BUILT_IN_TECHNIQUES[:2]
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."),
                                  idea("Bee school", "A beginner's urban class with one hive.")))
    final = run_async(collect(spark(BRIEF, model, 2, techniques=few)))[-1]
    assert {c.technique for c in final.cards} == {t.name for t in few}


def test_a_hook_off_the_brief_is_asked_again():
    brief = Brief.from_fields(topic="urban beekeeping", format="newsletter")
    written = idea("Honey on city roofs", "A story about the sea and its long grey waves.") + [
        "Every jar of honey from a city hive tastes of its street."]
    final = run_async(collect(spark(brief, ScriptedModel(written), 1, embedder=KeywordEmbedder())))[-1]
    assert [c.hook for c in final.cards] == ["Every jar of honey from a city hive tastes of its street."]


def test_a_hook_that_opens_like_a_kept_one_is_a_duplicate():
    kept = [IdeaCard("Rooftop hives", "In the sleepy town of Ravenswood, the bees come home at dusk.")]
    again = IdeaCard("Balcony bees", "In the sleepy town of Ravenswood, a beginner starts a hive.")
    assert judge(again, BRIEF, kept) == "duplicate"


def test_the_models_confidence_is_kept_and_breaks_ties_in_the_ranking():
    sure = IdeaCard("Bee school", "A beginner's urban class with one hive.", confidence=-0.5)
    strained = IdeaCard("Hive school", "A beginner's urban class with one hive.", confidence=-3.0)
    assert rank([strained, sure], BRIEF)[0].title == "Bee school"


def test_a_title_that_repeats_a_kept_idea_is_passed_over_before_its_hook_is_written():
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."),
                                  idea("Bee school", "A beginner's urban class with one hive.",
                                       other_title="Rooftop hives")))
    final = run_spark(model, 2)[-1]
    assert sorted(c.title for c in final.cards) == ["Bee school", "Rooftop hives"]
    hook_prompts = [messages[0].content for messages, _ in model.calls if not messages[0].content.startswith("Suggest")]
    assert len(hook_prompts) == 2 and '"Bee school"' in hook_prompts[1]


def test_spark_tops_up_after_dropping_duplicates_and_off_topic_ideas():
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."),
                                  idea("Rooftop hives", "Urban bees need a beginner's first roof.")[:2],  # no hook asked
                                  idea("Golden dragons", "A tale of gold under the old grey sea."),
                                  idea("Bee school", "A beginner's urban class with one hive.")))
    final = run_spark(model, 2)[-1]
    assert [c.title for c in final.cards] in (["Rooftop hives", "Bee school"], ["Bee school", "Rooftop hives"])
    assert final.dropped == {"duplicate": 1, "off-topic": 1}


def test_after_failures_come_round_again_each_idea_still_comes_from_a_technique_not_yet_used():
    dragons = idea("Golden dragons", "A tale of gold under the old grey sea.")
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."), *[dragons] * 9,
                                  idea("Bee school", "A beginner's urban class with one hive."), dragons))
    final = run_spark(model, 3)[-1]
    assert [c.title for c in final.cards] in (["Rooftop hives", "Bee school"], ["Bee school", "Rooftop hives"])
    assert len({c.technique for c in final.cards}) == 2  # the eleventh try did not reuse the first one's


def test_spark_says_plainly_why_it_fell_short():
    model = ScriptedModel(idea("Golden dragons", "A tale of gold under the old grey sea.") * 8)
    final = run_spark(model, 2)[-1]
    assert final.cards == [] and len(model.calls) == 24  # four tries per idea asked for, three replies each
    assert final.shortfall.startswith("Only 0 of 2 ideas passed after 8 tries (8 off-topic dropped)")



def test_meaning_keeps_an_idea_with_no_shared_word_and_drops_a_paraphrase():
    from app.core.judging import Meaning

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
    written = replies(idea("Honey on the roof", "Every jar of honey tells a story of the city."),
                      idea("Urban hives", "Beekeeping on a city roof starts with one hive."))
    final = run_async(collect(spark(brief, ScriptedModel(written), 1, embedder=KeywordEmbedder(available=False))))[-1]
    assert [c.title for c in final.cards] == ["Urban hives"] and final.dropped == {"off-topic": 1}
    with_model = run_async(collect(spark(brief, ScriptedModel(written), 1, embedder=KeywordEmbedder())))
    assert [c.title for c in with_model[-1].cards] == ["Honey on the roof"]


def test_a_short_spark_fills_up_with_ideas_close_enough_in_meaning():
    brief = Brief.from_fields(topic="urban beekeeping", format="short story")  # the hook: an opening line
    # No word of the brief and no theme of it: cosine 0.29 with the brief, off-topic but close enough to fall back on.
    written = idea("Morning light", "A story about quiet streets at dawn.") * 4
    final = run_async(collect(spark(brief, ScriptedModel(written), 1, embedder=KeywordEmbedder())))[-1]
    assert [c.title for c in final.cards] == ["Morning light"] and 0.2 < final.cards[0].relevance < 0.3
    assert final.dropped == {"off-topic": 3} and final.shortfall == ""


def test_pinned_cards_stay_first_and_count_towards_n():
    pinned = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.", technique="Analogy")
    model = ScriptedModel(replies(idea("Rooftop hives", "Urban bees need a beginner's first roof."),
                                  idea("Bee school", "A beginner's urban class with one hive.")))
    final = run_spark_with(model, 2, keep=(pinned,))
    assert final.cards == [pinned, final.cards[1]] and final.cards[1].title == "Bee school"
    assert final.dropped == {"duplicate": 1}


def test_more_like_this_asks_for_titles_like_the_cards():
    angle = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    model = ScriptedModel(idea("Roof school", "A beginner's urban class on a roof hive."))
    final = run_spark_with(model, 2, keep=(angle,), angle=angle)
    assert ' like "Rooftop hives" for a piece about urban beekeeping' in model.calls[0][0][0].content
    assert [c.title for c in final.cards] == ["Rooftop hives", "Roof school"]


def test_combine_merges_two_ideas_into_one_card():
    a = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    b = IdeaCard("Bee school", "A beginner's urban class with one hive.")
    model = ScriptedModel(idea("Rooftop bee school", "Beginners learn urban beekeeping on the roof."))
    final = run_async(collect(combine(BRIEF, model, a, b, others=[])))[-1]
    content = model.calls[0][0][0].content
    assert 'joins two ideas: "Rooftop hives" and "Bee school"' in content
    assert [(c.title, c.technique) for c in final.cards] == [("Rooftop bee school", "Combination")]


def test_an_unusable_combination_says_why():
    a = IdeaCard("Rooftop hives", "Urban bees need a beginner's first roof.")
    model = ScriptedModel(idea("Golden dragons", "A tale of gold under the old grey sea."))
    final = run_async(collect(combine(BRIEF, model, a, a, others=[])))[-1]
    assert final.cards == [] and "off-topic" in final.shortfall


def run_spark_with(model, count, **options):
    return run_async(collect(spark(BRIEF, model, count, **options)))[-1]
