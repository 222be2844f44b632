"""JUMBF (ISO 19566-5), the box format of C2PA manifest stores: boxes and superboxes
written and read, in pure Python.

Public: ``C2paError``, ``jumbf_type``, ``box``, ``superbox``, ``cbor_superbox``, ``box_hash``,
``read_boxes``, ``Superbox``, ``parse_superbox``, ``subboxes``, ``content``.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import cbor2


def jumbf_type(four_cc: bytes) -> bytes:
    """A JUMBF type UUID: the four characters, then 0011-0010-8000-00AA00389B71."""
    return four_cc + bytes.fromhex("00110010800000AA00389B71")


CBOR_TYPE = jumbf_type(b"cbor")


class C2paError(ValueError):
    """Content Credentials that cannot be built or read; the message says why."""


def box(kind: bytes, payload: bytes) -> bytes:
    """One box: its size, its four-character type, its payload."""
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def superbox(type_uuid: bytes, label: str, *children: bytes) -> bytes:
    """A labelled superbox of ``children``."""
    description = box(b"jumd", type_uuid + b"\x03" + label.encode("utf-8") + b"\0")
    return box(b"jumb", description + b"".join(children))


def cbor_superbox(label: str, value: object) -> bytes:
    """A labelled superbox holding ``value`` as CBOR (how C2PA stores its assertions)."""
    return superbox(CBOR_TYPE, label, box(b"cbor", cbor2.dumps(value)))


def box_hash(whole: bytes) -> bytes:
    """The hashed-URI digest of a superbox: SHA-256 of everything after its header."""
    return hashlib.sha256(whole[8:]).digest()


def read_boxes(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(type, payload, whole box) of each box in ``data``."""
    boxes, offset = [], 0
    while offset < len(data):
        if len(data) - offset < 8:
            raise C2paError("a JUMBF box header is cut short")
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if len(data) - offset < 16:
                raise C2paError("a JUMBF box's extended size is cut short")
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise C2paError(f"a JUMBF {kind!r} box declares {size} bytes, which do not fit")
        boxes.append((kind, data[offset + header:offset + size], data[offset:offset + size]))
        offset += size
    return boxes


@dataclass
class Superbox:
    type_uuid: bytes
    label: str
    children: list[tuple[bytes, bytes, bytes]]
    raw: bytes


def parse_superbox(kind: bytes, payload: bytes, raw: bytes) -> Superbox:
    if kind != b"jumb":
        raise C2paError(f"expected a JUMBF superbox, found {kind!r}")
    children = read_boxes(payload)
    if not children or children[0][0] != b"jumd":
        raise C2paError("a JUMBF superbox does not start with its description box")
    description = children[0][1]
    if len(description) < 17:
        raise C2paError("a JUMBF description box is cut short")
    toggles, label = description[16], ""
    if toggles & 0x02:
        end = description.find(b"\0", 17)
        if end < 0:
            raise C2paError("a JUMBF label is not terminated")
        label = description[17:end].decode("utf-8", "replace")
    return Superbox(description[:16], label, children[1:], raw)


def subboxes(parent: Superbox) -> list[Superbox]:
    """The superboxes inside ``parent``."""
    return [parse_superbox(*child) for child in parent.children if child[0] == b"jumb"]


def content(parent: Superbox, kind: bytes = b"cbor") -> bytes:
    """The payload of the first ``kind`` box inside ``parent``."""
    for child_kind, payload, _ in parent.children:
        if child_kind == kind:
            return payload
    raise C2paError(f"the {parent.label!r} box has no {kind.decode()} content")
