"""The page's whole generation path gives the same greedy text as onnxruntime in Python."""
import importlib.util
import json
import subprocess

from .conftest import ROOT, TINY_MODEL

PROMPT = "Write one sentence about bees."


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
    page_result = studio.page.evaluate("(prompt) => museSpark.runPrompt(prompt, 24)", PROMPT)
    native = native_greedy(ROOT / "models" / TINY_MODEL, "onnx/model.onnx", 24)
    assert page_result["tokens"] == 24 and page_result["text"].strip()
    assert page_result["text"] == native
