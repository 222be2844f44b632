"""Native reference for bench/run.py: greedy generation with onnxruntime on the
same ONNX file the browser loads.

Runs in the model environment (onnxruntime, numpy, tokenizers), not the test one:

    python bench/native.py MODEL_DIR ONNX_FILE PROMPT --threads 1,2 --runs 3 --max-new-tokens 128

For each thread count it loads one session, runs one warm-up generation and then
``--runs`` timed ones, and prints one JSON object: {threads: [{threads, runs}],
peakRssMb}. Each run is {text, tokens, promptTokens, firstTokenMs, decodeMs}.
The prompt goes through the model's chat template (SmolLM2's ChatML with its
default system message) exactly as transformers.js applies it: no BOS, KV cache.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chat_prompt(user: str) -> str:
    """SmolLM2's chat template for one user message, with the generation prompt."""
    return (f"<|im_start|>system\n{DEFAULT_SYSTEM}<|im_end|>\n"
            f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")


class Generator:
    """A KV-cached greedy decoder over one onnxruntime session."""

    def __init__(self, model_dir: Path, onnx_file: str, threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.add_session_config_entry("session.disable_quant_qdq", "1")  # as the page loads the model
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_dir / onnx_file), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        config = json.loads((model_dir / "config.json").read_text())
        self.eos = config["eos_token_id"]
        self.layers = config["num_hidden_layers"]
        self.kv_shape = (1, config["num_key_value_heads"], 0, config["head_dim"])
        half = self.session.get_inputs()[-1].type == "tensor(float16)"
        self.kv_type = np.float16 if half else np.float32

    def empty_cache(self) -> dict:
        """The KV cache before the prompt: zero-length keys and values for every layer."""
        empty = np.zeros(self.kv_shape, dtype=self.kv_type)
        return {f"past_key_values.{i}.{kind}": empty for i in range(self.layers) for kind in ("key", "value")}

    def step(self, ids: list[int], start: int, cache: dict) -> tuple[int, dict]:
        """Feed ``ids`` at positions ``start…``; returns the argmax token and the new cache."""
        logits, cache = self.logits(ids, start, cache)
        return int(np.argmax(logits)), cache

    def logits(self, ids: list[int], start: int, cache: dict) -> tuple[np.ndarray, dict]:
        """Feed ``ids`` at positions ``start…``; returns the next token's logits and the new cache."""
        total = start + len(ids)
        feeds = {
            "input_ids": np.array([ids], dtype=np.int64),
            "attention_mask": np.ones((1, total), dtype=np.int64),
            "position_ids": np.arange(start, total, dtype=np.int64)[None, :],
            **cache,
        }
        logits, *present = self.session.run(None, feeds)
        names = [o.name for o in self.session.get_outputs()[1:]]
        cache = {name.replace("present.", "past_key_values."): value for name, value in zip(names, present)}
        return logits[0, -1], cache

    def generate(self, prompt: str, max_new_tokens: int) -> dict:
        """One timed greedy generation, stopping at EOS or ``max_new_tokens``."""
        ids = self.tokenizer.encode(chat_prompt(prompt), add_special_tokens=False).ids
        started = time.perf_counter()
        token, cache = self.step(ids, 0, self.empty_cache())
        first = time.perf_counter()
        out = [token]
        while token != self.eos and len(out) < max_new_tokens:
            token, cache = self.step([token], len(ids) + len(out) - 1, cache)
            out.append(token)
        ended = time.perf_counter()
        return {
            "text": self.tokenizer.decode(out, skip_special_tokens=True),
            "tokens": len(out),
            "promptTokens": len(ids),
            "firstTokenMs": (first - started) * 1000,
            "decodeMs": (ended - first) * 1000,
        }


def measure(args: argparse.Namespace, threads: int) -> dict:
    """One warm-up and ``args.runs`` timed generations at one thread count."""
    generator = Generator(Path(args.model_dir), args.onnx_file, threads)
    generator.generate(args.prompt, args.max_new_tokens)
    return {"threads": threads, "runs": [generator.generate(args.prompt, args.max_new_tokens)
                                         for _ in range(args.runs)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("onnx_file")
    parser.add_argument("prompt")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    args = parser.parse_args()
    results = [measure(args, int(t)) for t in args.threads.split(",")]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"threads": results, "peakRssMb": peak_mb}))


if __name__ == "__main__":
    main()
