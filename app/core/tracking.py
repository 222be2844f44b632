"""Who wrote the draft, kept as the editor changes: its authorship and the steps that wrote it.

A ``Tracked`` draft is immutable, like ``Authorship``: the editor, its undo snapshots
and its versions each hold one, so undo, redo, restore and branching bring the
origins back with the text.

- ``person_edit``: the editor's new value after the person typed, pasted or dropped
  text; the edit is found with ``authorship.edit_between`` and the caret.
- ``model_edit``: the model's text in place of a span (a draft, a refinement, a
  rewrite). Paragraphs the model left exactly as they were keep their origin (a
  refinement keeps headings and lists; ``continue`` keeps the text it continues);
  every other paragraph is model text, even where it repeats a word of the old one:
  a rewrite of a person's sentence is the model's sentence.
- ``model_replace``: the model's text in place of exactly one span (an accepted
  proofreading correction).

``steps`` are the provenance actions, coalesced: consecutive writing by the same
origin (and model) is one step, timed when it began. A draft emptied completely starts
afresh. ``actions`` turns them into ``provenance.Action`` objects for a record (that
module, with its cryptography, is imported only then: it is slow to load in the page).

Public: ``Step``, ``Tracked``, ``utc_time``.
"""
from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, field

from .authorship import PERSON_ORIGINS, Authorship, edit_between
from .extract import sentence_spans

# A paragraph without the white space around it: from its first visible character to
# its last before a blank line or the end. Paragraphs compare by their text alone (a
# refinement re-joins them and drops the draft's final line break).
_PARAGRAPH = re.compile(r"\S(?:.*?\S)??(?=\s*\n[ \t]*\n|\s*\Z)", re.S)


def utc_time(seconds: float | None = None) -> str:
    """An ISO 8601 UTC time to the second ("2026-05-01T09:30:00Z"), now by default."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if seconds is None else seconds))


@dataclass(frozen=True)
class Step:
    """Writing by one origin (``human``, ``pasted`` or ``ai``) from ``when`` (ISO 8601 UTC);
    model text names its model as (name, catalogue id, SHA-256 of the weights)."""

    origin: str
    when: str
    model: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Tracked:
    """A draft's text with the origin of every character and the steps that wrote it."""

    authorship: Authorship = field(default_factory=Authorship)
    steps: tuple[Step, ...] = ()

    @property
    def text(self) -> str:
        return self.authorship.text

    def _noted(self, authorship: Authorship, step: Step) -> Tracked:
        if not authorship.text:
            return Tracked(authorship)
        last = self.steps[-1] if self.steps and self.text else None
        steps = self.steps if self.text else ()
        if last is None or (last.origin, last.model) != (step.origin, step.model):
            steps += (step,)
        return Tracked(authorship, steps)

    def person_edit(self, after: str, caret: int | None, origin: str, when: str) -> Tracked:
        """The draft after the person changed the editor to ``after`` (``caret``: the code
        point position just after the edit); ``origin`` is ``human`` or ``pasted``."""
        if origin not in PERSON_ORIGINS:
            raise ValueError(f"a person's edit is human or pasted, not {origin!r}")
        if after == self.text:
            return self
        edit = edit_between(self.text, after, caret)
        return self._noted(self.authorship.apply(edit, origin), Step(origin, when))

    def model_edit(self, start: int, end: int, new_text: str, when: str,
                   model: tuple[str, str, str] | None) -> Tracked:
        """The model's ``new_text`` in place of ``text[start:end]``; paragraphs it kept
        exactly keep their origin, and so does what stays of a paragraph it only cut (the
        studio's shorter text from the creator's own sentences); the rest is model text."""
        old = self.text[start:end]
        authorship = self.authorship
        for (old_from, old_to), (new_from, new_to) in reversed(_changed_between_kept(old, new_text)):
            at, written = start + old_from, new_text[new_from:new_to]
            after = len(authorship.text) - (start + old_to)  # characters after this span
            cut = authorship
            for cut_from, cut_to in reversed(_left_out_sentences(old[old_from:old_to], written) or []):
                cut = cut.replace(at + cut_from, at + cut_to, "", "ai")
            kept = cut.text[at: len(cut.text) - after]
            if cut == authorship or not kept.startswith(written) or kept[len(written):].strip():
                authorship = authorship.replace(at, start + old_to, written, "ai")
            elif len(kept) > len(written):  # the space after a kept sentence that now ends the span
                authorship = cut.replace(at + len(written), len(cut.text) - after, "", "ai")
            else:
                authorship = cut
        if authorship == self.authorship:
            return self
        return self._noted(authorship, Step("ai", when, model))

    def model_replace(self, start: int, end: int, new_text: str, when: str,
                      model: tuple[str, str, str] | None) -> Tracked:
        """The model's ``new_text`` in place of exactly ``text[start:end]``."""
        return self._noted(self.authorship.replace(start, end, new_text, "ai"), Step("ai", when, model))

    def actions(self) -> list:
        """The steps as ``provenance.Action`` objects: the first created the text, the
        rest edited it. Raises ``ProvenanceError`` for model text with no model named."""
        from .provenance import ModelIdentity, edit_action

        return [edit_action(step.origin, step.when, first=number == 0,
                            model=ModelIdentity(*step.model) if step.model else None)
                for number, step in enumerate(self.steps)]


def _changed_between_kept(old: str, new: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The (old span, new span) pairs that differ between the paragraphs ``new`` kept
    from ``old``, in order. Kept paragraphs are matched at the start first, then at the
    end, then in between: a model that repeats the paragraph it continues must not take
    the original's place."""
    old_paragraphs = [(m.start(), m.end(), m.group()) for m in _PARAGRAPH.finditer(old)]
    new_paragraphs = [(m.start(), m.end(), m.group()) for m in _PARAGRAPH.finditer(new)]
    old_keys, new_keys = [p[2] for p in old_paragraphs], [p[2] for p in new_paragraphs]
    shorter = min(len(old_keys), len(new_keys))
    prefix = 0
    while prefix < shorter and old_keys[prefix] == new_keys[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shorter - prefix and old_keys[-1 - suffix] == new_keys[-1 - suffix]:
        suffix += 1
    matcher = difflib.SequenceMatcher(a=old_keys[prefix:len(old_keys) - suffix],
                                      b=new_keys[prefix:len(new_keys) - suffix], autojunk=False)
    kept = [(i, i) for i in range(prefix)]
    kept += [(prefix + a + k, prefix + b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size)]
    kept += [(len(old_keys) - suffix + k, len(new_keys) - suffix + k) for k in range(suffix)]
    changed = []
    old_at = new_at = 0  # the ends of the last kept paragraphs
    for i, j in kept + [(None, None)]:
        old_next = old_paragraphs[i][0] if i is not None else len(old)
        new_next = new_paragraphs[j][0] if j is not None else len(new)
        if old[old_at:old_next] != new[new_at:new_next]:
            changed.append(_trim_space(old, new, old_at, old_next, new_at, new_next))
        if i is not None:
            old_at, new_at = old_paragraphs[i][1], new_paragraphs[j][1]
    return changed


def _left_out_sentences(old: str, new: str) -> list[tuple[int, int]] | None:
    """The spans (with the space after them) of the whole sentences of ``old`` that ``new``
    leaves out, when ``new`` is ``old``'s other sentences in order; else None."""
    left_out, at = [], 0
    for span in sentence_spans(old):
        sentence = old[span[0]:span[1]].strip()
        if sentence and new.startswith(sentence, at):
            at += len(sentence)
            at += len(new[at:]) - len(new[at:].lstrip())
        else:
            left_out.append(span)
    return left_out if at == len(new) and left_out else None


def _trim_space(old: str, new: str, old_from: int, old_to: int, new_from: int,
                new_to: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The spans without the white space both begin and end with (a gap between
    paragraphs the model left as it was)."""
    while old_from < old_to and new_from < new_to and old[old_from] == new[new_from] and old[old_from].isspace():
        old_from, new_from = old_from + 1, new_from + 1
    while old_to > old_from and new_to > new_from and old[old_to - 1] == new[new_to - 1] and old[old_to - 1].isspace():
        old_to, new_to = old_to - 1, new_to - 1
    return (old_from, old_to), (new_from, new_to)
