"""The draft's counts and preview: the same as rendering the whole draft, at once for a short
draft, in pieces after a pause for a long one, redrawing only the blocks an edit changed."""
import asyncio

from app.studio import preview as preview_module
from app.core.document import text_stats
from app.core.render import render_markdown
from app.studio.preview import Preview

from ..core.doubles import run_async

LONG = "".join(f"## Part {n}\n\nBees *love* roofs, {n} of them. See [the hive][h].\n\n" for n in range(600))
LONG += "[h]: https://example.org/hive\n"


class FakePage:
    """The two elements the preview writes to: counts as text, the preview as blocks."""

    def __init__(self):
        self.stats = ""
        self.blocks: list[str] = []
        self.splices: list[tuple[int, int, int]] = []

    def set_text(self, element_id, text):
        assert element_id == "stats"
        self.stats = text

    def splice_html(self, element_id, start, remove, parts):
        assert element_id == "preview"
        self.blocks[start:start + remove] = parts
        self.splices.append((start, remove, len(parts)))


def shown(page):
    return "".join(page.blocks)


def test_a_short_draft_is_shown_at_once_exactly_as_a_whole_render():
    page = FakePage()
    Preview(page, "preview", "stats").show("# Bees\n\nBees **love** roofs.")
    assert shown(page) == render_markdown("# Bees\n\nBees **love** roofs.", preview_module.FIRST_HEADING)
    assert page.stats == text_stats("# Bees\n\nBees **love** roofs.").describe()


def test_a_long_paste_waits_for_a_pause_then_renders_piece_by_piece(monkeypatch):
    monkeypatch.setattr(preview_module, "PAUSE_SECONDS", 0.01)

    async def scenario():
        page = FakePage()
        preview = Preview(page, "preview", "stats")
        preview.show(LONG)
        assert page.blocks == [] and not preview.settled  # nothing blocks the typing
        assert page.stats == text_stats(LONG).describe()  # the counts come at once
        while not preview.settled:
            await asyncio.sleep(0.01)
        return page

    page = run_async(scenario())
    assert page.stats == text_stats(LONG).describe()
    assert shown(page).count("<h5") == 600 and shown(page).count('href="https://example.org/hive"') == 600
    assert len(page.blocks) > 10 and max(parts for *_, parts in page.splices) <= preview_module.BLOCKS_PER_TASK


def test_an_edit_in_a_long_draft_redraws_only_its_block(monkeypatch):
    monkeypatch.setattr(preview_module, "PAUSE_SECONDS", 0.01)

    async def scenario():
        page = FakePage()
        preview = Preview(page, "preview", "stats")
        preview.show(LONG)
        while not preview.settled:
            await asyncio.sleep(0.01)
        page.splices.clear()
        edited = LONG.replace("Bees *love* roofs, 300 of", "Bees *adore* roofs, 300 of")
        preview.show(edited)  # one piece changed: drawn at once
        return page, edited

    page, edited = run_async(scenario())
    assert page.splices == [(page.splices[0][0], 1, 1)]
    assert "<em>adore</em>" in shown(page) and page.stats == text_stats(edited).describe()


def test_a_very_long_paste_is_counted_piece_by_piece_too(monkeypatch):
    monkeypatch.setattr(preview_module, "PAUSE_SECONDS", 0.01)
    monkeypatch.setattr(preview_module, "COUNT_AT_ONCE_CHARS", 1000)

    async def scenario():
        page = FakePage()
        preview = Preview(page, "preview", "stats")
        preview.show(LONG)
        assert page.stats == ""
        while not preview.settled:
            await asyncio.sleep(0.01)
        return page

    assert run_async(scenario()).stats == text_stats(LONG).describe()


def test_typing_during_a_long_render_replaces_it(monkeypatch):
    monkeypatch.setattr(preview_module, "PAUSE_SECONDS", 0.01)

    async def scenario():
        page = FakePage()
        preview = Preview(page, "preview", "stats")
        preview.show(LONG)
        await asyncio.sleep(0.02)  # part of the way through
        preview.show("Short now.")
        return page, preview

    page, preview = run_async(scenario())
    assert preview.settled and shown(page) == render_markdown("Short now.", preview_module.FIRST_HEADING)
