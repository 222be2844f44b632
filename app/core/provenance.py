"""Signed provenance records for versions of a text, and their verification.

A record is plain JSON:

    {"schema": "musespark-provenance/1",
     "created": "2026-05-01T09:30:00Z",                  # ISO 8601, UTC
     "content": {"sha256": <hex of the exact UTF-8 text>, "characters": <code points>,
                 "lineHashes": [<first 16 hex digits of each line's SHA-256>, …]},
     "authorship": <Authorship.to_dict()>,
     "actions": [{"action": "c2pa.created" | "c2pa.edited", "when": <ISO 8601 UTC>,
                  "digitalSourceType": <IPTC URI>, "softwareAgent": {"name", "version"},
                  "model": {"name", "id", "weightsSha256" (null: not known)}, "description": …}, …],
     "previous": <record_hash of the previous version's record> | null,
     "signer": {"alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x", "y"}},
     "signature": <base64url of the raw 64-byte r‖s>}

Canonical form (what is signed and hashed): the JSON value with keys sorted, no
white space (separators "," and ":"), non-ASCII characters as themselves, encoded in
UTF-8; no floating-point numbers anywhere. The signature is ECDSA P-256 with SHA-256
over the canonical form of the record without its ``signature`` member. A record's
hash (``record_hash``, the next record's ``previous``) is the SHA-256 hex of the
canonical form of the whole record, signature included.

The line hashes let a verifier say where a text changed: the first line whose hash
differs. They are short hashes of single lines, so a record kept apart from its text
reveals little, but a one-word line could be guessed; the text's SHA-256 decides.

``verify_record`` reports valid, or each problem by code: ``malformed``,
``text-changed`` (with the first differing line and its start), ``record-edited``
(the signature does not match), ``wrong-key`` (not the expected fingerprint),
``broken-chain`` (not the given previous record).

Public: ``SCHEMA``, ``SOFTWARE_AGENT``, ``ModelIdentity``, ``Action``, ``edit_action``,
``ProvenanceError``, ``Problem``, ``Verdict``, ``canonical_bytes``, ``record_hash``,
``iso_utc``, ``load_record``, ``create_record``, ``verify_record``, ``text_sha256``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .authorship import IPTC, Authorship, AuthorshipError, Summary, runs_from_dict
from .signing import (
    Signer, SigningError, b64url, b64url_decode, check_point, fingerprint, normalize_fingerprint,
    public_key_from_jwk, public_key_to_jwk, sign_with, verify_signature,
)

SCHEMA = "musespark-provenance/1"
SOFTWARE_AGENT = {"name": "MuseSpark", "version": "0.1.0"}
ACTIONS = ("c2pa.created", "c2pa.edited")
RECORD_KEYS = {"schema", "created", "content", "authorship", "actions", "previous", "signer", "signature"}
LINE_HASH_DIGITS = 16

_HEX64 = re.compile(r"[0-9a-f]{64}")
_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")


class ProvenanceError(ValueError):
    """A record (or part of one) that cannot be read; the message says what is wrong."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ProvenanceError(message)


def _check_time(value: object, what: str) -> str:
    _require(isinstance(value, str) and bool(_ISO_UTC.fullmatch(value)),
             f"{what} must be an ISO 8601 UTC time such as 2026-05-01T09:30:00Z, not {value!r}")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ProvenanceError(f"{what} {value!r} is not a real date and time") from None
    return value


def iso_utc(moment: datetime | float) -> str:
    """A UTC ISO 8601 time to the second ("…Z") from a datetime or Unix seconds."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    if moment.tzinfo is None:
        raise ProvenanceError("give an aware datetime (with a time zone) or Unix seconds")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ModelIdentity:
    """The model that generated text: display name, catalogue id, SHA-256 of its weights file
    ("" when none is known: a model on the creator's own server; written as null)."""

    name: str
    id: str
    weights_sha256: str

    def to_dict(self) -> dict:
        return {"name": self.name, "id": self.id, "weightsSha256": self.weights_sha256 or None}

    @classmethod
    def from_dict(cls, data: object) -> ModelIdentity:
        _require(isinstance(data, dict) and set(data) == {"name", "id", "weightsSha256"},
                 "an action's model must have exactly name, id and weightsSha256")
        _require(all(isinstance(data[k], str) and data[k] for k in ("name", "id")),
                 "a model's name and id must be non-empty strings")
        _require(data["weightsSha256"] is None or (isinstance(data["weightsSha256"], str)
                                                   and bool(_HEX64.fullmatch(data["weightsSha256"]))),
                 "a model's weightsSha256 must be 64 lower-case hex digits, or null when not known")
        return cls(data["name"], data["id"], data["weightsSha256"] or "")


@dataclass(frozen=True)
class Action:
    """One C2PA-style action that produced the text."""

    action: str
    when: str
    digital_source_type: str | None = None
    software_agent: dict = field(default_factory=lambda: dict(SOFTWARE_AGENT))
    model: ModelIdentity | None = None
    description: str | None = None

    def to_dict(self) -> dict:
        data = {"action": self.action, "when": self.when, "softwareAgent": dict(self.software_agent)}
        if self.digital_source_type:
            data["digitalSourceType"] = self.digital_source_type
        if self.model:
            data["model"] = self.model.to_dict()
        if self.description:
            data["description"] = self.description
        return data

    @classmethod
    def from_dict(cls, data: object) -> Action:
        _require(isinstance(data, dict), "each action must be an object")
        known = {"action", "when", "digitalSourceType", "softwareAgent", "model", "description"}
        _require(not data.keys() - known, f"an action has unknown members: {', '.join(sorted(data.keys() - known))}")
        _require(data.get("action") in ACTIONS, f"an action must be one of {', '.join(ACTIONS)}, not "
                                                 f"{data.get('action')!r}")
        source_type = data.get("digitalSourceType")
        _require(source_type is None or (isinstance(source_type, str) and source_type.startswith(IPTC)),
                 f"digitalSourceType must be an IPTC term ({IPTC}…), not {source_type!r}")
        agent = data.get("softwareAgent")
        _require(isinstance(agent, dict) and set(agent) == {"name", "version"}
                 and all(isinstance(v, str) for v in agent.values()),
                 "softwareAgent must have exactly a name and a version (strings)")
        description = data.get("description")
        _require(description is None or isinstance(description, str), "an action's description must be a string")
        model = ModelIdentity.from_dict(data["model"]) if "model" in data else None
        return cls(data["action"], _check_time(data.get("when"), "an action's time"), source_type, agent, model,
                   description)


def edit_action(origin: str, when: str, first: bool = False, model: ModelIdentity | None = None) -> Action:
    """The action for text written by ``origin``: created when ``first``, else edited.
    The person writing is IPTC digitalCreation (creating) or humanEdits (editing); the
    model is trainedAlgorithmicMedia and must be named; pasted text has no IPTC term."""
    kind = "c2pa.created" if first else "c2pa.edited"
    if origin in ("ai", "ai-edited"):
        if model is None:
            raise ProvenanceError("an action with model text must name the model (ModelIdentity)")
        return Action(kind, when, IPTC + "trainedAlgorithmicMedia", model=model)
    if origin == "human":
        return Action(kind, when, IPTC + ("digitalCreation" if first else "humanEdits"))
    if origin == "pasted":
        return Action(kind, when, description="text pasted from outside the studio")
    raise ProvenanceError(f"unknown origin {origin!r}")


def canonical_bytes(value: object) -> bytes:
    """The canonical form: sorted keys, no white space, UTF-8, no floats."""
    def check(item: object) -> None:
        if isinstance(item, float):
            raise ProvenanceError("records hold no floating-point numbers (they have no single canonical form)")
        if isinstance(item, dict):
            for key, inner in item.items():
                _require(isinstance(key, str), "record keys must be strings")
                check(inner)
        elif isinstance(item, list):
            for inner in item:
                check(inner)
    check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(record: dict) -> str:
    """SHA-256 hex of the canonical form of the whole record (the chain link)."""
    return hashlib.sha256(canonical_bytes(record)).hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line_hashes(text: str) -> list[str]:
    return [text_sha256(line)[:LINE_HASH_DIGITS] for line in text.split("\n")]


def _signed_part(record: dict) -> bytes:
    return canonical_bytes({key: value for key, value in record.items() if key != "signature"})


async def create_record(authorship: Authorship, actions: list[Action], signer: Signer, created: str,
                        previous: dict | None = None) -> dict:
    """Sign a record of ``authorship.text`` made by ``actions``, chained to ``previous``."""
    text = authorship.text
    record = {
        "schema": SCHEMA,
        "created": _check_time(created, "the record's time"),
        "content": {"sha256": text_sha256(text), "characters": len(text), "lineHashes": _line_hashes(text)},
        "authorship": authorship.to_dict(),
        "actions": [action.to_dict() for action in actions],
        "previous": record_hash(previous) if previous is not None else None,
        "signer": {"alg": "ES256", "jwk": public_key_to_jwk(check_point(signer.public_key))},
    }
    record["signature"] = b64url(await sign_with(signer, _signed_part(record)))
    return record


def load_record(source: str | bytes) -> dict:
    """A record from its JSON text (only the JSON is checked here)."""
    try:
        record = json.loads(source)
    except (ValueError, UnicodeDecodeError) as err:
        raise ProvenanceError(f"the record is not JSON ({err})") from None
    _require(isinstance(record, dict), "the record must be a JSON object")
    return record


def _check_record(record: object) -> bytes:
    """Check every member's form; return the signer's public key point."""
    _require(isinstance(record, dict), "the record must be a JSON object")
    missing, extra = RECORD_KEYS - record.keys(), record.keys() - RECORD_KEYS
    _require(not missing, f"the record lacks {', '.join(sorted(missing))}")
    _require(not extra, f"the record has unknown members: {', '.join(sorted(extra))}")
    _require(record["schema"] == SCHEMA, f"the record's schema is {record['schema']!r}; this studio reads {SCHEMA!r}")
    _check_time(record["created"], "the record's time")
    content = record["content"]
    _require(isinstance(content, dict) and set(content) == {"sha256", "characters", "lineHashes"},
             "content must have exactly sha256, characters and lineHashes")
    _require(isinstance(content["sha256"], str) and bool(_HEX64.fullmatch(content["sha256"])),
             "content.sha256 must be 64 lower-case hex digits")
    _require(isinstance(content["characters"], int) and not isinstance(content["characters"], bool)
             and content["characters"] >= 0, "content.characters must be a whole number")
    lines = content["lineHashes"]
    _require(isinstance(lines, list) and len(lines) >= 1
             and all(isinstance(h, str) and re.fullmatch(f"[0-9a-f]{{{LINE_HASH_DIGITS}}}", h) for h in lines),
             f"content.lineHashes must list {LINE_HASH_DIGITS}-hex-digit hashes, one per line")
    try:
        runs_from_dict(record["authorship"])
    except AuthorshipError as err:
        raise ProvenanceError(f"authorship: {err}") from None
    _require(record["authorship"]["length"] == content["characters"],
             "the authorship's length differs from content.characters")
    _require(isinstance(record["actions"], list), "actions must be a list")
    for action in record["actions"]:
        Action.from_dict(action)
    previous = record["previous"]
    _require(previous is None or (isinstance(previous, str) and bool(_HEX64.fullmatch(previous))),
             "previous must be null or a record hash (64 lower-case hex digits)")
    signer = record["signer"]
    _require(isinstance(signer, dict) and set(signer) == {"alg", "jwk"} and signer["alg"] == "ES256",
             'signer must be {"alg": "ES256", "jwk": …}')
    try:
        point = public_key_from_jwk(signer["jwk"])
        signature = b64url_decode(record["signature"], "the signature")
    except SigningError as err:
        raise ProvenanceError(str(err)) from None
    _require(len(signature) == 64, "the signature must be 64 bytes (raw r‖s)")
    canonical_bytes(record)
    return point


@dataclass(frozen=True)
class Problem:
    """One reason a record does not vouch for a text: a code and a sentence."""

    code: str
    message: str


@dataclass
class Verdict:
    """What ``verify_record`` found; ``problems`` is empty when the record is valid."""

    problems: list[Problem] = field(default_factory=list)
    fingerprint: str | None = None
    created: str | None = None
    summary: Summary | None = None
    disclosure: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def report(self) -> str:
        """The verdict as lines of plain text."""
        lines = ["VALID: the record vouches for this text." if self.valid else "NOT VALID:"]
        lines += [f"  - [{p.code}] {p.message}" for p in self.problems]
        if self.fingerprint:
            lines.append(f"Signed by key {self.fingerprint}" + (f" at {self.created}" if self.created else ""))
        if self.disclosure:
            lines.append(self.disclosure)
        return "\n".join(lines)


def _excerpt(line: str, limit: int = 60) -> str:
    return json.dumps(line if len(line) <= limit else line[:limit] + "…", ensure_ascii=False)


def _where_changed(text: str, content: dict) -> str:
    """A sentence saying where ``text`` first differs from the signed one."""
    now = text.split("\n")
    signed = content["lineHashes"]
    sizes = f"the signed text had {content['characters']} characters, this one has {len(text)}"
    start = 0
    for number, line in enumerate(now, 1):
        if number > len(signed):
            return (f"line {number} (from character {start}) was added: {_excerpt(line)}; the signed text had "
                    f"{len(signed)} lines ({sizes})")
        if text_sha256(line)[:LINE_HASH_DIGITS] != signed[number - 1]:
            return f"line {number} (from character {start}) differs: {_excerpt(line)} ({sizes})"
        start += len(line) + 1
    if len(signed) > len(now):
        return f"the text ends after line {len(now)}; the signed text had {len(signed)} lines ({sizes})"
    return f"a change the line hashes do not show ({sizes})"


def verify_record(text: str, record: object, previous: object = None,
                  expected_fingerprint: str | None = None) -> Verdict:
    """Check ``record`` against ``text`` (and the previous version's record and the
    expected key's fingerprint when given). A malformed ``expected_fingerprint`` is
    the caller's mistake and raises ``SigningError``."""
    expected = normalize_fingerprint(expected_fingerprint) if expected_fingerprint is not None else None
    verdict = Verdict()
    try:
        point = _check_record(record)
    except ProvenanceError as err:
        verdict.problems.append(Problem("malformed", f"the record cannot be read: {err}"))
        return verdict
    verdict.fingerprint = fingerprint(point)
    verdict.created = record["created"]
    if not verify_signature(point, _signed_part(record), b64url_decode(record["signature"], "the signature")):
        verdict.problems.append(Problem(
            "record-edited", "the signature does not match the record: it was changed after signing "
                             "(or signed by a different key than the one it names)"))
    if expected and expected != verdict.fingerprint:
        verdict.problems.append(Problem(
            "wrong-key", f"signed by key {verdict.fingerprint}, not the expected {expected}"))
    if previous is not None:
        _check_chain(record, previous, verdict)
    if text_sha256(text) != record["content"]["sha256"]:
        verdict.problems.append(Problem(
            "text-changed", f"the text is not the one signed: {_where_changed(text, record['content'])}"))
    else:
        try:
            authorship = Authorship.from_dict(record["authorship"], text)
        except AuthorshipError as err:
            verdict.problems.append(Problem("malformed", f"the authorship does not fit the text: {err}"))
            return verdict
        verdict.summary = authorship.summary()
        verdict.disclosure = verdict.summary.disclosure(_model_name(record)).sentence
    return verdict


def _model_name(record: dict) -> str | None:
    names = [a["model"]["name"] for a in record["actions"] if "model" in a]
    return names[-1] if names else None


def _check_chain(record: dict, previous: object, verdict: Verdict) -> None:
    try:
        previous_point = _check_record(previous)
    except ProvenanceError as err:
        verdict.problems.append(Problem("broken-chain", f"the previous record cannot be read: {err}"))
        return
    if record["previous"] is None:
        verdict.problems.append(Problem("broken-chain", "this record starts a chain; it follows no previous record"))
    elif record["previous"] != record_hash(previous):
        verdict.problems.append(Problem(
            "broken-chain", f"this record follows record {record['previous'][:16]}…, not the given previous "
                            f"record {record_hash(previous)[:16]}…"))
    if not verify_signature(previous_point, _signed_part(previous),
                            b64url_decode(previous["signature"], "the signature")):
        verdict.problems.append(Problem("broken-chain", "the previous record's own signature does not match it"))
