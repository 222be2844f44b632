"""End-to-end fixtures: the studio served by serve.py, driven in Debian's Chromium.

Every page opened through ``open_studio`` records its requests, console errors
and Content-Security-Policy violations; at teardown the test fails if any
request left the page's origin (except to a creator's own engine the test
names), an unexpected error was logged or the policy was violated unexpectedly.
``wait_until`` polls a JS expression (Playwright's ``wait_for_function`` compiles
its predicate from a string, which the page's Trusted Types policy refuses).
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

from ..browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[2]
TINY_MODEL = "tiny-random-smollm2"
# Repeats the last user message: English that passes the checks on model output, for plumbing
# tests that need the model's text accepted, and hostile text for the sanitizer's.
ECHO_MODEL = "echo-smollm2"
STARTUP_MS = 90_000
GENERATION_MS = 180_000
# DOMPurify parses markup into an inert document before cleaning it; Chromium still reports the
# inline handlers and styles it meets there as policy violations, though nothing runs. Reports
# from that parse are left out; the same violation anywhere else is a failure.
SANITIZER_PARSE = "/vendor/dompurify/purify.es.mjs"


def serve(*options: str):
    """Run serve.py from this checkout on a free localhost port; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "serve.py", "--no-setup", "--port", "0", *options],
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
def server_url():
    """The studio served from this checkout, with its Content-Security-Policy header."""
    yield from serve()


@pytest.fixture(scope="session")
def static_server_url():
    """The studio served as a static host would: no policy header, only the page's <meta> tag."""
    yield from serve("--no-csp-header")


def wait_until(page: Page, expression: str, timeout_ms: float = 10_000, interval_ms: float = 50):
    """Poll a JS expression until it is truthy; returns its value."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not (value := page.evaluate(expression)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms:.0f} ms: {expression}")
        page.wait_for_timeout(interval_ms)
    return value


def load_setup():
    """build/setup.py as a module (named so it cannot clash with other "setup" modules)."""
    spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, pinned in tests/package-lock.json, installed into the cache on first use."""
    return (load_setup().npm_tools(ROOT / "tests") / "axe-core" / "axe.min.js").read_text()


# axe-core's rules that apply to the page as it is now; every violation with what it hit.
RUN_AXE = """async () => {
  // Colours are judged as they settle: a transition still running (a button just pressed) is
  // awaited; endless animations (a streaming card's pulse) are not.
  const settling = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
  await Promise.all(settling.map((a) => a.finished.catch(() => {})));
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help,
                                  nodes: v.nodes.map((n) => n.target.join(" ")) }));
}"""


def axe_violations(page: Page, source: str) -> list[dict]:
    """Run axe-core in the page (evaluated, as the page's policy refuses inline scripts)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(RUN_AXE)


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
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    expected_violations: list[str] = field(default_factory=list)
    engine_origins: list[str] = field(default_factory=list)  # the creator's own servers, which the test connects

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
        self.page.wait_for_selector("main[data-busy=true]", state="attached", timeout=10_000)

    def act(self, selector: str) -> None:
        """Click a control that starts model work, and wait until the work is done."""
        self.page.click(selector)
        assert self.page.get_attribute("main", "data-busy") == "true"
        self.wait_until_idle()

    def wait_until_idle(self) -> None:
        self.page.wait_for_selector("main[data-busy=false]", state="attached", timeout=GENERATION_MS)

    def refine(self, text: str, operation: str) -> None:
        """Put ``text`` in the draft, refine all of it with ``operation`` and wait until done."""
        self.page.fill("#draft", text)
        self.page.select_option("#refine-op", operation)
        self.page.click("#refine")
        self.page.wait_for_selector("#draft[data-state=idle]", state="attached", timeout=GENERATION_MS)
        self.wait_until_idle()

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
        """Requests to other origins, except those the page's policy stopped before they left."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and not url.startswith(self.origin)
                and url not in self.blocked_requests
                and not any(url.startswith(origin + "/") for origin in self.engine_origins)]

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.console_errors + self.page_errors
                if not any(re.search(pattern, e) for pattern in self.expected_errors)]

    def settle(self) -> None:
        """Let violation reports already queued in the page reach ``violations``."""
        if not self.page.is_closed():
            self.page.evaluate("new Promise((resolve) => setTimeout(resolve, 50))")

    def unexpected_violations(self) -> list[dict]:
        """Policy violations whose directive is not one of ``expected_violations``."""
        return [v for v in self.violations if v["directive"] not in self.expected_violations
                and not from_sanitizer_parse(v["file"])]


def from_sanitizer_parse(script_url: str) -> bool:
    return script_url.split("?")[0].endswith(SANITIZER_PARSE)


def record_console(studio: StudioPage, message) -> None:
    if message.type != "error":
        return
    if "Content Security Policy" in message.text and from_sanitizer_parse(message.location.get("url", "")):
        return
    studio.console_errors.append(message.text)


# An init script that keeps every model worker the page starts (assets/model-client.js names
# each "model …"; the page's other workers are left out), so that a test can end one as the
# browser would (``startedWorkers.at(-1).terminate()``), unknown to the page's own code.
KEEP_WORKERS = """window.startedWorkers = [];
window.Worker = class extends Worker {
  constructor(url, options) {
    super(url, options);
    if (options?.name?.startsWith("model")) startedWorkers.push(this);
  }
};"""

# Reports every Content-Security-Policy violation in the page to the test.
REPORT_VIOLATIONS = """addEventListener("securitypolicyviolation", (event) => museSparkTestViolation({
  directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample,
  file: event.sourceFile, line: event.lineNumber}));"""


@pytest.fixture
def open_studio(browser, server_url):
    """Open the studio (``query`` picks e.g. the tiny model) in a fresh browser context;
    ``base_url`` serves it from another server (e.g. ``static_server_url``); ``init_scripts``
    run in the page before its own."""
    contexts = []
    pages: list[StudioPage] = []

    def open_page(query: str = "", routes: dict | None = None, expected_errors=(), expected_violations=(),
                  base_url: str = server_url, context_options: dict | None = None,
                  init_scripts=(), engine_origins=()) -> StudioPage:
        # Faked responses (``routes``) do not reach the service worker's own fetches, so a page
        # that fakes them runs without the worker (and so without the offline copy).
        context = browser.new_context(**{"service_workers": "block" if routes else "allow", **(context_options or {})})
        contexts.append(context)
        for pattern, handler in (routes or {}).items():
            context.route(pattern, handler)
        page = context.new_page()
        studio = StudioPage(page, origin=base_url.rstrip("/"), expected_errors=list(expected_errors),
                            expected_violations=list(expected_violations), engine_origins=list(engine_origins))
        page.on("request", lambda request: studio.requests.append(request.url))
        page.on("requestfailed", lambda request: request.failure == "csp"
                and studio.blocked_requests.append(request.url))
        page.on("console", lambda message: record_console(studio, message))
        page.on("pageerror", lambda error: studio.page_errors.append(str(error)))
        page.expose_function("museSparkTestViolation", lambda violation: studio.violations.append(violation))
        for script in (REPORT_VIOLATIONS, *init_scripts):
            page.add_init_script(script)
        page.goto(base_url + query)
        pages.append(studio)
        return studio

    yield open_page
    for studio in pages:
        studio.settle()
    for context in contexts:
        context.close()
    for studio in pages:
        assert studio.off_origin_requests() == [], "requests left the page's origin"
        assert studio.unexpected_errors() == [], "unexpected console errors"
        assert studio.unexpected_violations() == [], "unexpected Content-Security-Policy violations"
