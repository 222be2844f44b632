"""Provenance records: signing round trip, the chain, and every way verification fails."""
import asyncio
import copy
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from app.core.authorship import IPTC, Authorship
from app.core.native_signer import NativeSigner
from app.core.provenance import (
    Action, ModelIdentity, ProvenanceError, canonical_bytes, create_record, edit_action, iso_utc, load_record,
    record_hash, verify_record,
)
from app.core.signing import (
    SigningError, b64url, b64url_decode, fingerprint, normalize_fingerprint, public_key_from_jwk, public_key_to_jwk,
    spki_der, verify_signature,
)

MODEL = ModelIdentity("SmolLM2-135M-Instruct", "smollm2-135m-instruct", "ab" * 32)
WHEN = "2026-05-01T09:30:00Z"
TEXT = "A title\nThe model wrote this line.\nAnd I wrote this one."


class AsyncSigner:
    """Signs like the page's WebCrypto signer: the signature arrives by ``await``."""

    def __init__(self, signer):
        self.inner = signer
        self.public_key = signer.public_key

    async def sign(self, data):
        await asyncio.sleep(0)
        return self.inner.sign(data)


@pytest.fixture(scope="module")
def signer():
    return NativeSigner.generate()


def authored():
    return Authorship(TEXT, ((8, "human"), (27, "ai"), (21, "human")))


def make(signer, authorship=None, previous=None, created=WHEN):
    actions = [edit_action("human", WHEN, first=True), edit_action("ai", WHEN, model=MODEL)]
    return asyncio.run(create_record(authorship or authored(), actions, signer, created, previous))


def codes(verdict):
    return [problem.code for problem in verdict.problems]


def test_a_signed_record_verifies_and_describes_the_text(signer):
    record = make(AsyncSigner(signer))
    verdict = verify_record(TEXT, json.loads(json.dumps(record)), expected_fingerprint=fingerprint(signer.public_key))
    assert verdict.valid, verdict.report()
    assert record["content"]["sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert verdict.fingerprint == fingerprint(signer.public_key) and verdict.created == WHEN
    assert verdict.summary.characters["ai"] == 22
    assert verdict.disclosure.startswith("Written with generative AI:") and "(SmolLM2-135M-Instruct)" in verdict.disclosure
    assert verdict.report().startswith("VALID")
    assert record["actions"][1] == {
        "action": "c2pa.edited", "when": WHEN, "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
        "softwareAgent": {"name": "MuseSpark", "version": "0.1.0"}, "model": MODEL.to_dict()}


def test_a_model_on_the_creators_own_server_is_named_without_a_made_up_weights_hash(signer):
    served = ModelIdentity("qwen2.5-7b on http://127.0.0.1:8080", "qwen2.5-7b", "")
    actions = [edit_action("human", WHEN, first=True), edit_action("ai", WHEN, model=served)]
    record = asyncio.run(create_record(authored(), actions, signer, WHEN, None))
    assert record["actions"][1]["model"] == {"name": "qwen2.5-7b on http://127.0.0.1:8080", "id": "qwen2.5-7b",
                                             "weightsSha256": None}
    verdict = verify_record(TEXT, json.loads(json.dumps(record)))
    assert verdict.valid, verdict.report()
    assert "(qwen2.5-7b on http://127.0.0.1:8080)" in verdict.disclosure


def test_the_signature_covers_the_canonical_form_without_the_signature(signer):
    record = make(signer)
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    raw = b64url_decode(record["signature"], "signature")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), signer.public_key)
    public.verify(der, canonical_bytes(unsigned), ec.ECDSA(hashes.SHA256()))  # raises if not


def test_canonical_form_is_sorted_compact_utf8_and_refuses_floats():
    assert canonical_bytes({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'.encode()
    with pytest.raises(ProvenanceError, match="no floating-point numbers"):
        canonical_bytes({"a": [0.5]})


def test_a_chain_of_versions_verifies(signer):
    first = make(signer)
    edited = authored().replace(len(TEXT), len(TEXT), "\nMore.", "human")
    second = make(signer, edited, previous=first)
    assert first["previous"] is None and second["previous"] == record_hash(first)
    assert verify_record(edited.text, second, previous=first).valid


def test_a_chain_with_the_wrong_previous_record_is_broken(signer):
    first, other = make(signer), make(signer, created="2026-05-02T10:00:00Z")
    second = make(signer, previous=first)
    verdict = verify_record(TEXT, second, previous=other)
    assert codes(verdict) == ["broken-chain"] and "not the given previous record" in verdict.problems[0].message
    assert "starts a chain" in verify_record(TEXT, first, previous=other).problems[0].message
    tampered = copy.deepcopy(first)
    tampered["created"] = "2020-01-01T00:00:00Z"
    messages = [p.message for p in verify_record(TEXT, second, previous=tampered).problems]
    assert any("previous record's own signature" in m for m in messages)
    assert verify_record(TEXT, second, previous={"schema": 1}).problems[0].message.startswith(
        "the previous record cannot be read")


def test_a_changed_character_is_located_by_line(signer):
    record = make(signer)
    changed = TEXT.replace("wrote this line", "wrote this lime")
    verdict = verify_record(changed, record)
    assert codes(verdict) == ["text-changed"]
    assert 'line 2 (from character 8) differs: "The model wrote this lime."' in verdict.problems[0].message
    assert "the signed text had 56 characters, this one has 56" in verdict.problems[0].message
    assert verdict.summary is None


def test_added_and_removed_lines_are_reported(signer):
    record = make(signer)
    assert "line 4 (from character 57) was added" in verify_record(TEXT + "\nextra", record).problems[0].message
    shorter = TEXT.rsplit("\n", 1)[0]
    assert "ends after line 2; the signed text had 3 lines" in verify_record(shorter, record).problems[0].message


@pytest.mark.parametrize("edit", [
    lambda r: r["authorship"]["runs"][1].update(origin="pasted"),
    lambda r: r.update(created="2027-01-01T00:00:00Z"),
    lambda r: r["actions"].pop(),
    lambda r: r["content"].update(sha256="0" * 64),
])
def test_an_edited_record_fails_its_signature(signer, edit):
    record = make(signer)
    edit(record)
    assert "record-edited" in codes(verify_record(TEXT, record))


def test_a_record_re_signed_by_someone_else_names_the_wrong_key(signer):
    other = NativeSigner.generate()
    forged = make(other)
    assert verify_record(TEXT, forged).valid
    verdict = verify_record(TEXT, forged, expected_fingerprint=fingerprint(signer.public_key).replace(" ", ":"))
    assert codes(verdict) == ["wrong-key"]
    assert fingerprint(other.public_key) in verdict.problems[0].message


def test_a_swapped_public_key_breaks_the_signature(signer):
    record = make(signer)
    record["signer"]["jwk"] = public_key_to_jwk(NativeSigner.generate().public_key)
    assert codes(verify_record(TEXT, record)) == ["record-edited"]


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.pop("signature"), "lacks signature"),
    (lambda r: r.update(extra=1), "unknown members: extra"),
    (lambda r: r.update(schema="other/9"), "schema is 'other/9'"),
    (lambda r: r.update(created="yesterday"), "ISO 8601 UTC time"),
    (lambda r: r.update(created="2026-02-30T00:00:00Z"), "not a real date"),
    (lambda r: r["content"].update(sha256="XYZ"), "content.sha256 must be 64"),
    (lambda r: r["content"].update(lineHashes=[]), "content.lineHashes must list"),
    (lambda r: r["authorship"]["runs"][0].update(length=1), "authorship: run 2 starts at 8, expected 1"),
    (lambda r: r["content"].update(characters=3), "authorship's length differs"),
    (lambda r: r["actions"][0].update(action="c2pa.deleted"), "one of c2pa.created, c2pa.edited"),
    (lambda r: r["actions"][1]["model"].update(weightsSha256="x"), "weightsSha256 must be 64"),
    (lambda r: r["actions"][0].update(digitalSourceType="made-up"), "must be an IPTC term"),
    (lambda r: r.update(previous="abc"), "previous must be null or a record hash"),
    (lambda r: r["signer"].update(alg="RS256"), '"alg": "ES256"'),
    (lambda r: r["signer"]["jwk"].update(d="secret"), "holds a private key"),
    (lambda r: r["signer"]["jwk"].update(x="AAAA"), "32 bytes each"),
    (lambda r: r.update(signature="!!"), "signature must be a base64url string"),
    (lambda r: r.update(signature="AAAA"), "must be 64 bytes"),
    (lambda r: r["content"].update(characters=56.0), "content.characters must be a whole number"),
])
def test_a_malformed_record_is_reported_with_what_is_wrong(signer, edit, message):
    record = make(signer)
    edit(record)
    verdict = verify_record(TEXT, record)
    assert codes(verdict) == ["malformed"] and message in verdict.problems[0].message


def test_records_that_are_not_objects_or_not_json_are_refused():
    assert codes(verify_record("x", [])) == ["malformed"]
    with pytest.raises(ProvenanceError, match="not JSON"):
        load_record("{nope")
    with pytest.raises(ProvenanceError, match="must be a JSON object"):
        load_record("[1]")


def test_a_signer_must_return_64_raw_bytes():
    class DerSigner:
        public_key = NativeSigner.generate().public_key

        def sign(self, data):
            return b"0" * 70
    with pytest.raises(SigningError, match="returned 70 bytes"):
        asyncio.run(create_record(authored(), [], DerSigner(), WHEN))


def test_fingerprints_are_the_sha256_of_the_spki_in_hex_groups(signer):
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), signer.public_key)
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert spki_der(signer.public_key) == spki
    assert fingerprint(signer.public_key).replace(" ", "") == hashlib.sha256(spki).hexdigest().upper()
    assert len(fingerprint(signer.public_key).split(" ")) == 16
    assert normalize_fingerprint(fingerprint(signer.public_key).lower().replace(" ", ":")) == fingerprint(
        signer.public_key)
    with pytest.raises(SigningError, match="64 hex digits"):
        normalize_fingerprint("ABCD")


def test_public_keys_round_trip_through_jwk_and_bad_points_are_refused(signer):
    assert public_key_from_jwk(public_key_to_jwk(signer.public_key)) == signer.public_key
    with pytest.raises(SigningError, match="not a point on the P-256 curve"):
        spki_der(b"\x04" + b"\x01" * 64)
    with pytest.raises(SigningError, match="65-byte uncompressed"):
        spki_der(signer.public_key[:33])
    assert not verify_signature(signer.public_key, b"data", signer.sign(b"other"))
    assert verify_signature(signer.public_key, b"data", signer.sign(b"data"))


def test_actions_name_iptc_source_types_and_require_the_model_for_ai():
    assert edit_action("human", WHEN, first=True).digital_source_type == IPTC + "digitalCreation"
    assert edit_action("human", WHEN).digital_source_type == IPTC + "humanEdits"
    pasted = edit_action("pasted", WHEN)
    assert pasted.digital_source_type is None and Action.from_dict(pasted.to_dict()) == pasted
    with pytest.raises(ProvenanceError, match="must name the model"):
        edit_action("ai", WHEN)
    assert Action.from_dict(edit_action("ai", WHEN, model=MODEL).to_dict()).model == MODEL


def test_times_are_utc_iso_8601():
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
    with pytest.raises(ProvenanceError, match="the record's time must be an ISO 8601"):
        asyncio.run(create_record(authored(), [], NativeSigner.generate(), "2026-05-01 09:30"))


def test_a_signed_record_whose_authorship_does_not_fit_its_text_is_malformed(signer):
    record = make(signer)
    record["content"]["characters"] += 1
    record["authorship"]["length"] += 1
    record["authorship"]["runs"][-1]["length"] += 1
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    record["signature"] = b64url(signer.sign(canonical_bytes(unsigned)))
    verdict = verify_record(TEXT, record)
    assert codes(verdict) == ["malformed"] and "does not fit the text" in verdict.problems[0].message
