#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them:
# Debian's chromium (and Node/npm, a C++ compiler and cmake if missing), a pinned test venv,
# the studio's runtime files and models (build/setup.py, with a test model added as a creator
# would: tests/added_model.py), llama.cpp's server for the engine
# tests (build/llama_server.py; both cached under ~/.cache/musespark),
# then pytest over tests/ (unit tests of the core, end-to-end tests in Chromium).
# Extra arguments go to pytest; naming a test file, folder or id (file.py::test) runs just that.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${MUSESPARK_CACHE:-$HOME/.cache/musespark}"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v g++ >/dev/null || missing+=(g++)  # llama.cpp's server compiles (the engine tests)
command -v cmake >/dev/null || missing+=(cmake)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[tests] installing ${missing[*]} from Debian's packages"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv="$cache/venv-test-$(sha256sum tests/requirements.txt | cut -c1-16)"
if [ ! -f "$venv/.complete" ]; then
  echo "[tests] creating the test environment in $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
  touch "$venv/.complete"
fi

# A model added as a creator adds one (tests/added_model.py), kept out of the creator's own list.
export MUSESPARK_ADDED_MODELS="$cache/test-added-models.json"
python3 tests/added_model.py
python3 build/setup.py
python3 build/llama_server.py >/dev/null  # the creator's-own-engine tests serve with it (compiled once, cached)
targets=(tests)
for arg in "$@"; do [ -e "${arg%%::*}" ] && targets=(); done  # a file, folder or test id
exec "$venv/bin/python" -m pytest "${targets[@]}" "$@"
