"""MuseSpark benchmark: start-up and generation speed of the studio, in Chromium,
against native onnxruntime on the same machine, in one run.

    python bench/run.py [--runs 3] [--dtypes q8] [--quick]

(run it with the test environment's Python, the one with Playwright).

What it measures (every figure is a median of ``--runs`` runs; raw runs go to
bench/results/<timestamp>.json):

1. Start-up, from ``museSpark.timings`` (ms since navigation start): runtime,
   Python and model ready, cold (fresh browser context, empty HTTP cache) and
   warm (reload in the same context); and Python ready while no model loads
   (the catalogue answers 404), which shows what the parallel model load costs.
2. Generation of one fixed chat prompt, greedy, ``--max-new-tokens`` tokens,
   after one warm-up, for each precision in ``--dtypes``:
   a. studio: ``museSpark.runPrompt`` (Python → bridge → worker → back), timed
      in Python and in the worker, alternating with the same page's ModelClient
      called directly from JS (the same worker, no Python);
   b. worker only: ``ModelClient`` in a bare page without Python, timed in JS
      and in the worker;
   c. native: onnxruntime on the same ONNX file at 1 and 2 threads
      (bench/native.py, run in the model environment), and whether its greedy
      text equals the browser's.
   Peak memory: the page's renderer process (Linux /proc) and the native process.
3. Ratios: bridge cost (studio total / worker-only total, and / the same page's
   direct ModelClient total), browser decode / native decode at 1 and 2 threads,
   checked against the targets in bench/README.md.
4. Sparking ideas in the page, as a creator does it (the brief typed, 5 ideas asked for,
   Spark pressed, the embedding model loaded): seconds to the first card shown and to
   the whole set, per brief of ``SPARK_BRIEFS``, against the targets (3 s and 15 s).
   With ``--engine URL --engine-model NAME [--engine-key KEY]``, the same again written by
   the creator's own OpenAI-compatible server (connected through the Engine dialog), in
   the same run.

``--parts`` picks some of them (e.g. ``--parts spark``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "build")]
import setup  # noqa: E402  (build/setup.py: where the model environment lives)
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
PROMPT = "Write a short paragraph about why city rooftops are good places for beehives."
# Asked (for one token) before each timed run: the worker keeps the KV cache of the last
# prompt, so without it every run after the first would prefill one token, not the prompt.
# Only the chat template's system turn is then reused, as between any two studio requests.
OTHER_PROMPT = {"prompt": "Hi", "maxNewTokens": 1}
WAIT_MS = 180_000
TARGETS = {"bridge_cost_pct": 5.0, "decode_vs_native": 0.8, "python_cold_ms": 2500, "python_warm_ms": 1500,
           "first_card_s": 3.0, "idea_set_s": 15.0}
# Briefs from eval/briefs.json and eval/briefs-new.json, five ideas each.
SPARK_BRIEFS = ("a newsletter intro about urban beekeeping for beginners",
                "repairing a bicycle puncture at the roadside, for commuters",
                "a short story opening about a lighthouse keeper who collects lost letters")
SPARK_JS = """async (brief) => {
  const ideas = document.querySelector("#ideas");
  document.querySelector("#brief").value = brief;
  document.querySelector("#idea-count").value = "5";
  let firstCard = null;
  const observer = new MutationObserver(() => {
    if (firstCard === null && ideas.querySelector(".idea-card:not([data-writing])")) firstCard = performance.now();
  });
  observer.observe(ideas, { childList: true, subtree: true });
  const started = performance.now();
  document.querySelector("#spark").click();
  await new Promise((resolve) => setTimeout(resolve, 50));
  while (document.querySelector("main").dataset.busy !== "false") await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { firstCardS: firstCard === null ? null : (firstCard - started) / 1000,
           setS: (performance.now() - started) / 1000,
           cards: ideas.querySelectorAll(".idea-card").length,
           status: document.querySelector("#status").textContent };
}"""
# Draft the first idea of the set just sparked, as a creator would: "Draft this" writes an
# outline, "Write the draft" its sections; each step timed until the studio is idle again.
DRAFT_JS = """async () => {
  const main = document.querySelector("main");
  const idle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    while (main.dataset.busy !== "false") await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const timed = async (id) => {
    const started = performance.now();
    document.getElementById(id).click();
    await idle();
    return (performance.now() - started) / 1000;
  };
  const outlineS = await timed("idea-draft-0");
  const sections = document.querySelector("#outline").value.split("\\n").filter((line) => line.trim()).length;
  const draftS = await timed("write-draft");
  return { outlineS, draftS, sections, words: document.querySelector("#draft").value.split(/\\s+/).filter(Boolean).length,
           status: document.querySelector("#status").textContent };
}"""

BARE_PAGE = "<!doctype html><meta charset='utf-8'><title>MuseSpark worker bench</title>"
LOAD_WORKER_JS = """async (spec) => {
  const { ModelClient } = await import("/assets/model-client.js");
  globalThis.benchClient = new ModelClient();
  const started = performance.now();
  const ready = await globalThis.benchClient.load(spec);
  return { totalMs: performance.now() - started, loadMs: ready.loadMs, warmupMs: ready.warmupMs };
}"""
GENERATE_WORKER_JS = """async ({ spec, prompt, maxNewTokens }) => {
  const chunks = [];
  let first = null;
  const options = { max_new_tokens: maxNewTokens, do_sample: false, repetition_penalty: 1.0 };
  const started = performance.now();
  const done = await globalThis.benchClient.generate(spec, [{ role: "user", content: prompt }], options, {
    onToken: (text) => { first ??= performance.now(); chunks.push(text); },
  });
  const ended = performance.now();
  return { text: chunks.join(""), tokens: done.tokens, promptTokens: done.promptTokens, reusedTokens: done.reusedTokens,
           totalMs: ended - started, firstTokenMs: (first ?? ended) - started, decodeMs: ended - (first ?? ended),
           workerFirstTokenMs: done.firstTokenMs, workerDecodeMs: done.decodeMs };
}"""
RUN_PROMPT_JS = """async ([prompt, maxNewTokens]) => {
  const started = performance.now();
  const result = await globalThis.museSpark.runPrompt(prompt, maxNewTokens);
  const wallMs = performance.now() - started;
  return { ...result, wallMs };
}"""


def log(message: str) -> None:
    """A progress line."""
    print(f"[bench] {message}", flush=True)


# --- the server and the browser's processes ---

def start_server() -> tuple[subprocess.Popen, str]:
    """serve.py on a free port, as the end-to-end tests start it."""
    process = subprocess.Popen([sys.executable, "serve.py", "--no-setup", "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    match = re.search(r"http://\S+/", process.stdout.readline())
    if not match:
        process.kill()
        raise SystemExit("serve.py did not start")
    return process, match.group(0)


def renderer_cpu() -> dict[int, float]:
    """CPU seconds used so far by each Chromium renderer started under this process (Linux /proc)."""
    parents, renderers = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            if b"--type=renderer" in (entry / "cmdline").read_bytes():
                renderers[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    ours = {os.getpid()}
    for pid in sorted(parents):  # children have higher pids than their parents here
        if parents[pid] in ours:
            ours.add(pid)
    return {pid: cpu for pid, cpu in renderers.items() if pid in ours}


def busiest_renderer_peak_mb(before: dict[int, float]) -> float | None:
    """Peak resident size (VmHWM, MB) of the renderer that worked hardest since ``before``:
    the one running the page being measured."""
    used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in renderer_cpu().items()}
    if not used:
        return None
    try:
        status = Path(f"/proc/{max(used, key=used.get)}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else None


# --- 1. start-up ---

def wait_for_startup(page, model: bool = True) -> dict:
    """Wait for Python (and the model, or its failure) and return museSpark.timings."""
    page.wait_for_selector("main[data-python=ready]", state="attached", timeout=WAIT_MS)
    stage = "ready" if model else "error"
    page.wait_for_selector(f"html[data-model-stage={stage}]", state="attached", timeout=WAIT_MS)
    return page.evaluate("({ ...globalThis.museSpark.timings })")


def measure_startup(browser, url: str, runs: int, with_model: bool) -> dict:
    """Cold (fresh context) then warm (reload) start-ups, ``runs`` of each."""
    label = "start-up" if with_model else "start-up without the model"
    cold, warm = [], []
    for i in range(runs):
        context = browser.new_context()
        if not with_model:
            context.route("**/models/catalogue.json", lambda route: route.fulfill(status=404, body="absent"))
        page = context.new_page()
        page.goto(url)
        cold.append(wait_for_startup(page, with_model))
        page.reload(wait_until="commit")
        warm.append(wait_for_startup(page, with_model))
        context.close()
        log(f"{label} {i + 1}/{runs}: python cold {cold[-1]['python']:.0f} ms, warm {warm[-1]['python']:.0f} ms")
    return {"cold": cold, "warm": warm}


# --- 2a/2b. generation in the browser ---

def measure_studio(browser, url: str, dtype: str, args) -> dict:
    """runPrompt through the whole studio path, alternating with the page's own
    ModelClient called directly (no Python): one warm-up, then ``args.runs`` of each."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}?model={args.model}&dtype={dtype}")
    wait_for_startup(page)
    before = renderer_cpu()
    spec = page.evaluate("async () => { globalThis.benchClient = museSpark.client; return (await museSpark.model).spec; }")
    direct_args = {"spec": spec, "prompt": PROMPT, "maxNewTokens": args.max_new_tokens}
    runs, direct = [], []
    for i in range(args.runs + 1):
        page.evaluate(GENERATE_WORKER_JS, {**direct_args, **OTHER_PROMPT})
        result = page.evaluate(RUN_PROMPT_JS, [PROMPT, args.max_new_tokens])
        page.evaluate(GENERATE_WORKER_JS, {**direct_args, **OTHER_PROMPT})
        bypass = page.evaluate(GENERATE_WORKER_JS, direct_args)
        if i:
            runs.append(result)
            direct.append(bypass)
            log(f"studio {dtype} {i}/{args.runs}: {describe(result)}; without Python: {describe(bypass)}")
    memory = busiest_renderer_peak_mb(before)
    context.close()
    return {"runs": runs, "direct": direct, "rendererPeakMb": memory}


def measure_worker(browser, url: str, dtype: str, args) -> dict:
    """ModelClient alone in a bare same-origin page (no Python)."""
    context = browser.new_context()
    bare = url + "bench-worker.html"
    context.route(bare, lambda route: route.fulfill(body=BARE_PAGE, content_type="text/html"))
    page = context.new_page()
    page.goto(bare)
    spec = {"id": args.model, "dtype": dtype, "path": "/models/"}
    load = page.evaluate(LOAD_WORKER_JS, spec)
    before = renderer_cpu()
    runs = []
    for i in range(args.runs + 1):
        page.evaluate(GENERATE_WORKER_JS, {"spec": spec, **OTHER_PROMPT})
        result = page.evaluate(GENERATE_WORKER_JS, {"spec": spec, "prompt": PROMPT, "maxNewTokens": args.max_new_tokens})
        if i:
            runs.append(result)
            log(f"worker {dtype} {i}/{args.runs}: {describe(result)}")
    memory = busiest_renderer_peak_mb(before)
    context.close()
    return {"load": load, "runs": runs, "rendererPeakMb": memory}


# --- 3. the devices: WASM and WebGPU ---

WEBGPU_FLAGS = [flag for flag in CHROMIUM_FLAGS if flag != "--disable-gpu"] + ["--enable-unsafe-webgpu"]


def measure_devices(playwright, url: str, args) -> dict:
    """runPrompt through the studio with the model on WASM and on WebGPU, side by side in one
    Chromium that offers WebGPU, alternating: one warm-up, then ``args.runs`` of each. On
    these machines the adapter is SwiftShader, software: its figures say nothing of a GPU's."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=WEBGPU_FLAGS)
    pages, found = {}, {}
    for device in ("wasm", "webgpu"):
        page = browser.new_context().new_page()
        page.goto(f"{url}?model={args.model}&device={device}")
        wait_for_startup(page)
        pages[device] = page
        found[device] = {"stage": page.inner_text("#stage-model .stage-detail"), "runs": []}
    for i in range(args.runs + 1):
        for device, page in pages.items():
            result = page.evaluate(RUN_PROMPT_JS, [PROMPT, args.max_new_tokens])
            if i:
                found[device]["runs"].append(result)
                log(f"{device} {i}/{args.runs}: {describe(result)}")
    browser.close()
    return found


def devices_table(found: dict) -> list[str]:
    """Markdown lines: medians per device, and WebGPU against WASM."""
    lines = ["## The built-in model on WASM and on WebGPU (studio path, one Chromium)", "",
             "| device | first token ms (median) | decode tok/s (median) | runs | where, as the page says |",
             "|---|---|---|---|---|"]
    medians = {}
    for device, result in found.items():
        runs = result["runs"]
        first = statistics.median(r["firstTokenMs"] for r in runs)
        rate = statistics.median(decode_rate(r["tokens"], r["decodeMs"]) for r in runs)
        medians[device] = (first, rate)
        lines.append(f"| {device} | {first:.0f} | {rate:.1f} | {len(runs)} | {result['stage']} |")
    texts = {r["text"] for result in found.values() for r in result["runs"]}
    (wasm_first, wasm_rate), (gpu_first, gpu_rate) = medians["wasm"], medians["webgpu"]
    lines += ["", f"WebGPU / WASM: decode {gpu_rate / wasm_rate:.2f}×, first token {gpu_first / wasm_first:.2f}× "
                  f"the time. Greedy text the same on both: {'yes' if len(texts) == 1 else 'no'}."]
    return lines


# --- 4. sparking ideas in the page ---

def use_engine(page, args) -> None:
    """Connect the creator's own server through the Engine dialog, as a creator would."""
    page.click("#engine-open")
    page.fill("#engine-url", args.engine)
    page.fill("#engine-key", args.engine_key)
    page.click("#engine-list")
    page.wait_for_selector(f"#engine-model option[value='{args.engine_model}']", state="attached", timeout=WAIT_MS)
    page.select_option("#engine-model", args.engine_model)
    page.click("#engine-use")
    page.wait_for_selector("main[data-engine=endpoint]", state="attached", timeout=WAIT_MS)


def measure_spark(browser, url: str, args, engine: bool = False) -> dict:
    """Spark five ideas for each brief of ``SPARK_BRIEFS``, ``args.runs`` times, and draft the
    first, in one page with the embedding model loaded (one untimed spark first warms the path);
    with ``engine``, written by the creator's own server (``--engine``) instead of the built-in model."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}?model={args.model}")
    wait_for_startup(page)
    page.wait_for_selector("main[data-embedder=ready]", state="attached", timeout=WAIT_MS)
    if engine:
        use_engine(page, args)
    page.evaluate(SPARK_JS, "a poem about autumn in a small mountain village")
    runs: dict[str, list[dict]] = {brief: [] for brief in SPARK_BRIEFS}
    for i in range(args.runs):
        for brief in SPARK_BRIEFS:
            result = page.evaluate(SPARK_JS, brief)
            if result["cards"]:
                result["draft"] = page.evaluate(DRAFT_JS)
            runs[brief].append(result)
            first = f"{result['firstCardS']:.1f} s" if result["firstCardS"] is not None else "none"
            drafted = result.get("draft", {})
            log(f"spark {i + 1}/{args.runs} {brief[:40]!r}: first card {first}, set {result['setS']:.1f} s, "
                f"{result['cards']} cards; outline {drafted.get('outlineS', 0):.1f} s, "
                f"draft {drafted.get('draftS', 0):.1f} s ({drafted.get('words', 0)} words)")
    context.close()
    return runs


def spark_table(runs: dict[str, list[dict]], writer: str = "the built-in model") -> list[str]:
    """Markdown lines: medians per brief and over all sparks, against the targets."""
    lines = [f"## Sparking 5 ideas in the page, and drafting the first, written by {writer}", "",
             "| brief | first card s | whole set s | cards | outline s | draft s | draft words | runs |",
             "|---|---|---|---|---|---|---|---|"]
    every = [run for results in runs.values() for run in results]
    median = lambda values, digits=1: f"{statistics.median(values):.{digits}f}" if values else "none"  # noqa: E731
    for brief, results in [*runs.items(), ("all briefs", every)]:
        drafts = [r["draft"] for r in results if "draft" in r]
        lines.append(f"| {brief} | {median([r['firstCardS'] for r in results if r['firstCardS'] is not None])} | "
                     f"{median([r['setS'] for r in results])} | {median([r['cards'] for r in results], 0)} | "
                     f"{median([d['outlineS'] for d in drafts])} | {median([d['draftS'] for d in drafts])} | "
                     f"{median([d['words'] for d in drafts], 0)} | {len(results)} |")
    firsts = [r["firstCardS"] for r in every if r["firstCardS"] is not None]
    first_ok = bool(firsts) and statistics.median(firsts) <= TARGETS["first_card_s"]
    set_ok = statistics.median(r["setS"] for r in every) <= TARGETS["idea_set_s"]
    lines += ["", "Medians. "
                  f"Targets: first card ≤ {TARGETS['first_card_s']:.0f} s ({verdict(first_ok)}), "
                  f"set of 5 ≤ {TARGETS['idea_set_s']:.0f} s ({verdict(set_ok)})."]
    return lines


# --- 2c. native onnxruntime ---

def catalogue_entry(model_id: str) -> dict:
    """The model's entry in models/catalogue.json (its precisions and their weight files)."""
    catalogue = json.loads((ROOT / "models" / "catalogue.json").read_text())
    return next(entry for entry in catalogue["models"] if entry["id"] == model_id)


def measure_native(dtype: str, args) -> dict:
    """bench/native.py at 1 and 2 threads on the ONNX file the browser loads."""
    command = [str(args.native_python), str(ROOT / "bench" / "native.py"),
               str(ROOT / "models" / args.model), args.weights[dtype], PROMPT,
               "--threads", "1,2", "--runs", str(args.runs), "--max-new-tokens", str(args.max_new_tokens)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    for group in result["threads"]:
        for i, run in enumerate(group["runs"], 1):
            log(f"native {dtype} {group['threads']} thread(s) {i}/{args.runs}: {describe(run)}")
    return result


# --- figures ---

def decode_rate(tokens: int, decode_ms: float) -> float:
    """Tokens per second after the first one."""
    return (tokens - 1) / decode_ms * 1000 if decode_ms > 0 else 0.0


def describe(run: dict) -> str:
    """One run in a progress line."""
    reused = f" ({run['reusedTokens']} of {run['promptTokens']} prompt tokens reused)" if "reusedTokens" in run else ""
    return (f"{run['tokens']} tokens, first {run['firstTokenMs']:.0f} ms{reused}, "
            f"{decode_rate(run['tokens'], run['decodeMs']):.1f} tok/s")


def spread(values: list[float]) -> dict:
    """Median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def engine_rows(generation: dict) -> dict[str, dict]:
    """Per engine: total ms, first-token ms, decode tok/s and the run texts."""
    studio, worker = generation["studio"]["runs"], generation["worker"]["runs"]
    views = {
        "studio, Python-timed": [(r["firstTokenMs"], r["decodeMs"], r["tokens"]) for r in studio],
        "studio, worker-timed": [(r["workerFirstTokenMs"], r["workerDecodeMs"], r["tokens"]) for r in studio],
        "studio page, ModelClient direct": [(r["firstTokenMs"], r["decodeMs"], r["tokens"])
                                            for r in generation["studio"]["direct"]],
        "worker only, JS-timed": [(r["firstTokenMs"], r["decodeMs"], r["tokens"]) for r in worker],
        "worker only, worker-timed": [(r["workerFirstTokenMs"], r["workerDecodeMs"], r["tokens"]) for r in worker],
    }
    for group in generation["native"]["threads"]:
        views[f"native onnxruntime, {group['threads']} thread(s)"] = [
            (r["firstTokenMs"], r["decodeMs"], r["tokens"]) for r in group["runs"]]
    return {name: {"total_ms": spread([f + d for f, d, _ in runs]),
                   "first_ms": spread([f for f, _, _ in runs]),
                   "tok_s": spread([decode_rate(t, d) for _, d, t in runs]),
                   "tokens": statistics.median(t for _, _, t in runs)}
            for name, runs in views.items()}


def ratios(generation: dict, rows: dict) -> dict:
    """Bridge cost, browser/native decode and whether the greedy texts agree."""
    studio = rows["studio, Python-timed"]["total_ms"]["median"]
    worker = rows["worker only, JS-timed"]["total_ms"]["median"]
    in_run = rows["studio, worker-timed"]["total_ms"]["median"]
    same_page = rows["studio page, ModelClient direct"]["total_ms"]["median"]
    browser = rows["worker only, worker-timed"]["tok_s"]["median"]
    native = {g["threads"]: rows[f"native onnxruntime, {g['threads']} thread(s)"]["tok_s"]["median"]
              for g in generation["native"]["threads"]}
    native_text = generation["native"]["threads"][0]["runs"][0]["text"]
    studio_page = generation["studio"]["runs"] + generation["studio"]["direct"]
    browser_texts = {r["text"] for r in studio_page + generation["worker"]["runs"]}
    shared = min(len(os.path.commonprefix([text, native_text])) for text in browser_texts)
    return {
        "bridge_cost_pct": (studio / worker - 1) * 100,
        "bridge_cost_same_page_pct": (studio / same_page - 1) * 100,
        "bridge_cost_in_run_pct": (studio / in_run - 1) * 100,
        "decode_vs_native_1": browser / native[1],
        "decode_vs_native_2": browser / native[2],
        "browser_texts_agree": len(browser_texts) == 1,
        "text_matches_native": browser_texts == {native_text},
        "chars_shared_with_native": shared,
    }


def fmt(cell: dict, digits: int = 0) -> str:
    """A table cell: median (min–max)."""
    return f"{cell['median']:.{digits}f} ({cell['min']:.{digits}f}–{cell['max']:.{digits}f})"


def startup_table(startup: dict) -> list[str]:
    """Markdown lines: start-up stages, cold and warm, with and without the model."""
    lines = ["## Start-up (ms since navigation start; median (min–max))", "",
             "| case | runtime ready | Python ready | model ready |", "|---|---|---|---|"]
    for key, label in (("with_model", "with the model loading"), ("without_model", "Python alone (no model)")):
        for kind in ("cold", "warm"):
            runs = startup[key][kind]
            cells = [fmt(spread([r[s] for r in runs])) if all(s in r for r in runs) else "—"
                     for s in ("runtime", "python", "model")]
            lines.append(f"| {kind}, {label} | " + " | ".join(cells) + " |")
    return lines


def generation_table(dtype: str, generation: dict, rows: dict) -> list[str]:
    """Markdown lines: one precision, one row per path."""
    memory = {"studio": generation["studio"]["rendererPeakMb"], "worker only": generation["worker"]["rendererPeakMb"],
              "native": generation["native"]["peakRssMb"]}
    lines = [f"## Generation, {dtype} (median (min–max))", "",
             "| path | total ms | first token ms | decode tok/s | tokens | peak memory MB |", "|---|---|---|---|---|---|"]
    for name, row in rows.items():
        mb = next((m for prefix, m in memory.items() if name.startswith(prefix)), None)
        lines.append(f"| {name} | {fmt(row['total_ms'])} | {fmt(row['first_ms'])} | {fmt(row['tok_s'], 1)} | "
                     f"{row['tokens']:.0f} | {'—' if mb is None else f'{mb:.0f}'} |")
    load = generation["worker"]["load"]
    lines += ["", f"Worker-only model load: {load['totalMs']:.0f} ms "
                  f"(files and session {load['loadMs']:.0f} ms, warm-up {load['warmupMs']:.0f} ms)."]
    return lines


def verdict(ok: bool) -> str:
    """Whether a figure meets its target, in words."""
    return "meets" if ok else "misses"


def summary_table(startup: dict, results: dict) -> list[str]:
    """Markdown lines: ratios per precision and the targets."""
    lines = ["## Ratios and targets", "",
             "| precision | bridge cost (vs worker-only page) | bridge cost (same page) | "
             "bridge cost (in-run, Python vs worker) | "
             "browser/native decode, 1 thread | browser/native decode, 2 threads | greedy text = native |",
             "|---|---|---|---|---|---|---|"]
    for dtype, r in results.items():
        ratio = r["ratios"]
        lines.append(
            f"| {dtype} | {ratio['bridge_cost_pct']:+.1f} % ({verdict(ratio['bridge_cost_pct'] <= TARGETS['bridge_cost_pct'])}) "
            f"| {ratio['bridge_cost_same_page_pct']:+.1f} % ({verdict(ratio['bridge_cost_same_page_pct'] <= TARGETS['bridge_cost_pct'])}) "
            f"| {ratio['bridge_cost_in_run_pct']:+.1f} % "
            f"| {ratio['decode_vs_native_1']:.2f} ({verdict(ratio['decode_vs_native_1'] >= TARGETS['decode_vs_native'])}) "
            f"| {ratio['decode_vs_native_2']:.2f} ({verdict(ratio['decode_vs_native_2'] >= TARGETS['decode_vs_native'])}) "
            f"| {'yes' if ratio['text_matches_native'] else 'no'} (first {ratio['chars_shared_with_native']} chars agree"
            f"{'' if ratio['browser_texts_agree'] else '; browser runs differ'}) |")
    python = {kind: statistics.median(r["python"] for r in startup["with_model"][kind]) for kind in ("cold", "warm")}
    lines += ["", f"Python ready: cold {python['cold']:.0f} ms "
                  f"({verdict(python['cold'] <= TARGETS['python_cold_ms'])} ≤ {TARGETS['python_cold_ms']} ms), "
                  f"warm {python['warm']:.0f} ms ({verdict(python['warm'] <= TARGETS['python_warm_ms'])} "
                  f"≤ {TARGETS['python_warm_ms']} ms)."]
    return lines


# --- the run ---

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The options; ``--quick`` overrides runs and length."""
    parser = argparse.ArgumentParser(description="Benchmark the studio's start-up and generation.")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement (default 3)")
    parser.add_argument("--dtypes", help="precisions to compare, e.g. fp32,int8,q8 (default: the model's own)")
    parser.add_argument("--model", default=setup.DEFAULT_MODEL_ID)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--quick", action="store_true", help="one run of each, 32 new tokens (a smoke test)")
    parser.add_argument("--parts", default="startup,generation,spark",
                        help="which measurements: startup, generation, spark (default), and devices "
                             "(WASM against WebGPU, here a software adapter: slow)")
    parser.add_argument("--engine", metavar="URL", help="also spark through this OpenAI-compatible server "
                                                         "(with --engine-model), in the same run")
    parser.add_argument("--engine-model", default="", metavar="NAME")
    parser.add_argument("--engine-key", default="", metavar="KEY")
    parser.add_argument("--native-python", type=Path,
                        help="Python with onnxruntime, numpy and tokenizers (default: the model build's)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.max_new_tokens = 1, 32
    entry = catalogue_entry(args.model)
    args.weights = entry["weights"]
    args.dtypes = [d for d in (args.dtypes or entry["dtype"]).split(",") if d]
    unknown = set(args.dtypes) - set(args.weights)
    if unknown:
        parser.error(f"unknown precision(s): {', '.join(sorted(unknown))}; the model has {', '.join(args.weights)}")
    args.native_python = args.native_python or setup.model_python()
    if args.engine and not args.engine_model:
        parser.error("--engine needs --engine-model NAME")
    args.parts = set(args.parts.split(","))
    if args.parts - {"startup", "generation", "spark", "devices"}:
        parser.error("--parts takes startup, generation, spark and devices")
    return args


def run(args: argparse.Namespace, url: str) -> dict:
    """Every measurement, in an order that keeps the browser and native runs apart."""
    results: dict = {"loadBefore": os.getloadavg(), "startup": {}, "generation": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page_url = f"{url}?model={args.model}"
        if "startup" in args.parts:
            results["startup"]["with_model"] = measure_startup(browser, page_url, args.runs, with_model=True)
            results["startup"]["without_model"] = measure_startup(browser, page_url, args.runs, with_model=False)
        if "generation" in args.parts:
            for dtype in args.dtypes:
                results["generation"][dtype] = {"studio": measure_studio(browser, url, dtype, args),
                                                "worker": measure_worker(browser, url, dtype, args)}
        if "spark" in args.parts:
            results["spark"] = measure_spark(browser, url, args)
            if args.engine:
                results["sparkEngine"] = measure_spark(browser, url, args, engine=True)
        browser.close()
        if "devices" in args.parts:
            results["devices"] = measure_devices(playwright, url, args)
    for dtype in results["generation"]:
        results["generation"][dtype]["native"] = measure_native(dtype, args)
    results["loadAfter"] = os.getloadavg()
    return results


def report(args: argparse.Namespace, results: dict) -> str:
    """The markdown tables; also adds per-precision figures to ``results``."""
    load = ", ".join(f"{a:.1f}" for a in results["loadBefore"])
    lines = [f"# MuseSpark benchmark: {args.model}, {args.max_new_tokens} new tokens, {args.runs} run(s), "
             f"{os.cpu_count()} cores, load average {load} at the start"]
    if results["startup"]:
        lines += ["", *startup_table(results["startup"])]
    summary = {}
    for dtype, generation in results["generation"].items():
        rows = engine_rows(generation)
        summary[dtype] = {"rows": rows, "ratios": ratios(generation, rows)}
        lines += ["", *generation_table(dtype, generation, rows)]
    results["summary"] = summary
    if summary and results["startup"]:
        lines += ["", *summary_table(results["startup"], summary)]
    if "spark" in results:
        lines += ["", *spark_table(results["spark"])]
    if "sparkEngine" in results:
        lines += ["", *spark_table(results["sparkEngine"], f"{args.engine_model} on {args.engine}")]
    if "devices" in results:
        lines += ["", *devices_table(results["devices"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Serve, measure, print the tables and write the raw runs."""
    args = parse_args(argv)
    server, url = start_server()
    started = time.monotonic()
    try:
        results = run(args, url)
    finally:
        server.terminate()
        server.wait(timeout=10)
    table = report(args, results)
    print("\n" + table + "\n")
    out = ROOT / "bench" / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    settings = {"model": args.model, "dtypes": args.dtypes, "runs": args.runs, "parts": sorted(args.parts),
                "maxNewTokens": args.max_new_tokens, "prompt": PROMPT, "cores": os.cpu_count()}
    out.write_text(json.dumps({"settings": settings, **results, "table": table}, indent=1))
    log(f"done in {time.monotonic() - started:.0f} s; raw runs in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
