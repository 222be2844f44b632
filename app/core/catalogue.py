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

    def weights_sha256(self, dtype: str) -> str:
        """The SHA-256 (hex) of the weights file loaded for ``dtype``."""
        try:
            return self.files[self.weights[dtype]]["sha256"]
        except KeyError:
            raise CatalogueError(f'The model "{self.id}" lists no {dtype} weights file with a hash: '
                                 "run the set-up again.") from None

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
                           files=m["files"])
                for m in data["models"]
            )
            return cls(default=data["default"], models=models)
        except (KeyError, TypeError) as err:
            raise CatalogueError(f"The model catalogue is malformed ({err!r}): run the set-up again.") from None

