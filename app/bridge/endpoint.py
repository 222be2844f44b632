"""The creator's own OpenAI-compatible server as the core's ``TextGenerator``, through
assets/endpoint-client.js (loaded only when an engine is connected).

Public: ``connect``, ``EndpointModel``.
"""
from __future__ import annotations

import js
from pyodide.ffi import JsException

from ..core.engines import EngineSettings
from ..core.errors import EngineError
from .convert import js_value, studio_error
from .worker import ClientModel


class EndpointModel(ClientModel):
    """One model on the creator's server. It has no embedding model (ideas are judged by
    the built-in one's, or by words) and takes no reply prefill."""

    def __init__(self, client, settings: EngineSettings) -> None:
        super().__init__(client, js_value({"model": settings.model}))
        self.settings = settings

    async def ready(self) -> dict:
        return {"id": self.settings.model, "name": self.settings.model, "dtype": ""}

    async def models(self) -> list[str]:
        """The server's model ids (GET /v1/models)."""
        try:
            return list((await self._client.models()).to_py())
        except JsException as error:
            raise studio_error(error) from None


async def connect(settings: EngineSettings) -> EndpointModel:
    """A client for the server at ``settings.url`` (nothing is sent until it is used)."""
    try:
        client = await js.globalThis.museSpark.connectEngine(settings.url, settings.key)
    except JsException as error:
        raise EngineError(f"The engine cannot be set up: {getattr(error, 'message', error)}") from None
    return EndpointModel(client, settings)
