"""A creator's project as plain JSON: what the studio keeps in the browser and exports.

A ``Project`` holds everything the studio shows that a creator would miss: the brief
as typed, the idea cards with the pinned ones and the idea being drafted, the
outline, the draft with who wrote each character (``tracking.Tracked``) and every
version with its own authorship. Undo history is not kept: it starts fresh.

The same text is a project file (``<name>.musespark.json``) and the browser's stored
copy: ``{"format": "musespark-project", "schema": 2, "saved": ..., "project": {...}}``.
``read_file`` checks everything and refuses a bad file with a one-line
``ProjectFileError``; older schemas are brought up to date by ``MIGRATIONS``, a chain
of functions each taking a project one schema further.

Schemas: 1 kept the draft as plain text and no versions; 2 keeps the draft's
authorship and steps, and the versions. A schema-1 draft has no record of who wrote
it, so it arrives as text pasted into the studio. A draft's and its versions' "\\r\\n" and
"\\r" are read as "\\n", the line breaks the editor keeps, each with its origin.

Public: ``FORMAT``, ``SCHEMA``, ``MAX_FILE_BYTES``, ``BRIEF_FIELDS``, ``Project``,
``ProjectFileError``, ``MIGRATIONS``, ``migrate``, ``to_dict``, ``from_dict``,
``to_file``, ``read_file``, ``file_name``, ``clean_name``, ``unique_name``, ``duplicate``.
"""
from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass, field, replace

from .authorship import Authorship, AuthorshipError, LineBreaks
from .errors import StudioError
from .idea_cards import IdeaCard
from .tracking import Step, Tracked
from .versions import Version

FORMAT = "musespark-project"
SCHEMA = 2
MAX_FILE_BYTES = 20_000_000
MAX_NAME_CHARS = 120
BRIEF_FIELDS = ("topic", "audience", "format", "tone", "keywords", "avoid", "count")
STEP_ORIGINS = ("human", "pasted", "ai")


class ProjectFileError(StudioError):
    """A project file or stored project that cannot be opened; the message says why."""


@dataclass(frozen=True)
class Project:
    """One piece of work. ``created``/``updated`` are seconds since the epoch; ``brief``
    maps each of ``BRIEF_FIELDS`` to the text in its field; ``head`` is the version the
    draft was last saved as or restored from."""

    id: str
    name: str
    created: float
    updated: float
    brief: dict[str, str] = field(default_factory=lambda: dict.fromkeys(BRIEF_FIELDS, ""))
    cards: tuple[IdeaCard, ...] = ()
    pinned: frozenset[str] = frozenset()
    drafting: IdeaCard | None = None
    outline: str = ""
    draft: Tracked = field(default_factory=Tracked)
    versions: tuple[Version, ...] = ()
    head: int | None = None

    @classmethod
    def new(cls, name: str, now: float) -> Project:
        """An empty project with a fresh id."""
        return cls(uuid.uuid4().hex, clean_name(name), now, now)


def clean_name(name: str) -> str:
    """A project name on one line, without surrounding space; "Untitled" when empty."""
    return re.sub(r"\s+", " ", name or "").strip()[:MAX_NAME_CHARS] or "Untitled"


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… whichever is not in ``taken``."""
    base = clean_name(name)
    number = 1
    candidate = base
    while candidate in taken:
        number += 1
        candidate = f"{base} ({number})"
    return candidate


def duplicate(project: Project, name: str, now: float) -> Project:
    """A copy of ``project`` under a fresh id and ``name``."""
    return replace(project, id=uuid.uuid4().hex, name=clean_name(name), created=now, updated=now)


def file_name(project: Project) -> str:
    """The export's file name: ``<name>.musespark.json`` with the name made safe."""
    stem = re.sub(r"[^\w-]+", "-", project.name.casefold()).strip("-") or "project"
    return f"{stem[:60]}.musespark.json"


# --- writing ---

def _card(card: IdeaCard) -> dict:
    return {"title": card.title, "hook": card.hook, "technique": card.technique, "relevance": card.relevance,
            "loose": card.loose}


def _tracked(tracked: Tracked) -> dict:
    return {"text": tracked.text, "authorship": tracked.authorship.to_dict(),
            "steps": [{"origin": s.origin, "when": s.when, "model": list(s.model) if s.model else None}
                      for s in tracked.steps]}


def to_dict(project: Project) -> dict:
    """The project as JSON-able data of the current schema."""
    return {
        "id": project.id, "name": project.name, "created": project.created, "updated": project.updated,
        "brief": {name: project.brief.get(name, "") for name in BRIEF_FIELDS},
        "cards": [_card(card) for card in project.cards],
        "pinned": sorted(project.pinned),
        "drafting": _card(project.drafting) if project.drafting else None,
        "outline": project.outline,
        "draft": _tracked(project.draft),
        "versions": [{"number": v.number, "label": v.label, "parent": v.parent, "created": v.created,
                      **(_tracked(v.tracked) if v.tracked else {"text": v.text, "authorship": None, "steps": []})}
                     for v in project.versions],
        "head": project.head,
    }


def to_file(project: Project, saved: str) -> str:
    """The project file's text (``saved``: when, ISO 8601 UTC)."""
    document = {"format": FORMAT, "schema": SCHEMA, "saved": saved, "project": to_dict(project)}
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1) + "\n"


# --- reading ---

def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_file(data: str | bytes) -> Project:
    """The project in a project file, migrated to the current schema; raises a
    ProjectFileError with one line saying what is wrong."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_FILE_BYTES:
        raise ProjectFileError(f"The file is {size / 1e6:.1f} MB; project files up to "
                               f"{MAX_FILE_BYTES / 1e6:.0f} MB can be opened.")
    try:
        text = data if isinstance(data, str) else data.decode("utf-8")
        document = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as error:
        cut = isinstance(error, json.JSONDecodeError) and (
            error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"))
        raise ProjectFileError("The file is cut short (truncated): it is not a whole project file." if cut else
                               "The file is not a MuseSpark project: it is not readable JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ProjectFileError("This is not a MuseSpark project file (its format is not "
                               f"{FORMAT!r}): choose a .musespark.json file.")
    schema = document.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ProjectFileError(f"The project file's schema must be a whole number from 1, not {schema!r}.")
    if schema > SCHEMA:
        raise ProjectFileError(f"The project was made by a newer MuseSpark (schema {schema}; this studio reads "
                               f"up to {SCHEMA}): update the studio.")
    return from_dict(migrate(document.get("project"), schema))


def migrate(project: object, schema: int) -> object:
    """Project data of ``schema`` brought up to ``SCHEMA`` through each migration."""
    for version in range(schema, SCHEMA):
        if not isinstance(project, dict):
            break  # from_dict says what is wrong
        project = MIGRATIONS[version](project)
    return project


def _from_schema_1(project: dict) -> dict:
    """Schema 1 → 2: the plain-text draft gains authorship (pasted: nobody recorded who
    wrote it) and an empty list of versions."""
    text = project.get("draft")
    upgraded = {key: value for key, value in project.items() if key != "draft"}
    if isinstance(text, str):
        upgraded["draft"] = _tracked(Tracked(Authorship.written(text, "pasted")))
    else:
        upgraded["draft"] = text
    upgraded.setdefault("versions", [])
    upgraded.setdefault("head", None)
    return upgraded


MIGRATIONS = {1: _from_schema_1}


def _expect(value: object, kind: type | tuple, where: str, what: str):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ProjectFileError(f"The project file is damaged: {where} must be {what}.")
    return value


def _text(data: dict, key: str, where: str) -> str:
    return _expect(data.get(key), str, f"{where}.{key}", "text")


def _number(data: dict, key: str, where: str) -> float:
    value = _expect(data.get(key), (int, float), f"{where}.{key}", "a number")
    if not math.isfinite(value):
        raise ProjectFileError(f"The project file is damaged: {where}.{key} must be a finite number.")
    return float(value)


def _card_from(data: object, where: str) -> IdeaCard:
    data = _expect(data, dict, where, "an idea card")
    return IdeaCard(_text(data, "title", where), _text(data, "hook", where), True, _text(data, "technique", where),
                    _number(data, "relevance", where), loose=data.get("loose") is True)  # absent before 2026-12


def _tracked_from(data: object, where: str) -> Tracked:
    data = _expect(data, dict, where, "a text with its authorship")
    text = _text(data, "text", where)
    try:
        # Texts kept before model text lost its "\r" may hold one; the editor shows none.
        authorship = Authorship.from_dict(data.get("authorship"), text).with_editor_line_breaks()
    except AuthorshipError as error:
        raise ProjectFileError(f"The project file's authorship does not match its text ({where}): {error}.") from None
    steps = []
    for number, step in enumerate(_expect(data.get("steps"), list, f"{where}.steps", "a list"), 1):
        at = f"{where}.steps[{number}]"
        step = _expect(step, dict, at, "a step")
        origin = _text(step, "origin", at)
        if origin not in STEP_ORIGINS:
            raise ProjectFileError(f"The project file is damaged: {at}.origin must be one of {', '.join(STEP_ORIGINS)}.")
        model = step.get("model")
        if model is not None and not (isinstance(model, list) and len(model) == 3
                                      and all(isinstance(part, str) for part in model)):
            raise ProjectFileError(f"The project file is damaged: {at}.model must be [name, id, weights hash] or null.")
        steps.append(Step(origin, _text(step, "when", at), tuple(model) if model else None))
    if steps and not text:
        raise ProjectFileError(f"The project file's authorship does not match its text ({where}): "
                               "an empty text has no steps.")
    return Tracked(authorship, tuple(steps))


def _version_from(data: object, number: int) -> Version:
    where = f"versions[{number}]"
    data = _expect(data, dict, where, "a version")
    if data.get("number") != number:
        raise ProjectFileError(f"The project file is damaged: {where}.number must be {number}.")
    parent = data.get("parent")
    if parent is not None and (not isinstance(parent, int) or isinstance(parent, bool) or not 1 <= parent < number):
        raise ProjectFileError(f"The project file is damaged: {where}.parent must be an earlier version or null.")
    tracked = None if data.get("authorship") is None and not data.get("steps") else _tracked_from(data, where)
    text = tracked.text if tracked else LineBreaks()(_text(data, "text", where))
    return Version(number, text, _text(data, "label", where), parent, _number(data, "created", where), tracked)


def from_dict(data: object) -> Project:
    """A Project from ``to_dict`` data of the current schema, checked strictly."""
    data = _expect(data, dict, "project", "an object")
    brief = _expect(data.get("brief"), dict, "brief", "an object")
    versions = tuple(_version_from(item, number) for number, item in
                     enumerate(_expect(data.get("versions"), list, "versions", "a list"), 1))
    head = data.get("head")
    if head is not None and (not isinstance(head, int) or isinstance(head, bool) or not 1 <= head <= len(versions)):
        raise ProjectFileError("The project file is damaged: head must name one of its versions or be null.")
    drafting = data.get("drafting")
    pinned = _expect(data.get("pinned"), list, "pinned", "a list")
    return Project(
        id=_expect(data.get("id"), str, "id", "text") or uuid.uuid4().hex,
        name=clean_name(_text(data, "name", "project")),
        created=_number(data, "created", "project"),
        updated=_number(data, "updated", "project"),
        brief={name: _text(brief, name, "brief") if name in brief else "" for name in BRIEF_FIELDS},
        cards=tuple(_card_from(card, f"cards[{n}]") for n, card in
                    enumerate(_expect(data.get("cards"), list, "cards", "a list"), 1)),
        pinned=frozenset(_expect(key, str, "pinned", "a list of texts") for key in pinned),
        drafting=None if drafting is None else _card_from(drafting, "drafting"),
        outline=_text(data, "outline", "project"),
        draft=_tracked_from(data.get("draft"), "draft"),
        versions=versions,
        head=head,
    )

