"""Offline and installable, in Chromium with a real (persistent) profile.

Each test serves its own copy of the built studio, so it can make a new build or
stop the server: after one online visit the studio starts and writes with the
network off; a new build shows the update prompt and a reload applies it; the
model cache can be cleared; Chromium reports no installability errors.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import pytest

from ..browser import CHROMIUM, CHROMIUM_FLAGS
from .conftest import ROOT, STARTUP_MS, TINY_MODEL, StudioPage

spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)

COPIED = ("index.html", "pyscript.toml", "sw.js", "app", "assets")
LINKED = ("vendor", "models")  # large and unchanged between the builds a test makes
TINY_WEIGHTS = f"models/{TINY_MODEL}/onnx/model.onnx"


class Site:
    """A built copy of the studio served by serve.py on a free port."""

    def __init__(self, root):
        self.root = root
        root.mkdir()
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, root / name)
        for name in LINKED:
            (root / name).symlink_to(ROOT / name)
        self.version = setup.write_offline_files(root)
        self.process = None
        self.url = ""

    def files(self) -> dict:
        text = (self.root / setup.OFFLINE_FILES).read_text()
        return json.loads(text[text.index("{"): text.rindex("}") + 1])

    def start(self) -> str:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "serve.py"), "--root", str(self.root), "--port", "0"],
            stdout=subprocess.PIPE, text=True,
        )
        match = re.search(r"http://\S+/", self.process.stdout.readline())
        assert match, "serve.py did not start"
        self.url = match.group(0)
        return self.url

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def new_build(self, stylesheet_rule: str) -> str:
        """Change a file and write the file list again, as a set-up run after an edit does."""
        with (self.root / "assets" / "studio.css").open("a") as css:
            css.write(f"\n{stylesheet_rule}\n")
        self.version = setup.write_offline_files(self.root)
        return self.version


@pytest.fixture
def site(tmp_path):
    built = Site(tmp_path / "site")
    yield built
    built.stop()


@pytest.fixture
def profile(browser, tmp_path):
    """A browser with a profile on disk (service workers and caches as a person has them);
    ``open(url)`` returns a watched StudioPage, checked at teardown like open_studio's."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    studios: list[StudioPage] = []
    failed: list[str] = []
    downloads: list[str] = []  # what the service worker itself fetched from the network
    from_worker: dict[str, bool] = {}  # for each URL a page loaded: was it answered by the worker?
    context.on("request", lambda request: request.service_worker and downloads.append(request.url))

    def open_page(url: str, expected_errors=()) -> StudioPage:
        page = context.pages[0] if context.pages and not studios else context.new_page()
        origin = re.match(r"https?://[^/]+", url).group(0)
        studio = StudioPage(page, origin=origin, expected_errors=list(expected_errors))
        page.on("request", lambda request: studio.requests.append(request.url))
        # Aborted requests are not failures: transformers.js requests each model file once, unread,
        # to learn its size, and the browser aborts that request when it is collected.
        page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
                and failed.append(f"{request.url} ({request.failure})"))
        page.on("response", lambda response: from_worker.__setitem__(response.url, response.from_service_worker))
        page.on("console", lambda msg: msg.type == "error" and studio.console_errors.append(msg.text))
        page.on("pageerror", lambda error: studio.page_errors.append(str(error)))
        page.goto(url)
        studios.append(studio)
        return studio

    open_page.context = context
    open_page.failed = failed  # requests that failed, in any page
    open_page.downloads = downloads
    open_page.from_worker = from_worker
    yield open_page
    context.close()
    assert all(url.startswith(studios[0].origin) for url in downloads), "the service worker left the origin"
    for studio in studios:
        assert studio.off_origin_requests() == [], "requests left the page's origin"
        assert studio.unexpected_errors() == [], "unexpected console errors"


def wait_until_ready(studio: StudioPage) -> None:
    studio.wait_for_python()
    studio.wait_for_model()


def wait_until_saved(studio: StudioPage, model_name: str) -> str:
    """Wait until the page says the studio and the model are saved for offline use."""
    studio.page.wait_for_selector(f"#offline-status:has-text('{model_name}')", timeout=STARTUP_MS)
    return studio.page.inner_text("#offline-status")


def worker_status(studio: StudioPage) -> dict:
    """What the service worker says it keeps."""
    return studio.page.evaluate("""() => new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = ({ data }) => resolve(data.result);
        navigator.serviceWorker.controller.postMessage({ type: "status" }, [channel.port2]);
    })""")


EMBEDDER = "all-minilm-l6-v2"


def same_origin_paths(studio: StudioPage) -> set[str]:
    return {url[len(studio.origin) + 1:].split("?")[0] for url in studio.requests if url.startswith(studio.origin)}


def test_after_one_visit_the_studio_starts_and_writes_offline(site, profile):
    url = site.start()
    studio = profile(f"{url}?model={TINY_MODEL}")
    wait_until_ready(studio)
    saved = wait_until_saved(studio, "Tiny random SmolLM2")
    assert saved.startswith("Works offline") and f"version {site.version[:8]}" in saved
    # The sentence-embedding model loads last: every file the page asked for has arrived after it.
    studio.page.wait_for_selector("#studio[data-embedder=ready]", state="attached", timeout=STARTUP_MS)
    listed = site.files()
    # model-host.json is the deployment's, asked over the network first (sw.js keeps its last answer).
    loaded = same_origin_paths(studio) - {"", "sw.js", "offline-files.js", "model-host.json"}
    assert loaded - set(listed["shell"]) - set(listed["models"]) == set(), "the page loads files the list lacks"
    assert {"vendor/pyodide/pyodide.asm.wasm", "vendor/ort/ort-wasm-simd-threaded.wasm", TINY_WEIGHTS} <= loaded
    # Each file is downloaded once, by the service worker; the page gets every large file from it.
    # (but the service worker's own scripts, and the deployment's model-host.json)
    downloaded = [address.removeprefix(url) for address in profile.downloads
                  if address not in (f"{url}sw.js", f"{url}offline-files.js", f"{url}model-host.json")]
    assert sorted(downloaded) == sorted(set(downloaded))
    large = {path for path in loaded if listed["shell"].get(path, listed["models"].get(path))["size"] > 1_000_000}
    assert large and all(profile.from_worker[f"{url}{path}"] for path in large)
    status = worker_status(studio)
    assert status["shell"]["complete"] and status["shell"]["files"] == len(listed["shell"])
    # Saved: the tiny model's files but the weights of other precisions (it loads in fp32).
    other_weights = {f"models/{TINY_MODEL}/onnx/model_{name}.onnx" for name in ("fp16", "int8", "quantized", "q4")}
    saved_files = [path for path in listed["models"] if path.startswith(f"models/{TINY_MODEL}/")
                   and path not in other_weights]
    assert {path for path in loaded if path.startswith(f"models/{TINY_MODEL}/")} <= set(saved_files)
    # The sentence-embedding model (int8) is saved with it.
    embedder = [path for path in listed["models"] if path.startswith(f"models/{EMBEDDER}/")
                and path != f"models/{EMBEDDER}/onnx/model.onnx"]
    assert set(downloaded) == set(listed["shell"]) | set(saved_files) | set(embedder)
    saved_bytes = sum(listed["models"][path]["size"] for path in saved_files)
    embedder_bytes = sum(listed["models"][path]["size"] for path in embedder)
    assert status["models"] == {"files": len(saved_files) + len(embedder), "bytes": saved_bytes + embedder_bytes,
                                "byModel": {TINY_MODEL: saved_bytes, EMBEDDER: embedder_bytes}}

    site.stop()
    profile.context.set_offline(True)
    studio.page.reload()
    wait_until_ready(studio)
    assert studio.page.evaluate("navigator.onLine") is False
    assert "is ready" in studio.status()
    assert profile.failed == [], "a request failed offline"

    studio.spark("A newsletter intro about urban beekeeping for beginners")
    studio.wait_until_idle()
    assert re.search(r"\d+ tokens", studio.status()), studio.status()
    page = studio.page
    original = "# Bees\n\nBees like quiet sunny roofs in the middle of busy cities."
    page.fill("#draft", original)
    page.select_option("#refine-op", "shorter")
    page.click("#refine")
    page.wait_for_selector("#draft[data-state=idle]", state="attached", timeout=60_000)
    studio.wait_until_idle()
    # The tiny random model's rewrite fails the checks on model output, so the text stays and the
    # summary says why: the model ran offline either way.
    assert studio.status().startswith("Shorter:") and "v1: Before refining" in page.inner_text("#history")
    with page.expect_download() as download:
        page.click("#export-md")
    assert download.value.suggested_filename == "bees.md"
    assert profile.failed == []

    # A precision never loaded online is not on the device: the page says so.
    studio.expected_errors.append("ERR_INTERNET_DISCONNECTED")
    page.goto(f"{url}?model={TINY_MODEL}&dtype=q4")
    studio.wait_for_model("error")
    assert studio.stage_detail("model") == (
        "The network is off and Tiny random SmolLM2 (tests only) (q4) is not saved on this device yet: "
        "connect once and start the studio to download it.")
    studio.wait_for_python()
    page.wait_for_selector("#status[data-kind=error]")
    assert "The network is off" in studio.status()


@pytest.mark.real_model
def test_the_default_model_works_offline_after_one_visit(site, profile):
    url = site.start()
    studio = profile(url)
    wait_until_ready(studio)
    wait_until_saved(studio, "SmolLM2 135M Instruct")
    site.stop()
    profile.context.set_offline(True)
    studio.page.reload()
    wait_until_ready(studio)
    result = studio.page.evaluate("museSpark.runPrompt('Write one sentence about bees.', 8)")
    assert result["tokens"] == 8 and result["text"].strip()
    assert profile.failed == []


def test_a_new_build_shows_the_update_prompt_and_reload_applies_it(site, profile):
    old_version = site.version
    url = site.start()
    studio = profile(f"{url}?model={TINY_MODEL}")
    wait_until_ready(studio)
    page = studio.page
    assert not page.is_visible("#update-reload")

    new_version = site.new_build(".masthead { border-bottom: 4px solid #4b2fa3; }")
    assert new_version != old_version
    page.reload()  # the browser looks for a new service worker on each start
    wait_until_ready(studio)
    page.wait_for_selector("#update-reload", state="visible", timeout=STARTUP_MS)
    assert page.inner_text("#update-message") == "A new version of the studio is ready."
    # Until the person agrees, the running version keeps serving its own files.
    assert worker_status(studio)["version"] == old_version
    assert "border-bottom" not in page.evaluate("fetch('assets/studio.css').then((r) => r.text())")

    page.focus("#update-reload")
    with page.expect_navigation(timeout=STARTUP_MS):
        page.keyboard.press("Enter")
    wait_until_ready(studio)
    assert worker_status(studio)["version"] == new_version
    assert "border-bottom: 4px" in page.evaluate("fetch('assets/studio.css').then((r) => r.text())")
    assert sorted(page.evaluate("caches.keys()")) == ["musespark-models", f"musespark-shell-{new_version}"]
    assert not page.is_visible("#update-reload")
    assert wait_until_saved(studio, "Tiny random SmolLM2").startswith("Works offline")


def test_the_model_cache_can_be_cleared_and_the_next_start_downloads_it_again(site, profile):
    url = site.start()
    studio = profile(f"{url}?model={TINY_MODEL}")
    wait_until_ready(studio)
    wait_until_saved(studio, "Tiny random SmolLM2")
    page = studio.page
    saved_bytes = worker_status(studio)["models"]["bytes"]
    megabytes = f"{saved_bytes / 1e6:.0f} MB"

    page.focus("#clear-models")
    page.keyboard.press("Enter")
    assert page.is_visible("#clear-models-dialog")
    assert "the next start downloads it again" in page.inner_text("#clear-models-text")
    page.keyboard.press("Escape")  # closing the dialog keeps the cache
    assert not page.is_visible("#clear-models-dialog")
    page.click("#clear-models")
    page.click("#clear-models-keep")
    assert worker_status(studio)["models"]["bytes"] == saved_bytes

    page.click("#clear-models")
    page.click("#clear-models-confirm")
    page.wait_for_selector("#device-message:has-text('Model cache cleared')")
    assert page.inner_text("#device-message") == (
        f"Model cache cleared: {megabytes} freed. The next start downloads the model again.")
    assert page.evaluate("document.activeElement.id") == "device-message"
    assert worker_status(studio)["models"] == {"files": 0, "bytes": 0, "byModel": {}}
    assert page.is_disabled("#clear-models")
    assert "No model is saved yet" in page.inner_text("#offline-status")
    assert "Storage used:" in page.inner_text("#storage-usage")

    downloads = []
    profile.context.on("request", lambda request: request.service_worker and request.url.endswith(TINY_WEIGHTS)
                       and downloads.append(request.url))
    page.reload()
    wait_until_ready(studio)
    wait_until_saved(studio, "Tiny random SmolLM2")
    assert downloads, "the model was not downloaded again"
    assert worker_status(studio)["models"]["bytes"] == saved_bytes


def test_chromium_reports_no_installability_errors(site, profile):
    url = site.start()
    studio = profile(f"{url}?model={TINY_MODEL}")
    studio.wait_for_python()
    devtools = profile.context.new_cdp_session(studio.page)
    assert devtools.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["errors"] == []
    parsed = json.loads(manifest["data"])
    assert parsed["display"] == "standalone" and parsed["short_name"] == "MuseSpark"
    sizes = {icon["sizes"] for icon in parsed["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in parsed["icons"])


def test_a_build_whose_file_list_is_wrong_starts_online_and_says_why_it_is_not_offline(site, profile):
    listing = site.root / setup.OFFLINE_FILES
    listing.write_text(listing.read_text().replace(
        '"shell": {', '"shell": {"assets/missing.js": {"size": 1, "sha256": "0"},', 1))
    url = site.start()
    studio = profile(f"{url}?model={TINY_MODEL}")
    wait_until_ready(studio)  # the studio works online all the same
    assert "is ready" in studio.status()
    status = studio.page.inner_text("#offline-status")
    assert status == ("The studio could not be saved for offline use: assets/missing.js could not be downloaded "
                      "(HTTP 404). It works online; the next visit tries again.")
    assert studio.page.evaluate("navigator.serviceWorker.controller") is None
    assert studio.page.is_disabled("#clear-models")
