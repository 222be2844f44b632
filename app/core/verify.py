"""Check a text's provenance from the command line, with the page's own core code.

    python -m app.core.verify verify TEXT [RECORD] [--previous PREV] [--key FINGERPRINT]
                                             [--trust ROOT_CERTIFICATE]

RECORD is a MuseSpark provenance record (JSON) or a C2PA sidecar (``.c2pa``); without
it, TEXT must carry embedded Content Credentials. ``--previous`` and ``--key`` apply to
provenance records, ``--trust`` (a PEM or DER root certificate, repeatable) to
Content Credentials. Prints the verdict; exits 0 when valid, 1 when not, 2 when an
input cannot be read.

Public: ``main``.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import re
import sys
from pathlib import Path

from . import c2pa
from .provenance import ProvenanceError, load_record, verify_record
from .signing import SigningError

VALID, NOT_VALID, UNREADABLE = 0, 1, 2


class UnreadableInput(Exception):
    """An input file that is missing or not in a form this command reads."""


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise UnreadableInput(f"cannot read the {what} {path}: {err.strerror}") from None


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UnreadableInput(f"the text {path} is not UTF-8 (byte {err.start})") from None


def _certificate(path: str) -> bytes:
    data = _read(path, "root certificate")
    match = re.search(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", data, re.S)
    if not match:
        return data
    try:
        return base64.b64decode(b"".join(match.group(1).split()), validate=True)
    except binascii.Error:
        raise UnreadableInput(f"the certificate {path} is not valid PEM") from None


def _record(path: str, what: str) -> dict:
    try:
        return load_record(_read(path, what))
    except ProvenanceError as err:
        raise UnreadableInput(f"the {what} {path}: {err}") from None


def verify(args: argparse.Namespace) -> tuple[bool, str]:
    """(valid, report) for the parsed command line."""
    text_bytes = _read(args.text, "text")
    text = _text(text_bytes, args.text)
    anchors = [_certificate(path) for path in args.trust]
    if args.record is None:
        verdict = c2pa.verify_embedded(text, anchors)
        return verdict.valid, verdict.report()
    record_bytes = _read(args.record, "record")
    if record_bytes[4:8] == b"jumb":
        verdict = c2pa.verify_sidecar(text_bytes, record_bytes, anchors)
        return verdict.valid, verdict.report()
    previous = _record(args.previous, "previous record") if args.previous else None
    try:
        verdict = verify_record(text, _record(args.record, "record"), previous, args.key)
    except SigningError as err:
        raise UnreadableInput(f"--key: {err}") from None
    return verdict.valid, verdict.report()


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
