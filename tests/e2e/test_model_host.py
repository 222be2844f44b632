"""A model host the deployment names (model-host.json): a second localhost origin serves a
folder that build/model_host.py wrote. Its models are offered in the engine dialog, fetched
only when chosen, with progress, checked against the sha256 the host lists, saved for offline
use (the studio then opens and writes with the network off) and deletable; a file that is not
the one listed is refused, and the model in use goes on writing."""
import functools
import http.server
import json
import subprocess
import sys
import threading

import pytest

from .conftest import ROOT, TINY_MODEL, serve, wait_until

HOSTED, TAMPERED = "hosted-tiny", "hosted-tampered"


class CorsHandler(http.server.SimpleHTTPRequestHandler):
    """A static host that lets any origin read its files."""

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def model_host(tmp_path_factory):
    """The tiny model published twice on a host; the second's listed hash of one file is wrong."""
    folder = tmp_path_factory.mktemp("model-host")
    for model_id, name in ((HOSTED, "Hosted tiny (tests)"), (TAMPERED, "Tampered tiny (tests)")):
        subprocess.run([sys.executable, "build/model_host.py", str(folder), str(ROOT / "models" / TINY_MODEL),
                        "--id", model_id, "--name", name], cwd=ROOT, check=True, capture_output=True)
    catalogue = json.loads((folder / "catalogue.json").read_text())
    tampered = next(entry for entry in catalogue["models"] if entry["id"] == TAMPERED)
    tampered["files"][tampered["weights"][tampered["dtype"]]]["sha256"] = "0" * 64
    (folder / "catalogue.json").write_text(json.dumps(catalogue))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CorsHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def studio_url(tmp_path_factory, model_host):
    config = tmp_path_factory.mktemp("deployment") / "model-host.json"
    config.write_text(json.dumps({"url": f"{model_host}/"}))
    yield from serve("--model-host-config", str(config))


def saved_urls(page) -> list[str]:
    return page.evaluate("""async () => (await (await caches.open('musespark-models')).keys())
        .map((request) => request.url)""")


def choose(page, model_id: str) -> None:
    page.click("#engine-open")
    page.select_option("#engine-builtin-model", model_id)
    page.select_option("#engine-device", "wasm")
    page.click("#engine-builtin")


def test_a_hosted_model_is_fetched_when_chosen_checked_saved_works_offline_and_can_be_deleted(
        open_studio, studio_url, model_host):
    # Offline, the page still asks for model-host.json and the host's list (and uses the list it kept).
    studio = open_studio(f"?model={TINY_MODEL}", base_url=studio_url, engine_origins=[model_host],
                         expected_errors=["net::ERR_FAILED", "net::ERR_INTERNET_DISCONNECTED"])
    studio.wait_for_model()
    page = studio.page
    assert not any(url.startswith(model_host + f"/{HOSTED}/") for url in studio.requests)  # not before it is chosen
    page.click("#engine-open")
    label = page.inner_text(f"#engine-builtin-model option[value='{HOSTED}']")
    assert label.startswith("Hosted tiny (tests): ") and label.endswith("; suits this device")
    page.click("#engine-close")
    progress = []
    page.expose_function("noteStage", lambda detail: progress.append(detail))
    page.evaluate("""new MutationObserver(() => noteStage(document.querySelector('#stage-model .stage-detail').textContent))
        .observe(document.querySelector('#stage-model'), {subtree: true, childList: true, characterData: true})""")

    choose(page, HOSTED)
    wait_until(page, "document.getElementById('model-info').textContent.includes('Hosted tiny')", 60_000)
    assert any("saved for offline use" in detail for detail in progress)
    assert f"from the model host 127.0.0.1:{model_host.rsplit(':', 1)[1]}" in page.inner_text("#model-info")
    saved = saved_urls(page)
    assert f"{model_host}/{HOSTED}/onnx/model_int8.onnx" in saved and f"{model_host}/{HOSTED}/tokenizer.json" in saved
    assert f"{model_host}/{HOSTED}/onnx/model.onnx" not in saved  # another precision is not fetched
    assert page.evaluate("museSpark.runPrompt('Write one sentence about bees.', 4)")["tokens"] == 4

    # Offline, the studio opens with the hosted model it kept, from the saved copy.
    page.context.set_offline(True)
    page.goto(studio_url)
    studio.wait_for_model()
    assert "Hosted tiny (tests) ready in" in studio.stage_detail("model")
    assert page.evaluate("museSpark.runPrompt('Write one sentence about bees.', 4)")["tokens"] == 4
    page.context.set_offline(False)

    button = page.get_by_role("button", name="Delete Hosted tiny (tests)")
    button.click()
    wait_until(page, "document.getElementById('device-message').textContent.startsWith('Deleted the saved files')")
    assert "Deleted the saved files of Hosted tiny (tests)" in page.inner_text("#device-message")
    assert not [url for url in saved_urls(page) if url.startswith(model_host)]


@pytest.mark.parametrize("offline_copy", [True, False], ids=["saved-first", "without-service-worker"])
def test_a_hosted_file_that_is_not_the_one_listed_is_refused_and_the_model_in_use_goes_on(
        open_studio, studio_url, model_host, offline_copy):
    """Checked by the service worker before it is saved, or by the model worker before it is used."""
    studio = open_studio(f"?model={TINY_MODEL}", base_url=studio_url, engine_origins=[model_host],
                         context_options={"service_workers": "allow" if offline_copy else "block"})
    studio.wait_for_model()
    page = studio.page
    choose(page, TAMPERED)
    wait_until(page, "document.getElementById('engine-status').dataset.kind === 'error'", 60_000)
    assert "is not the file the model host lists" in page.inner_text("#engine-status")
    assert "goes on writing: Tampered tiny (tests) did not load" in studio.stage_detail("model")
    if offline_copy:
        assert not [url for url in saved_urls(page) if f"/{TAMPERED}/" in url]  # kept whole or not at all
    assert page.evaluate("museSpark.runPrompt('Write one sentence about bees.', 4)")["tokens"] == 4
    assert "Tiny" in page.inner_text("#model-info") and "Tampered" not in page.inner_text("#model-info")


def test_a_kept_model_that_no_longer_loads_gives_way_to_the_built_in_one(open_studio, studio_url, model_host):
    studio = open_studio(f"?model={TINY_MODEL}", base_url=studio_url, engine_origins=[model_host])
    studio.wait_for_model()
    page = studio.page
    page.evaluate(f"localStorage.setItem('musespark.model', '{TAMPERED}')")  # as if it had loaded once
    page.goto(studio_url)
    studio.wait_for_model()
    detail = studio.stage_detail("model")
    assert "SmolLM2 135M Instruct ready in" in detail
    assert "Tampered tiny (tests) did not load (" in detail and "so SmolLM2 135M Instruct writes instead." in detail
    assert page.evaluate("localStorage.getItem('musespark.model')") != TAMPERED
