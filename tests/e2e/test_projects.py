"""Projects kept in the browser: autosave and reload, a reload during a generation,
export/import, refused files, a full storage quota, migrations of old files and
databases, and the project list — in real Chromium with the tiny model."""
import json
from pathlib import Path

from playwright.sync_api import expect

from .conftest import GENERATION_MS, STARTUP_MS, TINY_MODEL, wait_until

TINY = f"?model={TINY_MODEL}"


def wait_ready(studio) -> None:
    studio.wait_for_python()
    studio.page.wait_for_selector("#projects[data-state=ready]", state="attached", timeout=STARTUP_MS)


def wait_saved(page, after: str | None = None) -> str:
    """Wait until the project is stored (again, when ``after`` is the last save's stamp)."""
    page.wait_for_function("stamp => (document.getElementById('projects').dataset.saved ?? null) !== stamp",
                           arg=after, timeout=30_000)
    return page.get_attribute("#projects", "data-saved")


def export(page) -> tuple[str, dict]:
    with page.expect_download() as info:
        page.click("#project-export")
    return info.value.suggested_filename, json.loads(Path(info.value.path()).read_text())


def import_file(page, name: str, content: bytes) -> str:
    """Choose a project file to import; the outcome ("done" or "refused")."""
    page.evaluate("delete document.getElementById('projects').dataset.imported")
    page.set_input_files("#project-import", files=[{"name": name, "mimeType": "application/json", "buffer": content}])
    page.wait_for_selector("#projects[data-imported]", state="attached", timeout=30_000)
    return page.get_attribute("#projects", "data-imported")


def project_names(page) -> list[str]:
    return page.eval_on_selector_all("#project-list option", "options => options.map(o => o.textContent)")


def studio_state(page) -> dict:
    return {
        "fields": {f: page.input_value(f"#{f}") for f in ("brief", "brief-audience", "outline", "draft")},
        "summary": page.inner_text("#authorship-summary"),
        "versions": page.inner_text("#history"),
    }


# Whether the newest stored project holds the text typed last.
STORED_HAS_PASTED_NEXT = """async () => {
  const [newest] = await museSpark.projects.list();
  return Boolean(newest && (await museSpark.projects.get(newest.id)).includes("Pasted next?"));
}"""


def test_typed_work_and_versions_come_back_after_a_reload(open_studio):
    studio = open_studio(TINY)
    wait_ready(studio)
    page = studio.page
    page.fill("#brief", "Urban beekeeping for beginners")
    page.fill("#brief-audience", "city dwellers")
    page.fill("#outline", "Why roofs\nFirst hive")
    page.fill("#draft", "Bees love roofs.")
    page.click("#save-version")
    stamp = wait_saved(page)
    page.click("#draft")
    page.keyboard.press("End")
    page.keyboard.type(" Pasted next?")
    wait_saved(page, stamp)
    # A save of the fields typed before (their pause ended) may be the one that came: wait for the typing's own.
    wait_until(page, STORED_HAS_PASTED_NEXT, 30_000)
    before = studio_state(page)
    assert "v1: Saved by you" in before["versions"] and before["fields"]["draft"].endswith("Pasted next?")

    page.reload()
    wait_ready(studio)
    assert studio_state(page) == before
    assert project_names(page) == ["Untitled"]


def test_a_reload_during_a_generation_keeps_the_typed_text(open_studio):
    studio = open_studio(TINY)
    studio.wait_for_model()
    wait_ready(studio)
    page = studio.page
    typed = "My own first paragraph, typed by hand.\n\n"
    page.fill("#draft", typed)
    wait_saved(page)
    page.select_option("#refine-op", "continue")
    page.click("#refine")
    # Reload while the model is writing, after at least one periodic save of its text.
    wait_until(page, f"document.getElementById('draft').value.length > {len(typed) + 20}", timeout_ms=GENERATION_MS,
               interval_ms=20)
    assert page.get_attribute("#draft", "data-state") == "streaming"
    page.reload()
    wait_ready(studio)
    kept = page.input_value("#draft")
    assert kept.startswith(typed.rstrip())
    assert page.inner_text("#history").count("Before refining") == 1


def test_export_then_import_gives_the_same_project(open_studio):
    first = open_studio(TINY)
    wait_ready(first)
    page = first.page
    page.fill("#brief", "Rooftop gardens")
    page.fill("#draft", "# Gardens\n\nGreen roofs cool cities.")
    page.click("#save-version")
    page.fill("#draft", "# Gardens\n\nGreen roofs cool busy cities.")
    wait_saved(page)
    page.click("#project-rename")
    page.fill("#project-name", "Roof gardens")
    page.keyboard.press("Enter")
    expect(page.locator("#project-status")).to_have_text("Renamed to “Roof gardens”.")
    name, exported = export(page)
    assert name == "roof-gardens.musespark.json" and exported["format"] == "musespark-project"
    assert exported["schema"] == 2 and exported["project"]["draft"]["authorship"]["runs"]

    second = open_studio(TINY)
    wait_ready(second)
    assert import_file(second.page, name, json.dumps(exported).encode()) == "done"
    assert sorted(project_names(second.page)) == ["Roof gardens", "Untitled"]
    _, again = export(second.page)
    assert again["project"] == exported["project"]
    assert second.page.input_value("#draft") == "# Gardens\n\nGreen roofs cool busy cities."


def good_file(**project_changes) -> dict:
    project = {"id": "abc", "name": "Bees", "created": 1.0, "updated": 2.0, "brief": {"topic": "bees"}, "cards": [],
               "pinned": [], "drafting": None, "outline": "", "draft": "Bees hum.", **project_changes}
    return {"format": "musespark-project", "schema": 1, "saved": "2026-05-01T09:30:00Z", "project": project}


BAD_FILES = [
    ("corrupt.musespark.json", b"\x00\x01 not json at all", "not readable JSON"),
    ("truncated.musespark.json", json.dumps(good_file()).encode()[:80], "cut short (truncated)"),
    ("record.json", json.dumps({"format": "musespark-provenance", "schema": 1}).encode(),
     "not a MuseSpark project file"),
    ("newer.musespark.json", json.dumps({**good_file(), "schema": 99}).encode(),
     "made by a newer MuseSpark (schema 99; this studio reads up to 2): update the studio"),
    ("huge.musespark.json", b" " * 20_000_001, "project files up to 20 MB"),
]


def test_bad_files_are_refused_and_change_nothing(open_studio):
    studio = open_studio(TINY)
    wait_ready(studio)
    page = studio.page
    page.fill("#draft", "Nothing may touch this.")
    wait_saved(page)
    for name, content, message in BAD_FILES:
        assert import_file(page, name, content) == "refused", name
        status = page.inner_text("#project-status")
        assert status.startswith(f"{name} was not imported:") and message in status, status
        assert page.get_attribute("#project-status", "data-kind") == "error"
        assert project_names(page) == ["Untitled"]
        assert page.input_value("#draft") == "Nothing may touch this."


def test_a_schema_1_file_imports_with_its_draft_as_pasted_text(open_studio):
    studio = open_studio(TINY)
    wait_ready(studio)
    page = studio.page
    assert import_file(page, "old.musespark.json", json.dumps(good_file()).encode()) == "done"
    assert page.input_value("#draft") == "Bees hum." and page.input_value("#brief") == "bees"
    assert page.inner_text("#authorship-summary").startswith("By characters: 0% typed · 100% pasted")
    assert sorted(project_names(page)) == ["Bees", "Untitled"]


def test_a_full_storage_quota_is_reported_and_the_text_stays(open_studio):
    studio = open_studio(TINY)
    wait_ready(studio)
    page = studio.page
    page.evaluate("""() => { IDBObjectStore.prototype.put = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); }; }""")
    page.fill("#draft", "Words that must not vanish.")
    expect(page.locator("#project-status")).to_have_attribute("data-kind", "error", timeout=30_000)
    assert "storage for this site is full" in page.inner_text("#project-status")
    assert "storage for this site is full" in studio.status()
    assert page.input_value("#draft") == "Words that must not vanish."


V1_DATABASE = """file => new Promise((resolve, reject) => {
  const req = indexedDB.open("musespark-projects", 1);
  req.onupgradeneeded = () => req.result.createObjectStore("projects", { keyPath: "id" });
  req.onsuccess = () => {
    const tx = req.result.transaction("projects", "readwrite");
    tx.objectStore("projects").put({ id: "old", name: "Old bees", updated: 1000, file });
    tx.oncomplete = () => { req.result.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
  req.onerror = () => reject(req.error);
})"""


def test_a_version_1_database_opens_in_the_studio(open_studio, server_url):
    # A same-origin page before the studio has made its database (the browser asks it for /favicon.ico).
    studio = open_studio("assets/icons/icon.svg", expected_errors=[r"404 \(Not part of the studio\)"])
    page = studio.page
    page.evaluate(V1_DATABASE, json.dumps(good_file(name="Old bees")))
    page.goto(server_url + TINY)
    wait_ready(studio)
    assert page.input_value("#draft") == "Bees hum."
    assert project_names(page) == ["Old bees"]
    upgraded = page.evaluate("""() => new Promise(resolve => {
        const req = indexedDB.open("musespark-projects");
        req.onsuccess = () => {
          const db = req.result;
          const get = db.transaction("projects").objectStore("projects").get("old");
          get.onsuccess = () => resolve({version: db.version, size: get.result.size,
                                         stores: [...db.objectStoreNames]});
        };
    })""")
    assert upgraded == {"version": 2, "size": len(json.dumps(good_file(name="Old bees")).encode()),
                        "stores": ["projects", "settings"]}


def name_project(page, button: str, name: str) -> None:
    page.click(button)
    expect(page.locator("#project-name")).to_be_focused()
    page.fill("#project-name", name)
    page.keyboard.press("Enter")
    expect(page.locator("#project-name-dialog")).not_to_be_visible()


def test_the_project_list_creates_renames_duplicates_deletes_and_switches(open_studio):
    studio = open_studio(TINY)
    wait_ready(studio)
    page = studio.page
    page.fill("#draft", "First project's words.")
    wait_saved(page)
    name_project(page, "#project-rename", "Bees")
    expect(page.locator("#project-status")).to_have_text("Renamed to “Bees”.")

    name_project(page, "#project-new", "Gardens")
    expect(page.locator("#project-status")).to_have_text("Started “Gardens”.")
    assert page.input_value("#draft") == "" and page.input_value("#project-list") != ""
    page.fill("#draft", "Second project's words.")
    wait_saved(page)

    name_project(page, "#project-duplicate", "Gardens again")
    expect(page.locator("#project-status")).to_have_text("Made a copy: “Gardens again” is open.")
    assert page.input_value("#draft") == "Second project's words."
    assert sorted(project_names(page)) == ["Bees", "Gardens", "Gardens again"]

    page.click("#project-rename")  # Escape closes the dialog and changes nothing
    page.keyboard.press("Escape")
    expect(page.locator("#project-name-dialog")).not_to_be_visible()

    page.select_option("#project-list", label="Bees")
    expect(page.locator("#project-status")).to_have_text("Opened “Bees”.")
    assert page.input_value("#draft") == "First project's words."

    page.click("#project-delete")
    expect(page.locator("#project-status")).to_have_text("Deleted “Bees”.")
    expect(page.locator("#project-undo-delete")).to_be_focused()
    assert sorted(project_names(page)) == ["Gardens", "Gardens again"]
    page.keyboard.press("Enter")
    expect(page.locator("#project-status")).to_have_text("Restored “Bees”.")
    assert sorted(project_names(page)) == ["Bees", "Gardens", "Gardens again"]
    assert page.input_value("#draft") == "First project's words."

    page.reload()
    wait_ready(studio)
    assert page.input_value("#draft") == "First project's words."
    assert sorted(project_names(page)) == ["Bees", "Gardens", "Gardens again"]
