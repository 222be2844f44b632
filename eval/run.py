"""Quality evaluation of sparking ideas: the studio's pipeline against a single raw
prompt to the same model (the baseline), over the public briefs in eval/briefs.json.

Runs the real default model natively with onnxruntime in CPython, through the same
core code the page runs (``app.core.ideas.spark``), with the page's sampling:

    <model venv>/bin/python eval/run.py [--briefs N] [--dtype int8] [--seed 0]

The model venv is build/setup.py's (``python -c 'import build.setup as s; print(s.model_python())'``
from the repository root prints it). Prints a table and writes eval/results/<timestamp>.json.

Measures, per brief and summed up:
- exact N: the run delivered exactly the number of ideas asked for;
- near-duplicate pairs: pairs of ideas in one set whose sentence-embedding cosine
  (all-MiniLM-L6-v2, the studio's embedding model) is at least ``NEAR_DUPLICATE``;
- relevance: mean embedding cosine of each idea to the brief's topic and keywords, and the
  share of the brief's subject words an idea mentions (``app.core.brief.overlap``);
- off-topic: ideas that mention none of them and whose cosine is below the pipeline's
  ``ON_TOPIC_COSINE``; seconds per idea set.
The pipeline runs with the same embedding model the page loads (``eval/embedding.py``).

``--part refine`` measures the refinement operations instead (``eval/refinement.py``); ``--part drafts``
drafts one usable idea per brief, outline and sections (``eval/drafting.py``).
``--engine URL --model NAME [--key KEY]`` evaluates a model on an OpenAI-compatible server
instead (``eval/engine.py``; sampling there is the server's, not seeded).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from statistics import mean, median

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.brief import Brief, content_words, overlap  # noqa: E402
from app.core.idea_cards import IdeaCard, parse_ideas  # noqa: E402
from app.core.engines import BUILT_IN_PROFILE, ENGINE_PROFILE  # noqa: E402
from app.core.ideas import spark  # noqa: E402
from app.core.ideas_at_once import spark_at_once  # noqa: E402
from app.core.judging import ON_TOPIC_COSINE, failed_check  # noqa: E402
from app.core.model import GenerationStats, Message, Sampling  # noqa: E402
from bench.native import Generator  # noqa: E402

import drafting  # noqa: E402  (eval/drafting.py, beside this file)
import refinement  # noqa: E402  (eval/refinement.py, beside this file)
from embedding import Embedder  # noqa: E402  (eval/embedding.py)
from engine import EngineModel  # noqa: E402  (eval/engine.py)

NEAR_DUPLICATE = 0.8
BASELINE_PREFILL = "1."


DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chat_prompt(messages: list[Message]) -> str:
    """The prompt the model's chat template makes (tokenizer_config.json), as the page's
    ``apply_chat_template`` does: a default system turn when the messages bring none."""
    if messages[0].role != "system":
        messages = [Message("system", DEFAULT_SYSTEM), *messages]
    return "".join(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages)


class NativeGeneration:
    """One sampled generation with onnxruntime, iterated for text chunks like the page's."""

    def __init__(self, model: NativeModel, messages: list[Message], sampling: Sampling, prefill: str) -> None:
        self.model, self.messages, self.sampling, self.prefill = model, messages, sampling, prefill
        self.stats: GenerationStats | None = None
        self.partial = GenerationStats("aborted")
        self.stopped = False

    async def __aiter__(self):
        generator, sampling = self.model.generator, self.sampling
        prompt = chat_prompt(self.messages)
        ids = generator.tokenizer.encode(prompt + "<|im_start|>assistant\n" + self.prefill,
                                         add_special_tokens=False).ids
        started = time.perf_counter()
        logits, cache = generator.logits(ids, 0, generator.empty_cache())
        history, out, shown = list(ids), [], ""
        first, logprob = None, 0.0
        while len(out) < sampling.max_new_tokens and not self.stopped:
            token, chosen = self.model.sample(logits, history, sampling)
            first = first or time.perf_counter()
            if token == generator.eos:
                break
            logprob += chosen
            out.append(token)
            history.append(token)
            # What the page's worker reports if the reply is stopped here (aclose()).
            self.partial = GenerationStats("aborted", len(out), len(ids), (first - started) * 1000,
                                           (time.perf_counter() - first) * 1000, logprob)
            text = generator.tokenizer.decode(out)
            if not text.endswith("\ufffd"):  # wait for whole characters
                yield text[len(shown):]
                shown = text
            logits, cache = generator.logits([token], len(history) - 1, cache)
        ended = time.perf_counter()
        reason = "aborted" if self.stopped else "length" if len(out) >= sampling.max_new_tokens else "stop"
        self.stats = GenerationStats(reason, len(out), len(ids), ((first or ended) - started) * 1000,
                                     (ended - (first or ended)) * 1000, logprob)

    async def aclose(self) -> None:
        self.stopped = True
        if self.stats is None:
            self.stats = self.partial


class NativeModel:
    """The core's TextGenerator over onnxruntime in CPython, sampling as transformers.js does."""

    def __init__(self, model_dir: Path, onnx_file: str, seed: int) -> None:
        self.generator = Generator(model_dir, onnx_file, threads=2)
        self.rng = np.random.default_rng(seed)

    def generate(self, messages, sampling, prefill=""):
        return NativeGeneration(self, messages, sampling, prefill)

    async def sample_lines(self, messages, sampling, count):
        """``count`` replies one after another (the page decodes them together; each row is
        sampled independently all the same), each stopped at its first line break, which ends
        it as the model's own end would ("stop", not "aborted")."""
        replies = []
        for _ in range(count):
            generation, text = self.generate(messages, sampling), ""
            async for chunk in generation:
                text += chunk
                if "\n" in text.strip():
                    break
            await generation.aclose()
            replies.append((text, replace(generation.stats, reason="stop")))
        return replies

    async def settled(self) -> None:
        return None

    def sample(self, logits: np.ndarray, history: list[int], sampling: Sampling) -> tuple[int, float]:
        """Repetition penalty, then greedy or temperature + top-p sampling; the token and its
        log-probability after penalty and temperature (as the page's worker reports it)."""
        scores = logits.astype(np.float64).copy()
        seen = np.unique(history)
        penalised = scores[seen]
        scores[seen] = np.where(penalised > 0, penalised / sampling.repetition_penalty,
                                penalised * sampling.repetition_penalty)
        if sampling.do_sample:
            scores /= sampling.temperature
        logprobs = scores - scores.max()
        logprobs -= np.log(np.exp(logprobs).sum())
        if not sampling.do_sample:
            token = int(scores.argmax())
            return token, float(logprobs[token])
        probs = np.exp(logprobs)
        order = np.argsort(-probs)
        keep = order[: int(np.searchsorted(np.cumsum(probs[order]), sampling.top_p)) + 1]
        token = int(self.rng.choice(keep, p=probs[keep] / probs[keep].sum()))
        return token, float(logprobs[token])


class NativeEmbedder:
    """The core's TextEmbedder over eval/embedding.py (the page's embedding model)."""

    def __init__(self) -> None:
        self.model = Embedder(dtype="int8")

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed(texts).tolist()


def score(cards: list[IdeaCard], brief: Brief, count: int, seconds: float, embedder: NativeEmbedder) -> dict:
    """The evaluation figures for one idea set."""
    texts = [f"{c.title}. {c.hook}" for c in cards]
    subject = brief.subject_words()
    lexical = [len(overlap(subject, content_words(t))) / len(subject) for t in texts] if subject else []
    vectors = embedder.model.embed([" ".join((brief.topic, *brief.keywords)), *texts]) if texts else np.zeros((1, 1))
    meaning = [float(vectors[0] @ v) for v in vectors[1:]]
    pairs = sum(float(vectors[1 + i] @ vectors[1 + j]) >= NEAR_DUPLICATE
                for i in range(len(texts)) for j in range(i + 1, len(texts)))
    return {"delivered": len(cards), "exact": len(cards) == count, "nearDuplicatePairs": pairs,
            "passingChecks": sum(not failed_check(c, brief) for c in cards),
            "relevance": mean(meaning) if meaning else 0.0, "wordRelevance": mean(lexical) if lexical else 0.0,
            "offTopic": sum(w == 0 and m < ON_TOPIC_COSINE for w, m in zip(lexical, meaning)),
            "seconds": seconds, "ideas": [asdict(c) for c in cards]}


async def run_pipeline(model: NativeModel, brief: Brief, count: int, embedder: NativeEmbedder) -> dict:
    started = time.perf_counter()
    final, first_card = None, None
    profile = ENGINE_PROFILE if isinstance(model, EngineModel) else BUILT_IN_PROFILE  # as the studio asks
    write = spark_at_once if profile.at_once else spark
    async for update in write(brief, model, count, embedder=embedder, techniques=profile.techniques):
        final = update
        if update.cards and first_card is None:
            first_card = time.perf_counter() - started
    result = score(final.cards, brief, count, time.perf_counter() - started, embedder)
    result["dropped"] = dict(final.dropped)
    result["firstCardSeconds"] = first_card
    return result


async def run_baseline(model: NativeModel, brief: Brief, count: int, embedder: NativeEmbedder) -> dict:
    """One raw prompt for the whole list, parsed as generously as the studio parses."""
    started = time.perf_counter()
    messages = [Message("user", f"Give me {count} creative ideas for {brief.describe()}")]
    generation = model.generate(messages, Sampling(max_new_tokens=64 * count), BASELINE_PREFILL)
    text = BASELINE_PREFILL + "".join([chunk async for chunk in generation])
    cards = [c for c in parse_ideas(text) if c.title][:count]
    result = score(cards, brief, count, time.perf_counter() - started, embedder)
    result["firstCardSeconds"] = result["seconds"]  # the list is parsed once it is whole
    return result


def summarize(rows: list[dict], key: str) -> dict:
    runs = [row[key] for row in rows]
    return {
        "exact N": f"{sum(r['exact'] for r in runs)}/{len(runs)}",
        "ideas delivered": sum(r["delivered"] for r in runs),
        "near-duplicate pairs": sum(r["nearDuplicatePairs"] for r in runs),
        "mean relevance (cosine)": f"{mean(r['relevance'] for r in runs):.2f}",
        "mean word relevance": f"{mean(r['wordRelevance'] for r in runs):.2f}",
        "off-topic ideas": sum(r["offTopic"] for r in runs),
        "passes checks": f"{sum(r['passingChecks'] for r in runs)}/{sum(r['delivered'] for r in runs)}",
        "median s to first card": f"{median(r['firstCardSeconds'] or r['seconds'] for r in runs):.1f}",
        "median s per set": f"{median(r['seconds'] for r in runs):.1f}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=0, help="only the first N briefs")
    parser.add_argument("--dtype", default="", help="precision (default: the catalogue's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", default="all",
                        choices=("all", "ideas", "drafts", "refine", "lengths", "rewrites", "summaries", "proofread",
                                 "headlines"),
                        help="all, ideas, drafts, or refine (lengths, proofread and headlines: only those columns of it; "
                        "rewrites, summaries: simpler and another tone, tl;dr and key points, for the reading log)")
    parser.add_argument("--set", choices=("public", "new", "both"), default="both",
                        help="briefs.json (public), briefs-new.json (new) or both, reported apart")
    parser.add_argument("--engine", metavar="URL", help="an OpenAI-compatible server to evaluate instead "
                                                         "of the built-in model (with --model NAME)")
    parser.add_argument("--model", help="the server's model (with --engine)")
    parser.add_argument("--key", default="", help="the server's API key, if it needs one")
    args = parser.parse_args(argv)
    if bool(args.engine) != bool(args.model):
        parser.error("--engine URL and --model NAME go together")
    catalogue = json.loads((ROOT / "models" / "catalogue.json").read_text())
    entry = next(m for m in catalogue["models"] if m["id"] == catalogue["default"])
    dtype = args.dtype or entry["dtype"]
    if args.engine:
        model, dtype, entry = EngineModel(args.engine, args.model, args.key), "served", {"id": f"{args.model} on {args.engine}"}
    else:
        model = NativeModel(ROOT / "models" / entry["id"], entry["weights"][dtype], args.seed)
    results = {"dtype": dtype, "seed": args.seed, **({"engine": args.engine, "model": args.model} if args.engine else {})}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    if args.part in ("all", "ideas"):
        label = f"{entry['id']} ({dtype})" + ("" if args.engine else f", seed {args.seed}")
        sets = BRIEF_SETS if args.set == "both" else {args.set: BRIEF_SETS[args.set]}
        results["ideas"] = {name: evaluate_ideas(model, file, args.briefs, f"{name} briefs, {label}")
                            for name, file in sets.items()}
        log = out / f"{stamp}-reading.md"
        log.write_text(reading_log(results["ideas"], label))
        print(f"\nreading log (label each item): {log.relative_to(ROOT)}")
    if args.part in ("all", "drafts"):
        label = f"{entry['id']} ({dtype})" + ("" if args.engine else f", seed {args.seed}")
        results["drafts"] = asyncio.run(drafting.drafts(model))
        print(f"\n# Drafts: {label}; one usable idea per brief (eval/draft-ideas.json)\n")
        print("\n".join(drafting.table(results["drafts"])))
        log = out / f"{stamp}-drafts-reading.md"
        log.write_text(drafting.reading_log(results["drafts"], label))
        print(f"\nreading log of the drafts' sections: {log.relative_to(ROOT)}")
    if args.part in ("all", "refine", "lengths", "rewrites", "summaries", "proofread", "headlines"):
        only = args.part if args.part in ("lengths", "rewrites", "summaries", "proofread", "headlines") else ""
        rows, figures = asyncio.run(refinement.evaluate(model, only, NativeEmbedder()))
        print(f"\n# Refinement: {entry['id']} ({dtype}), seed {args.seed}; shorter/longer = median words "
              "after ÷ before; proofreading = precision / recall on injected mistakes; headlines = distinct "
              f"under {refinement.HEADLINE_MAX_CHARS} characters, of {refinement.HEADLINES} asked; comments = "
              "refined paragraphs that talk about the text instead of being it\n")
        columns = ("", "shorter", "longer", "proofreading P / R", "headlines", "comments on itself")
        print("| " + " | ".join(columns) + " |")
        print("|---" * len(columns) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        results["refinement"] = {"rows": rows, "figures": figures}
        if args.part != "proofread":
            log = out / f"{stamp}-refine-reading.md"
            log.write_text(refinement.reading_log(figures))
            print(f"\nreading log of refined passages and headlines: {log.relative_to(ROOT)}")
    path = out / f"{stamp}.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"\nraw results: {path.relative_to(ROOT)}")
    return 0


BRIEF_SETS = {"public": "briefs.json", "new": "briefs-new.json"}


def reading_log(sets: dict, label: str) -> str:
    """Every idea of a run as a Markdown list to read and label: replace ``[ ]`` with
    ``[usable]`` or ``[not usable: one-line reason]`` (``eval/labels.py`` counts them)."""
    lines = [f"# Reading log: {label}", "",
             "Label each item `[usable]` or `[not usable: reason]`, reading as a creator would.", ""]
    for name, result in sets.items():
        for row in result["rows"]:
            lines += [f"## {name}: {row['brief']} ({row['count']} asked)", ""]
            for key in ("pipeline", "baseline"):
                lines.append(f"### {key}")
                for idea in row[key]["ideas"]:
                    lines.append(f"- [ ] **{idea['title']}** — {idea['hook']}")
                lines.append("")
    return "\n".join(lines) + "\n"


def evaluate_ideas(model: NativeModel, file: str, limit: int, label: str) -> dict:
    """Run the idea pipeline and the baseline over the briefs in ``file``; print the table."""
    briefs = json.loads((Path(__file__).parent / file).read_text())[: limit or None]
    embedder = NativeEmbedder()
    rows = []
    for number, fields in enumerate(briefs, 1):
        count = fields.pop("count")
        brief = Brief.from_fields(**fields)
        row = {"brief": brief.topic, "count": count,
               "pipeline": asyncio.run(run_pipeline(model, brief, count, embedder)),
               "baseline": asyncio.run(run_baseline(model, brief, count, embedder))}
        rows.append(row)
        p, b = row["pipeline"], row["baseline"]
        print(f"[eval] {number}/{len(briefs)} {brief.topic[:50]!r}: pipeline {p['delivered']}/{count} "
              f"rel {p['relevance']:.2f} ({p['seconds']:.0f} s); baseline {b['delivered']}/{count} "
              f"rel {b['relevance']:.2f}", flush=True)
        for idea in p["ideas"]:
            print(f"    {idea['title']} — {idea['hook']}", flush=True)
    table = {"studio pipeline": summarize(rows, "pipeline"), "single prompt (baseline)": summarize(rows, "baseline")}
    columns = list(next(iter(table.values())))
    print(f"\n# Ideas: {len(rows)} {label}, near-duplicate = embedding cosine ≥ {NEAR_DUPLICATE}\n")
    print("| | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, values in table.items():
        print(f"| {name} | " + " | ".join(str(values[c]) for c in columns) + " |")
    return {"summary": table, "rows": rows}


if __name__ == "__main__":
    sys.exit(main())
