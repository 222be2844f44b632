"""Refinement figures for eval/run.py: length control, proofreading and headlines,
each for the studio's core code and for a single raw prompt to the same model.

- shorter / longer: words after ÷ words before over ``passages.json``; the targets
  are ≤ 0.70 for shorter and ≥ 1.30 for longer;
- rewrites (only with ``--part rewrites``): each passage simpler and in a friendly tone, for
  the reading log; summaries (only with ``--part summaries``): a tl;dr and key points of each;
- proofreading: the sentences of ``proofreading.json`` carry known injected mistakes;
  a correction is right when applying it gives exactly the fix of one mistake
  (precision over corrections offered, recall over mistakes);
- headlines: how many distinct headlines under ``HEADLINE_MAX_CHARS`` a request gives;
- comments on itself: refined paragraphs that talk about the text instead of being it
  ("I made several changes…", "Here's a shorter version:"), judged by ``app.core.checks``.
The studio's refined passages and headlines are kept for the reading log.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from statistics import mean, median

from app.core.checks import check_prose
from app.core.document import text_stats
from app.core.model import Message, Sampling
from app.core.proofread import corrections_from_rewrite, proofread
from app.core.headlines import HEADLINE_MAX_CHARS, headlines
from app.core.refine import SUMMARIES, RefineError, refine, summarize

HERE = Path(__file__).parent
HEADLINES = 5


def words(text: str) -> int:
    return text_stats(text).words


async def _reply(model, prompt: str, sampling: Sampling, prefill: str = "") -> str:
    generation = model.generate([Message("user", prompt)], sampling, prefill)
    return prefill + "".join([chunk async for chunk in generation])


def comments_on_itself(text: str) -> int:
    """Paragraphs of ``text`` that talk about the text instead of being it."""
    return sum(check_prose(p).startswith("talks about") for p in text.split("\n\n") if p.strip())


async def lengths(model, passages: list[str], embedder=None) -> dict:
    """Word ratios of shorter and longer, studio and raw prompt; the studio's texts and both
    sides' comments on themselves. ``embedder`` compares rewrites with their source as the page does."""
    ratios = {key: [] for key in ("studio shorter", "raw shorter", "studio longer", "raw longer")}
    ratios |= {"texts": [], "studio comments": 0, "raw comments": 0, "kept": 0}
    for text in passages:
        for operation in ("shorter", "longer"):
            async for update in refine(operation, text, model, embedder=embedder):
                pass
            ratios[f"studio {operation}"].append(words(update.text) / words(text))
            ratios["texts"].append({"operation": operation, "before": text, "after": update.text,
                                    "summary": update.summary})
            ratios["studio comments"] += comments_on_itself(update.text)
            ratios["kept"] += "Kept as you wrote it" in update.summary
            budget = int(words(text) * (1.2 if operation == "shorter" else 3))
            raw = await _reply(model, f"Make this text {operation}:\n\n{text}", Sampling(max_new_tokens=budget))
            ratios[f"raw {operation}"].append(words(raw) / words(text))
            ratios["raw comments"] += comments_on_itself(raw)
    return ratios


REWRITE_OPERATIONS = (("simplify", ""), ("tone", "friendly"))


async def rewrites(model, passages: list[str], embedder=None) -> dict:
    """Each passage made simpler and friendly in tone by the studio, for the reading log;
    how many stayed as written, and how many talk about themselves."""
    found = {"texts": [], "kept": 0, "comments": 0}
    for number, text in enumerate(passages, 1):
        for operation, tone in REWRITE_OPERATIONS:
            async for update in refine(operation, text, model, tone, embedder=embedder):
                pass
            found["texts"].append({"passage": number, "operation": f"{operation} {tone}".strip(), "before": text,
                                   "after": update.text, "summary": update.summary})
            found["kept"] += "Kept as you wrote it" in update.summary
            found["comments"] += comments_on_itself(update.text)
    return found


async def summaries(model, passages: list[str], embedder=None) -> dict:
    """A tl;dr and the key points of each passage, for the reading log; how many of the
    model's the checks refused twice (the studio then picks the passage's own sentences)."""
    found = {"texts": [], "refused": 0}
    for number, text in enumerate(passages, 1):
        for kind in SUMMARIES:
            try:
                result = await summarize(kind, text, model, embedder)
                written, summary = result.text, result.note
            except RefineError as error:
                written, summary = "", str(error)
            found["refused"] += bool(summary)
            found["texts"].append({"passage": number, "operation": kind, "before": text, "after": written,
                                   "summary": summary})
    return found


def fixes(item: dict) -> list[str]:
    """The text with each known mistake fixed on its own."""
    text = item["text"]
    fixed = []
    for wrong, right in item["fixes"]:
        start = text.index(wrong)
        fixed.append(text[:start] + right + text[start + len(wrong):])
    return fixed


def judge_corrections(item: dict, corrections) -> tuple[int, int, int]:
    """(right corrections, corrections offered, mistakes fixed)."""
    text, wanted = item["text"], fixes(item)
    results = [text[:c.start] + c.replacement + text[c.end:] for c in corrections]
    right = sum(result in wanted for result in results)
    return right, len(corrections), sum(fix in results for fix in wanted)


async def proofreading(model, items: list[dict]) -> dict:
    totals = {"studio": [0, 0, 0], "raw": [0, 0, 0]}
    seconds = []
    for item in items:
        started = time.perf_counter()
        async for update in proofread(item["text"], model):
            pass
        seconds.append(time.perf_counter() - started)
        raw = await _reply(model, f"Proofread this text:\n\n{item['text']}", Sampling.greedy(80))
        raw_sentence = raw.strip().split("\n\n")[0].strip().strip('"')
        for key, corrections in (("studio", update.corrections),
                                 ("raw", corrections_from_rewrite(item["text"], raw_sentence))):
            for i, value in enumerate(judge_corrections(item, corrections)):
                totals[key][i] += value
    mistakes = sum(len(item["fixes"]) for item in items)
    return {key: {"precision": right / offered if offered else 0.0, "recall": fixed / mistakes,
                  "offered": offered} for key, (right, offered, fixed) in totals.items()} | {
        "median s per sentence": median(seconds), "mistakes": mistakes}


def _distinct_short(lines: list[str]) -> int:
    seen = {line.casefold() for line in lines if 3 <= len(line) <= HEADLINE_MAX_CHARS}
    return len(seen)


def _headline_cell(counts: list[int]) -> str:
    return f"{mean(counts):.1f} ({sum(n == HEADLINES for n in counts)}/{len(counts)} full sets)"


async def headline_sets(model, passages: list[str], embedder=None) -> dict:
    studio, raw, shown = [], [], []
    for text in passages:
        found = await headlines(text, model, HEADLINES, embedder=embedder)
        shown.append(found)
        studio.append(_distinct_short(found))
        reply = await _reply(model, f"Write {HEADLINES} headlines for this text:\n\n{text}",
                             Sampling(max_new_tokens=20 * HEADLINES), "1.")
        lines = [re.sub(r"^\s*(\d+[.)]|[-*•])\s*", "", line).strip().strip('"*') for line in reply.splitlines()]
        raw.append(min(_distinct_short([line for line in lines if line]), HEADLINES))
    return {"studio": studio, "raw": raw, "headlines": shown}


async def evaluate(model, only: str = "", embedder=None) -> tuple[list[tuple], dict]:
    """The refinement table rows and the raw figures (with ``only`` "proofread" or
    "headlines", only that column is measured); ``embedder`` judges rewrites and ranks headlines as
    the page does."""
    passages = json.loads((HERE / "passages.json").read_text())
    if only == "headlines":
        heads = await headline_sets(model, passages, embedder)
        return [(who, "", "", "", _headline_cell(heads[who]), "") for who in ("studio", "raw")], {"headlines": heads}
    if only == "summaries":
        found = await summaries(model, passages, embedder)
        return [("studio pipeline", "", "", "", "", f"({found['refused']} of {len(found['texts'])} refused twice)")], {
            "rewrites": found}
    if only == "rewrites":
        found = await rewrites(model, passages, embedder)
        return [("studio pipeline", "", "", "", "", f"{found['comments']} ({found['kept']} of {len(found['texts'])} "
                 "kept as written)")], {"rewrites": found}
    if only == "lengths":
        ratio = await lengths(model, passages, embedder)
        return [(who, _length_cell(ratio[f"{who} shorter"], "≤", 0.70),
                 _length_cell(ratio[f"{who} longer"], "≥", 1.30),
                 "", "", f"{ratio[who + ' comments']}") for who in ("studio", "raw")], {"lengths": ratio}
    items = json.loads((HERE / "proofreading.json").read_text())
    proof = await proofreading(model, items)
    if only == "proofread":
        return [(who, "", "", f"{proof[who]['precision']:.2f} / {proof[who]['recall']:.2f} "
                 f"({proof[who]['offered']} offered)", "", "") for who in ("studio", "raw")], {"proofreading": proof}
    ratio = await lengths(model, passages, embedder)
    heads = await headline_sets(model, passages, embedder)
    rows = []
    for who in ("studio", "raw"):
        short, long_ = ratio[f"{who} shorter"], ratio[f"{who} longer"]
        rows.append((
            "studio pipeline" if who == "studio" else "single prompt (baseline)",
            _length_cell(short, "≤", 0.70),
            _length_cell(long_, "≥", 1.30),
            f"{proof[who]['precision']:.2f} / {proof[who]['recall']:.2f} ({proof[who]['offered']} offered)",
            _headline_cell(heads[who]),
            f"{ratio[who + ' comments']}",
        ))
    return rows, {"lengths": ratio, "proofreading": proof, "headlines": heads}


def _length_cell(ratios: list[float], side: str, target: float) -> str:
    met = sum(r <= target if side == "≤" else r >= target for r in ratios)
    return f"{median(ratios):.2f} ({met}/{len(ratios)} {side} {target:.2f})"


def reading_log(figures: dict) -> str:
    """The studio's refined passages and headlines, to read and label like the ideas."""
    lines = []
    for number, item in enumerate(figures.get("lengths", {}).get("texts", []), 1):
        lines += [f"## refine: passage {(number + 1) // 2}, {item['operation']} (1 asked)", "",
                  "### refined", f"- [ ] **{item['operation']}** — {' ¶ '.join(item['after'].split(chr(10) * 2))}",
                  f"  ({item['summary']})", ""]
    for item in figures.get("rewrites", {}).get("texts", []):
        after = " ¶ ".join(line.strip() for line in item["after"].splitlines() if line.strip())
        lines += [f"## refine: passage {item['passage']}, {item['operation']} (1 asked)", "",
                  "### refined", f"- [ ] **{item['operation']}** — {after}",
                  f"  ({item['summary']})", ""]
    for number, found in enumerate(figures.get("headlines", {}).get("headlines", []), 1):
        lines += [f"## refine: passage {number} headlines ({HEADLINES} asked)", "", "### headlines"]
        lines += [f"- [ ] **{headline}** — " for headline in found] + [""]
    return "\n".join(lines) + "\n"
