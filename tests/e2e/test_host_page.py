"""The studio embedded in a creator's own page, across origins, in real Chromium: a host
page served from a second localhost origin places ``<muse-spark>`` (assets/embed.js from
the studio's origin); the studio boots in the frame, takes a brief, and sends the draft
with a signed provenance record back. Only origins in the studio's embed.json get
answers: another origin is ignored, a bad message gets an error reply, and a studio with
no embed.json ignores everything.

Requests are checked per frame: the host page loads its own page and the studio's
modules; everything the studio frame (and its worker) asks for stays on the studio's
origin.
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.core.provenance import verify_record

from .conftest import GENERATION_MS, ROOT, STARTUP_MS, TINY_MODEL
from .test_hostile_input import PAYLOADS, marked

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A creator's site</title><link rel="icon" href="data:,">
<script type="module" src="{studio}assets/embed.js"></script>
<script type="module" src="./host.js"></script></head>
<body><h1>My site</h1>
<muse-spark src="{studio}?model={model}" formats="blog post,newsletter" theme="dark" compact></muse-spark>
</body></html>
"""
# What the host page heard from the element, for the test to read.
HOST_SCRIPT = """
globalThis.heard = [];
const element = document.querySelector("muse-spark");
for (const name of ["ready", "text", "error"]) {
  element.addEventListener(`musespark:${name}`, (event) => heard.push({type: name, ...event.detail}));
}
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def host_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("host")


def serve_directory(directory: Path, host: str):
    server = http.server.ThreadingHTTPServer((host, 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


@pytest.fixture(scope="module")
def host_origins(host_dir):
    """Two host origins (different ports): the one embed.json lists and one it does not."""
    listed, listed_origin = serve_directory(host_dir, "127.0.0.1")
    unlisted, unlisted_origin = serve_directory(host_dir, "127.0.0.1")
    yield listed_origin, unlisted_origin
    for server in (listed, unlisted):
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def studio(tmp_path_factory, host_dir):
    """The studio on its own origin, serving a test's embed.json (``config``: written before
    each page is opened; absent means no file)."""
    config = tmp_path_factory.mktemp("studio") / "embed.json"
    process = subprocess.Popen([sys.executable, "serve.py", "--no-setup", "--port", "0", "--embed-config", str(config)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    match = re.search(r"http://\S+/", process.stdout.readline())
    assert match, "serve.py did not start"
    url = match.group(0)
    (host_dir / "index.html").write_text(HOST_PAGE.format(studio=url, model=TINY_MODEL))
    (host_dir / "host.js").write_text(HOST_SCRIPT)
    yield url, config
    process.terminate()
    process.wait(timeout=10)


class HostPage:
    """A host page in a fresh context, with its requests by frame and console lines."""

    def __init__(self, browser, url: str, studio_origin: str, host_origin: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.studio_origin, self.host_origin = studio_origin, host_origin
        self.closed = False
        self.requests: list[tuple[str, str]] = []  # (the requesting frame's origin, URL)
        self.console: list[tuple[str, str]] = []
        self.page.on("request", self._record)
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
        self.page.on("pageerror", lambda error: self.console.append(("error", str(error))))
        self.page.goto(url)

    def _record(self, request) -> None:
        try:
            frame_origin = _origin(request.frame.url) if request.frame.parent_frame else self.host_origin
        except Exception:  # a worker's request has no frame: it belongs to the studio
            frame_origin = self.studio_origin
        self.requests.append((frame_origin, request.url))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.context.close()

    @property
    def frame(self):
        return self.page.frame_locator("muse-spark iframe")

    def studio_frame(self):
        return next(f for f in self.page.frames if f.url.startswith(self.studio_origin))

    def wait_for_studio(self) -> None:
        self.frame.locator("main[data-python=ready]").wait_for(state="attached", timeout=STARTUP_MS)

    def heard(self) -> list[dict]:
        return self.page.evaluate("heard")

    def wait_to_hear(self, kind: str, count: int = 1, timeout: int = STARTUP_MS) -> list[dict]:
        self.page.wait_for_function(f"heard.filter(m => m.type === {kind!r}).length >= {count}", timeout=timeout)
        return [m for m in self.heard() if m["type"] == kind]

    def post_raw(self, message) -> None:
        """Post ``message`` to the studio frame as this host page, bypassing the element."""
        self.page.evaluate("([message, origin]) => document.querySelector('muse-spark').shadowRoot"
                           ".querySelector('iframe').contentWindow.postMessage(message, origin)",
                           [message, self.studio_origin])

    def wait_for_console(self, pattern: str) -> None:
        """Wait until a console line matching ``pattern`` has been logged (by any frame)."""
        if not any(re.search(pattern, text) for _, text in self.console):
            self.page.wait_for_event("console", lambda message: re.search(pattern, message.text) is not None,
                                     timeout=STARTUP_MS)

    def check_and_close(self, expected_errors=()) -> None:
        """Close the page; fail if the studio frame asked another origin for anything, the
        host page asked a third one, or an unexpected error was logged."""
        self.close()
        for frame_origin, url in self.requests:
            if urlsplit(url).scheme in ("data", "blob"):
                continue
            allowed = {self.host_origin, self.studio_origin} if frame_origin == self.host_origin else {self.studio_origin}
            assert _origin(url) in allowed, f"{frame_origin} asked for {url}"
        errors = [text for kind, text in self.console
                  if kind == "error" and not any(re.search(p, text) for p in expected_errors)]
        assert errors == [], "unexpected console errors"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def open_host(browser, studio, host_origins):
    """Open the host page from ``host_origin`` with ``allowed`` origins in embed.json (None: no file)."""
    url, config = studio
    pages = []

    def open_page(host_origin: str, allowed: list[str] | None) -> HostPage:
        if allowed is None:
            config.unlink(missing_ok=True)
        else:
            config.write_text(json.dumps({"allowedOrigins": allowed}))
        pages.append(HostPage(browser, f"{host_origin}/index.html", url.rstrip("/"), host_origin))
        return pages[-1]

    yield open_page
    config.unlink(missing_ok=True)
    for page in pages:
        page.close()


BRIEF = {"topic": "Rooftop beekeeping for city beginners", "format": "newsletter", "tone": "calm",
         "audience": "flat dwellers", "keywords": ["bees", "roofs"], "avoid": "honey prices", "count": 4}


def brief_fields(host: HostPage) -> dict:
    return {name: host.frame.locator(f"#{name}").input_value()
            for name in ("brief", "brief-format", "brief-tone", "brief-audience", "brief-keywords", "brief-avoid",
                         "idea-count")}


def test_host_page_sends_a_brief_and_receives_the_signed_text(open_host, host_origins):
    listed, _ = host_origins
    host = open_host(listed, [listed])
    host.wait_for_studio()
    studio = host.studio_frame()
    # Embedded without cross-origin isolation; the element's options reached the studio.
    assert studio.evaluate("crossOriginIsolated") is False
    iframe = host.page.locator("muse-spark iframe")
    assert iframe.get_attribute("title") == "MuseSpark writing studio"
    assert iframe.get_attribute("allow") == "clipboard-write"
    assert iframe.get_attribute("sandbox") == "allow-scripts allow-same-origin allow-forms allow-downloads"
    assert studio.evaluate("document.documentElement.dataset.theme") == "dark"
    assert studio.evaluate("document.documentElement.dataset.layout") == "compact"
    assert studio.evaluate("[...document.querySelectorAll('#brief-format option')].map(o => o.value)") == [
        "blog post", "newsletter"]

    host.wait_to_hear("ready")
    send = host.frame.locator("#send-to-host")
    assert send.is_visible() and send.inner_text() == f"Send to {listed}"

    host.page.evaluate("brief => document.querySelector('muse-spark').sendBrief(brief, {spark: true})", BRIEF)
    # The spark ran to its end: its summary names the tokens written.
    host.frame.locator("#status", has_text=re.compile(r"\d+ tokens")).wait_for(timeout=GENERATION_MS)
    assert brief_fields(host) == {"brief": BRIEF["topic"], "brief-format": "newsletter", "brief-tone": "calm",
                                  "brief-audience": "flat dwellers", "brief-keywords": "bees, roofs",
                                  "brief-avoid": "honey prices", "idea-count": "4"}

    text = "Bees on the roof, by me.\n\nA second paragraph I typed."
    host.frame.locator("#draft").press_sequentially(text)
    send.click()
    received = host.wait_to_hear("text")[0]
    assert received["text"] == text
    verdict = verify_record(received["text"], received["record"])
    assert verdict.valid, verdict.report()
    assert received["record"]["authorship"]["runs"][0]["origin"] == "human"
    assert verify_record(received["text"] + "!", received["record"]).valid is False
    assert host.frame.locator("#status").inner_text().startswith("Sent v")
    assert not [m for m in host.heard() if m["type"] == "error"]
    host.check_and_close()


def test_a_bad_message_from_an_allowed_host_gets_an_error_reply(open_host, host_origins):
    listed, _ = host_origins
    host = open_host(listed, [listed])
    host.wait_to_hear("ready")
    bad = [
        ({"type": "brief", "version": 1, "brief": {"topic": 42}}, "brief.topic must be non-empty text"),
        ({"type": "brief", "version": 1, "brief": {"topic": "x" * 2001}}, "at most 2000"),
        ({"type": "brief", "version": 1, "brief": {"topic": "Bees", "format": "poem"}}, 'format "poem" is not offered'),
        ({"type": "brief", "version": 1, "brief": {"topic": "Bees", "count": 99}}, "brief.count must be"),
        ({"type": "brief", "version": 1, "brief": {"topic": "Bees", "colour": "red"}}, "unknown fields: colour"),
        ({"type": "brief", "version": 2, "brief": {"topic": "Bees"}}, "version 2 is not supported"),
        ({"type": "launch", "version": 1}, 'unknown message type "launch"'),
        ("hello", "must be an object"),
    ]
    for message, _ in bad:
        host.post_raw(message)
    errors = host.wait_to_hear("error", len(bad), timeout=30_000)
    for (_, expected), error in zip(bad, errors):
        assert expected in error["message"]
    assert brief_fields(host)["brief"] == ""
    with pytest.raises(Exception, match="brief.topic must be non-empty text"):
        host.page.evaluate("document.querySelector('muse-spark').sendBrief({topic: ''})")
    host.check_and_close()


def test_hostile_briefs_from_an_allowed_host_stay_text(open_host, host_origins):
    """The XSS corpus, sent as briefs by a listed host: each fills the form as the text it is,
    and nothing runs in the studio or the host page."""
    listed, _ = host_origins
    host = open_host(listed, [listed])
    host.wait_to_hear("ready")
    dialogs = []
    host.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    batches = [[]]  # payloads in topics of at most 2000 characters
    for index, payload in enumerate(PAYLOADS):
        if batches[-1] and len("\n".join(marked(i, p) for i, p in batches[-1] + [(index, payload)])) > 2000:
            batches.append([])
        batches[-1].append((index, payload))
    for batch in batches:
        last = batch[-1][1].replace("\n", " ")  # one-line fields
        brief = {"topic": "\n".join(marked(i, p) for i, p in batch), "audience": last[:200], "avoid": last[:200]}
        host.page.evaluate("brief => document.querySelector('muse-spark').sendBrief(brief)", brief)
        expect(host.frame.locator("#brief")).to_have_value(brief["topic"])
        expect(host.frame.locator("#brief-audience")).to_have_value(brief["audience"])
    studio = host.studio_frame()
    assert studio.evaluate("typeof window.xssRan") == "undefined"
    assert host.page.evaluate("typeof window.xssRan") == "undefined" and dialogs == []
    assert studio.evaluate("document.querySelectorAll('main script, main [onerror], main iframe').length") == 0
    assert not [m for m in host.heard() if m["type"] == "error"]
    host.check_and_close()


def test_an_unlisted_host_is_ignored(open_host, host_origins):
    listed, unlisted = host_origins
    host = open_host(unlisted, [listed])
    host.wait_for_studio()
    host.post_raw({"type": "brief", "version": 1, "brief": {"topic": "Let me in"}})
    host.wait_for_console(rf"ignored messages from {re.escape(unlisted)}")
    host.page.wait_for_timeout(1000)  # a reply, were there one, would have come by now
    assert host.heard() == []
    assert brief_fields(host)["brief"] == ""
    assert host.frame.locator("#send-to-host").is_hidden()
    host.check_and_close()


def test_a_studio_without_embed_json_ignores_everything(open_host, host_origins):
    listed, _ = host_origins
    host = open_host(listed, None)
    host.wait_for_studio()
    host.post_raw({"type": "brief", "version": 1, "brief": {"topic": "Let me in"}})
    host.wait_for_console(r"embedding API is off \(embed.json: 404\)")
    host.page.wait_for_timeout(1000)
    assert host.heard() == []
    assert brief_fields(host)["brief"] == ""
    assert host.frame.locator("#send-to-host").is_hidden()
    host.check_and_close(expected_errors=[r"404"])
