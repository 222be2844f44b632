"""The model catalogue the build writes (models/catalogue.json): which models
exist, their files, sizes, hashes and licences.

The page reads the file with ``fetch`` (assets/boot.js) and hands its JSON to
``Catalogue.from_json``. Public: ``ModelEntry``, ``Catalogue``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import CatalogueError


@dataclass(frozen=True)
class ModelEntry:
    """One model the studio can load."""

    id: str
    name: str
    dtype: str
    licence: str
    source: str
    purpose: str
    weights: dict[str, str]
    files: dict[str, dict]
    parameters: int = 0

    # Bytes a parameter takes once loaded: int8 and fp32 are computed in fp32, fp16 on the GPU
    # in half precision; q4 and q8 keep their packed weights.
    BYTES_PER_PARAMETER = {"fp32": 4.0, "int8": 4.0, "fp16": 2.0, "q8": 1.1, "q4": 0.6}
    WASM_MEMORY = 4 * 1024**3  # what a WASM page (32-bit) can address at most

    def weights_sha256(self, dtype: str) -> str:
        """The SHA-256 (hex) of the weights file loaded for ``dtype``."""
        try:
            return self.files[self.weights[dtype]]["sha256"]
        except KeyError:
            raise CatalogueError(f'The model "{self.id}" lists no {dtype} weights file with a hash: '
                                 "run the set-up again.") from None

    @property
    def offered(self) -> bool:
        """Shown in the model picker: the built-in model and the creator's own (not test models)."""
        return self.purpose in ("default", "added")

    def memory_bytes(self, dtype: str) -> int:
        """About how much memory the loaded model takes in ``dtype`` (0 when its size is unknown)."""
        return int(self.parameters * self.BYTES_PER_PARAMETER.get(dtype, 4.0) * 1.15)

    def fits_wasm(self, dtype: str) -> bool:
        """Whether it can load on WASM in ``dtype`` (with room for the KV cache and the runtime)."""
        return self.memory_bytes(dtype) < 0.8 * self.WASM_MEMORY

    def size_bytes(self, dtype: str) -> int:
        """Bytes fetched to load it in ``dtype``: its weights and every non-weight file."""
        others = set(self.weights.values()) - {self.weights.get(dtype)}
        return sum(info["size"] for path, info in self.files.items() if path not in others)


@dataclass(frozen=True)
class Catalogue:
    """All models, and the default one."""

    default: str
    models: tuple[ModelEntry, ...]

    def get(self, model_id: str) -> ModelEntry:
        for entry in self.models:
            if entry.id == model_id:
                return entry
        raise CatalogueError(f'The model "{model_id}" is not in the catalogue.')

    @classmethod
    def from_json(cls, data: dict) -> Catalogue:
        try:
            models = tuple(
                ModelEntry(id=m["id"], name=m["name"], dtype=m["dtype"], licence=m["licence"],
                           source=m["source"], purpose=m.get("purpose", ""), weights=m["weights"],
                           files=m["files"], parameters=int(m.get("parameters", 0)))
                for m in data["models"]
            )
            return cls(default=data["default"], models=models)
        except (KeyError, TypeError) as err:
            raise CatalogueError(f"The model catalogue is malformed ({err!r}): run the set-up again.") from None

