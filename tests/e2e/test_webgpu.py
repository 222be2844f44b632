"""The built-in model on WebGPU: Chromium here offers a software adapter (SwiftShader) with
``--enable-unsafe-webgpu``, so the WebGPU path is checked for correctness (its greedy text
equals onnxruntime's in Python), not for speed. Where WebGPU fails, the model runs on WASM
and the page says why; the creator moves it between the two in the engine dialog."""
import pytest

from ..browser import CHROMIUM, CHROMIUM_FLAGS
from .conftest import ROOT, TINY_MODEL, wait_until
from .test_matches_native import BATCH_OF_TWO, OTHER_PROMPT, PROMPT, native_greedy

WEBGPU_FLAGS = [flag for flag in CHROMIUM_FLAGS if flag != "--disable-gpu"] + ["--enable-unsafe-webgpu"]
DEFAULT_MODEL = "smollm2-135m-instruct"
SLOW_MS = 300_000  # a software GPU takes seconds per token


@pytest.fixture(scope="module")
def browser(browser):
    """This module's pages open in a Chromium with WebGPU (the session's has none)."""
    with_gpu = browser.browser_type.launch(executable_path=CHROMIUM, args=WEBGPU_FLAGS)
    yield with_gpu
    with_gpu.close()


def run_prompt(studio, prompt: str, tokens: int) -> dict:
    return studio.page.evaluate("([prompt, tokens]) => museSpark.runPrompt(prompt, tokens)", [prompt, tokens])


def test_greedy_text_on_webgpu_equals_native_onnxruntime_and_moves_to_wasm_on_request(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}&dtype=fp32&device=webgpu")
    studio.wait_for_python()
    studio.wait_for_model()
    assert "on WebGPU (" in studio.stage_detail("model")
    wait_until(studio.page, "document.getElementById('model-info').textContent.includes('graphics card')")
    run_prompt(studio, OTHER_PROMPT, 24)
    after_other = run_prompt(studio, PROMPT, 24)  # reuses the system turn's cache, read back from the GPU
    again = run_prompt(studio, PROMPT, 24)
    native = native_greedy(ROOT / "models" / TINY_MODEL, "onnx/model.onnx", 24)
    assert after_other["tokens"] == 24 and after_other["text"] == again["text"] == native
    assert 0 < after_other["reusedTokens"] < after_other["promptTokens"] - 1
    batch = studio.page.evaluate(BATCH_OF_TWO, PROMPT)
    assert [sample["text"] for sample in batch["samples"]] == [native, native]

    studio.page.click("#engine-open")
    studio.page.select_option("#engine-device", "wasm")
    studio.page.click("#engine-builtin")
    wait_until(studio.page, "document.getElementById('model-info').textContent.includes('processor (WASM)')", SLOW_MS)
    assert "on WASM" in studio.stage_detail("model")
    assert run_prompt(studio, PROMPT, 24)["text"] == native
    assert studio.page.evaluate("localStorage.getItem('musespark.device')") == "wasm"


def test_weights_the_adapter_cannot_run_fall_back_to_wasm_with_a_note(open_studio):
    # SwiftShader has no shader-f16: transformers.js refuses fp16 on it.
    studio = open_studio(f"?model={TINY_MODEL}&dtype=fp16&device=webgpu")
    studio.wait_for_python()
    studio.wait_for_model()
    detail = studio.stage_detail("model")
    assert "on WASM" in detail and "WebGPU failed (" in detail and "fp16" in detail
    assert "WebGPU failed" in studio.status()
    native = native_greedy(ROOT / "models" / TINY_MODEL, "onnx/model_fp16.onnx", 16)
    assert run_prompt(studio, PROMPT, 16)["text"] == native


def test_the_default_model_writes_the_same_words_on_webgpu_as_natively(open_studio):
    studio = open_studio(f"?device=webgpu")
    studio.page.set_default_timeout(SLOW_MS)
    studio.wait_for_python()
    studio.page.wait_for_selector("html[data-model-stage=ready]", state="attached", timeout=SLOW_MS)
    assert "on WebGPU (" in studio.stage_detail("model")
    reply = run_prompt(studio, PROMPT, 8)
    assert reply["tokens"] == 8
    assert reply["text"] == native_greedy(ROOT / "models" / DEFAULT_MODEL, "onnx/model_int8.onnx", 8)
