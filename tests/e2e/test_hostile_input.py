"""Known XSS payloads (tests/e2e/data/xss-payloads.txt) through every path from text to the page:
brief fields, pasted draft text and its Markdown preview, imported project files, exported HTML,
versions and their diff, and model output — ideas, refined drafts, summaries, headlines,
rewrites and proofreading — written by the echo test model, which repeats its prompt through the
real worker, tokenizer and streamer. (Briefs a host page sends to the embedded studio:
tests/e2e/test_host_page.py.) After each path: no payload ran (``window.xssRan`` unset, no
dialog), nothing left the origin and no policy was violated (checked by conftest), and the page
holds no script, handler, script URL or inline style, and none of its own element ids twice."""
import html.parser
import json
import re
from pathlib import Path

from .conftest import ECHO_MODEL, TINY_MODEL, wait_until

PAYLOADS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "data" / "xss-payloads.txt").read_text().splitlines()
    if line.strip() and not line.startswith("# ")
]
# Markup a payload could leave behind: anything that runs code, loads a document or restyles.
AUDIT_JS = """(pageIds) => {
  const found = [];
  for (const id of pageIds) {
    const count = document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length;
    if (count !== 1) found.push(`#${id} appears ${count} times`);
  }
  const banned = "script, iframe, frame, object, embed, base, meta, link, style, noscript, math, svg";
  for (const element of document.querySelectorAll("main *")) {
    if (element.matches(banned)) found.push(`<${element.localName}>`);
    for (const { name, value } of element.attributes) {
      if (/^on/i.test(name) || name === "style" || name === "srcdoc") found.push(`${name}=${value}`);
      if (/^\\s*(javascript|data|vbscript):/i.test(value)) found.push(`${name}=${value}`);
    }
  }
  return found;
}"""
STATIC_IDS_JS = "[...document.querySelectorAll('[id]')].map((element) => element.id)"
# Keeps the text of every rendering of the studio's output areas, streamed ones included.
RECORD_RENDERS_JS = """() => {
  window.renderedTexts = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const area = record.target.closest?.("#ideas, #extras, #corrections, #draft-preview, #diff") ?? record.target;
      renderedTexts.push(area.textContent);
    }
  });
  for (const id of ["ideas", "extras", "corrections", "draft-preview", "diff"]) {
    observer.observe(document.getElementById(id), { childList: true, subtree: true, characterData: true });
  }
}"""


class MarkupAudit(html.parser.HTMLParser):
    """Collects the tags and attributes of a file that could run code or load a document."""

    BANNED = {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "link", "base", "meta",
              "form", "noscript"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BANNED:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc") or \
                    re.match(r"\s*(javascript|data|vbscript):", value or "", re.I):
                self.found.append(f"{name}={value}")


def dangerous_markup(markup: str) -> list[str]:
    audit = MarkupAudit()
    audit.feed(markup)
    return audit.found


class Guard:
    """Watches one studio page for payloads that ran."""

    def __init__(self, studio):
        self.studio = studio
        self.page = studio.page
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page_ids = self.page.evaluate(STATIC_IDS_JS)
        self.page.evaluate(RECORD_RENDERS_JS)

    def renders(self) -> int:
        return self.page.evaluate("renderedTexts.length")

    def wait_rendered(self, text: str, since: int = 0) -> None:
        """Wait until an output area has shown ``text`` (even briefly, while streaming) in a
        rendering after the first ``since``."""
        wait_until(self.page, f"renderedTexts.slice({since}).some((shown) => shown.includes({text!r}))",
                   timeout_ms=30_000)

    def check(self, where: str) -> None:
        assert self.page.evaluate("typeof window.xssRan") == "undefined", f"a payload ran ({where})"
        assert self.dialogs == [], f"a payload opened a dialog ({where})"
        assert self.page.evaluate(AUDIT_JS, self.page_ids) == [], where


def marked(index: int, payload: str) -> str:
    """The payload after a marker that shows where its rendering starts."""
    return f"zq{index}zq {payload}"


def numbered_pieces(payloads: list[str], size: int) -> list[tuple[str, str]]:
    """Consecutive payloads as numbered lists of at most ``size`` characters (one item if longer),
    with the marker of the first item. Headline replies are parsed from numbered lists; each
    item's doubled "the the" is a mistake the proofreader always lists, with the text around it."""
    pieces, items = [], []
    for index, payload in enumerate(payloads):
        item = f"zq{index}zq the the {payload}"
        if items and sum(len(i) + 5 for i in items) + len(item) > size:
            pieces.append(items)
            items = []
        items.append(item)
    pieces.append(items)
    return [("\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)), items[0].split()[0])
            for items in pieces]


def paste(page, selector: str, text: str) -> None:
    """Replace a field's text by pasting from the clipboard, as a person would."""
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+V")


# Keeps every file the page offers for download (Chromium stops a page's downloads after ten in
# quick succession, so the test reads the files the page made rather than what arrives).
KEEP_DOWNLOADS = """window.offeredFiles = [];
const makeObjectUrl = URL.createObjectURL;
URL.createObjectURL = (object) => { offeredFiles.push(object); return makeObjectUrl.call(URL, object); };"""


def open_guarded(open_studio, model: str):
    # Images and media in the text may be shown, but the policy lets them load only from the
    # page's origin: the blocked loads are reported (and counted by no request leaving).
    studio = open_studio(f"?model={model}", init_scripts=[KEEP_DOWNLOADS],
                         context_options={"permissions": ["clipboard-read", "clipboard-write"]},
                         expected_errors=[r"404 \(Not part of the studio\)",
                                          r"^Loading (the image|media) .* violates the following Content Security"],
                         expected_violations=["img-src", "media-src"])
    studio.wait_for_python()
    return studio, Guard(studio)


def test_the_corpus_is_a_real_one():
    assert len(PAYLOADS) >= 60
    assert any("<script" in p for p in PAYLOADS) and any("<svg" in p for p in PAYLOADS)
    assert any("<math" in p for p in PAYLOADS) and any(p.startswith("[") and "javascript:" in p for p in PAYLOADS)


def test_pasted_drafts_their_preview_export_and_versions(open_studio, browser):
    studio, guard = open_guarded(open_studio, TINY_MODEL)
    page = studio.page
    # Each exported file is also opened on its own, with no policy to help: it must run nothing
    # and load nothing but images and media.
    viewer_context = browser.new_context(bypass_csp=True)
    viewer = viewer_context.new_page()
    loads, dialogs = [], []
    viewer.on("request", lambda request: loads.append(request.resource_type))
    viewer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for index, payload in enumerate(PAYLOADS):
            text = marked(index, payload)
            paste(page, "#draft", text)
            assert page.input_value("#draft") == text
            # The counts are shown right after the preview: both reflect the pasted text.
            assert f"{len(text.replace(chr(10), '')):,} characters" in page.inner_text("#draft-stats"), payload
            guard.check(f"preview of {payload!r}")

            if index == 0:  # a real download once; then the files the page offers
                with page.expect_download() as download:
                    page.click("#export-html")
                exported = Path(download.value.path()).read_text()
            else:
                page.click("#export-html")
                exported = page.evaluate("offeredFiles.at(-1).text()")
            assert page.evaluate("offeredFiles.length") == index + 1, payload
            assert dangerous_markup(exported.split("<body>", 1)[1]) == [], (payload, exported)
            viewer.set_content(exported)
            assert viewer.evaluate("typeof window.xssRan") == "undefined" and dialogs == [], payload
            assert set(loads) <= {"image", "media"}, (payload, loads)
    finally:
        viewer_context.close()

    corpus = "\n\n".join(marked(i, p) for i, p in enumerate(PAYLOADS))
    paste(page, "#draft", corpus)
    page.click("#save-version")
    paste(page, "#draft", corpus.replace("zq", "qz"))
    page.click("#save-version")
    page.check("#version-pick-1")
    page.check("#version-pick-2")
    page.click("#compare")
    assert page.locator("#diff ins").count() > 0
    assert "<script>" in page.inner_text("#diff")  # shown as the text it is
    guard.check("versions and their diff")


def test_brief_fields_and_the_ideas_the_model_writes_from_them(open_studio):
    studio, guard = open_guarded(open_studio, ECHO_MODEL)
    studio.wait_for_model()
    page = studio.page
    page.select_option("#idea-count", "3")
    for index, payload in enumerate(PAYLOADS):
        # The reply starts "**" and repeats "Topic: <brief>…": the first "**" in the brief closes
        # the bold title, so the payload lands in both the card's title and its hook.
        page.fill("#brief", f"{marked(index, payload)}** {payload}")
        page.fill("#brief-audience", payload[:200])
        page.fill("#brief-keywords", payload[:200])
        page.fill("#brief-avoid", payload[:200])
        before = guard.renders()
        page.click("#spark")
        # The echo model writes the prompt back, payload and all: a placeholder card is drawn while it
        # writes, and the checks on model output refuse the payload before any card shows it.
        guard.wait_rendered("Sparked by", since=before)
        page.evaluate("document.querySelector('#stop').click()")  # enough shown: stop, if not done yet
        studio.wait_until_idle()
        guard.check(f"ideas from {payload!r}")


def test_model_output_in_every_path(open_studio):
    studio, guard = open_guarded(open_studio, ECHO_MODEL)
    studio.wait_for_model()
    page = studio.page

    # Refined paragraph by paragraph: each payload is echoed into the draft and its preview.
    filler = " bees hum" * 12
    paste(page, "#draft", "\n\n".join(marked(i, p) + filler for i, p in enumerate(PAYLOADS)))
    page.select_option("#refine-op", "longer")
    page.click("#refine")
    studio.wait_until_idle()
    # Streamed into the draft and its preview as written; then the checks on model output refuse
    # what carries a payload (symbols, words that are not English, repeats) or keep only the
    # echoed request's whole sentences: either way nothing ran.
    assert "Longer:" in studio.status(), studio.status()
    guard.check("refined draft")

    # Summaries, headlines, rewrites and proofreading of pieces short enough to be repeated whole
    # (the filler words, in the same paragraph, raise the rewrites' budget: it grows with the words).
    for piece, marker in numbered_pieces(PAYLOADS, 180):
        paste(page, "#draft", f"{piece}\n{filler.strip()}")
        # The checks refuse a payload, or keep only the echoed request's whole sentences, so the
        # tl;dr, headlines and rewrites may not show the marker: their panel is what is rendered.
        # (Key points take the tl;dr's path.)
        for button, shown in (("#summarize-tldr", "Tl;dr"), ("#make-headlines", "Headlines"),
                              ("#rewrites", "Rewrites"), ("#proofread", marker)):
            before = guard.renders()
            page.evaluate("document.querySelector('#draft').select()")  # all of it, blank lines too
            page.click(button)
            studio.wait_until_idle()
            status = studio.status()
            refused = "failed the studio's checks" in status or "No headline passed" in status
            assert refused or page.get_attribute("#status", "data-kind") != "error", (button, status)
            if not refused:  # what passed the checks is rendered, sanitized
                guard.wait_rendered(shown, since=before)
            guard.check(f"{button} of {piece!r}")


def project_file(payloads: list[str], first: int) -> bytes:
    """A project file (schema 1, as older studios wrote) made of payloads: its name, brief, idea
    cards, outline and draft."""
    marks = [marked(first + i, payload) for i, payload in enumerate(payloads)]
    project = {"id": f"hostile-{first}", "name": payloads[0], "created": 1.0, "updated": 2.0,
               "brief": {"topic": marks[0][:2000], "audience": payloads[0][:200], "tone": payloads[-1][:200]},
               "cards": [{"title": mark, "hook": payload, "technique": payload[:40], "relevance": 0.5}
                         for mark, payload in zip(marks, payloads)],
               "pinned": [], "drafting": None, "outline": "\n".join(payloads), "draft": "\n\n".join(marks)}
    return json.dumps({"format": "musespark-project", "schema": 1, "saved": "2026-05-01T09:30:00Z",
                       "project": project}).encode()


def test_imported_projects_show_their_payloads_as_text(open_studio):
    studio, guard = open_guarded(open_studio, TINY_MODEL)
    page = studio.page
    page.wait_for_selector("#projects[data-state=ready]", state="attached", timeout=30_000)
    for first in range(0, len(PAYLOADS), 10):
        payloads = PAYLOADS[first:first + 10]
        page.evaluate("delete document.getElementById('projects').dataset.imported")
        page.set_input_files("#project-import", files=[
            {"name": "hostile.musespark.json", "mimeType": "application/json", "buffer": project_file(payloads, first)}])
        page.wait_for_selector("#projects[data-imported]", state="attached", timeout=30_000)
        assert page.get_attribute("#projects", "data-imported") == "done", page.inner_text("#project-status")
        # The project opened: its draft, outline and cards are the payloads, shown as text.
        assert page.input_value("#draft") == "\n\n".join(marked(first + i, p) for i, p in enumerate(payloads))
        assert page.input_value("#outline") == "\n".join(payloads)
        shown = page.inner_text("#ideas")
        assert all(f"zq{first + i}zq" in shown for i in range(len(payloads))), shown
        guard.check(f"project of payloads {first}–{first + len(payloads) - 1}")
