"""Check a text's provenance from the command line, with the page's own core code.

    python -m app.core.verify verify TEXT [RECORD] [--previous PREV] [--key FINGERPRINT]
                                             [--trust ROOT_CERTIFICATE]

RECORD is a MuseSpark provenance record (JSON) or a C2PA sidecar (``.c2pa``); without
it, TEXT must carry embedded Content Credentials. ``--previous`` and ``--key`` apply to
provenance records, ``--trust`` (a PEM or DER root certificate, repeatable) to
Content Credentials. Prints the verdict; exits 0 when valid, 1 when not, 2 when an
input cannot be read.

The page's Verify panel runs the same ``check`` on the files a person chooses or
drops (``classify`` sorts dropped files by their content).

Public: ``main``, ``check``, ``Outcome``, ``UnreadableInput``, ``classify``,
``read_certificate``, ``decode_text``.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import c2pa
from .provenance import ProvenanceError, load_record, verify_record
from .signing import SigningError, normalize_fingerprint

VALID, NOT_VALID, UNREADABLE = 0, 1, 2


class UnreadableInput(Exception):
    """An input file that is missing or not in a form this command reads."""


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise UnreadableInput(f"cannot read the {what} {path}: {err.strerror}") from None


def decode_text(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text, or ``UnreadableInput`` naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UnreadableInput(f"the text {name} is not UTF-8 (byte {err.start})") from None


_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def read_certificate(data: bytes, name: str) -> bytes:
    """A certificate's DER from PEM or DER bytes."""
    match = _PEM.search(data)
    if not match:
        return data
    try:
        return base64.b64decode(b"".join(match.group(1).split()), validate=True)
    except binascii.Error:
        raise UnreadableInput(f"the certificate {name} is not valid PEM") from None


def _record(data: bytes, what: str) -> dict:
    try:
        return load_record(data)
    except ProvenanceError as err:
        raise UnreadableInput(f"the {what}: {err}") from None


def _is_sidecar(data: bytes) -> bool:
    return data[4:8] == b"jumb"


def classify(data: bytes) -> str:
    """What a file holds, judged by its content: ``sidecar`` (a C2PA manifest store),
    ``record`` (a JSON object with a ``schema``), ``certificate`` (PEM) or ``text``."""
    if _is_sidecar(data):
        return "sidecar"
    if _PEM.search(data[:100_000]):
        return "certificate"
    if data.lstrip()[:1] == b"{":
        try:
            if "schema" in load_record(data):
                return "record"
        except ProvenanceError:
            pass
    return "text"


@dataclass
class Outcome:
    """A verdict for either kind of proof: ``problems`` as (code, explanation) pairs
    (for Content Credentials an untrusted signer is listed but still valid)."""

    valid: bool
    kind: str
    report: str
    problems: list[tuple[str, str]] = field(default_factory=list)


def check(text_bytes: bytes, record_bytes: bytes | None = None, previous_bytes: bytes | None = None,
          key: str | None = None, trust_anchors: list[bytes] = (), text_name: str = "text",
          record_name: str = "record", previous_name: str = "previous record") -> Outcome:
    """Check a text against its provenance record or C2PA sidecar (``record_bytes``), or
    against the Content Credentials it carries (no record). ``previous_bytes`` and
    ``key`` (a fingerprint) apply to records, ``trust_anchors`` (DER) to Content
    Credentials. The names say which file is meant in messages. Raises
    ``UnreadableInput`` for an input in the wrong form."""
    text = decode_text(text_bytes, text_name)
    if record_bytes is None or _is_sidecar(record_bytes):
        if record_bytes is None:
            verdict, kind = c2pa.verify_embedded(text, list(trust_anchors)), "embedded Content Credentials"
        else:
            verdict, kind = c2pa.verify_sidecar(text_bytes, record_bytes, list(trust_anchors)), "Content Credentials"
        return Outcome(verdict.valid, kind, verdict.report(), list(verdict.failures))
    previous = _record(previous_bytes, previous_name) if previous_bytes is not None else None
    try:
        verdict = verify_record(text, _record(record_bytes, record_name), previous, key or None)
    except SigningError as err:
        raise UnreadableInput(f"the key fingerprint: {err}") from None
    return Outcome(verdict.valid, "provenance record", verdict.report(),
                   [(problem.code, problem.message) for problem in verdict.problems])


def verify(args: argparse.Namespace) -> tuple[bool, str]:
    """(valid, report) for the parsed command line."""
    if args.key is not None:
        try:
            normalize_fingerprint(args.key)
        except SigningError as err:
            raise UnreadableInput(f"--key: {err}") from None
    outcome = check(
        _read(args.text, "text"),
        _read(args.record, "record") if args.record else None,
        _read(args.previous, "previous record") if args.previous else None,
        args.key,
        [read_certificate(_read(path, "root certificate"), path) for path in args.trust],
        text_name=args.text, record_name=f"record {args.record}", previous_name=f"previous record {args.previous}",
    )
    return outcome.valid, outcome.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.core.verify", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check a text against its provenance record or Content Credentials")
    check.add_argument("text", metavar="TEXT", help="the text file, exactly as exported")
    check.add_argument("record", metavar="RECORD", nargs="?",
                       help="its provenance record (.json) or C2PA sidecar (.c2pa); omit for embedded credentials")
    check.add_argument("--previous", metavar="PREV", help="the previous version's provenance record")
    check.add_argument("--key", metavar="FINGERPRINT", help="the creator's published key fingerprint")
    check.add_argument("--trust", metavar="ROOT", action="append", default=[],
                       help="a root certificate (PEM or DER) to trust for Content Credentials")
    args = parser.parse_args(argv)
    try:
        valid, report = verify(args)
    except UnreadableInput as err:
        print(f"error: {err}", file=sys.stderr)
        return UNREADABLE
    print(report)
    return VALID if valid else NOT_VALID


if __name__ == "__main__":
    sys.exit(main())
