#!/usr/bin/env python3
"""Publish converted models on a model host: a folder any static web server serves (with CORS
for the studio's origin), holding each model's folder and a catalogue.json the studio reads when
the deployment's model-host.json names the folder's URL. Files are listed with their sizes and
sha256, which the studio checks as it saves them for offline use.

Usage:
    python build/model_host.py HOST_FOLDER MODEL_FOLDER [--id ID] [--name NAME] [--licence LICENCE]

MODEL_FOLDER is a folder build/model.py wrote (models/<id>/, or a cached added model). Publishing
again under the same id replaces the entry. Public: ``publish(host, model, model_id, name, licence)``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import setup

sys.path.insert(0, str(setup.ROOT))
from app.core.catalogue import wasm_dtype  # noqa: E402

CATALOGUE = "catalogue.json"
PRECISIONS = ("int8", "q4", "fp32", "q8", "fp16")  # the first the folder has, where its best fit is missing


def publish(host: Path, model: Path, model_id: str | None = None, name: str | None = None,
            licence: str | None = None) -> dict:
    """Copy ``model`` into ``host`` and list it in the host's catalogue; returns its entry."""
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    model_id = model_id or model.name
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", model_id):
        raise ValueError(f"{model_id!r} cannot be a model's id: use lower-case letters, digits, dots and hyphens.")
    setup.link_tree(model, host / model_id)
    files = setup.file_index(host / model_id)
    weights = setup.weights_of(host / model_id, files)
    parameters = config.get("parameters", 0)
    dtype = next(d for d in (wasm_dtype(parameters), *PRECISIONS) if d in weights["weights"])
    entry = {"id": model_id, "name": name or config.get("source_name") or model_id, "purpose": "hosted",
             "dtype": dtype, "licence": licence or config.get("source_licence") or "unknown: see the model's own licence",
             "source": f"{config.get('source_name') or model_id} ({config.get('source_architecture', 'llama')})",
             "parameters": parameters, **weights, "files": files}
    path = host / CATALOGUE
    listed = json.loads(path.read_text(encoding="utf-8"))["models"] if path.is_file() else []
    path.write_text(json.dumps({"models": [*(e for e in listed if e["id"] != model_id), entry]}, indent=1),
                    encoding="utf-8")
    return entry


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("host", type=Path, help="the host's folder (created if missing)")
    parser.add_argument("model", type=Path, help="a converted model's folder")
    parser.add_argument("--id", help="its id on the host (default: the folder's name)")
    parser.add_argument("--name", help="its name in the studio (default: the one in its config.json)")
    parser.add_argument("--licence", help="its licence (default: the one in its config.json)")
    args = parser.parse_args(argv)
    if not (args.model / "config.json").is_file():
        parser.error(f"{args.model} is not a converted model's folder (no config.json)")
    args.host.mkdir(parents=True, exist_ok=True)
    try:
        entry = publish(args.host, args.model, args.id, args.name, args.licence)
    except ValueError as error:
        parser.error(str(error))
    size = sum(info["size"] for info in entry["files"].values())
    print(f"published {entry['name']} as {entry['id']} in {args.host} ({size / 1e6:.0f} MB, {entry['dtype']} by default)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
