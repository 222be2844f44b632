"""The creator's own models: GGUF files of the Llama, Qwen2 or Qwen3 family (Ollama and LM
Studio keep theirs as such files) converted into the studio's catalogue beside the built-in
model, with the same checks (build/model.py): `python serve.py --add-model PATH.gguf`.

Each file is converted once into the cache, keyed by its sha256 and the converter's source,
and placed in models/ by every set-up; `added-models.json` beside serve.py (not committed)
lists them, or the file MUSESPARK_ADDED_MODELS names. Public: REGISTRY, ADDED_DTYPES, add(path, name, licence), place(models).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import setup

sys.path.insert(0, str(setup.ROOT))
from app.core.catalogue import wasm_dtype  # noqa: E402

# MUSESPARK_ADDED_MODELS names another list (the tests add a model of their own).
REGISTRY = Path(os.environ.get("MUSESPARK_ADDED_MODELS", setup.ROOT / "added-models.json"))
# int8 runs on WASM (computed in fp32, so about 4 bytes a parameter in memory) where it fits,
# q4 (4-bit weights kept in memory) where it does not; fp16 on a GPU with shader-f16.
ADDED_DTYPES = ("int8", "fp16", "q4")


def registered() -> list[dict]:
    """The added models: [{id, name, licence, gguf, sha256}]."""
    if not REGISTRY.is_file():
        return []
    return json.loads(REGISTRY.read_text(encoding="utf-8"))


def converted(entry: dict) -> Path:
    """The cached conversion of an added model's GGUF file, built when missing."""
    split = entry.get("split_over_mb")
    key = setup.digest(entry["sha256"].encode(), setup.ROOT / "build" / "model.py",
                       setup.ROOT / "build" / "sentencepiece_vocab.py", ",".join(ADDED_DTYPES).encode(),
                       str(split).encode())
    folder = setup.cache_root() / f"added-{entry['id']}-{key}"
    if not (folder / "config.json").is_file():
        gguf = Path(entry["gguf"])
        if not gguf.is_file() or setup.sha256_file(gguf) != entry["sha256"]:
            raise setup.SetupError(f"{gguf} is missing or has changed since it was added: add it again "
                                   f"(python serve.py --add-model FILE) or remove {entry['id']} from {REGISTRY.name}.")
        staging = folder.with_name(folder.name + ".partial")
        python = setup.model_python()
        with setup.timed(f"converting {gguf.name} (convert, quantize, verify)"):
            try:
                setup.run([str(python), str(setup.ROOT / "build" / "model.py"), "--gguf", str(gguf),
                           "--out", str(staging), "--dtypes", ",".join(ADDED_DTYPES),
                           *(["--external-data-over", str(split)] if split is not None else [])],
                          f"converting {gguf.name}")
            except setup.SetupError:
                raise setup.SetupError(f"{gguf.name} could not be converted; the line above says why.") from None
        staging.rename(folder)
    return folder


def model_id(name: str) -> str:
    """A catalogue id from a model's name: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-.") or "model"


def add(gguf: Path, name: str | None = None, licence: str | None = None, split_over_mb: float | None = None) -> dict:
    """Convert ``gguf`` (checked as the default model is) and list it; returns its entry.
    ``split_over_mb``: weights beyond it go to data files beside each graph (default 1536)."""
    gguf = gguf.expanduser().resolve()
    if not gguf.is_file():
        raise setup.SetupError(f"{gguf} is not a file.")
    entry = {"id": model_id(name or gguf.stem), "name": name or gguf.stem, "licence": licence,
             "gguf": str(gguf), "sha256": setup.sha256_file(gguf),
             **({"split_over_mb": split_over_mb} if split_over_mb is not None else {})}
    config = json.loads((converted(entry) / "config.json").read_text())
    entry["name"] = name or config.get("source_name") or gguf.stem
    entry["licence"] = licence or config.get("source_licence") or "unknown: see the model's own licence"
    others = [e for e in registered() if e["id"] != entry["id"]]
    REGISTRY.write_text(json.dumps([*others, entry], indent=1), encoding="utf-8")
    return entry


def place(models: Path) -> list[dict]:
    """Put every added model in ``models`` and return its catalogue entries."""
    entries = []
    for entry in registered():
        folder = converted(entry)
        setup.link_tree(folder, models / entry["id"])
        files = setup.file_index(models / entry["id"])
        config = json.loads((folder / "config.json").read_text())
        entries.append({
            "id": entry["id"], "name": entry["name"], "purpose": "added", "dtype": wasm_dtype(config["parameters"]),
            "licence": entry["licence"], "source": f"your GGUF file {Path(entry['gguf']).name} "
                                                  f"(sha256 {entry['sha256'][:12]}…, {config['source_architecture']})",
            "parameters": config["parameters"],
            **setup.weights_of(models / entry["id"], files),
            "files": files,
        })
    return entries
