import time
import pytest
from app.core.document import text_stats
from .conftest import KEEP_WORKERS, TINY_MODEL, wait_until

@pytest.mark.parametrize("n", range(8))
def test_probe(open_studio, n):
    studio = open_studio(f"?model={TINY_MODEL}", init_scripts=[KEEP_WORKERS])
    studio.wait_for_model()
    page = studio.page
    original = "\n\n".join(["# Bees"] + ["Bees like quiet sunny roofs in the middle of busy cities. " * 6] * 8)
    page.fill("#draft", original)
    page.select_option("#refine-op", "longer")
    page.click("#refine")
    wait_until(page, f"document.querySelector('#draft').dataset.state === 'streaming' && "
                     f"document.querySelector('#draft').value !== {original!r}")
    page.evaluate("startedWorkers.at(-1).terminate()")
    page.wait_for_selector("#status[data-kind=error]", timeout=30_000)
    studio.wait_until_idle()
    kept = page.input_value("#draft")
    time.sleep(1.5)
    shown = page.inner_text("#draft-stats")
    want = text_stats(kept).describe()
    if shown != want:
        print("MISMATCH", repr(shown), repr(want), "CR" , "\r" in kept, [c for c in set(kept) if not c.isprintable() and c != "\n"])
        print(repr(kept))
    assert shown == want
