"""Content Credentials for text, judged by the official CAI library (c2pa-python), by
c2pa-text, by OpenSSL-compatible certificate checks (cryptography) and by the studio's
own verifier."""
import asyncio
import io
from datetime import datetime, timedelta, timezone

import c2pa as cai
import c2pa_text
import pytest
from cryptography import x509 as cx509
from hypothesis import HealthCheck, given, settings, strategies as st

from app.core import c2pa
from app.core.authorship import Authorship
from app.core.certificates import (
    CertificateError, certificate_subject, check_issued_by, creator_certificates, pem, root_certificate,
    signing_certificate,
)
from app.core.native_signer import NativeSigner
from app.core.provenance import Action, ModelIdentity, edit_action

NOW = datetime.now(timezone.utc)
MODEL = ModelIdentity("SmolLM2-135M-Instruct", "smollm2-135m-instruct", "cd" * 32)
TEXT = "Rooftop bees.\nThe model wrote this line — café, naïve, 😀.\nI added this."


@pytest.fixture(scope="module")
def creator():
    root, signing = NativeSigner.generate(), NativeSigner.generate()
    root_der = asyncio.run(root_certificate(root, "Ada Writer", NOW))
    signing_der = asyncio.run(signing_certificate(root, root_der, signing.public_key, "Ada Writer", NOW))
    return root_der, c2pa.Credentials(signing, signing_der)


def actions():
    authorship = Authorship(TEXT, ((14, "human"), (43, "ai"), (14, "human")))
    return [c2pa.export_action(authorship, "2026-05-01T09:30:00Z", MODEL)]


@pytest.fixture(scope="module")
def sidecar(creator):
    return asyncio.run(c2pa.sidecar_manifest(TEXT.encode(), actions(), creator[1], title="bees.txt"))


@pytest.fixture(scope="module")
def embedded(creator):
    return asyncio.run(c2pa.embed_manifest(TEXT, actions(), creator[1]))


def cai_failures(reader):
    return [f["code"] for f in reader.get_validation_results()["activeManifest"].get("failure", [])]


def test_c2pa_python_finds_the_sidecar_valid_with_only_an_untrusted_signer(sidecar):
    reader = cai.Reader("text/plain", io.BytesIO(TEXT.encode()), sidecar)
    assert reader.get_validation_state() == "Valid"
    assert cai_failures(reader) == ["signingCredential.untrusted"]
    success = {s["code"] for s in reader.get_validation_results()["activeManifest"]["success"]}
    assert {"claimSignature.validated", "assertion.hashedURI.match", "assertion.dataHash.match"} <= success
    action = reader.get_active_manifest()["assertions"][0]["data"]["actions"][0]
    assert action["action"] == "c2pa.created"
    assert action["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    assert action["parameters"][c2pa.MODEL_PARAMETER]["weightsSha256"] == "cd" * 32


def test_text_from_the_creators_own_server_names_its_model_without_a_weights_hash(creator):
    served = ModelIdentity("qwen2.5-7b on http://127.0.0.1:8080", "qwen2.5-7b", "")
    authorship = Authorship(TEXT, ((14, "human"), (43, "ai"), (14, "human")))
    manifest = asyncio.run(c2pa.sidecar_manifest(
        TEXT.encode(), [c2pa.export_action(authorship, "2026-05-01T09:30:00Z", served)], creator[1], title="bees.txt"))
    reader = cai.Reader("text/plain", io.BytesIO(TEXT.encode()), manifest)
    assert reader.get_validation_state() == "Valid" and cai_failures(reader) == ["signingCredential.untrusted"]
    assert '"weightsSha256":null' in reader.json().replace(" ", "") and "qwen2.5-7b on http" in reader.json()


def test_c2pa_python_trusts_the_sidecar_with_the_creator_root_as_anchor(creator, sidecar):
    settings = cai.Settings.from_dict({"verify": {"verify_trust": True}, "trust": {"trust_anchors": pem(creator[0])}})
    reader = cai.Reader("text/plain", io.BytesIO(TEXT.encode()), sidecar, context=cai.Context(settings))
    assert reader.get_validation_state() == "Trusted" and cai_failures(reader) == []


def test_c2pa_python_reports_a_changed_character(sidecar):
    changed = TEXT.replace("bees", "beer").encode()
    reader = cai.Reader("text/plain", io.BytesIO(changed), sidecar)
    assert "assertion.dataHash.mismatch" in cai_failures(reader)


def test_c2pa_text_accepts_the_embedded_form_and_round_trips_it(embedded, sidecar):
    assert c2pa_text.validate_text(embedded).valid
    manifest, clean = c2pa_text.extract_manifest(embedded)
    assert clean == TEXT
    assert c2pa_text.validate_manifest(manifest, strict=True).valid
    _, start, length = c2pa_text.find_wrapper_info(embedded)
    assert (start, length) == c2pa.find_wrapper(embedded)[1:]
    assert embedded.startswith(TEXT) and embedded[len(TEXT)] == "\ufeff"


def test_the_embedded_manifest_is_signed_like_the_sidecar(embedded):
    """c2pa-python has no text reader; given the extracted store as a detached manifest it
    checks the signature and hashed URIs (the binding excludes a wrapper it cannot see)."""
    manifest, _ = c2pa_text.extract_manifest(embedded)
    reader = cai.Reader("text/plain", io.BytesIO(TEXT.encode()), manifest)
    success = {s["code"] for s in reader.get_validation_results()["activeManifest"]["success"]}
    assert {"claimSignature.validated", "assertion.hashedURI.match"} <= success


def test_the_studio_verifies_both_forms(creator, sidecar, embedded):
    root = creator[0]
    assert c2pa.verify_sidecar(TEXT.encode(), sidecar).valid
    trusted = c2pa.verify_sidecar(TEXT.encode(), sidecar, [root])
    assert trusted.trusted and trusted.failures == [] and "Ada Writer" in trusted.signer
    untrusted = c2pa.verify_embedded(embedded)
    assert untrusted.valid and not untrusted.trusted and untrusted.failures[0][0] == c2pa.UNTRUSTED
    assert c2pa.verify_embedded(embedded, [root]).report().startswith("VALID and TRUSTED")
    assert untrusted.actions[0]["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")


def failure_codes(verdict):
    return [code for code, _ in verdict.failures if code != c2pa.UNTRUSTED]


def test_the_studio_finds_a_changed_character_in_either_form(sidecar, embedded):
    assert failure_codes(c2pa.verify_sidecar(TEXT.replace("café", "cafe").encode(), sidecar)) == [
        "assertion.dataHash.mismatch"]
    assert failure_codes(c2pa.verify_embedded(embedded.replace("café", "cafe"))) == ["assertion.dataHash.mismatch"]
    assert failure_codes(c2pa.verify_embedded(embedded + "!")) == ["assertion.dataHash.mismatch"]


def flip_in(store, needle, replacement):
    assert store.count(needle) == 1
    return store.replace(needle, replacement)


def test_the_studio_finds_an_edited_assertion_and_an_edited_claim(sidecar):
    edited_assertion = flip_in(sidecar, b"by characters", b"by character!")
    assert "assertion.hashedURI.mismatch" in failure_codes(c2pa.verify_sidecar(TEXT.encode(), edited_assertion))
    reader = cai.Reader("text/plain", io.BytesIO(TEXT.encode()), edited_assertion)
    assert "assertion.hashedURI.mismatch" in cai_failures(reader)
    edited_claim = flip_in(sidecar, b"bees.txt", b"beez.txt")
    assert failure_codes(c2pa.verify_sidecar(TEXT.encode(), edited_claim)) == ["claimSignature.mismatch"]


def test_the_studio_reports_broken_and_missing_wrappers(embedded):
    assert failure_codes(c2pa.verify_embedded(TEXT)) == ["claim.missing"]
    assert failure_codes(c2pa.verify_embedded(embedded + embedded)) == ["manifest.text.multipleWrappers"]
    cut = embedded[:len(TEXT) + 400]
    assert failure_codes(c2pa.verify_embedded(cut)) == ["manifest.text.corruptedWrapper"]
    assert failure_codes(c2pa.verify_sidecar(TEXT.encode(), b"not jumbf")) == ["claim.malformed"]


def test_embedding_refuses_a_text_that_already_carries_a_wrapper(creator, embedded):
    with pytest.raises(c2pa.C2paError, match="already carries"):
        asyncio.run(c2pa.embed_manifest(embedded, actions(), creator[1]))


def test_the_first_action_must_create_with_a_source_type(creator):
    edited = edit_action("human", "2026-05-01T09:30:00Z")
    with pytest.raises(c2pa.C2paError, match="first action must be c2pa.created"):
        asyncio.run(c2pa.sidecar_manifest(b"x", [edited], creator[1]))
    with pytest.raises(c2pa.C2paError, match="empty text"):
        c2pa.export_action(Authorship.written(" ", "human"), "2026-05-01T09:30:00Z")
    human = c2pa.export_action(Authorship.written("mine", "human"), "2026-05-01T09:30:00Z", MODEL)
    assert human.digital_source_type.endswith("/digitalCreation") and human.model is None
    assert isinstance(human, Action)


def test_certificates_follow_the_profile_validators_accept(creator):
    root_der, credentials = creator
    root, leaf = cx509.load_der_x509_certificate(root_der), cx509.load_der_x509_certificate(credentials.certificate)
    leaf.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)
    constraints = root.extensions.get_extension_for_class(cx509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = root.extensions.get_extension_for_class(cx509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not leaf.extensions.get_extension_for_class(cx509.BasicConstraints).value.ca
    leaf_usage = leaf.extensions.get_extension_for_class(cx509.KeyUsage)
    assert leaf_usage.critical and leaf_usage.value.digital_signature and not leaf_usage.value.key_cert_sign
    assert list(leaf.extensions.get_extension_for_class(cx509.ExtendedKeyUsage).value) == [
        cx509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert (leaf.extensions.get_extension_for_class(cx509.AuthorityKeyIdentifier).value.key_identifier
            == root.extensions.get_extension_for_class(cx509.SubjectKeyIdentifier).value.digest)


def test_certificate_checks_reject_the_wrong_issuer_and_expired_dates(creator):
    root_der, credentials = creator
    stranger = NativeSigner.generate()
    other_root = asyncio.run(root_certificate(stranger, "Ada Writer", NOW))
    with pytest.raises(CertificateError, match="does not match its issuer's key"):
        check_issued_by(credentials.certificate, other_root, NOW)
    with pytest.raises(CertificateError, match="not valid at"):
        check_issued_by(credentials.certificate, root_der, NOW + timedelta(days=365 * 6))
    with pytest.raises(CertificateError, match="not the root signer's"):
        asyncio.run(signing_certificate(stranger, root_der, credentials.signer.public_key, "Ada", NOW))


def test_a_creators_certificates_stay_the_same_while_they_fit():
    root, signing = NativeSigner.generate(), NativeSigner.generate()
    first = asyncio.run(creator_certificates(root, signing.public_key, "Ada Writer", NOW))
    assert first.new_root and first.new_signing and certificate_subject(first.root) == "Ada Writer (root)"
    check_issued_by(first.signing, first.root, NOW)
    again = asyncio.run(creator_certificates(root, signing.public_key, None, NOW, first.root, first.signing))
    assert (again.root, again.signing, again.new_root, again.new_signing) == (first.root, first.signing, False, False)
    # A new signing key keeps the root; a new name, a new root key or an expired root do not.
    new_key = NativeSigner.generate().public_key
    renewed = asyncio.run(creator_certificates(root, new_key, "Ada Writer", NOW, first.root, first.signing))
    assert renewed.root == first.root and not renewed.new_root and renewed.new_signing
    check_issued_by(renewed.signing, first.root, NOW)
    renamed = asyncio.run(creator_certificates(root, signing.public_key, "Ada Lovelace", NOW, first.root, first.signing))
    assert renamed.new_root and certificate_subject(renamed.signing) == "Ada Lovelace"
    other_root = asyncio.run(creator_certificates(NativeSigner.generate(), signing.public_key, None, NOW, first.root,
                                                  first.signing))
    assert other_root.new_root and certificate_subject(other_root.root) == "MuseSpark creator (root)"
    later = NOW + timedelta(days=365 * 21)
    assert asyncio.run(creator_certificates(root, signing.public_key, None, later, first.root, first.signing)).new_root


def test_an_untrusted_anchor_does_not_make_the_manifest_trusted(creator, sidecar):
    other_root = asyncio.run(root_certificate(NativeSigner.generate(), "Someone Else", NOW))
    verdict = c2pa.verify_sidecar(TEXT.encode(), sidecar, [other_root])
    assert verdict.valid and not verdict.trusted


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_damaged_store_gives_a_verdict_never_an_exception(sidecar, data):
    position = data.draw(st.integers(0, len(sidecar) - 1))
    damaged = bytearray(sidecar)
    damaged[position] ^= data.draw(st.integers(1, 255))
    verdict = c2pa.verify_sidecar(TEXT.encode(), bytes(damaged[:data.draw(st.integers(position, len(sidecar)))]))
    assert isinstance(verdict.valid, bool)
