"""SentencePiece vocabularies of GGUF files (``tokenizer.ggml.model`` "llama": Llama 2, TinyLlama)
as Hugging Face tokenizers, written the way Hugging Face ships Llama 2's: a BPE model with byte
fallback whose merges follow the pieces' scores, spaces marked with "▁" (and one put before the
text), and BOS added where the GGUF file asks for it. Metadata a file leaves out takes llama.cpp's
defaults.

Public names: ``merges``, ``adds_bos``, ``bos_template``, ``tokenizer_json``, ``tokenizer_config``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

SPACE = "\u2581"  # SentencePiece's mark for a space
UNKNOWN, CONTROL, USER_DEFINED = 2, 3, 4  # GGUF token types kept whole, as added tokens

Field = Callable[..., object]  # a GGUF metadata value by key, with an optional default


def merges(tokens: Sequence[str], scores: Sequence[float]) -> list[list[str]]:
    """Every split of a piece into two pieces of the vocabulary, as BPE merges: pieces with higher
    scores first (ties in vocabulary order), one piece's splits in the order of their parts' ids."""
    ids = {token: token_id for token_id, token in enumerate(tokens)}
    found = []
    for token_id in sorted(ids.values(), key=lambda i: -scores[i]):
        piece = tokens[token_id]
        splits = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in ids and piece[k:] in ids]
        found += [[left, right] for left, right in sorted(splits, key=lambda s: (ids[s[0]], ids[s[1]]))]
    return found


def adds_bos(field: Field) -> bool:
    """Whether the tokenizer puts BOS before the text."""
    return bool(field("tokenizer.ggml.add_bos_token", True))


def bos_template(bos: str, bos_id: int) -> dict:
    """A post-processor that puts BOS before a text, and before each text of a pair."""
    first, second = ({"SpecialToken": {"id": bos, "type_id": type_id}} for type_id in (0, 1))
    return {"type": "TemplateProcessing",
            "single": [first, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [first, {"Sequence": {"id": "A", "type_id": 0}}, second, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}}}


def tokenizer_json(field: Field) -> dict:
    """tokenizer.json of the GGUF file's SentencePiece vocabulary."""
    tokens = list(field("tokenizer.ggml.tokens"))
    types = [int(t) for t in field("tokenizer.ggml.token_type")]
    bos_id = int(field("tokenizer.ggml.bos_token_id", 1))
    space_prefix = bool(field("tokenizer.ggml.add_space_prefix", True))
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": ty in (UNKNOWN, CONTROL)}
             for i, (t, ty) in enumerate(zip(tokens, types)) if ty in (UNKNOWN, CONTROL, USER_DEFINED)]
    prepend = [{"type": "Prepend", "prepend": SPACE}] if space_prefix else []
    strip = [{"type": "Strip", "content": " ", "start": 1, "stop": 0}] if space_prefix else []
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": prepend + [
            {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]},
        "pre_tokenizer": None,
        "post_processor": bos_template(tokens[bos_id], bos_id) if adds_bos(field) else None,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}] + strip},
        "model": {"type": "BPE", "dropout": None, "unk_token": tokens[int(field("tokenizer.ggml.unknown_token_id", 0))],
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)},
                  "merges": merges(tokens, field("tokenizer.ggml.scores"))},
    }


def tokenizer_config(field: Field) -> dict:
    """The tokenizer_config.json settings of Hugging Face's Llama 2 tokenizer."""
    return {"add_bos_token": adds_bos(field), "legacy": True, "spaces_between_special_tokens": False,
            "tokenizer_class": "LlamaTokenizer"}
