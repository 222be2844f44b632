"""Publishing converted models on a model host (build/model_host.py): each model's folder is
copied, and the host's catalogue.json lists its files with sizes and sha256, its weights by
precision (split weights hashed whole) and the precision it runs in on WASM."""
import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "build"))

import model_host  # noqa: E402


def converted(folder: Path, parameters: int) -> Path:
    """A converted model's folder: int8 weights split into a data file, and q4 weights."""
    (folder / "onnx").mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"parameters": parameters, "source_name": "Tiny Llama",
                                                    "source_licence": "apache-2.0", "source_architecture": "llama"}))
    (folder / "onnx" / "model_int8.onnx").write_bytes(b"graph")
    (folder / "onnx" / "model_int8.onnx_data").write_bytes(b"weights")
    (folder / "onnx" / "model_q4.onnx").write_bytes(b"packed")
    return folder


def test_a_model_is_listed_with_its_files_hashes_and_precision(tmp_path):
    host = tmp_path / "host"
    entry = model_host.publish(host, converted(tmp_path / "tiny", 500_000_000), "tiny-llama")
    listed = json.loads((host / "catalogue.json").read_text())["models"]
    assert listed == [entry] and (host / "tiny-llama" / "onnx" / "model_int8.onnx_data").read_bytes() == b"weights"
    assert entry["purpose"] == "hosted" and entry["name"] == "Tiny Llama" and entry["licence"] == "apache-2.0"
    assert entry["dtype"] == "int8"  # 500M parameters computed in fp32 fit a WASM page
    assert entry["weights"] == {"int8": "onnx/model_int8.onnx", "q4": "onnx/model_q4.onnx"}
    assert entry["weights_sha256"] == {"int8": hashlib.sha256(b"graphweights").hexdigest(),
                                       "q4": hashlib.sha256(b"packed").hexdigest()}
    assert entry["files"]["onnx/model_q4.onnx"] == {"size": 6, "sha256": hashlib.sha256(b"packed").hexdigest()}


def test_a_model_too_big_for_int8_on_wasm_runs_in_q4_and_publishing_again_replaces_it(tmp_path):
    host = tmp_path / "host"
    model_host.publish(host, converted(tmp_path / "first", 500_000_000), "llama")
    entry = model_host.publish(host, converted(tmp_path / "bigger", 1_100_000_000), "llama", name="Llama 1B")
    assert entry["dtype"] == "q4" and entry["name"] == "Llama 1B"
    assert [e["id"] for e in json.loads((host / "catalogue.json").read_text())["models"]] == ["llama"]


def test_an_id_that_cannot_name_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot be a model's id"):
        model_host.publish(tmp_path / "host", converted(tmp_path / "tiny", 1000), "../escape")
