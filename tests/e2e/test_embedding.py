"""The sentence-embedding model in the page: transformers.js feature extraction on the built
all-MiniLM-L6-v2 gives the token ids, embeddings and similarities that onnxruntime in
CPython gives (eval/embedding.py), and it ranks a paraphrase above an unrelated sentence."""
import importlib.util
import json
import statistics
import subprocess

import pytest

from .conftest import ROOT, TINY_MODEL

EMBEDDER = "all-minilm-l6-v2"
SENTENCES = [
    "A man is playing a guitar.",
    "A man plays the guitar on stage.",
    "The quarterly tax report is due on Friday.",
    "A newsletter about urban beekeeping: rooftop hives and local honey.",
    "Ideas for a blog on keeping bees in the city.",
    "Café owners in Zürich serve naïve-looking pastries — 2 for €5!",
]
PARAPHRASES = [(0, 1), (3, 4)]
UNRELATED = [(0, 2), (2, 4), (1, 5)]
TIMED_RUNS = 3

# Loads the embedder on the page's main thread the way a worker would: local files only, ONNX
# Runtime's WASM from vendor/, the int8 weights restored once at load (disable_quant_qdq).
EMBED_IN_PAGE = """async ({modelId, dtype, texts, timedRuns}) => {
  const { pipeline, env } = await import("/vendor/transformers/transformers.min.js");
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = "/models/";
  env.useBrowserCache = false;
  env.useWasmCache = false;
  env.backends.onnx.wasm.wasmPaths = {
    mjs: new URL("/vendor/ort/ort-wasm-simd-threaded.mjs", location.href).href,
    wasm: new URL("/vendor/ort/ort-wasm-simd-threaded.wasm", location.href).href,
  };
  const started = performance.now();
  const extractor = await pipeline("feature-extraction", modelId, {
    dtype, device: "wasm", session_options: { extra: { session: { disable_quant_qdq: "1" } } },
  });
  const loadMs = performance.now() - started;
  const options = { pooling: "mean", normalize: true };
  const inputIds = texts.map((text) => Array.from(extractor.tokenizer(text).input_ids.data, Number));
  const embeddings = (await extractor(texts, options)).tolist();
  const perSentenceMs = [];
  for (let run = 0; run < timedRuns; run += 1) {
    for (const text of texts) {
      const t0 = performance.now();
      await extractor(text, options);
      perSentenceMs.push(performance.now() - t0);
    }
  }
  await extractor.dispose();
  return { inputIds, embeddings, loadMs, perSentenceMs };
}"""


def native_embeddings(dtype: str) -> dict:
    """eval/embedding.py's ids, embeddings and similarities, run in the model build's environment."""
    spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)
    command = [str(setup.model_python()), str(ROOT / "eval" / "embedding.py"), "--dtype", dtype, *SENTENCES]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


@pytest.mark.parametrize("dtype", ["int8", "fp32"])
def test_page_embeddings_match_native_onnxruntime(open_studio, dtype):
    catalogue = json.loads((ROOT / "models" / "catalogue.json").read_text())
    assert catalogue["embedder"]["id"] == EMBEDDER and dtype in catalogue["embedder"]["weights"]
    studio = open_studio(f"?model={TINY_MODEL}&dtype=fp32")
    studio.wait_for_python()
    studio.wait_for_model()  # start-up work done: the timings below have the CPU to themselves
    page = studio.page.evaluate(EMBED_IN_PAGE, {"modelId": EMBEDDER, "dtype": dtype, "texts": SENTENCES,
                                                "timedRuns": TIMED_RUNS})
    native = native_embeddings(dtype)

    assert page["inputIds"] == native["input_ids"]
    assert len(page["embeddings"]) == len(SENTENCES) and all(len(e) == 384 for e in page["embeddings"])
    assert all(abs(cosine(e, e) - 1) < 1e-5 for e in page["embeddings"])
    largest = max(abs(x - y) for pe, ne in zip(page["embeddings"], native["embeddings"]) for x, y in zip(pe, ne))
    assert largest < 1e-4
    for i, j in PARAPHRASES + UNRELATED:
        assert abs(cosine(page["embeddings"][i], page["embeddings"][j]) - native["similarities"][i][j]) < 1e-3
    assert min(native["similarities"][i][j] for i, j in PARAPHRASES) > 0.6
    assert max(native["similarities"][i][j] for i, j in UNRELATED) < 0.2
    median_ms = statistics.median(page["perSentenceMs"])
    print(f"\n{dtype}: load {page['loadMs']:.0f} ms; per sentence median {median_ms:.1f} ms "
          f"over {len(page['perSentenceMs'])} calls; max |embedding diff| vs onnxruntime {largest:.2e}")
