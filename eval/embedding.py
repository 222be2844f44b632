"""Sentence embeddings in CPython from the studio's embedding model, computed the way the
page computes them with transformers.js (``pipeline("feature-extraction")`` called with
``{pooling: "mean", normalize: true}``):

- the model folder's ``tokenizer.json`` through the ``tokenizers`` library, special tokens
  added; texts longer than ``model_max_length`` (``tokenizer_config.json``) are cut to it
  *after* the special tokens are added, as transformers.js cuts them (so a cut text loses its
  final ``[SEP]``); the batch is padded on the right to its longest text;
- the same ONNX file under onnxruntime, with the session option ``session.disable_quant_qdq``
  the page sets (it lets the int8 file's weights be restored once, at load);
- mean pooling of ``last_hidden_state`` over the attention mask, then L2 normalization.

Runs in the model environment (onnxruntime, numpy, tokenizers):

    <model venv>/bin/python eval/embedding.py [--model models/all-minilm-l6-v2] [--dtype int8] TEXT ...

prints one JSON object: ``{"dtype", "onnx", "input_ids", "embeddings", "similarities"}``
(``input_ids``: each text's token ids, unpadded).

Public: ``Embedder``, ``mean_pool``, ``cosine_matrix``, ``ONNX_FILES``, ``DEFAULT_MODEL``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "all-minilm-l6-v2"
# transformers.js's file name for each precision.
ONNX_FILES = {"fp32": "onnx/model.onnx", "int8": "onnx/model_int8.onnx"}


def mean_pool(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average of each text's token vectors over its attention mask: [batch, seq, dim] -> [batch, dim]."""
    mask = attention_mask[..., None].astype(hidden.dtype)
    return (hidden * mask).sum(axis=1) / mask.sum(axis=1)


def cosine_matrix(embeddings: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarities of row vectors."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    return unit @ unit.T


class Embedder:
    """Embeds texts with one onnxruntime session over a transformers.js feature-extraction folder."""

    def __init__(self, model_dir: Path = DEFAULT_MODEL, dtype: str = "int8", threads: int | None = None,
                 onnx_file: str | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        if onnx_file is None:
            if dtype not in ONNX_FILES:
                raise ValueError(f"unknown dtype {dtype!r}: choose one of {', '.join(ONNX_FILES)}")
            onnx_file = ONNX_FILES[dtype]
        path = model_dir / onnx_file
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist: run the set-up (python3 build/setup.py) to build it")
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        config = json.loads((model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        self.max_length = int(config["model_max_length"])
        self.pad_id = self.tokenizer.token_to_id(config["pad_token"])
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Model inputs for a batch: ids, attention mask and token types, cut and padded as transformers.js does."""
        if isinstance(texts, str) or not texts:
            raise ValueError("give a non-empty list of texts")
        encodings = self.tokenizer.encode_batch(list(texts))
        rows = [(e.ids[: self.max_length], e.type_ids[: self.max_length]) for e in encodings]
        width = max(len(ids) for ids, _ in rows)
        batch = {name: np.zeros((len(rows), width), np.int64)
                 for name in ("input_ids", "attention_mask", "token_type_ids")}
        batch["input_ids"][:] = self.pad_id
        for row, (ids, types) in enumerate(rows):
            batch["input_ids"][row, : len(ids)] = ids
            batch["attention_mask"][row, : len(ids)] = 1
            batch["token_type_ids"][row, : len(types)] = types
        return {name: value for name, value in batch.items() if name in self.input_names}

    def hidden_states(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``last_hidden_state`` [batch, seq, dim] and the attention mask [batch, seq]."""
        feed = self.encode(texts)
        (hidden,) = self.session.run(["last_hidden_state"], feed)
        return hidden, feed["attention_mask"]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length sentence embeddings [len(texts), dim], float32, all texts in one batch."""
        pooled = mean_pool(*self.hidden_states(texts))
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print embeddings and their cosine similarities as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("texts", nargs="+", help="texts to embed (one batch)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="transformers.js model folder")
    parser.add_argument("--dtype", default="int8", choices=sorted(ONNX_FILES))
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads")
    args = parser.parse_args(argv)
    try:
        embedder = Embedder(args.model, args.dtype, args.threads)
    except (FileNotFoundError, ValueError) as err:
        print(f"embedding: {err}", file=sys.stderr)
        return 1
    batch = embedder.encode(args.texts)
    input_ids = [row[mask.astype(bool)].tolist() for row, mask in zip(batch["input_ids"], batch["attention_mask"])]
    vectors = embedder.embed(args.texts)
    print(json.dumps({"dtype": args.dtype, "onnx": ONNX_FILES[args.dtype], "input_ids": input_ids,
                      "embeddings": vectors.tolist(), "similarities": cosine_matrix(vectors).tolist()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
