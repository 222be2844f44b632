"""The command-line verifier, run as a separate CPython process: verdicts and exit codes; and
the same check as the page calls it."""
import asyncio
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.core import c2pa, verify
from app.core.authorship import Authorship
from app.core.certificates import pem, root_certificate, signing_certificate
from app.core.native_signer import NativeSigner
from app.core.provenance import create_record, edit_action
from app.core.signing import fingerprint

ROOT = Path(__file__).resolve().parents[3]
TEXT = "First line.\nSecond line, by the model.\n"
WHEN = "2026-05-01T09:30:00Z"


def run(*args):
    done = subprocess.run([sys.executable, "-m", "app.core.verify", "verify", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify")
    signer = NativeSigner.generate()
    authorship = Authorship(TEXT, ((12, "human"), (len(TEXT) - 12, "ai")))
    first = asyncio.run(create_record(authorship, [edit_action("human", WHEN, first=True)], signer, WHEN))
    second = asyncio.run(create_record(authorship, [edit_action("human", WHEN)], signer, WHEN, previous=first))
    now = datetime.now(timezone.utc)
    root = NativeSigner.generate()
    root_der = asyncio.run(root_certificate(root, "Ada Writer", now))
    credentials = c2pa.Credentials(signer, asyncio.run(signing_certificate(root, root_der, signer.public_key,
                                                                          "Ada Writer", now)))
    action = [c2pa.export_action(authorship, WHEN)]
    paths = {
        "text": TEXT, "changed": TEXT.replace("Second", "Secund"), "first.json": json.dumps(first),
        "second.json": json.dumps(second), "root.pem": pem(root_der),
        "embedded.txt": asyncio.run(c2pa.embed_manifest(TEXT, action, credentials)),
    }
    for name, content in paths.items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "text.c2pa").write_bytes(asyncio.run(c2pa.sidecar_manifest(TEXT.encode(), action, credentials)))
    edited = dict(first, created="2027-01-01T00:00:00Z")
    (folder / "edited.json").write_text(json.dumps(edited))
    (folder / "latin1.txt").write_bytes("café".encode("latin-1"))
    return folder, fingerprint(signer.public_key)


def test_a_valid_record_exits_0_and_names_the_key(files):
    folder, key = files
    code, out = run(folder / "text", folder / "first.json", "--key", key)
    assert code == 0 and out.startswith("VALID") and key in out and "Written with generative AI" in out
    code, out = run(folder / "text", folder / "second.json", "--previous", folder / "first.json")
    assert code == 0, out


@pytest.mark.parametrize("args, problem", [
    (("changed", "first.json"), '[text-changed] the text is not the one signed: line 2 (from character 12) differs'),
    (("text", "edited.json"), "[record-edited]"),
    (("text", "first.json", "--key", "AB" * 32), "[wrong-key]"),
    (("text", "second.json", "--previous", "edited.json"), "[broken-chain]"),
])
def test_each_failure_exits_1_with_its_reason(files, args, problem):
    folder, _ = files
    code, out = run(*(folder / a if not a.startswith("--") and not a.startswith("ABAB") else a for a in args))
    assert code == 1 and out.startswith("NOT VALID") and problem in out


def test_content_credentials_are_checked_in_both_forms(files):
    folder, _ = files
    code, out = run(folder / "text", folder / "text.c2pa")
    assert code == 0 and "signingCredential.untrusted" in out
    code, out = run(folder / "embedded.txt", "--trust", folder / "root.pem")
    assert code == 0 and out.startswith("VALID and TRUSTED")
    code, out = run(folder / "changed", folder / "text.c2pa")
    assert code == 1 and "assertion.dataHash.mismatch" in out
    code, out = run(folder / "text")
    assert code == 1 and "claim.missing" in out


@pytest.mark.parametrize("args, message", [
    (("missing.txt", "first.json"), "cannot read the text"),
    (("latin1.txt", "first.json"), "is not UTF-8 (byte 3)"),
    (("text", "root.pem"), "the record"),
    (("text", "first.json", "--key", "12"), "--key: a fingerprint is 64 hex digits"),
])
def test_unreadable_input_exits_2(files, args, message):
    folder, _ = files
    code, out = run(*(folder / a if not a.startswith("--") and a != "12" else a for a in args))
    assert code == 2 and message in out


def test_the_pages_check_reads_the_same_files_and_sorts_dropped_ones(files):
    folder, key = files
    read = lambda name: (folder / name).read_bytes()  # noqa: E731
    outcome = verify.check(read("text"), read("second.json"), read("first.json"), key)
    assert outcome.valid and outcome.kind == "provenance record" and outcome.problems == []
    changed = verify.check(read("changed"), read("first.json"))
    assert [code for code, _ in changed.problems] == ["text-changed"] and "line 2" in changed.problems[0][1]
    sidecar = verify.check(read("text"), read("text.c2pa"), trust_anchors=[verify.read_certificate(read("root.pem"),
                                                                                                 "root.pem")])
    assert sidecar.valid and sidecar.kind == "Content Credentials" and sidecar.report.startswith("VALID and TRUSTED")
    embedded = verify.check(read("embedded.txt"))
    assert embedded.valid and [code for code, _ in embedded.problems] == ["signingCredential.untrusted"]
    with pytest.raises(verify.UnreadableInput, match="the key fingerprint: a fingerprint is 64 hex digits"):
        verify.check(read("text"), read("first.json"), key="12")
    with pytest.raises(verify.UnreadableInput, match="the record: the record is not JSON"):
        verify.check(read("text"), read("root.pem"))
    kinds = {name: verify.classify(read(name)) for name in ("text", "first.json", "text.c2pa", "root.pem",
                                                            "embedded.txt", "latin1.txt")}
    assert kinds == {"text": "text", "first.json": "record", "text.c2pa": "sidecar", "root.pem": "certificate",
                     "embedded.txt": "text", "latin1.txt": "text"}
    assert verify.classify(b'{"not": "a record"}') == "text"
