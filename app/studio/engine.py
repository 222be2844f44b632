"""Engine settings: write with the creator's own OpenAI-compatible server (llama.cpp,
Ollama, LM Studio, vLLM) instead of the built-in model, or go back to it, on the device
the creator picks (the graphics card through WebGPU, or the processor). The address and
model are remembered with the studio's settings, the key in this browser only; nothing is
sent anywhere until the creator lists models, tests or uses an engine.

Public: ``EngineSection``.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from ..core.catalogue import Catalogue, DeviceFacts
from ..core.engines import DEFAULT_ENGINE_URL, EngineSettings
from ..core.errors import StudioError
from ..core.model import Message, Sampling
from . import ids, views
from .context import Context
from .model import where_it_runs

E = ids.Engine
SETTING = "engine"  # {url, model, key, active}: kept in this browser's studio settings
DEVICE_WORDS = {"auto": "on the best device here", "webgpu": "on the graphics card", "wasm": "on the processor"}
TEST_PROMPT = [Message("user", "Say hello to a writer in one short sentence.")]


class EngineSection:
    def __init__(self, context: Context, run_builtin_on: Callable[[str, str], Awaitable[dict]],
                 read_catalogue: Callable[[], Catalogue]) -> None:
        self.context = context
        self.run_builtin_on = run_builtin_on
        self.read_catalogue = read_catalogue
        self.store = context.page.projects()
        self.doing: asyncio.Task | None = None
        self.facts = DeviceFacts()
        page = context.page
        page.on_click(E.OPEN, self.open)
        page.on_click(E.LIST, lambda: self.run(self.list_models()))
        page.on_click(E.TEST, lambda: self.run(self.test()))
        page.on_submit(E.FORM, lambda: self.run(self.use()))
        page.on_click(E.BUILTIN, lambda: self.run(self.use_builtin()))
        page.on_click(E.CLOSE, lambda: page.close_dialog(E.DIALOG))

    async def start(self) -> None:
        """Fill the form from the saved settings; reconnect the engine in use last time."""
        saved = await self.store.setting(SETTING) or {}
        page = self.context.page
        info = await self.builtin_info()
        page.set_value(E.DEVICE, info.get("choice", "auto"))
        self.facts = DeviceFacts(**info.get("facts", {}))
        self.show_models()
        page.set_value(E.URL, saved.get("url") or DEFAULT_ENGINE_URL)
        page.set_value(E.KEY, saved.get("key") or "")
        if model := saved.get("model"):
            page.set_html(E.MODEL, views.engine_options([model], model))
            page.set_value(E.MODEL, model)
        if saved.get("active") and model:
            await self.run(self.use())

    async def builtin_info(self) -> dict:
        """What the page's model worker has loaded ({} while it failed)."""
        try:
            return await self.context.model.builtin.ready()
        except StudioError:
            return {}

    def show_models(self) -> None:
        """The catalogue's models in the picker, the one loaded (or the default) selected."""
        catalogue = self.read_catalogue()
        identity = self.context.builtin_model[0]  # (name, id, weights hash) once loaded
        chosen = identity[1] if identity else catalogue.default
        offered = [entry for entry in catalogue.models if entry.offered or entry.id == chosen]
        self.context.page.set_html(E.BUILTIN_MODEL, views.model_picker_options(offered, chosen, self.facts))
        self.context.page.set_value(E.BUILTIN_MODEL, chosen)

    def open(self) -> None:
        self.show_models()
        self.context.page.show_dialog(E.DIALOG)
        self.context.page.focus(E.URL)

    def run(self, step) -> asyncio.Task:
        """One step at a time, said in the dialog; an engine is not changed while the model works."""
        if self.context.work.busy or (self.doing and not self.doing.done()):
            step.close()
            self.say("Wait until the current work has finished, or press Stop.", "error")
            return self.doing
        self.doing = asyncio.ensure_future(self.guarded(step))
        return self.doing

    async def guarded(self, step) -> None:
        try:
            await step
        except StudioError as error:
            self.say(str(error), "error")

    def say(self, text: str, kind: str = "info") -> None:
        self.context.page.set_text(E.STATUS, text)
        self.context.page.set_data(E.STATUS, "kind", kind)

    def settings(self) -> EngineSettings:
        page = self.context.page
        return EngineSettings.checked(page.value(E.URL), page.value(E.MODEL), page.value(E.KEY))

    async def list_models(self) -> None:
        settings = self.settings()
        self.say(f"Asking {settings.origin} for its models…")
        engine = await self.context.page.engine(settings)
        models = await engine.models()
        chosen = settings.model if settings.model in models else models[0]
        self.context.page.set_html(E.MODEL, views.engine_options(models, chosen))
        self.context.page.set_value(E.MODEL, chosen)
        self.say(f"{settings.origin} has {len(models)} model{'s' * (len(models) != 1)}. Choose one, then Test or Use.")

    async def test(self) -> None:
        """A short reply from the chosen model: that it answers, and how fast."""
        settings = self.settings()
        if not settings.model:
            await self.list_models()
            settings = self.settings()
        self.say(f"Testing {settings.model} on {settings.origin}…")
        engine = await self.context.page.engine(settings)
        started = time.monotonic()
        generation = engine.generate(TEST_PROMPT, Sampling.greedy(32))
        reply = "".join([chunk async for chunk in generation]).strip()
        seconds = time.monotonic() - started
        stats = generation.stats
        speed = f", {stats.tokens / (stats.decode_ms / 1000):.0f} tokens/s" if stats and stats.decode_ms > 0 else ""
        self.say(f'{settings.model} answered in {seconds:.1f} s{speed}: "{reply[:120]}"')

    async def use(self) -> None:
        """Write with the chosen model on the creator's server from now on."""
        settings = self.settings()
        if not settings.model:
            raise StudioError("Choose a model first: press List models.")
        context = self.context
        context.model.use(await context.page.engine(settings))
        context.work.model_ready = True
        context.state.model = settings.identity()
        context.page.set_text(ids.MODEL_INFO, f"Engine: {settings.model} on {settings.origin}, your own server. "
                                              "Briefs and drafts go to it, and nowhere else.")
        context.page.set_data(ids.STUDIO, "engine", "endpoint")
        await self.store.set_setting(SETTING, {**settings.public(), "key": settings.key, "active": True})
        self.say(f"Writing with {settings.model} on {settings.origin}.")
        context.status.show(f"Writing with {settings.model} on {settings.origin}.")
        context.page.close_dialog(E.DIALOG)

    async def use_builtin(self) -> None:
        """Write with the built-in model again, on the device chosen in the dialog."""
        context = self.context
        choice, model_id = context.page.value(E.DEVICE), context.page.value(E.BUILTIN_MODEL)
        entry = self.read_catalogue().get(model_id)
        suits, words = entry.fit(self.facts)
        if not suits:
            raise StudioError(f"{entry.name} is {words}. Pick a smaller model.")
        if choice == "wasm" and not entry.fits_wasm(entry.dtype):
            raise StudioError(f"{entry.name} is too big for the processor (WASM): choose the graphics card "
                              "under “It runs on”, or a smaller model.")
        context.model.use(context.model.builtin)
        before = await self.builtin_info()
        if (choice, model_id) != (before.get("choice"), before.get("id")):
            self.say(f"Loading the model {DEVICE_WORDS.get(choice, '')}…")
        info = await self.run_builtin_on(choice, model_id)
        context.state.model, described = context.builtin_model
        context.page.set_text(ids.MODEL_INFO, described)
        context.page.set_data(ids.STUDIO, "engine", "built-in")
        saved = await self.store.setting(SETTING) or {}
        await self.store.set_setting(SETTING, {**saved, "active": False})
        note = f" {info['note']}" if info.get("note") else ""
        self.say(f"Writing with the built-in {info['name']}, {where_it_runs(info)}; nothing leaves this device.{note}",
                 "warning" if note else "info")
        context.status.show(f"Writing with the built-in {info['name']} again, {where_it_runs(info)}.{note}",
                            "warning" if note else "info")
