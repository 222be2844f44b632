"""Engine settings are checked addresses whose key is never written down; the switch sends
every request to the engine in use."""
import pytest

from app.core.engines import EngineSettings, EngineSwitch, Profile
from app.core.errors import EngineError
from app.core.model import Message, Sampling
from app.core.techniques import BUILT_IN_TECHNIQUES, TECHNIQUES

from .doubles import ScriptedModel, collect, run_async


@pytest.mark.parametrize("url", ["localhost:8080", "ftp://127.0.0.1", "http://", "", "javascript:alert(1)"])
def test_an_address_that_is_not_a_server_is_refused_with_an_example(url):
    with pytest.raises(EngineError, match="is not a server address: write it like http://127.0.0.1:8080"):
        EngineSettings.checked(url)


def test_settings_keep_the_origin_and_write_down_everything_but_the_key():
    settings = EngineSettings.checked(" http://127.0.0.1:8080/v1/ ", " llama3.2 ", " sk-secret ")
    assert (settings.url, settings.model, settings.key) == ("http://127.0.0.1:8080/v1", "llama3.2", "sk-secret")
    assert settings.origin == "http://127.0.0.1:8080"
    assert settings.public() == {"url": "http://127.0.0.1:8080/v1", "model": "llama3.2"}
    assert settings.identity() == ("llama3.2 on http://127.0.0.1:8080", "llama3.2", "")  # no weights hash is known


def test_the_switch_sends_each_request_to_the_engine_in_use():
    builtin, server = ScriptedModel(["built-in"]), ScriptedModel(["server"])
    switch = EngineSwitch(builtin)
    ask = [Message("user", "Hi")]
    assert "".join(run_async(collect(switch.generate(ask, Sampling())))) == "built-in"
    switch.use(server)
    assert "".join(run_async(collect(switch.generate(ask, Sampling())))) == "server"
    assert switch.builtin is builtin and len(server.calls) == 1


def test_the_built_in_model_keeps_the_careful_pipeline_and_fewer_techniques_than_a_connected_engine():
    switch = EngineSwitch(ScriptedModel([]))
    assert switch.profile() == Profile(BUILT_IN_TECHNIQUES, at_once=False)
    switch.use(ScriptedModel([]))
    assert switch.profile() == Profile(TECHNIQUES, at_once=True)


def test_an_engine_that_writes_too_few_usable_ideas_at_once_is_asked_carefully_until_another_is_used():
    switch = EngineSwitch(ScriptedModel([]))
    switch.use(ScriptedModel([]))
    switch.asked_at_once(3, 5)
    assert switch.profile().at_once
    switch.asked_at_once(2, 5)  # fewer than half kept: a small model behind the server
    assert switch.profile() == Profile(TECHNIQUES, at_once=False)
    switch.asked_at_once(5, 5)
    assert not switch.profile().at_once  # it stays careful
    switch.use(ScriptedModel([]))
    assert switch.profile().at_once
