"""Lighthouse's audit of the studio: category scores as medians of several runs, with the
metrics and the main thread's longest tasks that explain the performance score.

    python bench/lighthouse.py [--runs 3] [--model ID] [--max-wait-ms 45000]

Lighthouse 12.8.2 (npm, pinned in bench/lighthouse/package-lock.json) is installed into the
set-up cache on first use. It runs Debian's Chromium headless (``CHROME_PATH=/usr/bin/chromium``,
the flags of tests/browser.py) with ``--preset=desktop --throttling-method=provided``: real
timings on this machine rather than a simulation, each run in a fresh browser profile (cold
cache). The page is served by serve.py from this checkout, with its security headers. Targets:
accessibility, best practices and SEO 100; performance at least 90. Raw reports go to
bench/results/lighthouse-<timestamp>.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "build")]
import setup  # noqa: E402  (build/setup.py: the cache and npm_tools)
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
METRICS = {
    "first-contentful-paint": "First contentful paint",
    "largest-contentful-paint": "Largest contentful paint",
    "speed-index": "Speed index",
    "total-blocking-time": "Total blocking time",
    "cumulative-layout-shift": "Cumulative layout shift",
    "interactive": "Time to interactive",
}


def serve() -> tuple[subprocess.Popen, str]:
    """serve.py from this checkout on a free port: the process and its URL."""
    process = subprocess.Popen([sys.executable, "serve.py", "--no-setup", "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://\S+/", line)
    if not match:
        process.kill()
        raise SystemExit(f"serve.py did not start: {line!r}")
    return process, match.group(0)


def run_lighthouse(lighthouse: Path, url: str, max_wait_ms: int) -> dict:
    """One Lighthouse run; its JSON report."""
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        command = [
            str(lighthouse), url, "--preset=desktop", "--throttling-method=provided",
            f"--only-categories={','.join(CATEGORIES)}", f"--max-wait-for-load={max_wait_ms}",
            f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}", "--output=json", f"--output-path={report}",
            "--quiet",
        ]
        result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM},
                                capture_output=True, text=True)
        if result.returncode != 0 or not report.exists():
            raise SystemExit(f"Lighthouse failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return json.loads(report.read_text())


def median_range(values: list[float], digits: int = 0) -> str:
    spread = f" ({min(values):.{digits}f}–{max(values):.{digits}f})" if len(values) > 1 else ""
    return f"{statistics.median(values):.{digits}f}{spread}"


def failing_audits(report: dict) -> list[str]:
    """Scored audits below full marks, with what they found."""
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                items = audit.get("details", {}).get("items", [])
                detail = "; ".join(str(item.get("value", item.get("description", "")))[:110] for item in items[:3])
                found.append(f"{category['id']}: {ref['id']} ({audit.get('displayValue', audit['score'])})"
                             + (f": {detail}" if detail else ""))
    return found


def longest_tasks(report: dict, count: int = 5) -> list[str]:
    items = report["audits"]["long-tasks"].get("details", {}).get("items", [])
    return [f"{item['duration']:.0f} ms at {item['startTime']:.0f} ms ({item['url'].rsplit('/', 1)[-1] or item['url']})"
            for item in sorted(items, key=lambda item: -item["duration"])[:count]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="", help="a catalogued model id (default: the catalogue's default)")
    parser.add_argument("--max-wait-ms", type=int, default=45_000,
                        help="how long Lighthouse waits for the page to load and the network to go quiet")
    args = parser.parse_args(argv)
    try:
        lighthouse = setup.npm_tools(ROOT / "bench" / "lighthouse") / ".bin" / "lighthouse"
    except setup.SetupError as error:
        print(f"[lighthouse] {error}", file=sys.stderr)
        return 1
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# Lighthouse 12.8.2 on {chromium}; load average {os.getloadavg()[0]:.2f}; "
          f"{args.runs} run(s), desktop preset, provided throttling", flush=True)
    process, url = serve()
    reports = []
    try:
        page = url + (f"?model={args.model}" if args.model else "")
        for number in range(1, args.runs + 1):
            started = time.monotonic()
            reports.append(run_lighthouse(lighthouse, page, args.max_wait_ms))
            scores = {c: round(reports[-1]["categories"][c]["score"] * 100) for c in CATEGORIES}
            print(f"[lighthouse] run {number}: {scores} in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"\n## Scores for {page.replace(url, '/')} (median, min–max)\n")
    print("| category | score | target |\n|---|---|---|")
    for category in CATEGORIES:
        values = [report["categories"][category]["score"] * 100 for report in reports]
        met = "met" if statistics.median(values) >= TARGETS[category] else "not met"
        print(f"| {category} | {median_range(values)} | {TARGETS[category]} ({met}) |")
    print("\n| metric | median (min–max) |\n|---|---|")
    for audit, label in METRICS.items():
        values = [report["audits"][audit]["numericValue"] for report in reports]
        unit, digits = ("", 3) if audit == "cumulative-layout-shift" else (" ms", 0)
        print(f"| {label} | {median_range(values, digits)}{unit} |")
    middle = sorted(reports, key=lambda report: report["categories"]["performance"]["score"])[len(reports) // 2]
    print("\nLongest main-thread tasks (median run): " + "; ".join(longest_tasks(middle)))
    for line in failing_audits(middle):
        print(f"- below full marks: {line}")
    warnings = sorted({warning for report in reports for warning in report.get("runWarnings", [])})
    for warning in warnings:
        print(f"- Lighthouse warned: {warning}")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    raw = results / f"lighthouse-{time.strftime('%Y%m%d-%H%M%S')}.json"
    raw.write_text(json.dumps(reports))
    print(f"\nRaw reports: {raw.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
