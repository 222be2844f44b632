"""The creator's own engine: a real llama.cpp server (llama-cpp-python, built by
build/llama_server.py) serving the same SmolLM2 GGUF on 127.0.0.1, connected through the
Engine dialog. Ideas, a draft and a refinement come from it; Stop ends its reply; a server
that dies mid-reply leaves the text and offers Try again; a wrong address, a wrong key and
a server that refuses this page's origin are each said plainly."""
from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ECHO_MODEL, wait_until

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-engine-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_llama_server() -> tuple[subprocess.Popen, str]:
    """llama.cpp's server with the default model's GGUF and an API key; waits until it answers."""
    sys.path.insert(0, str(ROOT / "build"))
    import llama_server
    import setup

    port = free_port()
    process = subprocess.Popen(
        [str(llama_server.server_python()), "-m", "llama_cpp.server", "--model", str(setup.fetch_gguf()),
         "--host", "127.0.0.1", "--port", str(port), "--api_key", KEY, "--n_ctx", "2048",
         "--model_alias", "smollm2-135m"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{url}/v1/models", headers={"Authorization": f"Bearer {KEY}"})
    for _ in range(600):
        try:
            with urllib.request.urlopen(request, timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the llama.cpp server exited at start")
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the llama.cpp server did not answer within 120 s")


@pytest.fixture(scope="module")
def llama():
    process, url = start_llama_server()
    yield url
    process.terminate()
    process.wait(timeout=10)


def open_engine(studio, url: str, key: str = KEY) -> None:
    page = studio.page
    page.click("#engine-open")
    page.fill("#engine-url", url)
    page.fill("#engine-key", key)


def connect(studio, url: str) -> str:
    """List the server's models, test the first and use it; returns what the test said."""
    page = studio.page
    open_engine(studio, url)
    page.click("#engine-list")
    wait_until(page, "document.querySelector('#engine-model').options.length > 0", timeout_ms=30_000)
    page.click("#engine-test")
    page.wait_for_selector("#engine-status:has-text('answered in')", timeout=60_000)
    tested = page.inner_text("#engine-status")
    page.click("#engine-use")
    page.wait_for_selector("main[data-engine=endpoint]", state="attached", timeout=10_000)
    return tested


# llama-cpp-python answers OpenAI's json_schema response_format with a 500, which the browser logs.
REFUSED_FORM = r"status of 500"


def test_ideas_a_draft_and_a_refinement_from_the_creators_llama_cpp_server(open_studio, llama):
    studio = open_studio(f"?model={ECHO_MODEL}", engine_origins=[llama], expected_errors=[REFUSED_FORM])
    studio.wait_for_model()
    page = studio.page
    tested = connect(studio, llama)
    assert tested.startswith("smollm2-135m answered in") and "tokens/s" in tested, tested
    assert page.inner_text("#model-info").startswith(f"Engine: smollm2-135m on {llama}")

    asked = []
    page.on("request", lambda request: asked.append(request.post_data_json)
            if request.url.endswith("/v1/chat/completions") else None)
    studio.spark("a newsletter intro about urban beekeeping for beginners")
    studio.wait_until_idle()
    assert studio.cards(), studio.status()  # the same 135M model, served by llama.cpp
    # A connected engine is asked for the whole set at once, as JSON that follows a schema:
    # llama-cpp-python refuses OpenAI's json_schema form and takes its own json_object one.
    forms = [body["response_format"]["type"] for body in asked if "response_format" in body]
    assert forms == ["json_schema", "json_object"], forms
    assert asked[1]["response_format"]["schema"]["properties"]["ideas"]["maxItems"] == 5
    studio.act("#ideas .idea-card:nth-child(1) [data-action=draft]")
    assert [line for line in page.input_value("#outline").splitlines() if line.strip()], studio.status()
    studio.act("#write-draft")
    written = page.input_value("#draft")
    assert written.startswith("# "), studio.status()
    page.fill("#draft", written + "\nBees like quiet, sunny roofs in the middle of busy cities.\n")
    page.select_option("#refine-op", "shorter")
    studio.act("#refine")
    assert not studio.status().startswith("Something went wrong"), studio.status()

    # Provenance names the engine and says no weights hash is known; the key is in no export.
    with page.expect_download() as download:
        page.click("#project-export")
    exported = Path(download.value.path()).read_text()
    assert KEY not in exported and "smollm2-135m on http://127.0.0.1" in exported

    # Reopened, the studio writes with the same engine again.
    page.reload()
    studio.wait_for_model()
    page.wait_for_selector("main[data-engine=endpoint]", state="attached", timeout=30_000)


def test_stop_ends_the_servers_reply_and_a_server_that_dies_keeps_the_text(open_studio):
    process, url = start_llama_server()
    try:
        # The browser logs the reply cut short, and the refused connection of the next request.
        studio = open_studio(f"?model={ECHO_MODEL}", engine_origins=[url],
                             expected_errors=[r"ERR_INCOMPLETE_CHUNKED_ENCODING", r"ERR_CONNECTION_REFUSED",
                                              REFUSED_FORM])
        studio.wait_for_model()
        page = studio.page
        connect(studio, url)
        studio.spark("a guide to repairing a bicycle puncture at the roadside")
        studio.wait_until_idle()
        studio.act("#ideas .idea-card:nth-child(1) [data-action=draft]")
        page.fill("#outline", "\n".join(f"Step {n}: the tyre, the tube and the patch" for n in range(1, 9)))
        lines = "document.querySelector('#draft').value.split('\\n').length"
        page.click("#write-draft")
        wait_until(page, f"{lines} > 2", timeout_ms=60_000)
        page.click("#stop")
        studio.wait_until_idle()
        assert studio.status().startswith("Stopped. The draft keeps"), studio.status()
        kept = page.input_value("#draft")

        page.click("#write-draft")
        wait_until(page, f"{lines} > 2 && document.querySelector('#draft').value !== {json.dumps(kept)}",
                   timeout_ms=60_000)
        process.kill()
        studio.wait_until_idle()
        assert "stopped answering" in studio.status() or "No answer from" in studio.status(), studio.status()
        assert "Try again" in studio.status() and page.is_visible("#retry")
        assert page.input_value("#draft").startswith("# ")  # what was written is kept
    finally:
        process.kill()
        process.wait(timeout=10)


class RefusingOrigins(http.server.BaseHTTPRequestHandler):
    """A server that answers like an OpenAI server but sends no CORS headers: browsers refuse it."""

    def do_GET(self):
        body = json.dumps({"data": [{"id": "m"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_wrong_address_a_wrong_key_and_a_refused_origin_are_said_plainly(open_studio, llama):
    refusing = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RefusingOrigins)
    threading.Thread(target=refusing.serve_forever, daemon=True).start()
    refusing_url = f"http://127.0.0.1:{refusing.server_address[1]}"
    nobody = f"http://127.0.0.1:{free_port()}"
    studio = open_studio(f"?model={ECHO_MODEL}", engine_origins=[llama, refusing_url, nobody],
                         expected_errors=[r"Failed to load resource", r"CORS policy", r"401"])
    studio.wait_for_model()
    page = studio.page
    try:
        for url, key, said in ((nobody, KEY, "No answer from"), (llama, "sk-wrong", "refused the API key"),
                               (refusing_url, KEY, "OLLAMA_ORIGINS"), ("localhost:8080", KEY, "is not a server address")):
            open_engine(studio, url, key)
            page.click("#engine-list")
            page.wait_for_selector(f"#engine-status[data-kind=error]:has-text('{said}')", timeout=30_000)
            page.click("#engine-close")
        assert page.get_attribute("main", "data-engine") != "endpoint"
        assert "SmolLM2" not in page.inner_text("#model-info") or "on this device" in page.inner_text("#model-info")
    finally:
        refusing.shutdown()
