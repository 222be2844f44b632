"""Set-up failures end in one clear sentence; the runtime archive and catalogue are right."""
import hashlib
import importlib.util
import json
import zipfile
from collections import namedtuple
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSESPARK_CACHE", str(tmp_path / "cache"))


def test_missing_npm_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(setup.shutil, "which", lambda name: None)
    with pytest.raises(setup.SetupError, match="npm was not found: install Node.js"):
        setup.build_runtime(tmp_path / "out")


def test_a_full_disk_is_reported_before_downloading(monkeypatch, tmp_path):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(setup.shutil, "disk_usage", lambda path: usage(10, 10, 5 * 2**20))
    with pytest.raises(setup.SetupError, match="only 5 MiB free.*MUSESPARK_CACHE"):
        setup.check_disk(tmp_path)


def test_a_failing_step_is_named_with_its_exit_code():
    with pytest.raises(setup.SetupError, match=r"npm ci failed \(exit 1\).*registries"):
        setup.run(["false"], "npm ci")


def test_a_missing_tool_is_named():
    with pytest.raises(setup.SetupError, match="no-such-tool-here was not found"):
        setup.run(["no-such-tool-here"], "anything")


def test_main_prints_one_sentence_and_fails(monkeypatch, capsys):
    def fail():
        raise setup.SetupError("npm was not found: install Node.js 20 or newer with npm and run set-up again.")
    monkeypatch.setattr(setup, "ensure_runtime", fail)
    assert setup.main(["--no-model"]) == 1
    assert capsys.readouterr().err.strip() == (
        "[setup] failed: npm was not found: install Node.js 20 or newer with npm and run set-up again.")


def make_wheel(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path


def test_wheels_are_merged_into_one_archive_with_their_metadata(tmp_path):
    make_wheel(tmp_path / "a-1.0-py3-none-any.whl", {"a/__init__.py": "A = 1", "a-1.0.dist-info/entry_points.txt": ""})
    make_wheel(tmp_path / "b-2.0-py3-none-any.whl", {"b.py": "B = 2"})
    archive = tmp_path / "out" / "packages.zip"
    setup.bundle_wheels(tmp_path, archive)
    assert sorted(zipfile.ZipFile(archive).namelist()) == ["a-1.0.dist-info/entry_points.txt", "a/__init__.py", "b.py"]


def test_only_the_english_dictionary_of_the_spell_checker_is_bundled(tmp_path):
    """The page checks English: the other eleven dictionaries (most of the wheel) stay out."""
    make_wheel(tmp_path / "pyspellchecker-0.9.1-py3-none-any.whl",
               {"spellchecker/__init__.py": "", "spellchecker/resources/en.json.gz": "en",
                "spellchecker/resources/de.json.gz": "de", "spellchecker/resources/fr.json.gz": "fr"})
    archive = tmp_path / "out" / "packages.zip"
    setup.bundle_wheels(tmp_path, archive)
    assert sorted(zipfile.ZipFile(archive).namelist()) == ["spellchecker/__init__.py",
                                                           "spellchecker/resources/en.json.gz"]


def test_catalogue_lists_every_file_with_size_and_hash(tmp_path):
    for model_id in (setup.DEFAULT_MODEL_ID, setup.TINY_MODEL_ID, setup.ECHO_MODEL_ID):
        (tmp_path / model_id / "onnx").mkdir(parents=True)
        (tmp_path / model_id / "config.json").write_text("{}")
        (tmp_path / model_id / "onnx" / "model.onnx").write_bytes(b"weights")
    setup.write_catalogue(tmp_path)
    catalogue = json.loads((tmp_path / "catalogue.json").read_text())
    assert catalogue["default"] == setup.DEFAULT_MODEL_ID
    default = catalogue["models"][0]
    assert default["dtype"] == setup.DEFAULT_DTYPE and default["licence"] == "Apache-2.0"
    assert default["files"]["onnx/model.onnx"] == {"size": 7, "sha256": hashlib.sha256(b"weights").hexdigest()}
    assert default["weights"] == {"fp32": "onnx/model.onnx"}
    assert [m["id"] for m in catalogue["models"]][1:] == [setup.TINY_MODEL_ID, setup.ECHO_MODEL_ID]


def test_earlier_builds_are_pruned_from_the_cache(tmp_path):
    cache = setup.cache_root()
    for name in ("vendor-old", "vendor-new", "models-old"):
        (cache / name).mkdir(parents=True)
    setup.prune_cache("vendor", cache / "vendor-new")
    assert sorted(p.name for p in cache.iterdir()) == ["models-old", "vendor-new"]


def test_the_pages_python_is_served_as_bytecode():
    """Set-up compiled the standard library and the wheels with the page's own interpreter
    (bytecode in place of the source, which zipimport loads as it is)."""
    stdlib, packages = ROOT / "vendor" / "pyodide" / "python_stdlib.zip", ROOT / "vendor" / "python" / "packages.zip"
    if not stdlib.exists():
        pytest.skip("the runtime is not set up (python build/setup.py)")
    names = zipfile.ZipFile(stdlib).namelist()
    assert "asyncio/base_events.pyc" in names and not [n for n in names if n.endswith(".py")]
    packages_names = zipfile.ZipFile(packages).namelist()
    assert "markdown/core.pyc" in packages_names and not [n for n in packages_names if n.endswith(".py")]


def test_a_vendored_file_is_rewritten_only_where_the_text_occurs_once(tmp_path):
    (tmp_path / "lib.mjs").write_text("var a=1;f(a);f(a);")
    setup.patch_vendored(tmp_path, "lib.mjs", "var a=1;", "var a;")
    assert (tmp_path / "lib.mjs").read_text() == "var a;f(a);f(a);"
    for text in ("var b=2;", "f(a);"):
        with pytest.raises(setup.SetupError, match="lib.mjs: the text to rewrite occurs [02] times.*build/setup.py"):
            setup.patch_vendored(tmp_path, "lib.mjs", text, "")


def test_pyodide_makes_its_shared_memory_only_when_it_sleeps():
    """The vendored Pyodide carries the rewrite, and vendor/files.json its real hash (the
    service worker checks what it saves against it)."""
    served, old, new = setup.PYODIDE_LAZY_SLEEP
    path = ROOT / "vendor" / served
    if not path.exists():
        pytest.skip("the runtime is not set up (python build/setup.py)")
    text = path.read_text()
    assert old not in text and text.count(new) == 1 and text.count("shared:!0") == 1
    listed = json.loads((ROOT / "vendor" / "files.json").read_text())[served]
    assert listed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_pyodide_module_opens_with_the_compile_hint():
    """V8 reads the hint only from the file's first line, so it is compiled off the main thread."""
    served, old, new = setup.PYODIDE_COMPILE_HINT
    path = ROOT / "vendor" / served
    if not path.exists():
        pytest.skip("the runtime is not set up (python build/setup.py)")
    assert path.read_text().startswith("//# allFunctionsCalledOnLoad\n" + old)
