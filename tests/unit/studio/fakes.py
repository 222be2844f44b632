"""A small fake of the page (``app.bridge.Page``) for the studio's sections under CPython:
elements by id (only ids that index.html has, or that markup the studio wrote holds),
events fired by calling them, and a fake project store and model."""
import asyncio
import re
from collections import namedtuple
from pathlib import Path

from app.core.catalogue import Catalogue
from app.core.errors import StudioError

from ..core.doubles import ScriptedModel

INDEX = (Path(__file__).resolve().parents[3] / "index.html").read_text()
PAGE_IDS = set(re.findall(r'\bid="([^"]+)"', INDEX))
BRIEF_FIELDS = ("brief", "brief-audience", "brief-format", "brief-tone", "brief-keywords", "brief-avoid", "idea-count")


class FakePage:
    def __init__(self) -> None:
        self.values: dict[str, str] = {"idea-count": "5", "refine-op": "shorter", "refine-tone": ""}
        self.texts: dict[str, str] = {}
        self.html: dict[str, str] = {}
        self.enabled: dict[str, bool] = {}
        self.hidden: dict[str, bool] = {}
        self.data: dict[tuple[str, str], str] = {}
        self.attributes: dict[tuple[str, str], str] = {}
        self.selections: dict[str, tuple[int, int]] = {}
        self.handlers: dict[tuple[str, str], list] = {}
        self.focused: str | None = None
        self.exposed: dict[str, object] = {}
        self.downloads: list[tuple[str, object, str]] = []
        self.chosen: dict[str, list] = {}
        self.store = FakeStore()
        self.leave_handlers: list = []
        self.tasks: list[asyncio.Future] = []
        self.signers: dict[str, object] = {}
        self.certificates: dict[str, bytes] = {}
        self.server = FakeServer()  # the creator's own engine, as every address answers
        self.connected: list = []  # the EngineSettings of each connection made

    # --- what the studio calls ---

    def _known(self, element_id: str) -> str:
        written = "".join(self.html.values())
        if element_id not in PAGE_IDS and f'id="{element_id}"' not in written:
            raise LookupError(f"no element #{element_id} in the page")
        return element_id

    def _bind(self, element_id: str, kind: str, handler) -> None:
        self.handlers.setdefault((self._known(element_id), kind), []).append(handler)

    def on_click(self, element_id, handler): self._bind(element_id, "click", handler)
    def on_change(self, element_id, handler): self._bind(element_id, "change", handler)
    def on_input(self, element_id, handler): self._bind(element_id, "input", handler)
    def on_submit(self, element_id, handler): self._bind(element_id, "submit", handler)
    def on_keys(self, element_id, chords): self._bind(element_id, "keys", chords)
    def on_action(self, element_id, handler): self._bind(element_id, "action", handler)
    def on_drop(self, element_id, handler): self._bind(element_id, "drop", handler)
    def on_leave(self, handler): self.leave_handlers.append(handler)

    def value(self, element_id): return self.values.get(self._known(element_id), "")
    def set_value(self, element_id, text): self.values[self._known(element_id)] = text
    def selection(self, element_id):
        text = self.value(element_id)
        return self.selections.get(element_id, (len(text), len(text)))
    def select(self, element_id, start, end): self.selections[self._known(element_id)] = (start, end)
    def set_text(self, element_id, text): self.texts[self._known(element_id)] = text
    def set_html(self, element_id, markup): self.html[self._known(element_id)] = markup
    def splice_html(self, element_id, start, remove, parts):
        self.html[self._known(element_id)] = "".join(parts)
    def sanitize(self, markup): return markup
    def set_enabled(self, element_id, enabled): self.enabled[self._known(element_id)] = enabled
    def set_hidden(self, element_id, hidden): self.hidden[self._known(element_id)] = hidden
    def set_attribute(self, element_id, name, value): self.attributes[self._known(element_id), name] = value
    def set_data(self, element_id, key, value): self.data[self._known(element_id), key] = value
    def focus(self, element_id): self.focused = self._known(element_id)
    def download(self, name, content, mime): self.downloads.append((name, content, mime))
    def download_files(self, list_id, files): self.downloads += files
    def chosen_files(self, element_id): return self.chosen.get(self._known(element_id), [])
    def expose(self, name, function): self.exposed[name] = function
    def stage(self, name, state, detail): self.texts[f"stage-{name}"] = detail
    def seconds_since_start(self): return 0.5
    def projects(self): return self.store
    def show_dialog(self, element_id): self.hidden[self._known(element_id)] = False
    def close_dialog(self, element_id): self.hidden[self._known(element_id)] = True
    async def copy(self, text): self.texts["clipboard"] = text
    async def engine(self, settings):
        self.connected.append(settings)
        return self.server

    async def load_certificate(self, name): return self.certificates.get(name)
    async def save_certificate(self, name, der): self.certificates[name] = der

    async def signer(self, name):
        from app.core.native_signer import NativeSigner
        return self.signers.setdefault(name, NativeSigner.generate())

    @staticmethod
    async def read(files, limit):
        return files

    # --- what a person does ---

    def _fire(self, element_id, kind, *args, listened=True):
        handlers = self.handlers.get((element_id, kind), [])
        assert handlers or not listened, f"nothing listens to {kind} on #{element_id}"
        for handler in handlers:
            result = handler(*args)
            if asyncio.iscoroutine(result):
                self.tasks.append(asyncio.ensure_future(result))

    def click(self, element_id): self._fire(element_id, "click")
    def change(self, element_id): self._fire(element_id, "change")
    def submit(self, form_id): self._fire(form_id, "submit")
    def act(self, container_id, action, index, checked=False):
        assert f'data-action="{action}" data-index="{index}"' in self.html.get(container_id, ""), (action, index)
        self._fire(container_id, "action", action, index, checked)

    def type(self, element_id, text, pasted=False):
        """Type into a field: its input event reaches it, then its form."""
        self.values[self._known(element_id)] = text
        self.selections.pop(element_id, None)
        self._fire(element_id, "input", pasted, listened=False)
        if element_id in BRIEF_FIELDS:
            self._fire("brief-form", "input", pasted, listened=False)

    def press(self, element_id, chord):
        for chords in self.handlers.get((element_id, "keys"), []):
            if chord in chords:
                result = chords[chord]()
                if asyncio.iscoroutine(result):
                    self.tasks.append(asyncio.ensure_future(result))
                return
        raise AssertionError(f"no {chord} on #{element_id}")

    def drop(self, element_id, files): self._fire(element_id, "drop", files)


StoredProject = namedtuple("StoredProject", "id name updated size")


class FakeStore:
    """The browser's project store, in memory."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, float, str]] = {}
        self.settings: dict[str, object] = {}

    async def list(self):
        return [StoredProject(i, name, updated, len(file)) for i, (name, updated, file)
                in sorted(self.files.items(), key=lambda item: -item[1][1])]

    async def get(self, project_id): return self.files.get(project_id, (None, None, None))[2]

    def put(self, project_id, name, updated, file):
        self.files[project_id] = (name, updated, file)
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    async def remove(self, project_id): self.files.pop(project_id)
    async def setting(self, key): return self.settings.get(key)
    async def set_setting(self, key, value): self.settings[key] = value
    async def persist(self): return "persisted"


class StudioModel(ScriptedModel):
    """The scripted model as the studio sees the page's: it loads, settles, has no embedder. By
    default the browser tells of a hardware graphics card that computes in fp16, and 8 GB or more."""

    GPU = {"memory_gb": 8, "gpu": "a test adapter", "shader_f16": True}

    def __init__(self, replies=(), fail: StudioError | None = None, facts: dict = GPU) -> None:
        super().__init__(replies)
        self.fail, self.facts = fail, facts

    async def ready(self):
        if self.fail:
            raise self.fail
        return {"id": "smollm2-135m-instruct", "name": "SmolLM2-135M-Instruct", "dtype": "int8", "device": "wasm",
                "gpu": "", "note": "", "choice": "auto", "facts": self.facts}

    async def run_on(self, choice, model_id):
        """As the page does where only "webgpu" reaches the graphics card (a software adapter,
        which "auto" passes over) and it computes in fp16."""
        self.choices = [*getattr(self, "choices", []), (choice, model_id)]
        on_gpu = choice == "webgpu"
        return {**await self.ready(), "id": model_id, "device": "webgpu" if on_gpu else "wasm",
                "dtype": "fp16" if on_gpu else "int8", "gpu": "a test adapter" if on_gpu else "", "choice": choice}

    async def settled(self):
        return None

    def embedder(self):
        return None


class FakeServer(StudioModel):
    """The creator's own server: its models, and scripted replies; or, with ``fail``, an
    error for every request."""

    def __init__(self, replies=(), models=("llama-3.2-3b", "qwen2.5-7b"), fail: StudioError | None = None) -> None:
        super().__init__(replies)
        self.model_ids, self.refusal = list(models), fail

    async def models(self):
        if self.refusal:
            raise self.refusal
        return self.model_ids


CATALOGUE = {"default": "smollm2-135m-instruct", "models": [{
    "id": "smollm2-135m-instruct", "name": "SmolLM2-135M-Instruct", "dtype": "int8", "licence": "Apache-2.0",
    "source": "HuggingFaceTB", "weights": {"int8": "onnx/model_int8.onnx", "fp16": "onnx/model_fp16.onnx"},
    "files": {"onnx/model_int8.onnx": {"size": 140_000_000, "sha256": "ab" * 32},
              "onnx/model_fp16.onnx": {"size": 270_000_000, "sha256": "ef" * 32},
              "config.json": {"size": 1000, "sha256": "cd" * 32}}, "parameters": 134_515_008}, {
    "id": "my-qwen", "name": "My Qwen <3>", "dtype": "int8", "licence": "unknown: see the model's own licence",
    "source": "your GGUF file my-qwen.gguf", "purpose": "added", "parameters": 900_000_000,
    "weights": {"int8": "onnx/model_int8.onnx"},
    "files": {"onnx/model_int8.onnx": {"size": 700_000_000, "sha256": "12" * 32}}}, {
    "id": "tiny-random-smollm2", "name": "Tiny", "dtype": "fp32", "licence": "Apache-2.0", "source": "tests",
    "purpose": "test", "weights": {"fp32": "onnx/model.onnx"},
    "files": {"onnx/model.onnx": {"size": 1000, "sha256": "34" * 32}}}]}


def catalogue() -> Catalogue:
    return Catalogue.from_json(CATALOGUE)


async def until_idle(context) -> None:
    """Let the studio's tasks run until no work is busy."""
    for _ in range(10_000):
        await asyncio.sleep(0)
        if not context.work.busy:
            return
    raise AssertionError("the studio stayed busy")
