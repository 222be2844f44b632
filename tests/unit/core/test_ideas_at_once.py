"""A connected engine writes a set of ideas in one JSON request; each idea is judged as the
careful pipeline's are, and that pipeline fills the places left."""
import json

from app.core.brief import Brief
from app.core.idea_cards import IdeaCard
from app.core.ideas_at_once import set_messages, spark_at_once, streamed_ideas
from app.core.techniques import TECHNIQUES

from .doubles import ScriptedModel, collect, run_async
from .test_ideas import BRIEF, idea, replies


class SchemaModel(ScriptedModel):
    """A scripted engine that also keeps the sampling settings of each streamed request."""

    def __init__(self, replies):
        super().__init__(replies)
        self.samplings = []

    def generate(self, messages, sampling, prefill=""):
        self.samplings.append(sampling)
        return super().generate(messages, sampling, prefill)


def reply(*ideas):
    return json.dumps({"ideas": [{"title": t, "hook": h, "technique": k} for t, h, k in ideas]}, indent=1)


GOOD = [("Rooftop hives", "Urban bees need a beginner's first roof.", "How-to"),
        ("Bee school", "A beginner's urban class with one hive.", "Personal story"),
        ("City honey", "Urban beekeeping turns a balcony sweet.", "Hidden side")]


def test_the_set_comes_in_one_request_that_follows_a_schema_and_cards_show_as_they_arrive():
    model = SchemaModel([reply(*GOOD)])
    updates = run_async(collect(spark_at_once(BRIEF, model, 3)))
    final = updates[-1]
    assert len(model.calls) == 1 and final.finished and final.shortfall == "" and final.attempts == 1
    assert final.at_once == (3, 3)  # kept of asked
    assert sorted(c.title for c in final.cards) == sorted(t for t, _, _ in GOOD)
    assert {c.technique for c in final.cards} == {"How-to", "Personal story", "Hidden side"}
    assert [len(u.cards) for u in updates[:-1]] == [1, 2, 3]  # each card as soon as its object is whole
    schema = model.samplings[0].schema["properties"]["ideas"]
    assert schema["minItems"] == schema["maxItems"] == 3
    assert schema["items"]["properties"]["technique"]["enum"] == [t.name for t in TECHNIQUES]


def test_ideas_that_fail_judging_are_dropped_and_the_careful_pipeline_fills_their_places():
    model = SchemaModel([reply(GOOD[0], ("POPCISES FEDERANAZY OF SALADBREWDERS", "A hive for every roof.", "How-to"),
                               ("Rooftop hives!", "Urban bees need a beginner's first roof.", "Big question"))]
                        + replies(idea("Bee school", "A beginner's urban class with one hive."),
                                  idea("City honey", "Urban beekeeping turns a balcony sweet.")))
    final = run_async(collect(spark_at_once(BRIEF, model, 3)))[-1]
    assert sorted(c.title for c in final.cards) == ["Bee school", "City honey", "Rooftop hives"]
    assert final.dropped == {"not English": 1, "duplicate": 1} and final.shortfall == ""
    assert final.attempts == 3  # the set, then one careful idea for each place left
    assert final.at_once == (1, 3)


def test_a_reply_that_is_not_json_leaves_the_set_to_the_careful_pipeline():
    model = SchemaModel(["Sure! Here are some ideas about bees."] + idea("Bee school", "A beginner's urban class with one hive."))
    final = run_async(collect(spark_at_once(BRIEF, model, 1)))[-1]
    assert [c.title for c in final.cards] == ["Bee school"]


def test_pinned_cards_stay_first_and_only_the_places_left_are_asked_for():
    pinned = IdeaCard("Honey money", "Selling the first jar from an urban hive.")
    model = SchemaModel([reply(*GOOD[:2])])
    final = run_async(collect(spark_at_once(BRIEF, model, 3, keep=(pinned,))))[-1]
    assert final.cards[0] == pinned and len(final.cards) == 3
    assert "Suggest 2 different ideas" in model.calls[0][0][0].content


def test_only_whole_objects_are_read_from_a_streamed_reply():
    text = reply(*GOOD)
    assert [c.title for c in streamed_ideas(text[:text.index("Bee school") + 5])] == ["Rooftop hives"]
    odd = streamed_ideas('{"ideas": [{"title": "Bees", "hook": "Why.", "technique": "Telepathy"}')
    assert odd == [IdeaCard("Bees", "Why.")]  # a technique the studio does not know is left unnamed


def test_the_request_names_the_brief_the_reader_and_every_technique():
    brief = Brief.from_fields("urban beekeeping", audience="retirees", format="newsletter", keywords="honey")
    content = set_messages(brief, 4, TECHNIQUES[:2])[0].content
    assert content.startswith("Suggest 4 different ideas for a newsletter about urban beekeeping, for retirees. "
                              "Use the words: honey.")
    assert "why it is worth their time" in content and "retirees" in content and content.endswith("Reply with JSON only.")
    assert all(t.name in content for t in TECHNIQUES[:2])
