"""From an idea to a draft: an outline of section headings the creator can edit and
reorder, then the draft written section by section so each prompt stays short
enough for a small model, streamed as it is written.

Public: ``outline_messages``, ``parse_outline``, ``fallback_outline``, ``outline``,
``section_messages``, ``section_check``, ``kept_on_stop``, ``draft``, ``DraftUpdate``, ``OUTLINE_PREFILL``, ``move_line``.
Every paragraph of a section must pass the checks on model output (``app.core.checks``):
a section with one that fails is asked for again; then the paragraphs that fail are left
out, or the section is left empty under its heading, with a note.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from .brief import Brief
from .checks import Allowed, check_prose, strip_comments, strip_preamble, whole_sentences
from .idea_cards import IdeaCard, parse_ideas
from .model import GenerationStats, Message, Sampling, TextGenerator

OUTLINE_PREFILL = "1."
SECTIONS = 4
MAX_HEADING_WORDS = 10
SYSTEM_PROMPT = "You are a skilled writer who helps creators draft their pieces."


def outline_messages(brief: Brief, idea: IdeaCard, sections: int = SECTIONS) -> list[Message]:
    """Ask for ``sections`` headings; the reply starts with ``OUTLINE_PREFILL``."""
    kind = brief.format or "piece"
    return [
        Message("system", SYSTEM_PROMPT),
        Message("user", f"Write an outline for a {kind} titled \"{idea.title}\": {idea.hook}\n"
                        f"List {sections} short section headings, one per line, as a numbered list."),
    ]


def parse_outline(text: str, sections: int = SECTIONS) -> list[str]:
    """Distinct, short headings from a numbered or bulleted reply (at most ``sections``)."""
    headings: list[str] = []
    for card in parse_ideas(text):
        heading = " ".join(card.title.split()[:MAX_HEADING_WORDS])
        if heading and heading.casefold() not in {h.casefold() for h in headings}:
            headings.append(heading)
    return headings[:sections]


def fallback_outline(idea: IdeaCard) -> list[str]:
    """A plain outline to edit when the model gives no usable one."""
    return ["Opening", f"Why {idea.title} matters", "An example", "What to do next"]


async def outline(brief: Brief, idea: IdeaCard, model: TextGenerator,
                  sections: int = SECTIONS) -> tuple[list[str], bool]:
    """The outline's headings, and whether they came from the model (else the fallback)."""
    generation = model.generate(outline_messages(brief, idea, sections),
                                Sampling(max_new_tokens=16 * sections), OUTLINE_PREFILL)
    text = OUTLINE_PREFILL + "".join([chunk async for chunk in generation])
    headings = parse_outline(text, sections)
    if len(headings) >= 2:
        return headings, True
    return fallback_outline(idea), False


def section_messages(brief: Brief, idea: IdeaCard, headings: list[str], index: int,
                     previous: str) -> list[Message]:
    """Ask for one section; the end of the previous section keeps the thread."""
    kind = brief.format or "piece"
    words = max(40, (brief.words or 400) // max(len(headings), 1))
    tone = f" in a {brief.tone} tone" if brief.tone else ""
    context = f"\nThe previous section ended: \"{previous[-300:]}\"" if previous else ""
    return [
        Message("system", SYSTEM_PROMPT),
        Message("user", f"We are writing a {kind} titled \"{idea.title}\": {idea.hook}\n"
                        f"Sections: {'; '.join(headings)}.{context}\n"
                        f"Write the section \"{headings[index]}\"{tone}, about {words} words. "
                        "Write only the section's text."),
    ]


@dataclass
class DraftUpdate:
    """The draft so far as Markdown; ``finished`` on the last update, with ``dropped``
    naming the sections whose text failed the checks twice (and why)."""

    markdown: str
    section: int = 0
    finished: bool = False
    stats: list[GenerationStats] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


SECTION_TRIES = 2
PARAGRAPH_MIN_WORDS = 3  # fewer is a stray list number ("1.") or a label, not a paragraph
_ASIDE = re.compile(r"^\(.*\)$", re.S)  # "(I am excited to embark on this journey.)"


def _section_text(text: str, heading: str, streaming: bool = False) -> str:
    """The model's section without a repeated heading line or a preamble line."""
    lines = strip_preamble(text, streaming).splitlines()
    if lines and re.sub(r"\W", "", lines[0]).casefold() == re.sub(r"\W", "", heading).casefold():
        lines = lines[1:]
    return "\n".join(lines).strip()


def section_check(text: str, brief: Brief, idea: IdeaCard, heading: str) -> str:
    """Why a section's text fails the checks on model output ("" when it passes)."""
    return check_prose(text, Allowed.from_texts(brief.topic, brief.audience, idea.title, idea.hook, heading))


def paragraph_check(paragraph: str, brief: Brief, idea: IdeaCard, heading: str) -> str:
    """Why one paragraph of a section fails ("" when it passes): the checks on model output,
    too few words, or a remark in brackets."""
    if len(paragraph.split()) < PARAGRAPH_MIN_WORDS:
        return "too short to be a paragraph"
    if _ASIDE.match(paragraph):
        return "a remark in brackets"
    return section_check(paragraph, brief, idea, heading)


def _checked_paragraphs(section: str, brief: Brief, idea: IdeaCard, heading: str) -> tuple[list[str], list[str]]:
    """The section's paragraphs (one per line or block) that pass, and why the others fail."""
    kept, reasons = [], []
    for paragraph in (p.strip() for p in section.splitlines() if p.strip()):
        if reason := paragraph_check(paragraph, brief, idea, heading):
            reasons.append(reason)
        else:
            kept.append(paragraph)
    return kept, reasons or ([] if kept else ["empty"])


async def draft(brief: Brief, idea: IdeaCard, headings: list[str], model: TextGenerator) -> AsyncIterator[DraftUpdate]:
    """Stream the draft: a title, then each heading with its section as it is written."""
    done = f"# {idea.title}\n\n"
    stats: list[GenerationStats] = []
    words = max(40, (brief.words or 400) // max(len(headings), 1))
    dropped: list[str] = []
    for index, heading in enumerate(headings):
        previous = done.rstrip().rsplit("\n\n", 1)[-1] if index else ""
        for _ in range(SECTION_TRIES):
            generation = model.generate(section_messages(brief, idea, headings, index, previous),
                                        Sampling(max_new_tokens=min(int(1.4 * words), 300)))
            text = ""
            async for chunk in generation:
                text += chunk
                yield DraftUpdate(f"{done}## {heading}\n\n{_section_text(text, heading, streaming=True)}", index)
            stats.append(generation.stats or GenerationStats(reason="stop"))
            kept, reasons = _checked_paragraphs(_section_text(whole_sentences(strip_comments(text)), heading),
                                                brief, idea, heading)
            if not reasons:
                break
        if reasons:  # the last try still had paragraphs that fail: those are left out
            dropped.append(f"{'part of ' if kept else ''}“{heading}” ({reasons[0]})")
        section = "\n\n".join(kept)
        done += f"## {heading}\n\n{section}\n\n" if section else f"## {heading}\n\n"
    yield DraftUpdate(done.rstrip() + "\n", len(headings) - 1, finished=True, stats=stats, dropped=dropped)


def kept_on_stop(markdown: str, brief: Brief, idea: IdeaCard) -> str:
    """What a draft stopped mid-section keeps: the unfinished section's whole sentences
    without comments, or only its heading when those fail the checks."""
    head, marker, section = markdown.rpartition("\n## ")
    if not marker:
        return markdown
    heading, _, body = section.partition("\n\n")
    body = _section_text(whole_sentences(strip_comments(body)), heading) if body.strip() else ""
    if body and section_check(body, brief, idea, heading):
        body = ""
    return f"{head}{marker}{heading}\n\n{body}".rstrip() + "\n"


def move_line(text: str, position: int, step: int) -> tuple[str, int]:
    """Move the line holding ``position`` up (``step`` -1) or down (+1) in ``text``;
    returns the new text and the same caret place in the moved line."""
    lines = text.split("\n")
    index = text.count("\n", 0, position)
    target = index + step
    if not 0 <= target < len(lines):
        return text, position
    column = position - sum(len(line) + 1 for line in lines[:index])
    lines[index], lines[target] = lines[target], lines[index]
    return "\n".join(lines), sum(len(line) + 1 for line in lines[:target]) + column
