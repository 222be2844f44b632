#!/usr/bin/env python3
"""Build the echo test model: a transformers.js causal-LM folder whose ONNX graph
answers a chat by repeating the last user message, token for token.

Hostile-input tests use it to put chosen text (XSS payloads, say) into the
studio's model-output paths through the real worker, tokenizer and streamer.
It has the SmolLM2 tokenizer and the inputs and outputs of a one-layer Llama
with KV cache, and no weights: the "cache" carries the token ids seen so far
(keys) and which of them came in the first call (values), so each step can pick
the next token to copy.

Rule: the reply copies the prompt from three tokens after the second-to-last
``<|im_start|>`` (ChatML's ``<|im_start|>user\\n`` opening the last user turn);
the prompt ends with the generation prompt after the last one
(``<|im_start|>assistant\\n``), however many calls fed it (the worker reuses the
cache of a shared prefix). With fewer than two, it copies from the start and the
prompt is what the first call fed. Copying reaches ``<|im_end|>`` (the
end-of-sequence token) and stops there. Batches of one only (its config says so).

Usage (in the model build environment, with onnx, onnxruntime and tokenizers):
    python build/echo_model.py --tokenizer-from models/tiny-random-smollm2 --out models/echo-smollm2
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IM_START = 1
EOS = 2
ROLE_TOKENS = 2  # "user" and "\n" after <|im_start|>
GENERATION_PROMPT_TOKENS = 4  # <|im_start|>, "ass", "istant", "\n"
CHOSEN_LOGIT = 1000.0
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "LICENSE")


def config(vocab_size: int) -> dict:
    """A one-layer Llama config with one-wide keys and values (the cache shape transformers.js makes);
    ``max_batch_size`` 1 tells the worker to sample several replies one after another."""
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 1, "intermediate_size": 1,
        "num_attention_heads": 1, "num_key_value_heads": 1, "head_dim": 1, "num_hidden_layers": 1,
        "vocab_size": vocab_size, "max_position_embeddings": 8192, "bos_token_id": IM_START,
        "eos_token_id": EOS, "pad_token_id": EOS, "tie_word_embeddings": False, "torch_dtype": "float32",
        "use_cache": True, "max_batch_size": 1,
    }


def build_graph(vocab_size: int) -> onnx.ModelProto:
    """The echo graph (see the module docstring for the rule)."""
    nodes, inits = [], []

    def const(name, value, dtype):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(op_type, inputs, output, **attrs):
        nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output

    i64 = lambda name, *values: const(name, np.array(values, np.int64), np.int64)  # noqa: E731
    scalar = lambda name, value: const(name, value, np.int64)  # noqa: E731

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 1, vocab_size])]
    for kv in ("key", "value"):
        inputs.append(helper.make_tensor_value_info(
            f"past_key_values.0.{kv}", TensorProto.FLOAT, ["batch_size", 1, "past_sequence_length", 1]))
        outputs.append(helper.make_tensor_value_info(
            f"present.0.{kv}", TensorProto.FLOAT, ["batch_size", 1, "total_sequence_length", 1]))

    # Keys: every token id so far. Values: 1 for prompt tokens (the first call, with no past), else 0.
    ids = op("Reshape", [op("Cast", ["input_ids"], "ids_float", to=TensorProto.FLOAT), i64("kv_shape", 1, 1, -1, 1)],
             "new_keys")
    op("Concat", ["past_key_values.0.key", ids], "present.0.key", axis=2)
    past_length = op("Shape", ["past_key_values.0.key"], "past_length", start=2, end=3)
    first_call = op("Cast", [op("Equal", [past_length, i64("zero_1d", 0)], "no_past")], "prompt_flag",
                    to=TensorProto.FLOAT)
    flags = op("Expand", [first_call, op("Shape", [ids], "new_shape")], "new_values")
    op("Concat", ["past_key_values.0.value", flags], "present.0.value", axis=2)

    tokens = op("Reshape", ["present.0.key", i64("flat", -1)], "tokens")  # [T]
    total = op("Squeeze", [op("Shape", [tokens], "total_1d")], "total")
    first_call_length = op("Cast", [op("ReduceSum", ["present.0.value"], "first_call_length_f", keepdims=0)],
                           "first_call_length", to=TensorProto.INT64)

    # The last two <|im_start|>: positions of that token (others -1), two -1s appended, top two.
    positions = op("Range", [scalar("zero", 0), total, scalar("one", 1)], "positions")
    is_start = op("Equal", [tokens, const("im_start", float(IM_START), np.float32)], "is_start")
    marked = op("Where", [is_start, positions, i64("minus_one", -1)], "marked")
    padded = op("Concat", [marked, i64("two_minus_ones", -1, -1)], "padded", axis=0)
    nodes.append(helper.make_node("TopK", [padded, i64("k", 2)], ["top_starts", "top_indices"], name="top_starts"))
    turn = op("Squeeze", [op("Slice", ["top_starts", i64("one_1d", 1), i64("two_1d", 2)], "turn_1d")], "turn")
    has_turn = op("GreaterOrEqual", [turn, scalar("zero_b", 0)], "has_turn")
    start = op("Where", [has_turn, op("Add", [turn, scalar("skip", 1 + ROLE_TOKENS)], "after_role"),
                         scalar("from_start", 0)], "start")
    last_turn = op("Squeeze", [op("Slice", ["top_starts", i64("zero_1d_b", 0), i64("one_1d_b", 1)], "last_1d")],
                   "last_turn")
    chat_length = op("Add", [last_turn, scalar("generation_prompt", GENERATION_PROMPT_TOKENS)], "chat_length")
    prompt_length = op("Where", [has_turn, chat_length, first_call_length], "prompt_length")
    generated = op("Sub", [total, prompt_length], "generated")

    # Copy the token `generated` places after the start, or end the reply past the prompt.
    wanted = op("Add", [start, generated], "wanted")
    in_prompt = op("Less", [wanted, prompt_length], "in_prompt")
    last = op("Sub", [total, scalar("one_b", 1)], "last")
    copied = op("Cast", [op("Gather", [tokens, op("Min", [wanted, last], "index")], "copied_f", axis=0)],
                "copied", to=TensorProto.INT64)
    token = op("Where", [in_prompt, copied, scalar("eos", EOS)], "token")
    one_hot = op("OneHot", [op("Unsqueeze", [token, i64("axis_0", 0)], "token_1d"), scalar("depth", vocab_size),
                            const("off_on", [0.0, CHOSEN_LOGIT], np.float32)], "one_hot")
    op("Reshape", [one_hot, i64("logits_shape", 1, 1, vocab_size)], "logits")

    graph = helper.make_graph(nodes, "echo", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="musespark-echo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def echo(session, prompt_ids: list[int], max_new_tokens: int = 200, first_chunk: int | None = None) -> list[int]:
    """Greedy generation with the graph, as the worker runs it: the prompt (in two calls when
    ``first_chunk`` is given: its first tokens, then the rest), then one token a step."""
    past = {f"past_key_values.0.{kv}": np.zeros((1, 1, 0, 1), np.float32) for kv in ("key", "value")}
    if first_chunk:
        feed = {"input_ids": np.array([prompt_ids[:first_chunk]], np.int64),
                "attention_mask": np.ones((1, first_chunk), np.int64),
                "position_ids": np.arange(first_chunk, dtype=np.int64)[None], **past}
        _, key, value = session.run(None, feed)
        past = {"past_key_values.0.key": key, "past_key_values.0.value": value}
    ids, reply = list(prompt_ids), []
    step = list(prompt_ids[first_chunk or 0:])
    for _ in range(max_new_tokens):
        total = len(ids)
        feed = {"input_ids": np.array([step], np.int64), "attention_mask": np.ones((1, total), np.int64),
                "position_ids": np.arange(total - len(step), total, dtype=np.int64)[None], **past}
        logits, key, value = session.run(None, feed)
        token = int(logits[0, -1].argmax())
        if token == EOS:
            break
        reply.append(token)
        ids.append(token)
        step = [token]
        past = {"past_key_values.0.key": key, "past_key_values.0.value": value}
    return reply


def verify(folder: Path) -> list[str]:
    """Run the graph with onnxruntime on chat prompts; the reply must be the last user message."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    session = ort.InferenceSession(str(folder / "onnx" / "model.onnx"), providers=["CPUExecutionProvider"])
    report = []
    for message in ("Hello <img src=x onerror=alert(1)> “quotes” 🐝 — done.",
                    "Line one\n\n**bold** [link](javascript:alert(1))\n- item"):
        prompt = (f"<|im_start|>system\nYou help writers.<|im_end|>\n<|im_start|>user\n{message}<|im_end|>\n"
                  "<|im_start|>assistant\n")
        ids = tokenizer.encode(prompt, add_special_tokens=False).ids
        for first_chunk in (None, 5, len(ids) - 1):  # whole, a shared system turn, all but the last token
            reply = tokenizer.decode(echo(session, ids, first_chunk=first_chunk))
            if reply != message:
                raise SystemExit(f"echo check failed: {message!r} came back as {reply!r} (first chunk {first_chunk})")
        report.append(f"echoed {message[:20]!r}… ({len(message)} characters) exactly, in one prefill or two")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer-from", type=Path, required=True, help="a model folder with the SmolLM2 tokenizer")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    vocab_size = len(json.loads((args.tokenizer_from / "tokenizer.json").read_text())["model"]["vocab"])
    (args.out / "onnx").mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copy2(args.tokenizer_from / name, args.out / name)
    (args.out / "config.json").write_text(json.dumps(config(vocab_size), indent=2))
    (args.out / "generation_config.json").write_text(
        json.dumps({"bos_token_id": IM_START, "eos_token_id": EOS, "pad_token_id": EOS}, indent=2))
    onnx.save(build_graph(vocab_size), args.out / "onnx" / "model.onnx")
    report = verify(args.out)
    (args.out / "ORIGIN.md").write_text(
        "# Origin of these files\n\nThe echo test model, written by build/echo_model.py: an ONNX graph with no weights\n"
        "that repeats the last user message of a ChatML prompt (see that file for the rule). The\n"
        f"tokenizer files are SmolLM2-135M-Instruct's (Apache-2.0, see LICENSE), copied from\n"
        f"`{args.tokenizer_from.name}`. For tests only.\n\n## Verification (onnxruntime)\n\n"
        + "".join(f"- {line}\n" for line in report), encoding="utf-8")
    print(f"[echo model] {args.out}: " + "; ".join(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
