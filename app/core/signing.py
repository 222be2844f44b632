"""ECDSA P-256 keys for provenance: the signer protocol, public key formats,
fingerprints and signature checks.

Signing is injected: a ``Signer`` holds a key the studio never sees (the page uses a
non-extractable WebCrypto key; the command line and tests use ``native_signer``).
Its ``sign`` takes bytes and returns, directly or as an awaitable, the 64-byte raw
ECDSA P-256/SHA-256 signature r‖s (what WebCrypto returns). Public keys are the
65-byte uncompressed point 0x04‖x‖y. Checking a signature needs no secret and runs
the same pure Python (the ``ecdsa`` package) in the page and under CPython.

A fingerprint is the SHA-256 of the key's SubjectPublicKeyInfo (DER), written as 16
groups of 4 upper-case hex digits; a creator publishes it so readers can tell their
records from anyone else's.

Public: ``Signer``, ``SigningError``, ``sign_with``, ``verify_signature``, ``spki_der``,
``fingerprint``, ``normalize_fingerprint``, ``public_key_to_jwk``,
``public_key_from_jwk``, ``b64url``, ``b64url_decode``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import inspect
import re
from typing import Awaitable, Protocol

from asn1crypto import keys
from ecdsa import BadSignatureError, NIST256p, VerifyingKey
from ecdsa.errors import MalformedPointError
from ecdsa.util import sigdecode_string

POINT_SIZE = 65
SIGNATURE_SIZE = 64


class SigningError(ValueError):
    """A key, signature or fingerprint in the wrong form; the message says which."""


class Signer(Protocol):
    """Signs with an ECDSA P-256 key whose private half stays elsewhere."""

    public_key: bytes  # 65-byte uncompressed point

    def sign(self, data: bytes) -> bytes | Awaitable[bytes]:
        """The raw 64-byte r‖s ECDSA signature of SHA-256(data)."""


async def sign_with(signer: Signer, data: bytes) -> bytes:
    """Sign ``data`` with a synchronous or asynchronous signer; check the result's form."""
    signature = signer.sign(data)
    if inspect.isawaitable(signature):
        signature = await signature
    signature = bytes(signature)
    if len(signature) != SIGNATURE_SIZE:
        raise SigningError(f"the signer returned {len(signature)} bytes; an ES256 signature is 64 raw bytes (r‖s)")
    return signature


def check_point(point: bytes) -> bytes:
    """``point`` if it is an uncompressed P-256 public key on the curve."""
    point = bytes(point)
    if len(point) != POINT_SIZE or point[0] != 4:
        raise SigningError("a public key must be the 65-byte uncompressed P-256 point (0x04, x, y)")
    try:
        VerifyingKey.from_string(point, curve=NIST256p)
    except MalformedPointError:
        raise SigningError("the public key is not a point on the P-256 curve") from None
    return point


def verify_signature(point: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (raw r‖s) is ``point``'s ES256 signature of ``data``."""
    if len(signature) != SIGNATURE_SIZE:
        return False
    key = VerifyingKey.from_string(check_point(point), curve=NIST256p)
    try:
        return key.verify(signature, data, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    except BadSignatureError:
        return False


def spki_der(point: bytes) -> bytes:
    """The SubjectPublicKeyInfo (DER) of a P-256 public key."""
    return keys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": ("named", "secp256r1")},
        "public_key": check_point(point),
    }).dump()


def fingerprint(point: bytes) -> str:
    """SHA-256 of the key's SubjectPublicKeyInfo, as "AB12 CD34 …" (16 groups)."""
    digest = hashlib.sha256(spki_der(point)).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, 64, 4))


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed or pasted (any case, spaces or colons) in ``fingerprint`` form."""
    digits = re.sub(r"[\s:]", "", text).upper()
    if not re.fullmatch(r"[0-9A-F]{64}", digits):
        raise SigningError("a fingerprint is 64 hex digits (SHA-256), optionally grouped with spaces or colons")
    return " ".join(digits[i:i + 4] for i in range(0, 64, 4))


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, what: str) -> bytes:
    """Bytes from base64url (padding optional); ``what`` names the field in errors."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise SigningError(f"{what} must be a base64url string")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SigningError(f"{what} is not valid base64url") from None


def public_key_to_jwk(point: bytes) -> dict:
    """The public key as a JSON Web Key (RFC 7518 EC, P-256)."""
    point = check_point(point)
    return {"kty": "EC", "crv": "P-256", "x": b64url(point[1:33]), "y": b64url(point[33:])}


def public_key_from_jwk(jwk: object) -> bytes:
    """The 65-byte point of a P-256 public JWK; private members are refused."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise SigningError('the public key must be a JWK with "kty": "EC" and "crv": "P-256"')
    if "d" in jwk:
        raise SigningError("the JWK holds a private key; only the public key belongs in a record")
    x, y = b64url_decode(jwk.get("x"), "the key's x"), b64url_decode(jwk.get("y"), "the key's y")
    if len(x) != 32 or len(y) != 32:
        raise SigningError("the key's x and y must be 32 bytes each")
    return check_point(b"\x04" + x + y)
