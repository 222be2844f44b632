"""The editor, undo and export, wired to a fake page."""
from ..core.doubles import run_async
from .helpers import open_studio


def test_typing_then_undo_and_redo_by_keys_and_buttons():
    async def scenario():
        page, _model, context = await open_studio()
        page.type("draft", "Bees like roofs.")
        assert context.draft.text == "Bees like roofs." and page.enabled["undo"] and not page.enabled["redo"]
        assert "4 words" in page.texts["draft-stats"] or "words" in page.texts["draft-stats"]
        page.press("draft", "Ctrl+Z")
        assert page.values["draft"] == "" and page.texts["status"] == "Undone." and page.enabled["redo"]
        page.press("draft", "Ctrl+Shift+Z")
        assert page.values["draft"] == "Bees like roofs."
        page.click("undo")
        page.click("redo")
        assert page.values["draft"] == "Bees like roofs." and page.texts["status"] == "Redone."
        page.click("redo")
        assert page.texts["status"] == "Nothing to redo."
    run_async(scenario())


def test_pasted_text_is_marked_pasted():
    async def scenario():
        page, _model, context = await open_studio()
        page.type("draft", "Quoted: to be or not.", pasted=True)
        assert {run.origin for run in context.draft.tracked.authorship.runs} == {"pasted"}
    run_async(scenario())


def test_export_downloads_each_kind_and_refuses_an_empty_draft():
    async def scenario():
        page, _model, _context = await open_studio()
        page.click("export-md")
        assert "empty" in page.texts["status"] and page.downloads == []
        page.type("draft", "# Bees\n\nBees like **roofs**.")
        for element in ("export-md", "export-html", "export-txt"):
            page.click(element)
        assert [mime for _name, _content, mime in page.downloads] == ["text/markdown", "text/html", "text/plain"]
        assert page.downloads[2][1].startswith("Bees") and "**" not in page.downloads[2][1]
        page.click("copy-draft")
        await page.tasks[-1]
        assert page.texts["clipboard"] == "# Bees\n\nBees like **roofs**."
    run_async(scenario())


def test_text_typed_before_the_studio_listened_is_the_person_s():
    async def scenario():
        from .fakes import FakePage

        page = FakePage()
        page.values["draft"] = "Early words."
        _page, _model, context = await open_studio(page=page)
        assert context.draft.text == "Early words." and context.draft.tracked.steps[0].origin == "human"
    run_async(scenario())
