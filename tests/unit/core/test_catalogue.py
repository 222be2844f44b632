"""Reading the model catalogue the build writes."""
import pytest

from app.core.catalogue import Catalogue
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


def test_reads_a_catalogue():
    catalogue = Catalogue.from_json(CATALOGUE)
    entry = catalogue.get(catalogue.default)
    assert entry.name == "Model" and entry.size_bytes("q8") == 310 and entry.size_bytes("fp32") == 1010


@pytest.mark.parametrize("data", [{"models": [{}]}, {"default": "m"}, {"default": "m", "models": [{"id": "m"}]},
                                  {"default": "m", "models": None}])
def test_malformed_catalogue_is_refused(data):
    with pytest.raises(CatalogueError, match="malformed.*set-up"):
        Catalogue.from_json(data)


def test_unknown_model_is_named():
    with pytest.raises(CatalogueError, match='"other"'):
        Catalogue.from_json(CATALOGUE).get("other")


def test_the_loaded_weights_are_named_by_their_hash():
    entry = Catalogue.from_json(CATALOGUE).get("m")
    assert entry.weights_sha256("q8") == "c" and entry.weights_sha256("fp32") == "b"
    with pytest.raises(CatalogueError, match="no q4 weights"):
        entry.weights_sha256("q4")
