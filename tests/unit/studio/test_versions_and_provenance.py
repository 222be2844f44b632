"""Versions, who wrote what, and verify, wired to a fake page."""
from ..core.doubles import run_async
from .helpers import open_studio


def test_save_restore_and_compare_versions():
    async def scenario():
        page, _model, context = await open_studio()
        page.type("draft", "Bees love roofs.")
        page.click("save-version")
        page.type("draft", "Bees adore flat roofs.")
        page.click("save-version")
        assert page.texts["status"] == "Saved as v2." and 'id="version-restore-2"' in page.html["history"]
        page.act("history", "pick", 1, checked=True)
        page.act("history", "pick", 2, checked=True)
        assert page.enabled["compare"]
        page.click("compare")
        assert "<del>love</del>" in page.html["diff"] and page.texts["status"].startswith("v1 → v2")
        page.act("history", "restore", 1)
        assert page.values["draft"] == "Bees love roofs." and page.focused == "version-restore-1"
    run_async(scenario())


def test_who_wrote_what_follows_every_edit_and_can_be_shown():
    async def scenario():
        page, _model, context = await open_studio()
        page.type("draft", "Mine.")
        assert page.texts["authorship-summary"].startswith("By characters: 100% typed")
        page.click("show-authorship")
        assert page.hidden["authorship-view"] is False and page.attributes["show-authorship", "aria-pressed"] == "true"
        assert 'data-origin="human"' in page.html["authorship-view"]
        page.click("export-record")
        await page.tasks[-1]
        assert [name for name, _content, _mime in page.downloads][-1].endswith(".provenance.json")
        assert page.texts["status"].startswith("Exported") and page.hidden["exported"] is False
        assert page.texts["key-info"].startswith("Your key's fingerprint")
    run_async(scenario())


def test_signing_an_empty_draft_is_refused():
    async def scenario():
        page, _model, _context = await open_studio()
        page.click("export-credentials")
        await page.tasks[-1]
        assert page.texts["status"].startswith("The draft is empty") and "signDraftForHost" in page.exposed
    run_async(scenario())


def test_verify_without_a_text_says_what_to_choose():
    async def scenario():
        page, _model, _context = await open_studio()
        page.click("verify")
        assert page.texts["status"].startswith("Choose the text to check") and page.focused == "verify-text"
    run_async(scenario())
