"""The only Python that touches the browser (``js``, ``pyodide.ffi``, ``pyodide_http``).

It turns JS values into the core's dataclasses at the edge, keeps the few
long-lived proxies in one registry (destroyed by ``Page.close``), maps Python
cancellation of a generation to a worker abort, and worker errors to the core's
named exceptions. The JS side it talks to is ``globalThis.museSpark``, set up by
assets/boot.js (model client, start-up stages, sanitizer).

Public: ``install``, ``Page``, ``WorkerModel``, ``WorkerGeneration``, ``page_url``.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import js
import pyodide_http
from pyodide.ffi import JsException, create_once_callable, create_proxy, to_js

from .core import render
from .core.errors import StudioError, error_for
from .core.model import GenerationStats, Message, Sampling

_END = object()


def install() -> None:
    """Make the standard ``urllib`` API work in the page (same-origin requests), and pass
    rendered text through the page's content sanitizer (assets/sanitizer.js)."""
    pyodide_http.patch_all()
    render.use_sanitizer(lambda html: str(js.globalThis.museSpark.sanitizeContent(html)))


def page_url(path: str) -> str:
    """An absolute URL for a path relative to the page."""
    return js.URL.new(path, js.location.href).href


def _to_js(value):
    return to_js(value, dict_converter=js.Object.fromEntries)


def _studio_error(error: JsException):
    return error_for(getattr(error, "name", "") or "", getattr(error, "message", str(error)))


class Page:
    """DOM access by element id, for app.ui. Markup always goes through the sanitizer."""

    def __init__(self) -> None:
        self._document = js.document
        self._runtime = js.globalThis.museSpark
        self._proxies: list = []

    def _element(self, element_id: str):
        element = self._document.getElementById(element_id)
        if element is None:
            raise LookupError(f"no element #{element_id} in the page")
        return element

    def on(self, element_id: str, event: str, handler: Callable) -> None:
        """Call ``handler(event)`` on a DOM event; async handlers run as tasks."""

        def listener(event_object):
            result = handler(event_object)
            if asyncio.iscoroutine(result):
                asyncio.ensure_future(result)

        proxy = create_proxy(listener)
        self._proxies.append(proxy)
        self._element(element_id).addEventListener(event, proxy)

    def value(self, element_id: str) -> str:
        return self._element(element_id).value

    def selection(self, element_id: str) -> tuple[int, int]:
        """The selected range of a text field as indexes into its Python string (the
        browser counts UTF-16 units; an emoji is two of those but one code point)."""
        element = self._element(element_id)
        encoded = element.value.encode("utf-16-le")
        index = lambda units: len(encoded[:2 * units].decode("utf-16-le", errors="ignore"))  # noqa: E731
        return index(int(element.selectionStart)), index(int(element.selectionEnd))

    def select(self, element_id: str, start: int, end: int) -> None:
        """Select ``text[start:end]`` of a text field (Python string indexes)."""
        element = self._element(element_id)
        text = element.value
        units = lambda index: len(text[:index].encode("utf-16-le")) // 2  # noqa: E731
        element.setSelectionRange(units(start), units(end))

    def set_value(self, element_id: str, text: str) -> None:
        """Set a form field's text."""
        self._element(element_id).value = text

    def set_text(self, element_id: str, text: str) -> None:
        self._element(element_id).textContent = text

    def set_html(self, element_id: str, html: str) -> None:
        """Replace an element's content with sanitized HTML (TrustedHTML, as the CSP requires)."""
        self._element(element_id).innerHTML = self._runtime.sanitize(html)

    def splice_html(self, element_id: str, start: int, remove: int, parts: list[str]) -> None:
        """Replace ``remove`` of the element's child blocks from ``start`` with one <div> per
        part, each with sanitized HTML (the element holds only such blocks)."""
        element = self._element(element_id)
        for _ in range(remove):
            element.children.item(start).remove()
        following = element.children.item(start)  # None: append
        for part in parts:
            block = self._document.createElement("div")
            block.innerHTML = self._runtime.sanitize(part)
            element.insertBefore(block, following)

    def sanitize(self, html: str) -> str:
        """HTML with everything unsafe removed (DOMPurify)."""
        return str(self._runtime.sanitize(html))

    def download(self, filename: str, text: str, mime: str) -> None:
        """Offer ``text`` as a file download (made in the page; nothing is sent anywhere)."""
        blob = js.Blob.new(_to_js([text]), _to_js({"type": f"{mime};charset=utf-8"}))
        url = js.URL.createObjectURL(blob)
        link = self._document.createElement("a")
        link.href, link.download = url, filename
        link.click()
        js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 0)

    async def copy(self, text: str) -> None:
        """Put ``text`` on the clipboard, or raise a StudioError saying why not."""
        try:
            await js.navigator.clipboard.writeText(text)
        except (JsException, AttributeError):
            raise StudioError("The browser did not allow copying; select the text and copy it by hand.") from None

    def set_enabled(self, element_id: str, enabled: bool) -> None:
        self._element(element_id).disabled = not enabled

    def set_hidden(self, element_id: str, hidden: bool) -> None:
        self._element(element_id).hidden = hidden

    def set_attribute(self, element_id: str, name: str, value: str) -> None:
        self._element(element_id).setAttribute(name, value)

    def set_data(self, element_id: str, key: str, value: str) -> None:
        setattr(self._element(element_id).dataset, key, value)

    def focus(self, element_id: str) -> None:
        self._element(element_id).focus()

    def seconds_since_start(self) -> float:
        """Seconds since the page started loading the studio."""
        return (js.performance.now() - self._runtime.started) / 1000

    def stage(self, name: str, state: str, detail: str) -> None:
        """Update a start-up stage (runtime, python, model)."""
        self._runtime.stage(name, state, detail, 1 if state == "ready" else None)

    def expose(self, name: str, function: Callable) -> None:
        """Publish an async Python function as ``museSpark.<name>``: a Promise of plain JS data."""

        async def run(*args):
            return _to_js(await function(*(a.to_py() if hasattr(a, "to_py") else a for a in args)))

        def call(*args):
            return asyncio.ensure_future(run(*args))

        proxy = create_proxy(call)
        self._proxies.append(proxy)
        setattr(self._runtime, name, proxy)

    def close(self) -> None:
        """Destroy the long-lived proxies."""
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies.clear()


class WorkerGeneration:
    """One generation in the model worker, iterated for its text chunks."""

    def __init__(self, client, spec, messages: list[Message], sampling: Sampling, prefill: str = "") -> None:
        self.stats: GenerationStats | None = None
        self._queue: asyncio.Queue = asyncio.Queue()
        self._on_token = create_proxy(self._queue.put_nowait)
        self._controller = js.AbortController.new()
        promise = client.generate(
            spec,
            _to_js([{"role": m.role, "content": m.content} for m in messages]),
            _to_js(sampling.as_options()),
            _to_js({"onToken": self._on_token, "signal": self._controller.signal, "prefill": prefill}),
        )
        self._done = asyncio.ensure_future(promise)
        self._done.add_done_callback(lambda _: self._queue.put_nowait(_END))

    @property
    def ended(self) -> asyncio.Future:
        """Resolves when the worker has finished this generation, however it ended."""
        return self._done

    async def __aiter__(self):
        try:
            while (chunk := await self._queue.get()) is not _END:
                yield chunk
            self._finish()
        except BaseException:
            self._controller.abort()
            raise

    def _finish(self) -> None:
        try:
            result = self._done.result().to_py()
        except JsException as error:
            raise _studio_error(error) from None
        finally:
            self._on_token.destroy()
        self.stats = GenerationStats(
            reason=result.get("reason", "stop"),
            tokens=int(result.get("tokens", 0)),
            prompt_tokens=int(result.get("promptTokens", 0)),
            first_token_ms=float(result.get("firstTokenMs", 0.0)),
            decode_ms=float(result.get("decodeMs", 0.0)),
        )

    async def aclose(self) -> None:
        """Abort if still running and wait for the worker to confirm."""
        if self.stats is not None:
            return
        if not self._done.done():
            self._controller.abort()
        await asyncio.wait([self._done])
        self._finish()


class WorkerModel:
    """The core's ``TextGenerator``, served by the page's model worker."""

    def __init__(self) -> None:
        runtime = js.globalThis.museSpark
        self._client = runtime.client
        self._loading = runtime.model
        self._running: set[asyncio.Future] = set()

    async def ready(self) -> dict:
        """Wait for the start-up load; returns {id, name, dtype} or raises a StudioError."""
        try:
            chosen = await self._loading
        except JsException as error:
            raise _studio_error(error) from None
        self._spec = chosen.spec
        entry = chosen.entry
        return {"id": entry.id, "name": entry.name, "dtype": chosen.spec.dtype}

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = "") -> WorkerGeneration:
        generation = WorkerGeneration(self._client, self._spec, messages, sampling, prefill)
        self._running.add(generation.ended)
        generation.ended.add_done_callback(self._running.discard)
        return generation

    async def settled(self) -> None:
        """Wait until every generation started here has ended (after an abort, say)."""
        if self._running:
            await asyncio.wait(list(self._running))
