"""A model the creator added (tests/added_model.py adds one as `serve.py --add-model` does: a
random-weight Llama 3 file with Llama 3's real tokenizer, its weights in data files beside each
graph as a big model's are) is offered in the engine dialog with its size, memory, licence and
whether it suits this device, loads in the page, writes, is named as the author of its text,
and is the model the studio opens with next time."""
from .conftest import TINY_MODEL, wait_until

ADDED = "random-llama-3-tests"


def test_an_added_model_is_offered_loads_writes_and_is_kept_for_the_next_visit(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    studio.wait_for_model()
    page = studio.page
    page.click("#engine-open")
    offered = page.eval_on_selector_all("#engine-builtin-model option", "options => options.map(o => o.value)")
    assert ADDED in offered and "smollm2-135m-instruct" in offered and "echo-smollm2" not in offered
    label = page.inner_text(f"#engine-builtin-model option[value='{ADDED}']")
    assert label.startswith("Random Llama 3 (tests): ") and "MB download, about 0." in label
    assert label.endswith("; suits this device")
    page.select_option("#engine-builtin-model", ADDED)
    page.select_option("#engine-device", "wasm")
    page.click("#engine-builtin")
    wait_until(page, "document.getElementById('model-info').textContent.includes('Random Llama 3')", 60_000)
    assert "Random Llama 3 (tests) ready in" in studio.stage_detail("model")
    assert "from your GGUF file test-random-llama3-" in page.inner_text("#model-info")
    saved = page.evaluate("""async () => (await (await caches.open('musespark-models')).keys())
        .map((request) => new URL(request.url).pathname)""")
    assert f"/models/{ADDED}/onnx/model_int8.onnx_data" in saved  # the weights beside the graph, for offline use
    assert f"/models/{ADDED}/onnx/model_q4.onnx_data" not in saved  # another precision's are not fetched
    reply = page.evaluate("museSpark.runPrompt('Write one sentence about bees.', 8)")
    assert reply["tokens"] == 8 and reply["text"]  # random weights: often the prompt's last token again
    assert reply["promptTokens"] > 10  # Llama 3's own chat template, from the GGUF file

    # The address named the tiny model, which wins over the kept choice; without it, the added one opens.
    page.goto(studio.origin + "/")
    studio.wait_for_python()
    studio.wait_for_model()
    assert "Random Llama 3 (tests) ready in" in studio.stage_detail("model")
