"""Engine settings on a fake page: the creator's own server writes instead of the built-in
model, its key stays out of every project file, and going back restores the built-in one."""
import asyncio
import json

from app.core.engines import EngineSettings
from app.core.errors import EngineError
from app.studio import ids

from ..core.doubles import run_async
from .fakes import FakePage, FakeServer, StudioModel, until_idle
from .helpers import idea, open_studio

E = ids.Engine


async def settle(page: FakePage) -> None:
    for _ in range(200):
        await asyncio.sleep(0)


async def connect(page: FakePage, url="http://127.0.0.1:8080", key="sk-local-secret") -> None:
    page.set_value(E.URL, url)
    page.set_value(E.KEY, key)
    page.click(E.LIST)
    await settle(page)


def test_the_creators_server_writes_the_ideas_and_is_named_as_their_author():
    async def scenario():
        page = FakePage()
        page.server = FakeServer(["Sure! Here are two ideas about bees."]  # asked for the set at once
                                 + idea("Rooftop hives", "Urban bees need a beginner's first roof.")
                                 + idea("Bee school", "A beginner's urban class with one hive."))
        page, model, context = await open_studio(page=page)
        await connect(page)
        assert "llama-3.2-3b" in page.html[E.MODEL] and "2 models" in page.texts[E.STATUS]
        page.set_value(E.MODEL, "qwen2.5-7b")
        page.submit(E.FORM)
        await settle(page)
        assert context.model.engine is page.server and page.hidden[E.DIALOG]
        assert page.texts[ids.MODEL_INFO].startswith("Engine: qwen2.5-7b on http://127.0.0.1:8080")
        assert context.state.model == ("qwen2.5-7b on http://127.0.0.1:8080", "qwen2.5-7b", "")
        page.set_value("brief", "urban beekeeping for beginners")
        page.set_value("idea-count", "2")
        page.submit("brief-form")
        await until_idle(context)
        assert page.server.calls and not model.calls  # the built-in model wrote nothing
        assert {settings.url for settings in page.connected} == {"http://127.0.0.1:8080"}
        # Asked first for the whole set at once; its reply held no idea, so from now on one at a time.
        assert page.server.calls[0][0][0].content.startswith("Suggest 2 different ideas")
        assert [card.title for card in context.state.cards] in (["Rooftop hives", "Bee school"],
                                                                 ["Bee school", "Rooftop hives"])
        assert context.model.profile().at_once is False
    run_async(scenario())


def test_the_key_is_kept_in_this_browser_and_never_in_a_project_file():
    async def scenario():
        page, _model, context = await open_studio()
        await connect(page)
        page.submit(E.FORM)
        await settle(page)
        saved = page.store.settings["engine"]
        assert saved == {"url": "http://127.0.0.1:8080", "model": "llama-3.2-3b", "key": "sk-local-secret",
                         "active": True}
        page.set_value(ids.Editor.DRAFT, "A draft written with my own server.")
        page.click(ids.Projects.EXPORT)
        await settle(page)
        exported = [content for name, content, _ in page.downloads if name.endswith(".json")]
        assert exported and all("sk-local-secret" not in str(content) for content in exported)
        assert "sk-local-secret" not in json.dumps(EngineSettings.checked("http://x.test", "m", "sk-1").public())
    run_async(scenario())


def test_a_saved_engine_is_used_again_when_the_studio_opens():
    async def scenario():
        page = FakePage()
        page.store.settings["engine"] = {"url": "http://localhost:11434", "model": "llama3.2", "key": "",
                                         "active": True}
        page, _model, context = await open_studio(page=page)
        await settle(page)
        assert context.model.engine is page.server and page.values[E.URL] == "http://localhost:11434"
        assert context.state.model[1] == "llama3.2"
    run_async(scenario())


def test_a_bad_address_or_a_refusing_server_is_said_and_changes_nothing():
    async def scenario():
        page, model, context = await open_studio()
        await connect(page, url="localhost:8080")
        assert "is not a server address" in page.texts[E.STATUS] and page.data[E.STATUS, "kind"] == "error"
        assert not page.connected
        page.server.refusal = EngineError("http://127.0.0.1:8080 refused the API key. Check the key in Engine settings.")
        await connect(page, key="wrong")
        assert "refused the API key" in page.texts[E.STATUS]
        page.submit(E.FORM)  # no model listed yet
        await settle(page)
        assert "Choose a model first" in page.texts[E.STATUS] and context.model.engine is model
    run_async(scenario())


def test_going_back_to_the_built_in_model_restores_its_name_and_identity():
    async def scenario():
        page, model, context = await open_studio()
        builtin_info, builtin_identity = page.texts[ids.MODEL_INFO], context.state.model
        await connect(page)
        page.submit(E.FORM)
        await settle(page)
        page.click(E.BUILTIN)
        await settle(page)
        assert context.model.engine is model and context.state.model == builtin_identity
        assert page.texts[ids.MODEL_INFO] == builtin_info and page.store.settings["engine"]["active"] is False
    run_async(scenario())


def test_the_built_in_model_moves_to_the_graphics_card_and_back_and_says_which_weights_wrote():
    async def scenario():
        page, model, context = await open_studio()
        assert page.values[E.DEVICE] == "auto" and "on the processor (WASM)" in page.texts[ids.MODEL_INFO]
        on_wasm = context.state.model
        page.set_value(E.DEVICE, "webgpu")
        page.click(E.BUILTIN)
        await settle(page)
        assert model.choices == [("webgpu", "smollm2-135m-instruct")]
        assert "(fp16, 270 MB)" in page.texts[ids.MODEL_INFO]
        assert "on the graphics card (WebGPU: a test adapter)" in page.texts[ids.MODEL_INFO]
        assert context.state.model == ("SmolLM2-135M-Instruct", "smollm2-135m-instruct", "ef" * 32)
        assert "on the graphics card" in page.texts[E.STATUS]
        page.set_value(E.DEVICE, "wasm")
        page.click(E.BUILTIN)
        await settle(page)
        assert context.state.model == on_wasm and "on the processor (WASM)" in page.texts[ids.MODEL_INFO]
    run_async(scenario())


def test_the_picker_offers_the_creators_own_models_with_their_size_and_memory_and_loads_one():
    async def scenario():
        page, model, context = await open_studio()
        page.click(E.OPEN)
        options = page.html[E.BUILTIN_MODEL]
        assert "tiny" not in options  # test models are not offered
        assert ('<option value="smollm2-135m-instruct" selected>SmolLM2-135M-Instruct: 140 MB download, '
                "about 0.6 GB in memory, Apache-2.0; suits this device</option>") in options
        assert ("My Qwen &lt;3&gt;: 700 MB download, about 4.1 GB in memory, "
                "unknown: see the model&#x27;s own licence; suits this device, on its graphics card") in options
        page.set_value(E.BUILTIN_MODEL, "my-qwen")
        page.click(E.BUILTIN)
        await settle(page)
        assert model.choices == [("auto", "my-qwen")]
        assert page.texts[ids.MODEL_INFO].startswith("Model: My Qwen <3> (int8, 700 MB), unknown")
        assert context.state.model == ("My Qwen <3>", "my-qwen", "12" * 32)
    run_async(scenario())


def test_the_engine_is_not_changed_while_the_model_works():
    async def scenario():
        page, model, context = await open_studio()
        context.work.begin(type("Job", (), {"run": lambda self: asyncio.sleep(3600), "stopped": lambda self: "",
                                            "failed": lambda self, e: None, "writes_editor": False})())
        await asyncio.sleep(0)
        await connect(page)
        assert "Wait until the current work has finished" in page.texts[E.STATUS] and not page.connected
        page.click("stop")
        await until_idle(context)
    run_async(scenario())


def test_a_model_too_big_for_this_device_is_said_so_and_not_loaded():
    """Without a graphics card, a model too big for WASM is refused before anything loads; with
    little memory, one that would crowd it out; on the processor by choice, one too big for it."""
    async def scenario(facts, choice, refusal):
        page, model, context = await open_studio(model=StudioModel(facts=facts))
        page.click(E.OPEN)
        page.set_value(E.BUILTIN_MODEL, "my-qwen")
        page.set_value(E.DEVICE, choice)
        page.click(E.BUILTIN)
        await settle(page)
        assert page.texts[E.STATUS] == refusal and page.data[E.STATUS, "kind"] == "error"
        assert getattr(model, "choices", []) == [] and context.state.model[1] == "smollm2-135m-instruct"
        return page.html[E.BUILTIN_MODEL]

    options = run_async(scenario({"memory_gb": 8, "gpu": "", "shader_f16": False}, "auto",
                                 "My Qwen <3> is too big for this device: it needs a graphics card with WebGPU. "
                                 "Pick a smaller model."))
    assert "about 0.6 GB in memory, Apache-2.0; suits this device" in options
    assert "own licence; too big for this device: it needs a graphics card with WebGPU" in options
    run_async(scenario({"memory_gb": 4, "gpu": "a test adapter", "shader_f16": False}, "auto",
                       "My Qwen <3> is too big for this device's 4 GB of memory. Pick a smaller model."))
    run_async(scenario(StudioModel.GPU, "wasm", "My Qwen <3> is too big for the processor (WASM): choose the "
                                                "graphics card under “It runs on”, or a smaller model."))
