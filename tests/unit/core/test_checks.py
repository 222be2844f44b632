"""The checks on model output, fed what the 135M model really wrote and what a creator would keep."""
import pytest

from app.core.checks import (
    Allowed, check_headline, check_hook, check_prose, check_title, strip_comments, strip_preamble, unknown_words, whole_sentences,
)

BRIEF = Allowed.from_texts("repairing a bicycle puncture at the roadside", "short-video script", "commuters")


@pytest.mark.parametrize("title, reason", [
    ("POPCISES FEDERANAZY OF SALADBREWDERS' STORAGE BILL", "not English"),
    ("To Kill Five Skewers of Unyielderable", "not English"),
    ("Tiny Serena: 346 Bikes Damaged", "a number the brief never gave"),
    ("Puncture Repair: 57% Faster", "a percentage the brief never gave"),
    ("Fix It Fast #BikeLife", "a hashtag"),
    ("The Road to Repair: www.fixit.com", "a link"),
    ("DEVASTATING NEW DEMOCRACY", "shouting"),
    ("Fix a Flat!!! Now", "stray symbols"),
    ("Title: Fixing a Flat", "talks about the text"),
    ("Here's a title for your video", "talks about the text"),
    ("Why Your Tyre Goes Flat and How to", "unfinished title"),
    ("The Road to Repair: A Guide to Fixing Your Bicycle Puncture at the Roadside Today", "title too long"),
    ("Puncture", "title too short"),
    ("Fix the Flat, Fix the Flat", "repeats a phrase"),
    ('The Uncaught Error: "Remote Work Abuses', "unbalanced quotes"),
    ("In twilight's hallow tapestry, where shadows play", "a stock opening"),
])
def test_titles_a_reader_would_throw_away_are_rejected_with_a_reason(title, reason):
    assert check_title(title, BRIEF).startswith(reason)


@pytest.mark.parametrize("title", [
    "The Perfect Puncture: Fixing Your Way to Safety",
    "The Lost Letters of the Lighthouse Man",
    "The Unreliable Sourdough Starter: A Double-Edged Sword for Home Bakers",
    "5 Tips for a Faster Roadside Fix",
    "Don't Panic: The Commuter's Guide to Punctures",
    "An Immersive, Colourful Retelling",
])
def test_titles_a_creator_would_keep_pass(title):
    assert check_title(title, BRIEF) == ""


def test_a_measure_the_brief_never_gave_is_refused_and_one_it_gave_passes():
    race = Allowed.from_texts("running your first 5k race")
    assert check_title("Your First 10K: The Unlikely Champion", race).startswith("a number the brief never gave (10K)")
    assert check_title("The Race to Success: Running 10 km in a Day", race).startswith("a number the brief never gave")
    assert check_title("The Ultimate Beginner Guide to Running Your First 5K", race) == ""


def test_brief_words_numbers_and_names_in_prose_are_allowed():
    allowed = Allowed.from_texts("a 1920s bakery run by the Okonkwo family")
    assert check_hook("The Okonkwo family baked through the 1920s without a single day off.", allowed) == ""
    assert check_hook("In Lisbon, Marguerite fixed her puncture before the tram came.", BRIEF) == ""
    assert unknown_words("Marguerite and Zorblax", names=True) == []
    assert unknown_words("Marguerite and Zorblax") == ["Zorblax"]


@pytest.mark.parametrize("hook, reason", [
    ("A tale of twists.", "hook too short"),
    ("Ever been stuck at the roadside with a flat tyre and no idea what", "hook is not a whole sentence"),
    ("I made several changes that improve clarity and conciseness.", "talks about the text"),
    ("Awesome job! Your article provides a great overview of repairs.", "talks about the text"),
    ("Sure! Fixing a flat is easier than you think at the roadside.", "talks about the text"),
    ("Fix the flat and fix the flat and fix the flat again today.", "repeats a phrase"),
    ("Free for 24 hours after you sign up with the roadside club.", "a number the brief never gave"),
    ("The blog posts on SustainMeEcoHome inspire every commuter.", "not English"),
    ("Achieved with just one concise and informative sentence!", "talks about the text"),
    ("This post tackles punctures with empathy in just 10 words.", "talks about the text"),
    ("To make this text more engaging, I'll rephrase it for the reader.", "talks about the text"),
    ("In twilight's hush, where shadows play, a lone figure stood at the edge of the pier.", "a stock opening"),
    ("In twilight’s hallow tapestry, where shadows play their midnight song, I stand tall.", "a stock opening"),
])
def test_hooks_must_be_whole_plain_sentences(hook, reason):
    assert check_hook(hook, BRIEF).startswith(reason)


def test_prose_talking_about_itself_or_stopping_mid_sentence_is_rejected():
    assert check_prose("This blog post is about fixing punctures. It has three parts.").startswith("talks about")
    assert check_prose("In this article we look at tyres and tubes.").startswith("talks about")
    assert check_prose("The tube has a hole. Find it with water and").startswith("unfinished")
    assert check_prose("The tube has a hole. Find it with a bowl of water, then patch it.") == ""
    # Read in drafts' sections: the model talking to the writer.
    for chat in ("Your essay goes beyond simply stating facts, though.", "How does that sound?",
                 "I'm really glad we're talking again.", "You'd do well to focus more on this part.",
                 "This version does sound quite exciting!", "In simpler terms, whales talk.",
                 "Just what I needed! A perfect summary of the post's advice."):
        assert check_prose(chat).startswith("talks about"), chat


def test_a_preamble_line_is_stripped_but_text_is_never_emptied():
    assert strip_preamble("Here's a shorter version:\nThe tube has a hole.") == "The tube has a hole."
    assert strip_preamble("Here's the thing:") == "Here's the thing:"
    assert strip_preamble("The tube has a hole.\nPatch it.") == "The tube has a hole.\nPatch it."


def test_while_streaming_a_first_line_that_opens_like_a_preamble_is_held_back():
    assert strip_preamble("Here's a shorter", streaming=True) == ""
    assert strip_preamble("Here's a shorter version:\nThe tube", streaming=True) == "The tube"
    assert strip_preamble("The tube has a hole", streaming=True) == "The tube has a hole"


def test_comments_around_a_rewrite_are_stripped_and_a_cut_off_sentence_dropped():
    rewrite = ("Here's a longer version of the text. The tube has a hole near the valve.\n\n"
               "I made several changes that improve clarity and conciseness.")
    assert strip_comments(rewrite) == "The tube has a hole near the valve."
    assert strip_comments("I made several changes.") == "I made several changes."  # nothing else: kept, then refused
    assert whole_sentences("The tube has a hole. Patch it with the") == "The tube has a hole."
    assert whole_sentences("Patch it with the") == "Patch it with the"
    assert check_prose("Bring tyre levers, a pump, patches etc. for the road.") == ""


@pytest.mark.parametrize("text", [
    "Whales sing across oceans. I made minor adjustments to make the sentences flow better.",
    "The village wakes. This reworked text aims to expand upon the original narrative.",
    "Some letters survived intact. (smirks mischievously) My apologies, dear reader!",
    "When I reflect on my previous edit, whales seem stranger still.",
    "I'll make those changes for you: the commute is long.",
    "Whales sing. I used transitional phrases and incorporated different sentence structures throughout.",
    "A more detailed and descriptive version is requested to maintain the original tone.",
    "Your writing is now almost complete, so no?",
])
def test_talk_about_the_edit_anywhere_in_a_rewrite_is_refused(text):
    assert check_prose(text).startswith("talks about the text")


def test_edit_words_the_source_already_uses_are_not_talk_about_the_edit():
    source = Allowed.from_texts("How I rewrite a draft: first the structure, then each sentence.")
    assert check_prose("I rewrite the structure first, then each sentence.", source) == ""
    assert strip_preamble("Keep it concise:\nThe commute is long.") == "The commute is long."


@pytest.mark.parametrize("headline", ["Rewritten List of Key Points", "I'm working with you on your productivity!"])
def test_a_headline_that_talks_about_the_edit_or_the_writer_is_refused(headline):
    assert check_headline(headline).startswith("talks about the text")


def test_a_headline_cut_off_after_an_ampersand_is_unfinished():
    assert check_headline("A Community-Led Approach: Bees &") == "unfinished title"


def test_a_story_may_say_i_used_to():
    assert check_prose("I used to live by the sea, and every winter I read the letters again.") == ""
