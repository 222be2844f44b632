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


def test_weights_split_into_data_files_count_whole_and_are_named_by_their_joint_hash():
    split = dict(CATALOGUE["models"][0], weights={"fp16": "onnx/model_fp16.onnx", "q4": "onnx/model_q4.onnx"},
                 files={"config.json": {"size": 10, "sha256": "a"},
                        "onnx/model_fp16.onnx": {"size": 5, "sha256": "g"},
                        "onnx/model_fp16.onnx_data": {"size": 2000, "sha256": "d0"},
                        "onnx/model_fp16.onnx_data_1": {"size": 1000, "sha256": "d1"},
                        "onnx/model_q4.onnx": {"size": 700, "sha256": "q"}},
                 weights_sha256={"fp16": "joint"})
    entry = Catalogue.from_json({"default": "m", "models": [split]}).get("m")
    assert entry.weight_files("fp16") == ["onnx/model_fp16.onnx", "onnx/model_fp16.onnx_data",
                                          "onnx/model_fp16.onnx_data_1"]
    assert entry.size_bytes("fp16") == 3015 and entry.size_bytes("q4") == 710
    assert entry.weights_sha256("fp16") == "joint" and entry.weights_sha256("q4") == "q"
    without = dict(split, weights_sha256={})
    with pytest.raises(CatalogueError, match="no fp16 weights with a hash"):
        Catalogue.from_json({"default": "m", "models": [without]}).get("m").weights_sha256("fp16")
