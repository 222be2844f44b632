"""End-to-end fixtures: the studio served by serve.py, driven in Debian's Chromium.

Every page opened through ``open_studio`` records its requests and console
errors; at teardown the test fails if any request left the page's origin or an
unexpected error was logged.
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

from ..browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
TINY_MODEL = "tiny-random-smollm2"
STARTUP_MS = 90_000
GENERATION_MS = 180_000


@pytest.fixture(scope="session")
def server_url():
    """The studio served from this checkout on a free localhost port."""
    process = subprocess.Popen(
        [sys.executable, "serve.py", "--no-setup", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://\S+/", line)
    if not match:
        process.kill()
        raise RuntimeError(f"serve.py did not start: {line!r}")
    yield match.group(0)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@dataclass
class StudioPage:
    """An open studio page and what it did."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)

    def wait_for_python(self) -> None:
        self.page.wait_for_selector("main[data-python=ready]", state="attached", timeout=STARTUP_MS)

    def wait_for_model(self, state: str = "ready") -> None:
        """Wait until the model reaches ``state`` and the studio's Python listens to the page
        (the model can be ready first: clicks before then would do nothing)."""
        self.page.wait_for_selector(f"html[data-model-stage={state}]", state="attached", timeout=STARTUP_MS)
        if state == "ready":
            self.wait_for_python()

    def stage_detail(self, name: str) -> str:
        return self.page.inner_text(f"#stage-{name} .stage-detail")

    def spark(self, brief: str) -> None:
        self.page.fill("#brief", brief)
        self.page.click("#spark")
        self.page.wait_for_selector("#ideas[data-state=streaming]", state="attached", timeout=10_000)

    def act(self, selector: str) -> None:
        """Click a control that starts model work, and wait until the work is done."""
        self.page.click(selector)
        assert self.page.get_attribute("#ideas", "data-state") == "streaming"
        self.wait_until_idle()

    def wait_until_idle(self) -> None:
        self.page.wait_for_selector("#ideas[data-state=idle]", state="attached", timeout=GENERATION_MS)

    def cards(self) -> list[dict]:
        return self.page.eval_on_selector_all(
            "#ideas .idea-card",
            "cards => cards.map(c => ({title: c.querySelector('.idea-title')?.innerText ?? '',"
            " hook: c.querySelector('.idea-hook')?.innerText ?? '',"
            " technique: c.querySelector('.idea-technique')?.innerText ?? ''}))",
        )

    def status(self) -> str:
        return self.page.inner_text("#status")

    def off_origin_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and not url.startswith(self.origin)]

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.console_errors + self.page_errors
                if not any(re.search(pattern, e) for pattern in self.expected_errors)]


@pytest.fixture
def open_studio(browser, server_url):
    """Open the studio (``query`` picks e.g. the tiny model) in a fresh browser context."""
    contexts = []
    pages: list[StudioPage] = []

    def open_page(query: str = "", routes: dict | None = None, expected_errors=()) -> StudioPage:
        # Faked responses (``routes``) do not reach the service worker's own fetches, so a page
        # that fakes them runs without the worker (and so without the offline copy).
        context = browser.new_context(service_workers="block" if routes else "allow")
        contexts.append(context)
        for pattern, handler in (routes or {}).items():
            context.route(pattern, handler)
        page = context.new_page()
        studio = StudioPage(page, origin=server_url.rstrip("/"), expected_errors=list(expected_errors))
        page.on("request", lambda request: studio.requests.append(request.url))
        page.on("console", lambda msg: msg.type == "error" and studio.console_errors.append(msg.text))
        page.on("pageerror", lambda error: studio.page_errors.append(str(error)))
        page.goto(server_url + query)
        pages.append(studio)
        return studio

    yield open_page
    for context in contexts:
        context.close()
    for studio in pages:
        assert studio.off_origin_requests() == [], "requests left the page's origin"
        assert studio.unexpected_errors() == [], "unexpected console errors"
