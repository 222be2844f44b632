"""Reading the model catalogue through the standard urllib API."""
import json

import pytest

from app.core.catalogue import Catalogue, read_catalogue
from app.core.errors import CatalogueError

CATALOGUE = {
    "default": "m",
    "models": [{
        "id": "m", "name": "Model", "dtype": "q8", "licence": "Apache-2.0", "source": "test",
        "purpose": "default", "weights": {"fp32": "onnx/model.onnx", "q8": "onnx/model_quantized.onnx"},
        "files": {"config.json": {"size": 10, "sha256": "a"}, "onnx/model.onnx": {"size": 1000, "sha256": "b"},
                  "onnx/model_quantized.onnx": {"size": 300, "sha256": "c"}},
    }],
}


def test_reads_a_catalogue_by_url(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(CATALOGUE))
    catalogue = read_catalogue(path.as_uri())
    entry = catalogue.get(catalogue.default)
    assert entry.name == "Model" and entry.size_bytes("q8") == 310 and entry.size_bytes("fp32") == 1010


def test_missing_catalogue_says_to_run_setup(tmp_path):
    with pytest.raises(CatalogueError, match="set-up"):
        read_catalogue((tmp_path / "missing.json").as_uri())


def test_malformed_catalogue_is_refused(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text('{"models": [{}]}')
    with pytest.raises(CatalogueError, match="malformed"):
        read_catalogue(path.as_uri())
    path.write_text("not json")
    with pytest.raises(CatalogueError):
        read_catalogue(path.as_uri())


def test_unknown_model_is_named():
    with pytest.raises(CatalogueError, match='"other"'):
        Catalogue.from_json(CATALOGUE).get("other")


def test_the_loaded_weights_are_named_by_their_hash():
    entry = Catalogue.from_json(CATALOGUE).get("m")
    assert entry.weights_sha256("q8") == "c" and entry.weights_sha256("fp32") == "b"
    with pytest.raises(CatalogueError, match="no q4 weights"):
        entry.weights_sha256("q4")
