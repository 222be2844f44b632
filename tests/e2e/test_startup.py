"""Start-up in real Chromium: named stages reach ready, and broken models say so."""
from .conftest import TINY_MODEL


def test_stages_reach_ready_and_the_studio_is_usable(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    studio.wait_for_model()
    page = studio.page
    for name in ("runtime", "python", "model"):
        assert page.get_attribute(f"#stage-{name}", "data-state") == "ready"
    assert "ready in" in studio.stage_detail("model")
    assert page.is_enabled("#spark") and not page.is_enabled("#stop")
    assert "is ready" in studio.status()
    info = page.inner_text("#model-info")  # read by Python from the catalogue boot.js fetched
    assert "Tiny random SmolLM2" in info and "Apache-2.0" in info and "MB" in info
    assert "on the processor (WASM)" in info and "on WASM" in studio.stage_detail("model")


def test_asked_for_webgpu_where_the_browser_has_none_the_model_runs_on_wasm_and_says_so(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}&device=webgpu")  # this Chromium runs with --disable-gpu
    studio.wait_for_python()
    studio.wait_for_model()
    assert "no WebGPU adapter" in studio.stage_detail("model") and "no WebGPU adapter" in studio.status()
    assert "on the processor (WASM)" in studio.page.inner_text("#model-info")
    assert not any("ort-webgpu" in url for url in studio.requests)  # the WebGPU runtime is not fetched


def test_the_page_loads_everything_from_its_own_origin(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_model()
    loaded = " ".join(studio.requests)
    for part in ("vendor/pyodide/pyodide.asm.wasm", "vendor/ort/ort-wasm-simd-threaded.wasm",
                 f"models/{TINY_MODEL}/onnx/", f"models/{TINY_MODEL}/tokenizer.json", "app/core/ideas.py"):
        assert part in loaded
    assert studio.off_origin_requests() == []


def test_an_empty_brief_gets_a_clear_message(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    studio.wait_for_model()  # the model's "ready" message would replace the status checked below
    studio.page.click("#spark")
    studio.page.wait_for_selector("#status[data-kind=error]")
    assert "Write a brief" in studio.status()
    assert studio.cards() == []


def test_a_missing_model_shows_what_to_do(open_studio):
    studio = open_studio(
        f"?model={TINY_MODEL}",
        routes={f"**/models/{TINY_MODEL}/onnx/**": lambda route: route.fulfill(status=404, body="missing")},
        expected_errors=[r"404"],
    )
    studio.wait_for_model("error")
    assert "was not found" in studio.stage_detail("model")
    assert "set-up" in studio.stage_detail("model")
    studio.wait_for_python()
    studio.page.wait_for_selector("#status[data-kind=error]")
    assert "was not found" in studio.status()


def test_a_corrupt_model_shows_what_to_do(open_studio):
    studio = open_studio(
        f"?model={TINY_MODEL}",
        routes={f"**/models/{TINY_MODEL}/onnx/**": lambda route: route.fulfill(
            status=200, body=b"\x08\x07not an onnx model" * 100, content_type="application/octet-stream")},
        expected_errors=[r"onnx|ONNX|session|protobuf"],
    )
    studio.wait_for_model("error")
    assert "could not be loaded" in studio.stage_detail("model")
    assert "set-up" in studio.stage_detail("model")


def test_a_missing_catalogue_shows_what_to_do(open_studio):
    studio = open_studio(
        routes={"**/models/catalogue.json": lambda route: route.fulfill(status=404, body="")},
        expected_errors=[r"404"],
    )
    studio.wait_for_model("error")
    assert "catalogue" in studio.stage_detail("model") and "set-up" in studio.stage_detail("model")


def test_an_unknown_precision_is_named_with_the_ones_available(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}&dtype=bf16")
    studio.wait_for_model("error")
    assert "has no bf16 weights (it has fp32, fp16, int8, q8, q4)" in studio.stage_detail("model")
