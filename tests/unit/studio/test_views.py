"""The studio's markup for who wrote what and for verdicts, and the sorting of dropped
files (pure functions of app.studio, run under CPython)."""
import json

import pytest

from app.core.authorship import Authorship
from app.core.errors import StudioError
from app.core.provenance import record_hash
from app.core.verify import Outcome
from app.studio.verify import sort_dropped
from app.core.idea_cards import IdeaCard
from app.studio.views import LOOSE_NO_HOOK, LOOSE_OFF_BRIEF, authorship_html, cards_html, summary_sentence, verdict_html


class File:
    def __init__(self, name, data):
        self.name, self.data = name, data


def test_the_overlay_escapes_the_text_and_labels_every_run():
    authorship = Authorship("<b>Mine</b> & the model's.", ((11, "human"), (3, "pasted"), (12, "ai")))
    markup = authorship_html(authorship)
    assert "<b>" not in markup and "&lt;b&gt;Mine&lt;/b&gt;" in markup and "&amp;" in markup
    assert markup.count('class="visually-hidden"') == 3
    assert '[pasted:] </span><span class="origin origin-pasted" data-origin="pasted" title="Pasted from elsewhere">' \
        in markup
    assert authorship_html(Authorship()) == '<p class="hint">The draft is empty.</p>'


def test_the_summary_gives_every_origin_by_characters_and_by_words():
    authorship = Authorship("one two three four", ((8, "human"), (10, "ai")))
    assert summary_sentence(authorship.summary()) == (
        "By characters: 40% typed · 0% pasted · 0% AI, then edited · 60% AI. "
        "By words: 50% typed · 0% pasted · 0% AI, then edited · 50% AI.")
    assert summary_sentence(Authorship.written(" ", "human").summary()) == "Nothing written yet."


def test_a_verdict_lists_each_problem_by_code_escaped():
    outcome = Outcome(False, "provenance record", "NOT VALID:\n  - [text-changed] line 1 <b>\nSigned by key AB12",
                      [("text-changed", "line 1 <b>")])
    markup = verdict_html(outcome)
    assert markup.startswith('<h3 data-valid="false">Not valid: provenance record</h3>')
    assert '<li data-code="text-changed"><strong>text-changed</strong>: line 1 &lt;b&gt;</li>' in markup
    assert markup.endswith("<p>Signed by key AB12</p>") and "NOT VALID" not in markup
    valid = verdict_html(Outcome(True, "Content Credentials", "VALID and TRUSTED: fine."))
    assert valid == '<h3 data-valid="true">Valid: Content Credentials</h3><p>VALID and TRUSTED: fine.</p>'


def record(previous=None):
    return {"schema": "musespark-provenance/1", "previous": previous, "signature": str(previous)}


def test_dropped_files_are_sorted_by_what_they_hold():
    first = record()
    second = record(record_hash(first))
    files = [File("b.json", json.dumps(second).encode()), File("text.md", b"Bees."),
             File("a.json", json.dumps(first).encode()),
             File("root.pem", b"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n")]
    for order in (files, files[::-1]):
        roles = sort_dropped(order)
        assert {role: [f.name for f in found] for role, found in roles.items()} == {
            "text": ["text.md"], "record": ["b.json"], "previous": ["a.json"], "trust": ["root.pem"]}
    sidecar = File("text.c2pa", b"\0\0\0\x10jumb" + bytes(8))
    assert [f.name for f in sort_dropped([sidecar, files[1]])["record"]] == ["text.c2pa"]


@pytest.mark.parametrize("names, message", [
    (["text.md", "other.md"], "exactly one text"),
    (["a.json"], "exactly one text"),
    (["text.md", "a.json", "unrelated.json"], "Neither dropped record follows the other"),
    (["text.md", "a.json", "text.c2pa"], "one .c2pa sidecar"),
])
def test_dropped_files_that_do_not_fit_say_what_to_drop(names, message):
    contents = {"text.md": b"Bees.", "other.md": b"Wasps.", "a.json": json.dumps(record()).encode(),
                "unrelated.json": json.dumps(record("0" * 64)).encode(),
                "text.c2pa": b"\0\0\0\x10jumb" + bytes(8)}
    with pytest.raises(StudioError, match=message):
        sort_dropped([File(name, contents[name]) for name in names])


def test_a_loose_card_says_why_it_comes_last():
    html = cards_html([IdeaCard("Rooftop hives", "Bees like roofs."), IdeaCard("Golden roofs", loose=True),
                       IdeaCard("Sea bees", "Bees by the sea.", loose=True)])
    cards = html.split('<li class="idea-card"')[1:]
    assert "data-loose" not in cards[0] and "idea-loose" not in cards[0]
    assert cards[1].startswith(' data-loose="true"') and LOOSE_NO_HOOK in cards[1]
    assert LOOSE_OFF_BRIEF in cards[2]
