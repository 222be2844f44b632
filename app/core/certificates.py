"""A creator's X.509 certificates for Content Credentials, built in pure Python.

Two P-256 keys, both held by an injected ``signing.Signer`` (WebCrypto in the page):
a root key whose self-signed CA certificate the creator can publish or give to a
verifier as a trust anchor, and a signing key whose end-entity certificate the root
issues once. The profile is the one C2PA validators accept:
- root: basicConstraints cA true, pathLen 0 (critical); keyUsage keyCertSign and
  cRLSign (critical); subject key identifier.
- signing: basicConstraints cA false (critical); keyUsage digitalSignature
  (critical); extendedKeyUsage emailProtection; subject and authority key identifiers.
Both are signed with ECDSA P-256/SHA-256; the signer's raw r‖s becomes the DER
signature X.509 wants.

``creator_certificates`` keeps a creator's pair stable: the stored certificates are
used again while they fit the keys, the name and the date, so the root a creator
publishes stays the same from one export to the next.

Public: ``CertificateError``, ``root_certificate``, ``signing_certificate``,
``creator_certificates``, ``CreatorCertificates``, ``certificate_public_key``,
``certificate_subject``, ``check_issued_by``, ``check_valid_at``, ``pem``.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from asn1crypto import algos, keys, x509

from .signing import Signer, SigningError, check_point, sign_with, verify_signature

ROOT_YEARS = 20
SIGNING_YEARS = 5
DEFAULT_CREATOR = "MuseSpark creator"
CLOCK_SKEW = timedelta(minutes=5)


class CertificateError(ValueError):
    """A certificate that cannot be used; the message says why."""


def _public_key_info(point: bytes) -> keys.PublicKeyInfo:
    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": ("named", "secp256r1")},
        "public_key": check_point(point),
    })


def _key_identifier(point: bytes) -> bytes:
    """RFC 5280 method 1: SHA-1 of the subjectPublicKey bits."""
    return hashlib.sha1(point).digest()


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name.build({"common_name": common_name, "organization_name": organization})


def _extension(name: str, value, critical: bool = False) -> dict:
    return {"extn_id": name, "critical": critical, "extn_value": value}


async def _issue(tbs: x509.TbsCertificate, issuer: Signer) -> bytes:
    raw = await sign_with(issuer, tbs.dump())
    return x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature_value": algos.DSASignature.from_p1363(raw).dump(),
    }).dump()


def _time(moment: datetime) -> x509.Time:
    """RFC 5280: UTCTime through 2049, GeneralizedTime from 2050."""
    return x509.Time({"utc_time" if moment.year < 2050 else "general_time": moment})


def _tbs(subject: x509.Name, issuer: x509.Name, point: bytes, now: datetime, years: int,
         extensions: list[dict]) -> x509.TbsCertificate:
    if now.tzinfo is None:
        raise CertificateError("give the certificate's start as an aware datetime (UTC)")
    start = (now - CLOCK_SKEW).astimezone(timezone.utc).replace(microsecond=0)
    return x509.TbsCertificate({
        "version": "v3",
        "serial_number": secrets.randbits(127) | 1,
        "signature": {"algorithm": "sha256_ecdsa"},
        "issuer": issuer,
        "validity": {"not_before": _time(start), "not_after": _time(start + timedelta(days=round(365.25 * years)))},
        "subject": subject,
        "subject_public_key_info": _public_key_info(point),
        "extensions": extensions,
    })


async def root_certificate(root: Signer, creator: str, now: datetime) -> bytes:
    """The creator's self-signed root CA certificate (DER)."""
    name = _name(f"{creator} (root)", creator)
    point = check_point(root.public_key)
    tbs = _tbs(name, name, point, now, ROOT_YEARS, [
        _extension("basic_constraints", {"ca": True, "path_len_constraint": 0}, critical=True),
        _extension("key_usage", {"key_cert_sign", "crl_sign"}, critical=True),
        _extension("key_identifier", _key_identifier(point)),
    ])
    return await _issue(tbs, root)


async def signing_certificate(root: Signer, root_der: bytes, signing_key: bytes, creator: str,
                              now: datetime) -> bytes:
    """The end-entity certificate for ``signing_key`` (a public point), issued by ``root``."""
    root_cert = _load(root_der)
    if certificate_public_key(root_der) != bytes(root.public_key):
        raise CertificateError("the root certificate is not the root signer's")
    point = check_point(signing_key)
    tbs = _tbs(_name(creator, creator), root_cert.subject, point, now, SIGNING_YEARS, [
        _extension("basic_constraints", {"ca": False}, critical=True),
        _extension("key_usage", {"digital_signature"}, critical=True),
        _extension("extended_key_usage", ["email_protection"]),
        _extension("key_identifier", _key_identifier(point)),
        _extension("authority_key_identifier", {"key_identifier": _key_identifier(bytes(root.public_key))}),
    ])
    return await _issue(tbs, root)


@dataclass(frozen=True)
class CreatorCertificates:
    """A creator's root and signing certificates (DER), and which of them are new."""

    root: bytes
    signing: bytes
    new_root: bool = False
    new_signing: bool = False


def _root_fits(root: Signer, root_der: bytes | None, creator: str | None, now: datetime) -> bool:
    if not root_der:
        return False
    try:
        check_issued_by(root_der, root_der, now)
        fits_key = certificate_public_key(root_der) == bytes(root.public_key)
    except CertificateError:
        return False
    return fits_key and (creator is None or certificate_subject(root_der) == f"{creator} (root)")


def _signing_fits(root_der: bytes, signing_key: bytes, signing_der: bytes | None, now: datetime) -> bool:
    if not signing_der:
        return False
    try:
        check_issued_by(signing_der, root_der, now)
        return certificate_public_key(signing_der) == bytes(signing_key)
    except CertificateError:
        return False


async def creator_certificates(root: Signer, signing_key: bytes, creator: str | None, now: datetime,
                               stored_root: bytes | None = None,
                               stored_signing: bytes | None = None) -> CreatorCertificates:
    """The creator's certificates: the stored ones while they still fit (the root is the
    ``root`` signer's, self-signed, valid ``now`` and, when ``creator`` is given, in that
    name; the signing certificate certifies ``signing_key`` and chains to that root),
    otherwise newly issued ones. Without a stored root or a name, the name is
    "MuseSpark creator"."""
    new_root = not _root_fits(root, stored_root, creator, now)
    root_der = await root_certificate(root, creator or DEFAULT_CREATOR, now) if new_root else bytes(stored_root)
    new_signing = new_root or not _signing_fits(root_der, signing_key, stored_signing, now)
    name = creator or certificate_subject(root_der).removesuffix(" (root)")
    signing_der = (await signing_certificate(root, root_der, signing_key, name, now) if new_signing
                   else bytes(stored_signing))
    return CreatorCertificates(root_der, signing_der, new_root, new_signing)


def certificate_subject(der: bytes) -> str:
    """The common name a certificate certifies."""
    return _load(der).subject.native.get("common_name", "")


def _load(der: bytes) -> x509.Certificate:
    try:
        cert = x509.Certificate.load(bytes(der))
        cert.native  # parses every field now, so a damaged certificate fails here
    except (ValueError, TypeError, OSError) as err:
        raise CertificateError(f"not an X.509 certificate ({err})") from None
    return cert


def certificate_public_key(der: bytes) -> bytes:
    """The P-256 point a certificate certifies."""
    info = _load(der).public_key
    if info.algorithm != "ec" or info.curve != ("named", "secp256r1"):
        raise CertificateError("the certificate's key is not an ECDSA P-256 key")
    return bytes(info["public_key"].native)


def check_issued_by(der: bytes, issuer_der: bytes, at: datetime) -> None:
    """Raise ``CertificateError`` unless ``issuer_der``'s key signed ``der`` and both are
    valid ``at`` that moment."""
    cert, issuer = _load(der), _load(issuer_der)
    if cert.signature_algo != "ecdsa" or cert.hash_algo != "sha256":
        raise CertificateError("the certificate is not signed with ECDSA and SHA-256")
    if cert.issuer != issuer.subject:
        raise CertificateError(f"the certificate was issued by {cert.issuer.human_friendly}, "
                               f"not {issuer.subject.human_friendly}")
    try:
        raw = algos.DSASignature.load(cert.signature).to_p1363()
    except ValueError:
        raise CertificateError("the certificate's signature is damaged") from None
    try:
        signed = verify_signature(certificate_public_key(issuer_der), cert["tbs_certificate"].dump(), raw)
    except SigningError as err:
        raise CertificateError(f"the issuer's key cannot be used: {err}") from None
    if not signed:
        raise CertificateError("the certificate's signature does not match its issuer's key")
    check_valid_at(der, at)
    check_valid_at(issuer_der, at)


def check_valid_at(der: bytes, at: datetime) -> None:
    """Raise ``CertificateError`` unless the certificate is within its validity at ``at``."""
    cert = _load(der)
    validity = cert["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= at <= validity["not_after"].native:
        raise CertificateError(f"the certificate of {cert.subject.human_friendly} is not valid at {at:%Y-%m-%d %H:%M} UTC")


def pem(der: bytes) -> str:
    """A certificate in PEM text form."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
