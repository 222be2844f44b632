"""The page's whole generation path gives the same greedy text as onnxruntime in Python,
whether the worker prefills the whole prompt or reuses the KV cache of the last one, and
in every row of a batch of replies decoded together."""
import importlib.util
import json
import subprocess

from .conftest import ROOT, TINY_MODEL

PROMPT = "Write one sentence about bees."
OTHER_PROMPT = "Name three rivers."


def native_greedy(model_dir, onnx_file: str, max_new_tokens: int) -> str:
    """bench/native.py's greedy text, run in the model build's environment."""
    spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)
    command = [str(setup.model_python()), str(ROOT / "bench" / "native.py"), str(model_dir), onnx_file, PROMPT,
               "--threads", "1", "--runs", "1", "--max-new-tokens", str(max_new_tokens)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return result["threads"][0]["runs"][0]["text"]


def test_greedy_text_in_the_page_equals_native_onnxruntime(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}&dtype=fp32")
    studio.wait_for_python()
    studio.wait_for_model()
    run = "(prompt) => museSpark.runPrompt(prompt, 24)"
    studio.page.evaluate(run, OTHER_PROMPT)
    after_other = studio.page.evaluate(run, PROMPT)  # shares the chat template's system turn
    again = studio.page.evaluate(run, PROMPT)  # shares all of the prompt
    native = native_greedy(ROOT / "models" / TINY_MODEL, "onnx/model.onnx", 24)
    assert after_other["tokens"] == 24 and after_other["text"].strip()
    assert after_other["text"] == again["text"] == native
    assert 0 < after_other["reusedTokens"] < after_other["promptTokens"] - 1
    assert again["reusedTokens"] == again["promptTokens"] - 1
    batch = studio.page.evaluate(BATCH_OF_TWO, PROMPT)
    assert [sample["text"] for sample in batch["samples"]] == [native, native]
    assert [sample["tokens"] for sample in batch["samples"]] == [24, 24] and batch["tokens"] == 48


# Two greedy replies to one prompt, decoded together in the worker.
BATCH_OF_TWO = """async (prompt) => {
  const { spec } = await museSpark.model;
  return museSpark.client.generate(spec, [{ role: "user", content: prompt }],
    { max_new_tokens: 24, do_sample: false, repetition_penalty: 1.0 }, { samples: 2 });
}"""
