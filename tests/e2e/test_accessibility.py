"""Accessibility in real Chromium, judged by axe-core (npm, tests/package-lock.json): no
violation on any screen or in any state; the whole flow by keyboard alone; focus visible;
streamed text announced politely once written; reduced motion respected."""
import pytest

from .conftest import ECHO_MODEL, KEEP_WORKERS, TINY_MODEL, axe_violations


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until ``element_id`` has the focus (it must be reachable by keyboard)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement?.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_no_axe_violations_on_any_screen_or_state(open_studio, axe_source):
    studio = open_studio(f"?model={TINY_MODEL}", init_scripts=[KEEP_WORKERS])
    page = studio.page
    found = {"start-up": axe_violations(page, axe_source)}
    studio.wait_for_python()
    studio.wait_for_model()
    found["ready"] = axe_violations(page, axe_source)

    page.click("#spark")  # an empty brief: an error in the status
    page.wait_for_selector("#status[data-kind=error]")
    found["error"] = axe_violations(page, axe_source)

    page.fill("#outline", "Why bees\nHow to start")
    page.fill("#draft", "# Rooftop bees\n\n## Why\n\nBees like the the sun , i think. They **hum**.\n\n- one\n- two")
    found["editor with draft"] = axe_violations(page, axe_source)
    page.click("#proofread")
    studio.wait_until_idle()
    assert page.locator("#corrections li").count() >= 3
    found["proofreading corrections"] = axe_violations(page, axe_source)

    page.click("#save-version")
    page.fill("#draft", "# Rooftop bees\n\nBees adore the sun.")
    page.click("#save-version")
    page.check("#version-pick-1")
    page.check("#version-pick-2")
    page.click("#compare")
    found["history and diff"] = axe_violations(page, axe_source)

    page.click("#show-authorship")
    page.wait_for_selector("#show-authorship[aria-pressed=true]")
    found["authorship shown"] = axe_violations(page, axe_source)
    page.set_input_files("#verify-text", files=[{"name": "post.md", "mimeType": "text/markdown",
                                                 "buffer": b"Bees adore the sun."}])
    page.click("#verify")  # a text with no record and no credentials: a verdict that says so
    page.wait_for_selector("#verify-result[data-state=done] h3", state="attached", timeout=30_000)
    found["verify result"] = axe_violations(page, axe_source)
    page.click("#project-rename")
    page.wait_for_selector("#project-name-dialog[open]")
    found["project name dialog"] = axe_violations(page, axe_source)
    page.keyboard.press("Escape")
    page.wait_for_selector("#clear-models:not([disabled])", timeout=60_000)  # once the model is kept offline
    page.click("#clear-models")
    page.wait_for_selector("#clear-models-dialog[open]")
    found["clear model cache dialog"] = axe_violations(page, axe_source)
    page.click("#clear-models-keep")

    for button, state in (("#summarize-tldr", "tl;dr"), ("#make-headlines", "headlines"), ("#rewrites", "rewrites")):
        page.click(button)
        studio.wait_until_idle()
        found[f"extras: {state}"] = axe_violations(page, axe_source)

    page.fill("#draft", "\n\n".join(["Bees like quiet sunny roofs in the middle of busy cities. " * 6] * 6))
    page.select_option("#refine-op", "longer")
    page.click("#refine")
    page.wait_for_selector("#draft[data-state=streaming]", state="attached")
    found["model writing"] = axe_violations(page, axe_source)
    page.evaluate("startedWorkers.at(-1).terminate()")
    page.wait_for_selector("#retry", state="visible")
    found["model crashed: try again"] = axe_violations(page, axe_source)
    assert found == {state: [] for state in found}


def test_streamed_ideas_are_announced_politely_once_written(open_studio):
    studio = open_studio(f"?model={ECHO_MODEL}")
    studio.wait_for_model()
    page = studio.page
    assert page.get_attribute("#ideas", "aria-live") == "polite"
    page.fill("#brief", "Rooftop hives** hum with city bees all summer long, and neighbours love them.")
    page.click("#spark")
    assert page.get_attribute("#ideas", "aria-busy") == "true"  # not announced word by word
    studio.wait_until_idle()
    assert page.get_attribute("#ideas", "aria-busy") == "false"
    assert page.get_attribute("#status", "role") == "status"


def test_focus_is_visible(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_python()
    page = studio.page
    tab_to(page, "spark")
    ring = page.evaluate("""() => { const style = getComputedStyle(document.activeElement);
                            return [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor]; }""")
    assert ring[0] == "solid" and ring[1] >= 2 and ring[2] == "rgb(29, 23, 48)"


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_motion_follows_the_reduced_motion_setting(open_studio, motion):
    studio = open_studio(f"?model={ECHO_MODEL}", context_options={"reduced_motion": motion})
    studio.wait_for_model()
    page = studio.page
    # The animation of the first streaming card, read the moment it is drawn.
    page.evaluate("""() => { window.streamingAnimation = new Promise((resolve) => {
      new MutationObserver((_, observer) => {
        const card = document.querySelector("#ideas .idea-card[data-streaming]");
        if (card) { observer.disconnect(); resolve(getComputedStyle(card).animationName); }
      }).observe(document.querySelector("#ideas"), { childList: true, subtree: true });
    }); }""")
    page.fill("#brief", "Rooftop hives** hum with city bees all summer long, and neighbours love them.")
    page.click("#spark")
    animation = page.evaluate("streamingAnimation")
    transition = page.eval_on_selector("#spark", "button => getComputedStyle(button).transitionDuration")
    studio.wait_until_idle()
    if motion == "reduce":
        assert (animation, transition) == ("none", "0s")
    else:
        assert animation == "card-streaming" and transition != "0s"


@pytest.mark.real_model
def test_the_whole_flow_by_keyboard_alone(open_studio, axe_source):
    """Brief → spark → draft this → write → refine, with Tab, typing, Enter and arrows only."""
    studio = open_studio()
    studio.wait_for_model()
    page = studio.page
    keyboard = page.keyboard

    tab_to(page, "brief")
    keyboard.type("a newsletter intro about urban beekeeping for beginners")
    tab_to(page, "idea-count")
    keyboard.press("ArrowUp")  # 5 → 4 → 3 ideas: quicker
    keyboard.press("ArrowUp")
    assert page.input_value("#idea-count") == "3"
    tab_to(page, "spark")
    keyboard.press("Enter")
    studio.wait_until_idle()
    assert len(studio.cards()) >= 1, studio.status()
    assert axe_violations(page, axe_source) == []  # the ideas, with their buttons

    tab_to(page, "idea-pin-0")
    keyboard.press("Enter")
    assert page.get_attribute("#idea-pin-0", "aria-pressed") == "true"
    assert page.evaluate("document.activeElement.id") == "idea-pin-0"
    tab_to(page, "idea-draft-0")
    keyboard.press("Enter")
    studio.wait_until_idle()
    assert page.evaluate("document.activeElement.id") == "outline", studio.status()
    keyboard.press("Control+A")
    keyboard.type("Why rooftop bees")  # one section: a short draft
    tab_to(page, "write-draft")
    keyboard.press("Enter")
    studio.wait_until_idle()
    assert page.input_value("#draft").startswith("# "), studio.status()
    assert "Draft written" in studio.status()
    assert axe_violations(page, axe_source) == []

    tab_to(page, "refine-op")
    keyboard.press("Home")  # "Shorter"
    assert page.input_value("#refine-op") == "shorter"
    tab_to(page, "refine")
    keyboard.press("Enter")
    studio.wait_until_idle()
    assert studio.status().startswith("Shorter:"), studio.status()
    assert axe_violations(page, axe_source) == []
