"""The draft editor: counts, sanitized preview, and exports, in real Chromium."""
from itertools import combinations
from pathlib import Path

from app.core.document import text_stats

from .conftest import ECHO_MODEL, TINY_MODEL

DRAFT = "# Rooftop Hives\n\nBees **love** roofs. <img src=x onerror=\"window.hacked=1\">\n\n- one\n- two\n"


def download(page, button: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.click(button)
    return info.value.suggested_filename, Path(info.value.path()).read_text()


def test_counts_preview_and_exports_of_a_typed_draft(open_studio):
    # The preview shows the draft's image (a same-origin 404 here) but never runs its handler.
    studio = open_studio(f"?model={TINY_MODEL}", expected_errors=[r"404 \(Not part of the studio\)"])
    studio.wait_for_python()
    studio.wait_for_model()  # the model's "ready" message would replace the status checked below
    page = studio.page
    page.fill("#draft", DRAFT)
    assert page.inner_text("#draft-stats").startswith("14 words · 83 characters")
    assert page.inner_text("#draft-preview h4") == "Rooftop Hives"  # under the page's "Preview" (h3)
    assert page.eval_on_selector("#draft-preview img", "img => img.getAttribute('onerror')") is None
    assert page.evaluate("window.hacked") is None

    name, markdown_file = download(page, "#export-md")
    assert (name, markdown_file) == ("rooftop-hives.md", DRAFT)
    name, html_file = download(page, "#export-html")
    assert name == "rooftop-hives.html" and html_file.startswith("<!doctype html>")
    assert "<strong>love</strong>" in html_file and "onerror" not in html_file
    name, text_file = download(page, "#export-txt")
    assert name == "rooftop-hives.txt" and text_file.startswith("Rooftop Hives\n\nBees love roofs.")
    assert "Exported rooftop-hives.txt" in studio.status()


def test_exporting_an_empty_draft_says_what_to_do(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    studio.wait_for_model()  # the model's "ready" message would replace the status checked below
    studio.page.click("#export-md")
    assert "The draft is empty" in studio.status()


def test_versions_restore_branch_and_word_diff(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    studio.wait_for_model()  # the model's "ready" message would replace the status checked below
    page = studio.page
    page.fill("#draft", "Bees love roofs.")
    page.click("#save-version")
    page.fill("#draft", "Bees adore flat roofs.")
    page.click("#save-version")
    assert "Saved as v2" in studio.status()
    page.click("#save-version")  # unchanged: no new version
    assert page.locator("#history li").count() == 2

    page.check("#version-pick-1")
    page.check("#version-pick-2")
    page.click("#compare")
    assert page.inner_text("#diff del") == "love"
    assert page.inner_text("#diff ins") == "adore flat"

    page.click("#version-restore-1")
    assert page.input_value("#draft") == "Bees love roofs."
    page.fill("#draft", "Bees love green roofs.")
    page.click("#save-version")
    assert "v3: Saved by you · 4 words, from v1" in page.inner_text("#history li:first-child")


def test_refine_rewrites_in_place_and_keeps_the_text_before_as_a_version(open_studio):
    studio = open_studio(f"?model={ECHO_MODEL}")
    studio.wait_for_model()
    page = studio.page
    sentences = ["Bees like quiet sunny roofs in the middle of busy cities.",
                 "Hives up there need water, shade and a calm neighbour.", "Most roofs are warm by noon."]
    original = "# Bees\n\n" + " ".join(sentences)
    page.wait_for_selector("#studio[data-embedder=ready]", state="attached", timeout=60_000)
    studio.refine(original, "shorter")
    refined = page.input_value("#draft")
    assert refined.startswith("# Bees\n\n") and refined != original  # the heading is kept, the paragraph shortened
    # The echo model's rewrite is the text itself: not shorter, so whole sentences are left out,
    # those closest in meaning to the paragraph kept.
    assert studio.status().startswith("Shorter: 28 →"), studio.status()
    shorter = {" ".join(choice) for size in (1, 2) for choice in combinations(sentences, size)}
    assert refined.removeprefix("# Bees\n\n") in shorter
    history = page.inner_text("#history")
    assert "v1: Before refining" in history and "v2: Shorter" in history
    page.click("#version-restore-1")
    assert page.input_value("#draft") == original


def test_a_rewrite_that_fails_the_checks_leaves_the_text_exactly_as_it_was(open_studio):
    # The tiny random model writes no English: its rewrite is asked for again, then refused.
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_model()
    page = studio.page
    original = "# Bees\n\nBees like quiet sunny roofs in the middle of busy cities."
    studio.refine(original, "simplify")
    assert page.input_value("#draft") == original
    assert "Kept as you wrote it: paragraph 2 (" in studio.status() and "failed the studio's checks" in studio.status()
    page.click("#summarize-tldr")
    studio.wait_until_idle()
    # The tl;dr is then the creator's own sentence, and the studio says why.
    assert "Picked from your own sentences: the model's tldr failed the studio's checks twice" in studio.status()
    assert page.get_attribute("#status", "data-kind") == "warning"
    assert "Bees like quiet sunny roofs" in page.inner_text("#extras")


# The model worker's text arrives with Windows line breaks ("\r\n"), as a model may write them.
RETURNS_IN_TOKENS = """window.Worker = class extends Worker {
  constructor(url, options) {
    super(url, options);
    if (options?.name?.startsWith("model")) {
      this.addEventListener("message", ({ data }) => {
        if (data?.type === "token") data.text = data.text.replaceAll("\\n", "\\r\\n");
      });
    }
  }
};"""


def test_line_breaks_the_model_writes_are_the_editors(open_studio):
    # A textarea keeps "\n" only: the studio's copy of the draft (counts, exports) must be the
    # text the editor shows.
    studio = open_studio(f"?model={ECHO_MODEL}", init_scripts=[RETURNS_IN_TOKENS])
    studio.wait_for_model()
    page = studio.page
    page.fill("#draft", "# Bees\n\nBees like quiet roofs.\nThey hum.\n\nCities have many roofs.")
    page.select_option("#refine-op", "longer")
    page.click("#refine")
    studio.wait_until_idle()
    assert studio.status().startswith("Longer:"), studio.status()
    shown = page.input_value("#draft")
    assert "Rewrite this text longer" in shown and shown.count("\n") > 6
    assert page.inner_text("#draft-stats") == text_stats(shown).describe()
    with page.expect_download() as saved:
        page.click("#export-md")
    exported = Path(saved.value.path()).read_bytes().decode()  # as written: no newline translation
    assert exported == shown and "\r" not in exported


def test_summaries_and_headlines_appear_beside_the_draft(open_studio):
    studio = open_studio(f"?model={ECHO_MODEL}")
    studio.wait_for_model()
    page = studio.page
    page.click("#make-headlines")
    page.wait_for_selector("main[data-busy=false]", state="attached")
    assert "no text to write headlines for" in studio.status()
    page.fill("#draft", "# Bees\n\nBees like quiet sunny roofs in the middle of busy cities.")
    page.click("#summarize-tldr")
    page.wait_for_selector("main[data-busy=false]", state="attached", timeout=60_000)
    assert page.inner_text("#extras h3") == "Tl;dr" and studio.status() == "The tl;dr is beside the draft."
    page.click("#make-headlines")
    page.wait_for_selector("main[data-busy=false]", state="attached", timeout=60_000)
    assert "headline" in studio.status() and page.inner_text("#extras h3") == "Headlines"


def test_proofread_lists_corrections_to_accept_or_reject_and_undo_covers_them(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_model()
    page = studio.page
    page.fill("#draft", "Bees like the the sun , i think. They hum.")
    page.click("#proofread")
    page.wait_for_selector("main[data-busy=false]", state="attached", timeout=60_000)
    items = page.locator("#corrections li")
    # The mechanical mistakes are always found, whatever the (random test) model says.
    assert [items.nth(i).get_attribute("data-kind") for i in range(3)] == ["grammar", "punctuation", "capitalization"]
    assert "Accept or reject each one" in studio.status()

    page.click("#correction-accept-0")  # "the the" → "the"
    assert page.input_value("#draft") == "Bees like the sun , i think. They hum."
    assert page.evaluate("document.activeElement.id") == "correction-accept-0"  # focus stays in the list
    page.click("#correction-reject-0")  # keep " ,"
    page.click("#correction-accept-0")  # "i" → "I", at its moved position
    assert page.input_value("#draft").startswith("Bees like the sun , I think.")
    while page.locator("#correction-reject-0").count():
        page.click("#correction-reject-0")
    assert "Proofreading done: 2 corrections accepted" in studio.status()
    assert "Proofread: 2 accepted" in page.inner_text("#history")

    page.focus("#draft")
    page.keyboard.press("Control+z")
    assert page.input_value("#draft") == "Bees like the sun , i think. They hum."
    page.keyboard.press("Control+z")
    assert page.input_value("#draft") == "Bees like the the sun , i think. They hum."
    page.keyboard.press("Control+Shift+z")
    page.click("#redo")
    assert page.input_value("#draft").startswith("Bees like the sun , I think.")


def test_undo_reaches_back_over_a_model_edit(open_studio):
    studio = open_studio(f"?model={ECHO_MODEL}")
    studio.wait_for_model()
    page = studio.page
    original = "Bees like quiet sunny roofs in the middle of busy cities."
    page.fill("#draft", original)
    page.select_option("#refine-op", "continue")
    page.click("#refine")
    page.wait_for_selector("#draft[data-state=idle]", state="attached", timeout=60_000)
    page.wait_for_selector("main[data-busy=false]", state="attached")
    assert page.input_value("#draft").startswith(original + "\n\n")
    page.click("#undo")
    assert page.input_value("#draft") == original
    page.click("#redo")
    assert page.input_value("#draft") != original


def test_three_rewrites_of_the_paragraph_at_the_caret(open_studio):
    studio = open_studio(f"?model={ECHO_MODEL}")
    studio.wait_for_model()
    page = studio.page
    text = "# Bees\n\nBees like quiet sunny roofs.\n\nCities need more bees."
    page.fill("#draft", text)
    page.evaluate("document.querySelector('#draft').setSelectionRange(12, 12)")  # inside the first paragraph
    page.click("#rewrites")
    page.wait_for_selector("main[data-busy=false]", state="attached", timeout=90_000)
    assert page.inner_text("#extras h3") == "Rewrites"
    assert page.locator("#extras [data-action=use-rewrite]").count() >= 1, studio.status()
    page.click("#rewrite-use-0")
    after = page.input_value("#draft")
    # The echo model repeats its prompt: the paragraph is now that rewrite.
    assert after.startswith("# Bees\n\nRewrite this text") and after.endswith("\n\nCities need more bees.")
    assert "Before rewriting" in page.inner_text("#history") and "Rewrite:" in page.inner_text("#history")


def test_outline_sections_move_with_the_keyboard(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    page = studio.page
    page.fill("#outline", "Intro\nWhy bees\nHow to start")
    page.evaluate("document.querySelector('#outline').setSelectionRange(8, 8)")  # in "Why bees"
    page.focus("#outline")
    page.keyboard.press("Alt+ArrowUp")
    assert page.input_value("#outline") == "Why bees\nIntro\nHow to start"
    page.click("#outline-down")
    page.click("#outline-down")
    assert page.input_value("#outline") == "Intro\nHow to start\nWhy bees"
