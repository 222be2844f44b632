"""Count a labelled reading log (written by ``eval/run.py``, labelled by a person) and say
how far the automatic checks agree with the reading.

Each item of the log is ``- [label] **title** — hook``: ``[usable]``, ``[not usable: reason]``
or still ``[ ]``. Sections are ``## <set>: <brief> (N asked)`` and ``### pipeline``,
``### baseline``, ``### headlines``, ``### refined`` or ``### sections`` (a draft's).

    python eval/labels.py eval/reading/2026-12-07.md

Prints, per brief set and per source, the share of items read as usable, and, where the
studio's checks are available (``app.core.judging.failed_check``), the share of items on which
the checks and the reading disagree, with examples.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.brief import Brief  # noqa: E402
from app.core.checks import check_headline, check_prose  # noqa: E402
from app.core.idea_cards import IdeaCard  # noqa: E402
from app.core.judging import failed_check  # noqa: E402

_SECTION = re.compile(r"^## (?P<set>[\w-]+): (?P<brief>.+) \((?P<count>\d+) asked\)$")
_SOURCE = re.compile(r"^### (?P<source>\w+)")
EMPTY_SECTION = "(left empty)"  # a draft's section whose text failed the checks twice (eval/drafting.py)
_ITEM = re.compile(r"^- \[(?P<label>[^\]]*)\] \*\*(?P<title>.*?)\*\* — (?P<hook>.*)$")


def read_log(text: str) -> list[dict]:
    """The log's items: set, brief, source, title, hook and label ("usable", "not usable" or "")."""
    items, where = [], {}
    for line in text.splitlines():
        if match := _SECTION.match(line):
            where = {"set": match["set"], "brief": match["brief"]}
        elif match := _SOURCE.match(line):
            where["source"] = match["source"]
        elif match := _ITEM.match(line):
            label = match["label"].strip()
            verdict = "usable" if label == "usable" else "not usable" if label.startswith("not usable") else ""
            items.append({**where, "title": match["title"], "hook": match["hook"], "label": verdict,
                          "reason": label.partition(":")[2].strip()})
    return items


def automatic_verdict(item: dict, briefs: dict[str, Brief]) -> str:
    """What the studio's checks say of an item ("" when it passes): ideas as cards, headlines
    as titles, refined passages as prose."""
    if item["source"] == "headlines":
        return check_headline(item["title"])
    if item["hook"] == EMPTY_SECTION:
        return "left empty"
    if item["source"] in ("refined", "sections"):
        return " ".join(check_prose(p) for p in item["hook"].split(" ¶ ")).strip()
    brief = briefs.get(item["brief"]) or Brief.from_text(item["brief"])
    return failed_check(IdeaCard(item["title"], item["hook"]), brief)


def report(items: list[dict], briefs: dict[str, Brief]) -> str:
    """Usable shares per set and source, and where the checks disagree with the reading."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in items:
        if item["label"]:
            groups[(item["set"], item["source"])].append(item)
    lines = ["| set | source | labelled | usable (read) | passes checks | checks disagree with reading |",
             "|---|---|---|---|---|---|"]
    examples = []
    for (name, source), group in sorted(groups.items()):
        passing = disagree = 0
        for item in group:
            reason = automatic_verdict(item, briefs)
            passing += not reason
            if (not reason) != (item["label"] == "usable"):
                disagree += 1
                examples.append(f"- {source}, read {item['label']}{': ' + item['reason'] if item['reason'] else ''}; "
                                f"checks: {reason or 'pass'} — **{item['title']}** — {item['hook']}")
        usable = sum(item["label"] == "usable" for item in group)
        lines.append(f"| {name} | {source} | {len(group)} | {usable / len(group):.0%} ({usable}) | "
                     f"{passing / len(group):.0%} | {disagree / len(group):.0%} ({disagree}) |")
    return "\n".join(lines + ["", "Disagreements:", *examples]) + "\n"


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    args = parser.parse_args(argv)
    briefs = {}
    for file in ("briefs.json", "briefs-new.json"):
        for fields in json.loads((Path(__file__).parent / file).read_text()):
            fields = {k: v for k, v in fields.items() if k != "count"}
            briefs[fields["topic"]] = Brief.from_fields(**fields)
    print(report(read_log(args.log.read_text()), briefs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
