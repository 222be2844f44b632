"""The service worker's file list: every app-shell file with its hash, the models apart,
and a version that changes with any file and only then."""
import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def site(tmp_path):
    """A small built studio: shell files, a vendored file list, a catalogue, files to leave out."""
    for name in ("index.html", "pyscript.toml", "sw.js", "app/main.py", "app/core/brief.py", "assets/boot.js",
                 "assets/icons/icon-192.png", "app/.hidden", "app/__pycache__/main.cpython-311.pyc"):
        write(tmp_path / name, name.encode())
    vendor = {"pyodide/pyodide.asm.wasm": {"size": 9, "sha256": "v1"}}
    write(tmp_path / "vendor" / "files.json", json.dumps(vendor).encode())
    catalogue = {"default": "m", "models": [{"id": "m", "files": {"onnx/model.onnx": {"size": 7, "sha256": "m1"}}}],
                 "helper": {"id": "h", "files": {"onnx/model.onnx": {"size": 5, "sha256": "h1"}}}}
    write(tmp_path / "models" / "catalogue.json", json.dumps(catalogue).encode())
    return tmp_path


def test_the_shell_lists_every_file_the_page_starts_from_and_the_models_apart(site):
    files = setup.offline_files(site)
    assert sorted(files["shell"]) == [
        "app/core/brief.py", "app/main.py", "assets/boot.js", "assets/icons/icon-192.png", "index.html",
        "models/catalogue.json", "pyscript.toml", "vendor/pyodide/pyodide.asm.wasm"]
    assert files["shell"]["app/main.py"] == {"size": 11, "sha256": hashlib.sha256(b"app/main.py").hexdigest()}
    assert files["shell"]["vendor/pyodide/pyodide.asm.wasm"] == {"size": 9, "sha256": "v1"}
    assert files["models"] == {"models/m/onnx/model.onnx": {"size": 7, "sha256": "m1"},
                               "models/h/onnx/model.onnx": {"size": 5, "sha256": "h1"}}


def test_the_version_changes_with_any_listed_file_and_only_then(site):
    first = setup.offline_files(site)["version"]
    assert setup.offline_files(site)["version"] == first
    write(site / "sw.js", b"not part of the list")
    assert setup.offline_files(site)["version"] == first
    write(site / "app" / "main.py", b"changed")
    second = setup.offline_files(site)["version"]
    assert second != first
    catalogue = json.loads((site / "models" / "catalogue.json").read_text())
    catalogue["models"][0]["files"]["onnx/model.onnx"]["sha256"] = "m2"
    write(site / "models" / "catalogue.json", json.dumps(catalogue).encode())
    assert setup.offline_files(site)["version"] not in (first, second)


def test_the_list_is_a_script_the_service_worker_imports(site):
    version = setup.write_offline_files(site)
    text = (site / setup.OFFLINE_FILES).read_text()
    assert text.startswith("// Written by build/setup.py")
    assert "self.offlineFiles = {" in text and text.rstrip().endswith("};")
    assert json.loads(text[text.index("{"): text.rindex("}") + 1]) == setup.offline_files(site)
    assert setup.offline_files(site)["version"] == version
    worker = (ROOT / "sw.js").read_text()
    assert f'const FILE_LIST = "./{setup.OFFLINE_FILES}";' in worker and "importScripts(" in worker


def test_without_models_the_list_has_none(site):
    (site / "models" / "catalogue.json").unlink()
    files = setup.offline_files(site)
    assert files["models"] == {} and "models/catalogue.json" not in files["shell"]
