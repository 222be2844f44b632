"""Drafts for eval/run.py: the studio's outline and section-by-section draft for each
idea of ``draft-ideas.json`` (one card per brief that a reader labelled usable in
``reading/2026-12-07-ideas-1604-final.md``: a creator drafts from an idea they like).

Figures: sections written, sections left empty (their text failed the checks twice),
outlines that fell back on the plain one, and seconds per draft; every section goes to
the reading log, to be read and labelled like the ideas.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from statistics import median

from app.core.brief import Brief
from app.core.draft import draft, outline
from app.core.idea_cards import IdeaCard

HERE = Path(__file__).parent


async def drafts(model) -> dict:
    """Each idea drafted as the studio drafts it; the sections and the figures."""
    found = {"drafts": [], "seconds": []}
    for item in json.loads((HERE / "draft-ideas.json").read_text()):
        brief = Brief.from_fields(**item["brief"])
        idea = IdeaCard(item["idea"]["title"], item["idea"]["hook"])
        started = time.perf_counter()
        headings, from_model = await outline(brief, idea, model)
        async for update in draft(brief, idea, headings, model):
            pass
        found["seconds"].append(time.perf_counter() - started)
        sections = [part.partition("\n\n") for part in update.markdown.split("\n## ")[1:]]
        found["drafts"].append({"brief": item["brief"], "idea": item["idea"], "outline_from_model": from_model,
                                "sections": [{"heading": h.strip(), "text": t.strip()} for h, _, t in sections],
                                "dropped": update.dropped})
    return found


def table(found: dict) -> list[str]:
    """The figures as a Markdown table."""
    sections = [s for d in found["drafts"] for s in d["sections"]]
    written = sum(bool(s["text"]) for s in sections)
    fallback = sum(not d["outline_from_model"] for d in found["drafts"])
    return ["| drafts | sections written | left empty | plain outline (model's unusable) | median s per draft |",
            "|---|---|---|---|---|",
            f"| {len(found['drafts'])} | {written}/{len(sections)} | {len(sections) - written} | {fallback} | "
            f"{median(found['seconds']):.1f} |"]


def reading_log(found: dict, label: str) -> str:
    """Every section of every draft, to read and label like the ideas."""
    lines = [f"# Reading log: drafts, {label}", "",
             "Label each section `[usable]` or `[not usable: reason]`, reading as a creator would.", ""]
    for item in found["drafts"]:
        outline_note = "" if item["outline_from_model"] else " (plain outline: the model's was unusable)"
        lines += [f"## draft: {item['brief']['topic']} ({len(item['sections'])} asked)", "",
                  f"A {item['brief'].get('format', 'piece')} from the idea **{item['idea']['title']}** — "
                  f"{item['idea']['hook']}{outline_note}", "", "### sections"]
        for section in item["sections"]:
            text = " ¶ ".join(section["text"].split("\n\n")) or "(left empty)"
            lines.append(f"- [ ] **{section['heading']}** — {text}")
        lines += [f"  (left out: {'; '.join(item['dropped'])})" if item["dropped"] else "", ""]
    return "\n".join(lines) + "\n"
