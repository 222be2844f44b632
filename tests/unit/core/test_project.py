"""Project files: a project survives the file exactly, every bad file is refused with
one clear line, and schema-1 files are migrated (property-tested round trip)."""
import json

import pytest
from hypothesis import given, strategies as st

from app.core.authorship import Authorship
from app.core.idea_cards import IdeaCard
from app.core.project import (BRIEF_FIELDS, FORMAT, MAX_FILE_BYTES, MIGRATIONS, SCHEMA, Project, ProjectFileError,
                              clean_name, duplicate, file_name, read_file, to_dict, to_file, unique_name)
from app.core.tracking import Step, Tracked
from app.core.versions import History, Version

SAVED = "2026-05-01T09:30:00Z"
MODEL = ("SmolLM2-135M-Instruct", "smollm2-135m", "ab" * 32)


def sample_project() -> Project:
    typed = Tracked(Authorship.written("Bees.", "human"), (Step("human", SAVED),))
    continued = typed.model_edit(0, 5, "Bees.\n\nThey hum on roofs.", "2026-05-01T09:31:00Z", MODEL)
    edited = continued.person_edit("Bees.\n\nThey hum on flat roofs.", 20, "human", "2026-05-01T09:32:00Z")
    history = History()
    history.commit(typed.text, "Typed", 1.5, typed)
    history.commit(continued.text, "Continued", 2.5, continued)
    card = IdeaCard("Rooftop *hives*", "Why bees love cities.", technique="Reversal", relevance=0.75)
    return Project("p1", "Bees", 1.0, 3.0, {**dict.fromkeys(BRIEF_FIELDS, ""), "topic": "urban bees", "count": "5"},
                   (card, IdeaCard("Hum", "Quiet.", loose=True)), frozenset({card.key()}), card, "Intro\nWhy roofs",
                   edited, tuple(history.versions), history.head)


def test_a_project_survives_its_file_exactly_with_authorship_and_versions():
    project = sample_project()
    text = to_file(project, SAVED)
    document = json.loads(text)
    assert (document["format"], document["schema"], document["saved"]) == (FORMAT, SCHEMA, SAVED)
    restored = read_file(text)
    assert restored == project
    assert "ai-edited" in {run.origin for run in restored.draft.authorship.runs} and restored.versions[1].tracked.steps[-1].model == MODEL
    assert read_file(text.encode("utf-8")) == project


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
# A draft's text as the editor holds it: no "\r" (a file's are made "\n" on reading).
editor_characters = st.characters(exclude_categories=("Cs",), exclude_characters="\r")
origins = st.sampled_from(["human", "pasted", "ai", "ai-edited"])


@st.composite
def tracked_texts(draw):
    pieces = draw(st.lists(st.tuples(st.text(editor_characters, min_size=1, max_size=12),
                                     origins), max_size=5))
    authorship = Authorship("".join(t for t, _ in pieces), tuple((len(t), o) for t, o in pieces))
    steps = draw(st.lists(st.builds(Step, st.sampled_from(["human", "pasted", "ai"]), texts,
                                    st.none() | st.tuples(texts, texts, texts)), max_size=3))
    return Tracked(authorship, tuple(steps) if authorship.text else ())


cards = st.builds(IdeaCard, texts, texts, st.just(True), texts, st.floats(allow_nan=False, allow_infinity=False))
times = st.floats(min_value=0, max_value=4e9)


@st.composite
def projects(draw):
    versions = []
    for number in range(1, draw(st.integers(0, 4)) + 1):
        tracked = draw(st.none() | tracked_texts())
        text = tracked.text if tracked else draw(st.text(editor_characters, max_size=40))
        parent = draw(st.none() | st.integers(1, number - 1)) if number > 1 else None
        versions.append(Version(number, text, draw(texts), parent, draw(times), tracked))
    head = draw(st.none() | st.integers(1, len(versions))) if versions else None
    return Project(draw(st.text("0123456789abcdef", min_size=1, max_size=32)), clean_name(draw(texts)), draw(times),
                   draw(times), {name: draw(texts) for name in BRIEF_FIELDS}, tuple(draw(st.lists(cards, max_size=4))),
                   frozenset(draw(st.lists(texts, max_size=3))), draw(st.none() | cards), draw(texts),
                   draw(tracked_texts()), tuple(versions), head)


@given(projects())
def test_any_project_round_trips_through_its_file(project):
    assert read_file(to_file(project, SAVED)) == project


def file_with(**changes) -> str:
    document = json.loads(to_file(sample_project(), SAVED))
    for path, value in changes.items():
        target = document
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key) if key.isdigit() else key]
        target[last] = value
    return json.dumps(document)


@pytest.mark.parametrize("data, message", [
    ("{not json", "not readable JSON"),
    (b"\xff\xfe binary", "not readable JSON"),
    (to_file(sample_project(), SAVED)[:300], "cut short (truncated)"),
    ('{"format": "musespark-project", "schema": 2, "saved": "2026-05', "cut short (truncated)"),
    ('{"format": "musespark-provenance", "schema": 1}', "not a MuseSpark project file"),
    ("[1, 2, 3]", "not a MuseSpark project file"),
    (file_with(schema=SCHEMA + 1), "made by a newer MuseSpark (schema 3; this studio reads up to 2): update the studio"),
    (file_with(schema="2"), "schema must be a whole number"),
    (file_with(project__name=7), "project.name must be text"),
    (file_with(project__created=float("nan")), "not readable JSON"),
    (file_with(project__cards=[{"title": "x"}]), "cards[1].hook must be text"),
    (file_with(project__draft__text="Bees were here."), "authorship does not match its text (draft)"),
    (file_with(project__versions__0__text="Changed"), "authorship does not match its text (versions[1])"),
    (file_with(project__versions__1__number=5), "versions[2].number must be 2"),
    (file_with(project__versions__1__parent=2), "versions[2].parent must be an earlier version"),
    (file_with(project__head=9), "head must name one of its versions"),
    (file_with(project__draft__steps=[{"origin": "robot", "when": SAVED, "model": None}]), "origin must be one of"),
    (file_with(project__draft__steps=[{"origin": "ai", "when": SAVED, "model": "x"}]), "[name, id, weights hash]"),
    (file_with(project__pinned=[1]), "pinned must be a list of texts"),
    (file_with(project=None), "project must be an object"),
])
def test_a_bad_file_is_refused_with_one_clear_line(data, message):
    with pytest.raises(ProjectFileError) as refused:
        read_file(data)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_file_over_the_limit_is_refused_before_reading():
    with pytest.raises(ProjectFileError, match="project files up to 20 MB"):
        read_file(b" " * (MAX_FILE_BYTES + 1))


def schema_1_file(draft="Bees on roofs.") -> str:
    return json.dumps({"format": FORMAT, "schema": 1, "saved": SAVED, "project": {
        "id": "old", "name": "Old bees", "created": 1.0, "updated": 2.0, "brief": {"topic": "bees"},
        "cards": [], "pinned": [], "drafting": None, "outline": "", "draft": draft}})


def test_a_schema_1_file_opens_with_its_draft_as_pasted_text_and_no_versions():
    assert set(MIGRATIONS) == set(range(1, SCHEMA))
    project = read_file(schema_1_file())
    assert project.draft.authorship == Authorship.written("Bees on roofs.", "pasted")
    assert (project.versions, project.head, project.brief["topic"], project.brief["tone"]) == ((), None, "bees", "")
    assert read_file(to_file(project, SAVED)) == project
    with pytest.raises(ProjectFileError, match=r"draft must be a text with its authorship"):
        read_file(schema_1_file(draft=5))


def test_returns_in_a_files_texts_open_as_the_editors_line_breaks():
    r"""A draft or version kept with "\r\n" (as model text once was) opens with "\n", each
    character keeping its origin; the file is otherwise the same project."""
    project = sample_project()
    document = json.loads(to_file(project, SAVED))
    draft, first = document["project"]["draft"], document["project"]["versions"][0]
    returns = Authorship(project.draft.text.replace("\n", "\r\n"),
                         ((5, "human"), (13, "ai"), (2, "ai-edited"), (5, "human"), (7, "ai")))
    draft["text"], draft["authorship"] = returns.text, returns.to_dict()
    first["text"], first["authorship"], first["steps"] = "Bees.\r\nHum.", None, []
    restored = read_file(json.dumps(document))
    assert restored.draft == project.draft
    assert restored.versions[0].text == "Bees.\nHum." and restored.versions[1] == project.versions[1]


def test_names_files_and_copies():
    assert unique_name(" Bees  ", {"Bees", "Bees (2)"}) == "Bees (3)"
    assert unique_name("", set()) == "Untitled"
    assert file_name(Project("x", "Bees & Roofs: 2026!", 0, 0)) == "bees-roofs-2026.musespark.json"
    original = sample_project()
    copy = duplicate(original, "Bees (copy)", 9.0)
    assert copy.id != original.id and (copy.name, copy.created, copy.updated) == ("Bees (copy)", 9.0, 9.0)
    assert (copy.draft, copy.versions, copy.cards) == (original.draft, original.versions, original.cards)
    assert len(Project.new("  ", 5.0).id) == 32 and Project.new("  ", 5.0).name == "Untitled"
    assert to_dict(Project.new("a", 1.0))["brief"] == dict.fromkeys(BRIEF_FIELDS, "")
