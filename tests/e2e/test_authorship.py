"""Who wrote what, in real Chromium: typing, the model's writing, edits inside it and
pastes show in the overlay and summary; undo brings authorship back; the provenance
record and Content Credentials signed in the page verify in the page, with the
command-line verifier, with c2pa-python and with c2pa-text."""
import io
import json
import subprocess
import sys
from pathlib import Path

import c2pa as cai
import c2pa_text
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError, expect

from app.core.authorship import Authorship
from app.core.provenance import record_hash, verify_record
from app.core.signing import fingerprint, public_key_from_jwk
from app.studio.views import summary_sentence

from .conftest import ECHO_MODEL, ROOT, TINY_MODEL, axe_violations

GENERATION_MS = 90_000


def click_for_downloads(page, selector: str, count: int) -> dict[str, bytes]:
    """Click, and return the ``count`` files it downloads by name."""
    got = []

    def keep(download):
        got.append(download)

    page.on("download", keep)
    try:
        page.click(selector)
        while len(got) < count:
            try:
                page.wait_for_event("download", timeout=GENERATION_MS)
            except PlaywrightTimeoutError:
                raise AssertionError(f"{selector} gave {[d.suggested_filename for d in got]} of {count} files; "
                                     f"status: {page.inner_text('#status')!r}") from None
    finally:
        page.remove_listener("download", keep)
    return {download.suggested_filename: Path(download.path()).read_bytes() for download in got}


def overlay_runs(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "#authorship-view [data-origin]", "spans => spans.map(s => [s.dataset.origin, s.textContent])")


def as_authorship(runs) -> Authorship:
    return Authorship("".join(text for _, text in runs), tuple((len(text), origin) for origin, text in runs))


def put_caret(page, index: int) -> None:
    """Put the editor's caret before code point ``index`` (the textarea counts UTF-16 units)."""
    page.eval_on_selector("#draft", """(area, index) => {
        const units = Array.from(area.value).slice(0, index).join('').length;
        area.focus(); area.setSelectionRange(units, units); }""", index)


def cli(*args) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "app.core.verify", "verify", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def cai_reader(text: bytes, sidecar: bytes, root_pem: bytes | None = None):
    context = None
    if root_pem is not None:
        settings = {"verify": {"verify_trust": True}, "trust": {"trust_anchors": root_pem.decode()}}
        context = cai.Context(cai.Settings.from_dict(settings))
    return cai.Reader("text/plain", io.BytesIO(text), sidecar, context=context)


def cai_failures(reader) -> list[str]:
    return [f["code"] for f in reader.get_validation_results()["activeManifest"].get("failure", [])]


def verify_in_page(page, **files: tuple[str, bytes]) -> None:
    for field, (name, data) in files.items():
        page.set_input_files(f"#verify-{field}", files=[{"name": name, "mimeType": "application/octet-stream",
                                                           "buffer": data}])
    page.click("#verify")
    page.wait_for_selector("#verify-result[data-state=done]", state="attached", timeout=30_000)


def verdict(page) -> tuple[str, list[str]]:
    return (page.get_attribute("#verify-result h3", "data-valid"),
            page.eval_on_selector_all("#verify-result [data-code]", "items => items.map(i => i.dataset.code)"))


def clear_verify_fields(page) -> None:
    for field in ("text", "record", "previous", "trust"):
        page.set_input_files(f"#verify-{field}", files=[])


def listed_files(page) -> list[str]:
    """The names of the last export's files, as listed to save again."""
    return page.eval_on_selector_all("#exported-files a", "links => links.map((link) => link.download)")


def test_who_wrote_what_exports_and_verifies(open_studio, axe_source, tmp_path):
    # The echo model's words pass the checks on model output, so its paragraph is added.
    studio = open_studio(f"?model={ECHO_MODEL}")
    page = studio.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=studio.origin)
    studio.wait_for_model()

    # Typed by the person, then continued by the model.
    typed = "# Rooftop bees\n\nBees like quiet sunny roofs."
    page.fill("#draft", typed)
    assert page.inner_text("#authorship-summary").startswith("By characters: 100% typed")
    page.select_option("#refine-op", "continue")
    page.click("#refine")
    page.wait_for_selector("#draft[data-state=idle]", state="attached", timeout=GENERATION_MS)
    studio.wait_until_idle()
    continued = page.input_value("#draft")
    assert continued.startswith(typed + "\n\n") and continued != typed + "\n\n"

    # The overlay, switched on from the keyboard, marks the model's paragraph.
    page.focus("#show-authorship")
    page.keyboard.press("Enter")
    assert page.get_attribute("#show-authorship", "aria-pressed") == "true"
    assert page.is_visible("#authorship-legend") and page.is_visible("#authorship-view")
    runs = overlay_runs(page)
    assert runs[0] == ["human", typed] and {origin for origin, _ in runs[1:]} == {"ai"}
    assert "".join(text for _, text in runs) == continued
    assert page.get_attribute("#authorship-view [data-origin=ai]", "title") == "Generated by the model"
    assert page.eval_on_selector_all("#authorship-view .visually-hidden", "labels => labels.map(l => l.textContent)")[
        :2] == ["[typed:] ", "[AI:] "]

    # A letter typed inside the model's text is the person's; the model's word it touches is edited.
    model_part = Authorship(continued, ((len(typed), "human"), (len(continued) - len(typed), "ai")))
    middle = len(typed) + 2 + (len(continued) - len(typed) - 2) // 2
    put_caret(page, middle)
    page.keyboard.type("Z")
    edited = page.input_value("#draft")
    assert edited == continued[:middle] + "Z" + continued[middle:]
    expected = model_part.replace(middle, middle, "Z", "human")
    assert as_authorship(overlay_runs(page)) == expected and expected.origin_at(middle) == "human"

    # Pasted text is marked as pasted, and is an undo step of its own.
    page.evaluate("text => navigator.clipboard.writeText(text)", " Pasted from my notes.")
    put_caret(page, len(edited))
    page.keyboard.press("Control+V")
    pasted = page.input_value("#draft")
    assert pasted == edited + " Pasted from my notes."
    assert overlay_runs(page)[-1] == ["pasted", " Pasted from my notes."]
    authorship = as_authorship(overlay_runs(page))
    assert page.inner_text("#authorship-summary") == summary_sentence(authorship.summary())
    assert "% pasted" in page.inner_text("#authorship-summary")
    assert "composite with trained algorithmic media" in page.inner_text("#disclosure")
    page.keyboard.press("Control+z")
    assert page.input_value("#draft") == edited and as_authorship(overlay_runs(page)) == expected
    page.keyboard.press("Control+Shift+z")
    assert as_authorship(overlay_runs(page)) == authorship

    # Restoring the version saved before refining brings back an all-typed draft.
    page.click("#version-restore-1")
    assert overlay_runs(page) == [["human", typed]]
    page.click("#undo")
    assert as_authorship(overlay_runs(page)) == authorship

    # The provenance record, signed in the page, checked here and by the command line.
    assert page.is_hidden("#exported")
    files = click_for_downloads(page, "#export-record", 2)
    assert set(files) == {"rooftop-bees.md", "rooftop-bees.provenance.json"}
    assert page.is_visible("#exported") and listed_files(page) == ["rooftop-bees.md", "rooftop-bees.provenance.json"]
    text_bytes, record = files["rooftop-bees.md"], json.loads(files["rooftop-bees.provenance.json"])
    assert text_bytes.decode() == pasted
    key = fingerprint(public_key_from_jwk(record["signer"]["jwk"]))
    verdict_here = verify_record(pasted, record, expected_fingerprint=key)
    assert verdict_here.valid, verdict_here.report()
    assert Authorship.from_dict(record["authorship"], pasted) == authorship
    catalogue = json.loads((ROOT / "models" / "catalogue.json").read_text())
    model = next(m for m in catalogue["models"] if m["id"] == ECHO_MODEL)
    model_actions = [a for a in record["actions"] if "model" in a]
    assert model_actions and model_actions[0]["model"] == {
        "name": model["name"], "id": ECHO_MODEL, "weightsSha256": model["files"][model["weights"][model["dtype"]]]["sha256"]}
    assert [a["action"] for a in record["actions"]][0] == "c2pa.created" and record["previous"] is None
    (tmp_path / "first.md").write_bytes(text_bytes)
    (tmp_path / "first.json").write_bytes(files["rooftop-bees.provenance.json"])
    code, out = cli(tmp_path / "first.md", tmp_path / "first.json", "--key", key)
    assert code == 0 and out.startswith("VALID") and key in out, out

    # One more word, one more record: chained to the first.
    put_caret(page, len(pasted))
    page.keyboard.type(" Done.")
    files = click_for_downloads(page, "#export-record", 2)
    second = json.loads(files["rooftop-bees.provenance.json"])
    assert second["previous"] == record_hash(record)
    (tmp_path / "second.md").write_bytes(files["rooftop-bees.md"])
    (tmp_path / "second.json").write_bytes(files["rooftop-bees.provenance.json"])
    code, out = cli(tmp_path / "second.md", tmp_path / "second.json", "--previous", tmp_path / "first.json")
    assert code == 0, out
    changed = files["rooftop-bees.md"].replace(b"quiet", b"quiet!", 1)
    (tmp_path / "changed.md").write_bytes(changed)
    code, out = cli(tmp_path / "changed.md", tmp_path / "second.json")
    assert code == 1 and "[text-changed]" in out and "line 3 (from character 16) differs" in out, out

    # Content Credentials: the text, its sidecar, and the text carrying them.
    final = files["rooftop-bees.md"]
    files = click_for_downloads(page, "#export-credentials", 3)
    assert set(files) == {"rooftop-bees.md", "rooftop-bees.c2pa", "rooftop-bees.credentials.md"}
    # ...listed too, to save again: each link gives the same file.
    assert listed_files(page) == ["rooftop-bees.md", "rooftop-bees.c2pa", "rooftop-bees.credentials.md"]
    assert axe_violations(page, axe_source) == []
    for number, name in enumerate(listed_files(page)):
        with page.expect_download() as saved:
            page.locator("#exported-files a").nth(number).click()
        assert Path(saved.value.path()).read_bytes() == files[name]
    assert files["rooftop-bees.md"] == final
    sidecar, embedded = files["rooftop-bees.c2pa"], files["rooftop-bees.credentials.md"].decode()
    root_pem = click_for_downloads(page, "#download-root", 1)["musespark-root-certificate.pem"]
    reader = cai_reader(final, sidecar)
    assert reader.get_validation_state() == "Valid" and cai_failures(reader) == ["signingCredential.untrusted"]
    trusted = cai_reader(final, sidecar, root_pem)
    assert trusted.get_validation_state() == "Trusted" and cai_failures(trusted) == []
    action = reader.get_active_manifest()["assertions"][0]["data"]["actions"][0]
    assert action["digitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    assert "assertion.dataHash.mismatch" in cai_failures(cai_reader(changed, sidecar))
    assert c2pa_text.validate_text(embedded).valid
    assert c2pa_text.extract_manifest(embedded)[1] == final.decode()
    (tmp_path / "embedded.md").write_text(embedded, encoding="utf-8")
    (tmp_path / "root.pem").write_bytes(root_pem)
    code, out = cli(tmp_path / "embedded.md", "--trust", tmp_path / "root.pem")
    assert code == 0 and out.startswith("VALID and TRUSTED"), out

    # The root stays the same: a second export is trusted under the first root.
    # (only the first two files are awaited: a browser may hold back a third download that comes
    # after the click's user activation has run out, which a busy machine's signing can outlast;
    # the list then has it)
    again = click_for_downloads(page, "#export-credentials", 2)
    assert cai_reader(final, again["rooftop-bees.c2pa"], root_pem).get_validation_state() == "Trusted"
    with page.expect_download() as saved:
        page.locator("#exported-files a").nth(2).click()
    assert saved.value.suggested_filename == "rooftop-bees.credentials.md"
    assert c2pa_text.validate_text(Path(saved.value.path()).read_text(encoding="utf-8")).valid

    # Verify in the page: valid, then the changed character and where it is.
    verify_in_page(page, text=("rooftop-bees.md", final), record=("rooftop-bees.provenance.json",
                                                                 (tmp_path / "second.json").read_bytes()))
    assert verdict(page) == ("true", [])
    page.fill("#verify-key", "AB" * 32)
    verify_in_page(page, previous=("second.json", (tmp_path / "second.json").read_bytes()))
    assert verdict(page) == ("false", ["wrong-key", "broken-chain"])
    page.fill("#verify-key", key)
    verify_in_page(page, previous=("first.json", (tmp_path / "first.json").read_bytes()))
    assert verdict(page) == ("true", []) and key in page.inner_text("#verify-result")
    verify_in_page(page, text=("rooftop-bees.md", changed))
    assert verdict(page) == ("false", ["text-changed"])
    assert "line 3 (from character 16) differs" in page.inner_text("#verify-result")
    verify_in_page(page, text=("rooftop-bees.md", final), record=("rooftop-bees.c2pa", sidecar))
    assert verdict(page) == ("true", []) and "TRUSTED" in page.inner_text("#verify-result")
    clear_verify_fields(page)
    verify_in_page(page, text=("rooftop-bees.credentials.md", embedded.replace("quiet", "quite").encode()))
    assert verdict(page) == ("false", ["assertion.dataHash.mismatch"])

    # Dropped files are sorted by what they hold: a record, the one before it, the text.
    clear_verify_fields(page)
    transfer = page.evaluate_handle("""(files) => {
        const transfer = new DataTransfer();
        for (const [name, text] of files) transfer.items.add(new File([text], name));
        return transfer; }""", [["first.json", (tmp_path / "first.json").read_text()],
                                ["second.json", (tmp_path / "second.json").read_text()],
                                ["text.md", final.decode()]])
    page.dispatch_event("#verify-drop", "drop", {"dataTransfer": transfer})
    page.wait_for_selector("#verify-result[data-state=done]", state="attached", timeout=30_000)
    assert verdict(page) == ("true", [])
    assert "Checked text.md against second.json: valid." in studio.status()

    # Another project does not list this one's exported files.
    page.click("#project-new")
    page.fill("#project-name", "Gardens")
    page.keyboard.press("Enter")
    expect(page.locator("#project-status")).to_have_text("Started “Gardens”.")
    assert page.is_hidden("#exported")


def test_verify_says_what_is_missing_or_too_large(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_model()  # its ready message would replace the status
    page = studio.page
    page.click("#verify")
    assert "Choose the text to check" in studio.status()
    page.set_input_files("#verify-text", files=[{"name": "huge.md", "mimeType": "text/plain",
                                                  "buffer": b"a" * 10_000_001}])
    page.click("#verify")
    page.wait_for_selector("#verify-result[data-state=done]", state="attached", timeout=30_000)
    assert "huge.md is 10.0 MB; files up to 10 MB can be checked here" in studio.status()
    verify_in_page(page, text=("plain.md", b"Hi."))
    assert verdict(page) == ("false", ["claim.missing"])
    page.click("#export-record")
    page.locator("#status", has_text="The draft is empty").wait_for(timeout=10_000)


def test_accepted_corrections_are_the_models_text(open_studio):
    studio = open_studio(f"?model={TINY_MODEL}")
    studio.wait_for_model()
    page = studio.page
    text = "Bees like the the sun , i think. They hum."
    page.fill("#draft", text)
    page.click("#proofread")
    page.wait_for_selector("main[data-busy=false]", state="attached", timeout=GENERATION_MS)
    for _ in range(3):  # "the the" → "the", " ," → ",", "i" → "I": always found, whatever the model says
        page.click("#correction-accept-0")
    page.click("#show-authorship")
    expected = (Authorship.written(text, "human").replace(24, 25, "I", "ai").replace(21, 23, ",", "ai")
                .replace(10, 17, "the", "ai"))
    assert as_authorship(overlay_runs(page)) == expected
    assert [t for origin, t in overlay_runs(page) if origin == "ai"] == ["the", ",", "I"]
