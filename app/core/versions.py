"""Versions of a draft: every AI operation and every manual save makes one; any
version can be restored, and writing on from an older one branches. Each version
carries the draft's authorship (``tracking.Tracked``), so restoring one restores who
wrote what. Word-level diffs between any two.

Public: ``Version``, ``History``, ``word_diff``, ``diff_html``.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from .tracking import Tracked


@dataclass(frozen=True)
class Version:
    """One saved state of the draft. ``parent`` is the version it was written from;
    ``tracked`` says who wrote its text."""

    number: int
    text: str
    label: str
    parent: int | None
    created: float
    tracked: Tracked | None = None

    def __post_init__(self) -> None:
        if self.tracked is not None and self.tracked.text != self.text:
            raise ValueError("a version's authorship must be of its own text")


class History:
    """All versions of one draft, and the one the editor is on (``head``)."""

    def __init__(self, versions: tuple[Version, ...] | list[Version] = (), head: int | None = None) -> None:
        self.versions: list[Version] = list(versions)
        self.head = head

    def commit(self, text: str, label: str, now: float, tracked: Tracked | None = None) -> Version:
        """Save ``text`` (written as ``tracked`` says) as a new version after ``head``; an
        unchanged text with unchanged authorship saves nothing."""
        current = self.get(self.head) if self.head else None
        if current and current.text == text and (
                tracked is None or current.tracked is not None and current.tracked.authorship == tracked.authorship):
            return current
        version = Version(len(self.versions) + 1, text, label, self.head, now, tracked)
        self.versions.append(version)
        self.head = version.number
        return version

    def get(self, number: int) -> Version:
        if not 1 <= number <= len(self.versions):
            raise KeyError(f"there is no version {number}")
        return self.versions[number - 1]

    def restore(self, number: int) -> Version:
        """Go back to a version; the next commit branches from it."""
        version = self.get(number)
        self.head = number
        return version

    def lineage(self, number: int) -> list[int]:
        """The version numbers from the first to ``number`` along its parents."""
        chain = []
        current: int | None = number
        while current:
            chain.append(current)
            current = self.get(current).parent
        return chain[::-1]


_TOKENS = re.compile(r"\s+|\w+(?:['’-]\w+)*|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) runs turning ``old`` into ``new``: op is "equal", "delete" or "insert";
    words, spaces and punctuation are the units."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return runs


def diff_html(runs: list[tuple[str, str]]) -> str:
    """The diff as escaped HTML: ``<del>`` and ``<ins>`` around changes."""
    tags = {"delete": "del", "insert": "ins"}
    return "".join(
        html.escape(text) if op == "equal" else f"<{tags[op]}>{html.escape(text)}</{tags[op]}>"
        for op, text in runs
    )
