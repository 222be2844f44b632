"""llama.cpp's OpenAI-compatible server for the tests of the creator's-own-engine path:
``llama-cpp-python[server]`` (build/llama-server.txt), compiled from source once into its
own virtual environment under the set-up cache, keyed by that file.

    python build/llama_server.py      # build it if needed; prints its Python

Public: ``server_python``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import setup  # noqa: E402  (build/setup.py: the cache and its messages)

REQUIREMENTS = Path(__file__).resolve().parent / "llama-server.txt"


def server_python() -> Path:
    """The Python of a virtual environment with llama_cpp.server, built (minutes) if missing."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    venv = setup.cache_root() / f"venv-llama-{key}"
    python = venv / "bin" / "python"
    if (venv / ".complete").is_file():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    with setup.timed("llama.cpp server (llama-cpp-python, compiled from source)"):
        setup.run([sys.executable, "-m", "venv", str(venv)], "creating the llama.cpp server environment")
        # A portable build (no -march=native): the cache may move to another machine of the same kind.
        environment = {**os.environ, "CMAKE_ARGS": "-DGGML_NATIVE=OFF", "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
        try:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(REQUIREMENTS)], check=True, env=environment)
        except subprocess.CalledProcessError:
            raise setup.SetupError("llama-cpp-python did not build: it needs a C++ compiler and cmake "
                                   "(apt-get install build-essential cmake).") from None
    (venv / ".complete").touch()
    setup.prune_cache("venv-llama", venv)
    return python


if __name__ == "__main__":
    print(server_python())
