"""The model catalogue the build writes (models/catalogue.json): which models
exist, their files, sizes, hashes and licences.

The page reads the file with ``fetch`` (assets/boot.js) and hands its JSON to
``Catalogue.from_json``. Public: ``ModelEntry``, ``Catalogue``, ``DeviceFacts``, ``memory_bytes``,
``fits_wasm``, ``wasm_dtype``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import CatalogueError


# Bytes a parameter takes once loaded: int8 and fp32 are computed in fp32, fp16 on the GPU in
# half precision; q4 and q8 keep their packed weights.
BYTES_PER_PARAMETER = {"fp32": 4.0, "int8": 4.0, "fp16": 2.0, "q8": 1.1, "q4": 0.6}
WASM_MEMORY = 4 * 1024**3  # what a WASM page (32-bit) can address at most


def memory_bytes(parameters: int, dtype: str) -> int:
    """About how much memory a model of ``parameters`` takes loaded in ``dtype``."""
    return int(parameters * BYTES_PER_PARAMETER.get(dtype, 4.0) * 1.15)


def fits_wasm(parameters: int, dtype: str) -> bool:
    """Whether it can load on WASM in ``dtype`` (with room for the KV cache and the runtime)."""
    return memory_bytes(parameters, dtype) < 0.8 * WASM_MEMORY


def wasm_dtype(parameters: int) -> str:
    """The precision a model runs in on WASM: int8 (best kept, computed in fp32) where it fits, else q4."""
    return "int8" if fits_wasm(parameters, "int8") else "q4"


@dataclass(frozen=True)
class DeviceFacts:
    """What the browser tells of this device: its memory in GB (``navigator.deviceMemory``:
    Chromium reports 0.25 to 8, 8 meaning "8 or more"; None where unknown), a hardware graphics
    adapter ("" where there is none) and whether that adapter computes in fp16."""

    memory_gb: float | None = None
    gpu: str = ""
    shader_f16: bool = False

    REPORTED_AT_MOST = 8  # GB: deviceMemory says no more, so a bigger memory is not known

    def too_little_memory(self, needed: int) -> bool:
        """Whether a model needing ``needed`` bytes would crowd out the rest of this device's memory."""
        known = bool(self.memory_gb) and self.memory_gb < self.REPORTED_AT_MOST
        return known and needed > 0.6 * self.memory_gb * 1024**3


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
    # The SHA-256 of each precision's weights: its ONNX file followed by the data files beside it
    # (the set-up writes it; for a weights file alone it is that file's hash).
    weights_hashes: dict[str, str] = field(default_factory=dict)

    def weight_files(self, dtype: str) -> list[str]:
        """The ONNX file of ``dtype`` and the data files beside it (``…onnx_data``, ``…onnx_data_1``, …)."""
        graph = self.weights.get(dtype)
        if graph is None:
            return []
        return [graph] + sorted((path for path in self.files if path.startswith(graph + "_data")),
                                key=lambda path: (len(path), path))

    def weights_sha256(self, dtype: str) -> str:
        """The SHA-256 (hex) of the weights loaded for ``dtype``."""
        files = self.weight_files(dtype)
        try:
            return self.weights_hashes[dtype] if len(files) > 1 else self.files[files[0]]["sha256"]
        except (KeyError, IndexError):
            raise CatalogueError(f'The model "{self.id}" lists no {dtype} weights with a hash: '
                                 "run the set-up again.") from None

    @property
    def offered(self) -> bool:
        """Shown in the model picker: the built-in model, the creator's own and the model host's
        (not test models)."""
        return self.purpose in ("default", "added", "hosted")

    def memory_bytes(self, dtype: str) -> int:
        """About how much memory the loaded model takes in ``dtype`` (0 when its size is unknown)."""
        return memory_bytes(self.parameters, dtype)

    def fits_wasm(self, dtype: str) -> bool:
        """Whether it can load on WASM in ``dtype`` (with room for the KV cache and the runtime)."""
        return fits_wasm(self.parameters, dtype)

    def fit(self, facts: DeviceFacts) -> tuple[bool, str]:
        """Whether the model suits this device, and a few words saying where it runs: on the
        processor where it fits WASM, else on a hardware graphics card (in fp16 where the card
        computes in it)."""
        on_gpu = not self.fits_wasm(self.dtype)
        if on_gpu and not facts.gpu:
            return False, "too big for this device: it needs a graphics card with WebGPU"
        dtype = "fp16" if on_gpu and facts.shader_f16 and "fp16" in self.weights else self.dtype
        if facts.too_little_memory(self.memory_bytes(dtype)):
            return False, f"too big for this device's {facts.memory_gb:g} GB of memory"
        return True, "suits this device, on its graphics card" if on_gpu else "suits this device"

    def size_bytes(self, dtype: str) -> int:
        """Bytes fetched to load it in ``dtype``: its weights and every non-weight file."""
        others = {path for other in self.weights if other != dtype for path in self.weight_files(other)}
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
                           files=m["files"], parameters=int(m.get("parameters", 0)),
                           weights_hashes=m.get("weights_sha256", {}))
                for m in data["models"]
            )
            return cls(default=data["default"], models=models)
        except (KeyError, TypeError) as err:
            raise CatalogueError(f"The model catalogue is malformed ({err!r}): run the set-up again.") from None

