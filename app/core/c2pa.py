"""Content Credentials (C2PA 2.x) for exported text, built and checked in pure Python.

A manifest store is JUMBF: the ``c2pa`` superbox holds one manifest
(``urn:c2pa:<uuid>``) with an assertion store (``c2pa.actions.v2`` with the IPTC
digital source types, and the ``c2pa.hash.data`` hard binding), a v2 claim (CBOR)
listing the assertions by hashed URI (SHA-256 of each assertion superbox after its
8-byte header), and the claim signature: a COSE_Sign1 (ES256, raw r‖s, detached
payload = the claim) whose protected header carries the x5chain (the signing
certificate; the creator's root is the trust anchor, kept apart).

Two forms:
- ``sidecar_manifest``: a ``.c2pa`` file whose hard binding covers every byte of the
  exported text.
- ``embed_manifest``: the text (NFC-normalized) followed by the C2PA text wrapper,
  U+FEFF and one variation selector per byte of magic ``C2PATXT\\0``, version 1,
  big-endian length and the manifest store (bytes 0–15 → U+FE00–U+FE0F, 16–255 →
  U+E0100–U+E01EF). The hard binding excludes the wrapper's UTF-8 byte range. Its
  length must be known before signing, but a byte's UTF-8 size (3 or 4) depends on
  its value, so the wrapper is padded with further selectors to the worst case,
  3 + 4 × (13 + manifest bytes) + 6, as the C2PA text embedding describes.

``verify_sidecar`` and ``verify_embedded`` are the studio's own checks: wrapper,
JUMBF structure, hashed URIs, hard binding (excluded range removed, hashed), claim
signature and certificate chain, reported with C2PA validation status codes.

Public: ``C2paError``, ``Credentials``, ``export_action``, ``sidecar_manifest``,
``embed_manifest``, ``find_wrapper``, ``verify_sidecar``, ``verify_embedded``,
``C2paVerdict``, ``UNTRUSTED``.
"""
from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import cbor2
from asn1crypto import x509

from .authorship import Authorship
from .jumbf import (C2paError, Superbox, box, box_hash, cbor_superbox, content, jumbf_type, parse_superbox, read_boxes,
                    subboxes, superbox)
from .certificates import CertificateError, certificate_public_key, check_issued_by, check_valid_at
from .provenance import SOFTWARE_AGENT, Action, ModelIdentity
from .signing import Signer, sign_with, verify_signature

ES256 = -7
X5CHAIN = 33
COSE_SIGN1_TAG = 18
WRAPPER_MAGIC = b"C2PATXT\0"
WRAPPER_VERSION = 1
_WRAPPER_HEADER = struct.Struct(">8sBI")
UNTRUSTED = "signingCredential.untrusted"
ACTIONS_LABEL = "c2pa.actions.v2"
HASH_LABEL = "c2pa.hash.data"
MODEL_PARAMETER = "com.musespark.model"



STORE_TYPE, MANIFEST_TYPE = jumbf_type(b"c2pa"), jumbf_type(b"c2ma")
ASSERTIONS_TYPE, CLAIM_TYPE = jumbf_type(b"c2as"), jumbf_type(b"c2cl")
SIGNATURE_TYPE = jumbf_type(b"c2cs")
_VARIATION_RUN = re.compile("\ufeff([\ufe00-\ufe0f\U000e0100-\U000e01ef]+)")


@dataclass(frozen=True)
class Credentials:
    """The signing key and its certificate (DER), plus any intermediates (not the root)."""

    signer: Signer
    certificate: bytes
    intermediates: tuple[bytes, ...] = ()

    def chain(self) -> list[bytes]:
        return [bytes(self.certificate), *map(bytes, self.intermediates)]


def export_action(authorship: Authorship, when: str, model: ModelIdentity | None = None) -> Action:
    """One ``c2pa.created`` action for an exported text: the IPTC source type of the whole
    text (see ``authorship``), its disclosure sentence, and the model if it wrote any."""
    disclosure = authorship.disclosure(model.name if model else None)
    if disclosure.source_type is None:
        raise C2paError("an empty text has no Content Credentials")
    machine = disclosure.source_type.lower().endswith("trainedalgorithmicmedia")
    return Action("c2pa.created", when, disclosure.source_type, model=model if machine else None,
                  description=disclosure.sentence)


def _actions_assertion(actions: list[Action]) -> dict:
    if not actions or actions[0].action != "c2pa.created" or not actions[0].digital_source_type:
        raise C2paError("the first action must be c2pa.created with a digital source type")
    entries = []
    for action in actions:
        entry = {"action": action.action, "when": action.when, "softwareAgent": dict(action.software_agent)}
        if action.digital_source_type:
            entry["digitalSourceType"] = action.digital_source_type
        if action.description:
            entry["description"] = action.description
        if action.model:
            entry["parameters"] = {MODEL_PARAMETER: action.model.to_dict()}
        entries.append(entry)
    return {"actions": entries}


# --- building ---

@dataclass
class _Layout:
    """Everything of a manifest store but the signature."""

    label: str
    assertions: list[bytes]
    claim: bytes
    protected: bytes

    def to_be_signed(self) -> bytes:
        return cbor2.dumps(["Signature1", self.protected, b"", self.claim])

    def store(self, signature: bytes) -> bytes:
        cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [self.protected, {}, None, signature]))
        manifest = superbox(
            MANIFEST_TYPE, self.label,
            superbox(ASSERTIONS_TYPE, "c2pa.assertions", *self.assertions),
            superbox(CLAIM_TYPE, "c2pa.claim.v2", box(b"cbor", self.claim)),
            superbox(SIGNATURE_TYPE, "c2pa.signature", box(b"cbor", cose)),
        )
        return superbox(STORE_TYPE, "c2pa", manifest)


def _layout(label: str, instance: str, actions: list[Action], data_hash: dict, credentials: Credentials,
            title: str | None) -> _Layout:
    assertions = [cbor_superbox(ACTIONS_LABEL, _actions_assertion(actions)),
                  cbor_superbox(HASH_LABEL, data_hash)]
    claim = {
        "instanceID": instance,
        "claim_generator_info": dict(SOFTWARE_AGENT),
        "signature": f"self#jumbf=/c2pa/{label}/c2pa.signature",
        "created_assertions": [
            {"url": f"self#jumbf=c2pa.assertions/{name}", "hash": box_hash(box)}
            for name, box in zip((ACTIONS_LABEL, HASH_LABEL), assertions)
        ],
        "alg": "sha256",
    }
    if title:
        claim["dc:title"] = title
    chain = credentials.chain()
    protected = cbor2.dumps({1: ES256, X5CHAIN: chain[0] if len(chain) == 1 else chain})
    return _Layout(label, assertions, cbor2.dumps(claim), protected)


def _data_hash(digest: bytes, exclusion: tuple[int, int] | None = None) -> dict:
    data = {"alg": "sha256", "hash": digest, "name": "jumbf manifest", "pad": b""}
    if exclusion:
        data["exclusions"] = [{"start": exclusion[0], "length": exclusion[1]}]
    return data


def _new_ids() -> tuple[str, str]:
    return f"urn:c2pa:{uuid.uuid4()}", f"xmp:iid:{uuid.uuid4()}"


async def sidecar_manifest(text_bytes: bytes, actions: list[Action], credentials: Credentials,
                           title: str | None = None) -> bytes:
    """A ``.c2pa`` manifest store whose hard binding covers all of ``text_bytes``."""
    layout = _layout(*_new_ids(), actions, _data_hash(hashlib.sha256(text_bytes).digest()), credentials, title)
    return layout.store(await sign_with(credentials.signer, layout.to_be_signed()))


def _worst_case_wrapper(manifest_size: int) -> int:
    return 3 + 4 * (_WRAPPER_HEADER.size + manifest_size) + 6


def _selector(byte: int) -> str:
    return chr(0xFE00 + byte) if byte < 16 else chr(0xE0100 + byte - 16)


def _wrapper(store: bytes, target: int) -> str:
    """The wrapper for ``store``, padded with selectors to ``target`` UTF-8 bytes."""
    wrapper = "\ufeff" + "".join(map(_selector, _WRAPPER_HEADER.pack(WRAPPER_MAGIC, WRAPPER_VERSION, len(store))
                                     + store))
    gap = target - len(wrapper.encode("utf-8"))
    fours = next(b for b in range(gap // 4, -1, -1) if (gap - 4 * b) % 3 == 0)  # gap >= 6: 3a + 4b
    return wrapper + _selector(0) * ((gap - 4 * fours) // 3) + _selector(255) * fours


async def embed_manifest(text: str, actions: list[Action], credentials: Credentials,
                         title: str | None = None) -> str:
    """``text`` (NFC) carrying its Content Credentials in a C2PA text wrapper at the end."""
    body = unicodedata.normalize("NFC", text)
    if _VARIATION_RUN.search(body):
        raise C2paError("the text already carries a variation-selector run after U+FEFF (a wrapper?)")
    body_bytes = body.encode("utf-8")
    digest = hashlib.sha256(body_bytes).digest()
    label, instance = _new_ids()
    size = 0
    while True:  # the exclusion's length changes the manifest's size only through its CBOR integer
        target = _worst_case_wrapper(size)
        layout = _layout(label, instance, actions, _data_hash(digest, (len(body_bytes), target)), credentials,
                         title)
        size_now = len(layout.store(bytes(64)))
        if _worst_case_wrapper(size_now) == target:
            break
        size = size_now
    return body + _wrapper(layout.store(await sign_with(credentials.signer, layout.to_be_signed())), target)


# --- reading and checking ---

def find_wrapper(text: str) -> tuple[bytes, int, int] | None:
    """(manifest store, UTF-8 start, UTF-8 length) of the one C2PA wrapper in ``text``,
    or None without one. Raises ``C2paError`` (with the C2PA status code) for a
    corrupted wrapper or more than one."""
    found = []
    for match in _VARIATION_RUN.finditer(text):
        raw = bytes((ord(ch) - 0xFE00) if ord(ch) < 0xFE10 else (ord(ch) - 0xE0100 + 16) for ch in match.group(1))
        if raw[:8] == WRAPPER_MAGIC:
            found.append((match, raw))
    if not found:
        return None
    if len(found) > 1:
        raise C2paError(f"manifest.text.multipleWrappers: the text carries {len(found)} C2PA wrappers")
    match, raw = found[0]
    if len(raw) < _WRAPPER_HEADER.size:
        raise C2paError("manifest.text.corruptedWrapper: the wrapper's header is cut short")
    _, version, length = _WRAPPER_HEADER.unpack_from(raw)
    if version != WRAPPER_VERSION:
        raise C2paError(f"manifest.text.corruptedWrapper: wrapper version {version} is not {WRAPPER_VERSION}")
    if len(raw) < _WRAPPER_HEADER.size + length:
        raise C2paError("manifest.text.corruptedWrapper: the wrapper is shorter than its declared length")
    start = len(text[:match.start()].encode("utf-8"))
    return raw[_WRAPPER_HEADER.size:_WRAPPER_HEADER.size + length], start, len(match.group(0).encode("utf-8"))


@dataclass
class C2paVerdict:
    """C2PA status codes: ``passed`` (success and informational) and ``failures`` as
    (code, explanation). Valid when the only failure is ``signingCredential.untrusted``."""

    passed: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    signer: str | None = None

    @property
    def valid(self) -> bool:
        return all(code == UNTRUSTED for code, _ in self.failures)

    @property
    def trusted(self) -> bool:
        return self.valid and "signingCredential.trusted" in self.passed

    def report(self) -> str:
        if self.trusted:
            head = "VALID and TRUSTED: the Content Credentials vouch for this text."
        elif self.valid:
            head = "VALID: the Content Credentials vouch for this text (signer not among the trusted roots)."
        else:
            head = "NOT VALID:"
        lines = [head] + [f"  - [{code}] {why}" for code, why in self.failures]
        if self.signer:
            lines.append(f"Signed by {self.signer}")
        lines += [f"{a.get('action')}: {a.get('description') or a.get('digitalSourceType', '')}" for a in self.actions]
        return "\n".join(lines)


def verify_sidecar(text_bytes: bytes, store: bytes, trust_anchors: list[bytes] = (),
                   now: datetime | None = None) -> C2paVerdict:
    """Check a ``.c2pa`` manifest store against the exact bytes of its text."""
    return _verify(text_bytes, store, None, trust_anchors, now)


def verify_embedded(text: str, trust_anchors: list[bytes] = (), now: datetime | None = None) -> C2paVerdict:
    """Check the Content Credentials a text carries in its C2PA wrapper."""
    normalized = unicodedata.normalize("NFC", text)
    try:
        found = find_wrapper(normalized)
    except C2paError as err:
        code, _, why = str(err).partition(": ")
        return C2paVerdict(failures=[(code, why)])
    if found is None:
        return C2paVerdict(failures=[("claim.missing", "the text carries no C2PA wrapper")])
    store, start, length = found
    return _verify(normalized.encode("utf-8"), store, (start, length), trust_anchors, now)


def _verify(asset: bytes, store: bytes, wrapper: tuple[int, int] | None, trust_anchors, now) -> C2paVerdict:
    verdict = C2paVerdict()
    try:
        _check_manifest(asset, store, wrapper, list(trust_anchors), now or datetime.now(timezone.utc), verdict)
    except (ValueError, KeyError, TypeError, AttributeError) as err:  # damaged CBOR or JUMBF of any shape
        verdict.failures.append(("claim.malformed", f"the manifest cannot be read: {err}"))
    return verdict


def _active_manifest(store: bytes) -> Superbox:
    boxes = read_boxes(store)
    if len(boxes) != 1:
        raise C2paError("a manifest store is one JUMBF superbox")
    outer = parse_superbox(*boxes[0])
    if outer.type_uuid != STORE_TYPE or outer.label != "c2pa":
        raise C2paError("this is not a C2PA manifest store")
    manifests = [found for found in subboxes(outer) if found.type_uuid == MANIFEST_TYPE]
    if not manifests:
        raise C2paError("the manifest store holds no manifest")
    return manifests[-1]


def _part(manifest: Superbox, type_uuid: bytes) -> Superbox:
    for found in subboxes(manifest):
        if found.type_uuid == type_uuid:
            return found
    raise C2paError(f"the manifest lacks its {type_uuid[:4].decode()} box")


def _check_manifest(asset: bytes, store: bytes, wrapper, trust_anchors: list[bytes], now: datetime,
                    verdict: C2paVerdict) -> None:
    manifest = _active_manifest(store)
    assertions = {box.label: box for box in subboxes(_part(manifest, ASSERTIONS_TYPE))}
    claim_bytes = content(_part(manifest, CLAIM_TYPE))
    claim = cbor2.loads(claim_bytes)
    if not isinstance(claim, dict) or not isinstance(claim.get("created_assertions"), list):
        raise C2paError("the claim is not a v2 claim")
    if claim.get("signature") != f"self#jumbf=/c2pa/{manifest.label}/c2pa.signature":
        verdict.failures.append(("claim.malformed", "the claim does not point at this manifest's signature"))
    for reference in claim["created_assertions"] + claim.get("gathered_assertions", []):
        name = str(reference.get("url", "")).rsplit("c2pa.assertions/", 1)[-1]
        box = assertions.get(name)
        if box is None:
            verdict.failures.append(("assertion.missing", f"the claim lists {name}, which the store lacks"))
        elif reference.get("hash") != box_hash(box.raw):
            verdict.failures.append(("assertion.hashedURI.mismatch", f"the {name} assertion was changed"))
        else:
            verdict.passed.append("assertion.hashedURI.match")
    if ACTIONS_LABEL in assertions:
        verdict.actions = cbor2.loads(content(assertions[ACTIONS_LABEL])).get("actions", [])
    _check_binding(asset, assertions, wrapper, verdict)
    _check_signature(manifest, claim_bytes, trust_anchors, now, verdict)


def _check_binding(asset: bytes, assertions: dict, wrapper, verdict: C2paVerdict) -> None:
    if HASH_LABEL not in assertions:
        verdict.failures.append(("claim.hardBindings.missing", "the manifest has no c2pa.hash.data hard binding"))
        return
    binding = cbor2.loads(content(assertions[HASH_LABEL]))
    exclusions = [(e["start"], e["length"]) for e in binding.get("exclusions") or []]
    if wrapper is not None and exclusions != [wrapper]:
        verdict.failures.append(("assertion.dataHash.mismatch",
                                 f"the hard binding excludes {exclusions}, but the wrapper is at {wrapper}"))
        return
    hashed, position = hashlib.sha256(), 0
    for start, length in sorted(exclusions):
        hashed.update(asset[position:start])
        position = start + length
    hashed.update(asset[position:])
    if binding.get("alg", "sha256") != "sha256" or hashed.digest() != binding.get("hash"):
        verdict.failures.append(("assertion.dataHash.mismatch", "the text is not the one the manifest was made for"))
    else:
        verdict.passed.append("assertion.dataHash.match")


def _check_signature(manifest: Superbox, claim_bytes: bytes, trust_anchors: list[bytes], now: datetime,
                     verdict: C2paVerdict) -> None:
    cose = cbor2.loads(content(_part(manifest, SIGNATURE_TYPE)))
    if not isinstance(cose, cbor2.CBORTag) or cose.tag != COSE_SIGN1_TAG or len(cose.value) != 4:
        raise C2paError("the claim signature is not a COSE_Sign1")
    protected_bytes, unprotected, _, signature = cose.value
    protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    if protected.get(1) != ES256:
        verdict.failures.append(("algorithm.unsupported", "the studio checks ES256 signatures only"))
        return
    chain = protected.get(X5CHAIN, unprotected.get(X5CHAIN))
    chain = [chain] if isinstance(chain, bytes) else list(chain or [])
    if not chain:
        verdict.failures.append(("signingCredential.invalid", "the signature carries no certificate"))
        return
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", claim_bytes])
    if not verify_signature(certificate_public_key(chain[0]), to_be_signed, signature):
        verdict.failures.append(("claimSignature.mismatch", "the claim was changed after it was signed"))
        return
    verdict.passed.append("claimSignature.validated")
    verdict.signer = x509.Certificate.load(chain[0]).subject.human_friendly
    try:
        check_valid_at(chain[0], now)
        for cert, issuer in zip(chain, chain[1:]):
            check_issued_by(cert, issuer, now)
    except CertificateError as err:
        verdict.failures.append(("signingCredential.invalid", str(err)))
        return
    for anchor in trust_anchors:
        try:
            check_issued_by(chain[-1], anchor, now)
        except CertificateError:
            continue
        verdict.passed.append("signingCredential.trusted")
        return
    verdict.failures.append((UNTRUSTED, "the signing certificate does not chain to a trusted root"))
