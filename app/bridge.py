"""The only Python that touches the browser (``js``, ``pyodide.ffi``).

It turns JS values into the core's dataclasses at the edge, keeps the few
long-lived proxies in one registry (destroyed by ``Page.close``), maps Python
cancellation of a generation to a worker abort, and worker errors to the core's
named exceptions. The JS side it talks to is ``globalThis.museSpark``, set up by
assets/boot.js (model client, start-up stages, sanitizer, the key store of
assets/keystore.js, the project store of assets/project-store.js).

Public: ``install``, ``Page``, ``PickedFile``, ``KeystoreSigner``, ``ProjectStore``,
``StoredProject``, ``WorkerModel``, ``WorkerGeneration``, ``WorkerEmbedder``, ``page_url``,
``page_catalogue``.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

import js
from pyodide.ffi import JsException, create_once_callable, create_proxy, to_js

from .core import render
from .core.catalogue import Catalogue
from .core.errors import CatalogueError, StudioError, error_for
from .core.authorship import LineBreaks
from .core.model import GenerationStats, Message, Sampling

_END = object()
BLOB_LIFETIME_MS = 60_000  # how long a download's object URL stays valid


def install() -> None:
    """Pass rendered text through the page's content sanitizer (assets/sanitizer.js)."""
    render.use_sanitizer(lambda html: str(js.globalThis.museSpark.sanitizeContent(html)))


def page_url(path: str) -> str:
    """An absolute URL for a path relative to the page."""
    return js.URL.new(path, js.location.href).href


def page_catalogue() -> Catalogue:
    """The model catalogue as assets/boot.js fetched it: through the service worker, so it
    is there offline."""
    data = js.globalThis.museSpark.catalogue
    if not data:
        raise CatalogueError("The model catalogue has not been read: reload the page.")
    return Catalogue.from_json(json.loads(js.JSON.stringify(data)))


def _to_js(value):
    return to_js(value, dict_converter=js.Object.fromEntries)


def _object_url(content: str | bytes, mime: str) -> str:
    """An object URL for a file's content (text is written as UTF-8)."""
    if isinstance(content, str):
        mime = f"{mime};charset=utf-8"
        content = content.encode("utf-8")
    return js.URL.createObjectURL(js.Blob.new(_to_js([to_js(content)]), _to_js({"type": mime})))


def _studio_error(error: JsException):
    return error_for(getattr(error, "name", "") or "", getattr(error, "message", str(error)))


@dataclass(frozen=True)
class PickedFile:
    """A file the person chose or dropped, read into memory."""

    name: str
    data: bytes


class KeystoreSigner:
    """A ``signing.Signer`` whose private key is a non-extractable WebCrypto key in the
    page's key store (assets/keystore.js); the key is made on first use."""

    def __init__(self, keys, name: str, public_key: bytes) -> None:
        self._keys, self.name, self.public_key = keys, name, public_key

    @classmethod
    async def open(cls, keys, name: str) -> KeystoreSigner:
        try:
            point = (await keys.publicKeyRaw(name)).to_bytes()
        except JsException as error:
            raise StudioError(f"The signing key cannot be made or read: {getattr(error, 'message', error)}") from None
        return cls(keys, name, point)

    async def sign(self, data: bytes) -> bytes:
        """The raw 64-byte ES256 signature (r‖s) of ``data``."""
        try:
            return (await self._keys.sign(self.name, to_js(bytes(data)))).to_bytes()
        except JsException as error:
            raise StudioError(f"Signing failed: {getattr(error, 'message', error)}") from None


@dataclass(frozen=True)
class StoredProject:
    """A project in the browser's list: its id, name, when saved (epoch seconds) and size in bytes."""

    id: str
    name: str
    updated: float
    size: int


_STORAGE_FULL = ("The browser's storage for this site is full, so the project was not saved. Your text stays in "
                 "the editor: export the project, or delete projects you no longer need, then keep writing.")


class ProjectStore:
    """The creator's projects in IndexedDB (assets/project-store.js); failures are
    StudioErrors that say what happened and what to do."""

    def __init__(self, store) -> None:
        self._store = store

    @staticmethod
    def _error(error: JsException, doing: str) -> StudioError:
        if getattr(error, "name", "") == "QuotaExceededError":
            return StudioError(_STORAGE_FULL)
        return StudioError(f"{doing}: {getattr(error, 'message', error)}")

    async def list(self) -> list[StoredProject]:
        """Every kept project, the most recently saved first."""
        try:
            found = (await self._store.list()).to_py()
        except JsException as error:
            raise self._error(error, "The list of projects cannot be read") from None
        return [StoredProject(p["id"], p["name"], float(p["updated"]), int(p["size"])) for p in found]

    async def get(self, project_id: str) -> str | None:
        """A kept project's file text, or None."""
        try:
            return (await self._store.get(project_id)) or None
        except JsException as error:
            raise self._error(error, "The project cannot be read") from None

    def put(self, project_id: str, name: str, updated: float, file: str) -> asyncio.Future:
        """Keep a project's file; the write starts at once (a page being closed still
        gets it) and the future says when it is stored."""
        promise = self._store.put(_to_js({"id": project_id, "name": name, "updated": updated, "file": file}))
        return asyncio.ensure_future(self._settle(promise, "The project cannot be saved"))

    async def _settle(self, promise, doing: str) -> None:
        try:
            await promise
        except JsException as error:
            raise self._error(error, doing) from None

    async def remove(self, project_id: str) -> None:
        await self._settle(self._store.remove(project_id), "The project cannot be deleted")

    async def setting(self, key: str):
        try:
            return (await self._store.setting(key)) or None
        except JsException as error:
            raise self._error(error, "The studio's settings cannot be read") from None

    async def set_setting(self, key: str, value) -> None:
        await self._settle(self._store.setSetting(key, value), "The studio's settings cannot be saved")

    async def persist(self) -> str:
        """Ask once for storage the browser keeps: "persisted", "best-effort" or "unsupported"."""
        return await self._store.persist()


class Page:
    """DOM access by element id, for app.ui. Markup always goes through the sanitizer."""

    def __init__(self) -> None:
        self._document = js.document
        self._runtime = js.globalThis.museSpark
        self._proxies: list = []
        self._listed_urls: list[str] = []  # object URLs behind download_files' links

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

    def download(self, filename: str, content: str | bytes, mime: str) -> None:
        """Offer ``content`` (text, written as UTF-8, or bytes as they are) as a file
        download (made in the page; nothing is sent anywhere)."""
        url = _object_url(content, mime)
        self._file_link(url, filename).click()
        # The browser reads the blob when the download starts, which on a busy machine can be
        # well after this returns: revoking at once can lose the file.
        js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), BLOB_LIFETIME_MS)

    def download_files(self, list_id: str, files: list[tuple[str, str | bytes, str]]) -> None:
        """Download several files (name, content, type) from one click, and list them as links
        in the list ``list_id``, to save again: a browser may hold back all but the first
        (Chromium asks before a page downloads several files), and a file held back must not be
        lost. The links stay valid until the next call replaces them."""
        for url in self._listed_urls:
            js.URL.revokeObjectURL(url)
        self._listed_urls = [_object_url(content, mime) for _name, content, mime in files]
        items = []
        for url, (filename, _content, _mime) in zip(self._listed_urls, files):
            link = self._file_link(url, filename)
            link.textContent = filename
            link.click()
            item = self._document.createElement("li")
            item.append(link)
            items.append(item)
        self._element(list_id).replaceChildren(*items)

    def _file_link(self, url: str, filename: str):
        link = self._document.createElement("a")
        link.href, link.download = url, filename
        return link

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

    def chosen_files(self, element_id: str) -> list:
        """The files chosen in a file input (handles for ``read``)."""
        return list(self._element(element_id).files)

    @staticmethod
    def dropped_files(event) -> list:
        """The files of a drop event (handles for ``read``); call while handling the event,
        before the browser empties its data transfer."""
        return list(event.dataTransfer.files) if event.dataTransfer else []

    @staticmethod
    async def read(files: list, limit: int) -> list[PickedFile]:
        """The files' contents; a StudioError names a file over ``limit`` bytes."""
        picked = []
        for file in files:
            if file.size > limit:
                raise StudioError(f"{file.name} is {file.size / 1e6:.1f} MB; files up to {limit / 1e6:.0f} MB "
                                  "can be checked here (use python -m app.core.verify for larger ones).")
            try:
                data = (await file.arrayBuffer()).to_bytes()
            except JsException as error:
                raise StudioError(f"{file.name} cannot be read: {getattr(error, 'message', error)}") from None
            picked.append(PickedFile(file.name, data))
        return picked

    async def signer(self, name: str) -> KeystoreSigner:
        """The creator's named key (``signing`` or ``root``), made on first use."""
        return await KeystoreSigner.open(self._runtime.keys, name)

    async def load_certificate(self, name: str) -> bytes | None:
        """A kept certificate's DER, or None."""
        try:
            stored = await self._runtime.keys.loadCertificate(name)
        except JsException as error:
            raise StudioError(f"Your certificates cannot be read: {getattr(error, 'message', error)}") from None
        return stored.to_bytes() if stored else None

    async def save_certificate(self, name: str, der: bytes) -> None:
        try:
            await self._runtime.keys.saveCertificate(name, to_js(bytes(der)))
        except JsException as error:
            raise StudioError(f"Your certificates cannot be kept: {getattr(error, 'message', error)}") from None

    def projects(self) -> ProjectStore:
        """The creator's kept projects."""
        return ProjectStore(self._runtime.projects)

    def show_dialog(self, element_id: str) -> None:
        """Open a ``<dialog>`` as modal (focus moves into it; Escape closes it)."""
        self._element(element_id).showModal()

    def close_dialog(self, element_id: str) -> None:
        self._element(element_id).close()

    def on_leave(self, handler: Callable[[], None]) -> None:
        """Call ``handler()`` when the page is hidden or closed (tab switched, closed,
        reloaded): the last chance to start a save."""

        def hidden(_event):
            if self._document.visibilityState == "hidden":
                handler()

        for target, event, listener in ((js.window, "pagehide", lambda _event: handler()),
                                        (self._document, "visibilitychange", hidden)):
            proxy = create_proxy(listener)
            self._proxies.append(proxy)
            target.addEventListener(event, proxy)

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
        line_breaks = LineBreaks()
        try:
            while (chunk := await self._queue.get()) is not _END:
                yield line_breaks(chunk)
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
            reused_tokens=int(result.get("reusedTokens", 0)),
            first_token_ms=float(result.get("firstTokenMs", 0.0)),
            decode_ms=float(result.get("decodeMs", 0.0)),
            logprob=float(result.get("logprob", 0.0)),
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
        self._chosen, self._spec = chosen, chosen.spec
        entry = chosen.entry
        return {"id": entry.id, "name": entry.name, "dtype": chosen.spec.dtype}

    def generate(self, messages: list[Message], sampling: Sampling, prefill: str = "") -> WorkerGeneration:
        generation = WorkerGeneration(self._client, self._spec, messages, sampling, prefill)
        self._running.add(generation.ended)
        generation.ended.add_done_callback(self._running.discard)
        return generation

    def embedder(self) -> WorkerEmbedder | None:
        """The catalogue's sentence-embedding model in the same worker (after ``ready``)."""
        spec = getattr(self, "_chosen", None) and self._chosen.embedder
        return WorkerEmbedder(self._client, spec) if spec else None

    async def settled(self) -> None:
        """Wait until every generation started here has ended (after an abort, say)."""
        if self._running:
            await asyncio.wait(list(self._running))


class WorkerEmbedder:
    """The core's ``TextEmbedder``, served by the model worker. Until ``start`` has loaded
    the model, ``embed`` answers None and the core judges by words alone."""

    def __init__(self, client, spec) -> None:
        self._client, self._spec = client, spec
        self.loaded = False

    async def start(self) -> None:
        """Load the embedding model (a first, throwaway embedding); a failure leaves the
        studio judging by words."""
        try:
            await self._client.embed(self._spec, _to_js(["warm up"]))
            self.loaded = True
        except JsException:
            self.loaded = False

    async def embed(self, texts: list[str]) -> list[list[float]] | None:
        if not self.loaded:
            return None
        try:
            result = await self._client.embed(self._spec, _to_js(list(texts)))
        except JsException:
            return None  # a worker restarted mid-request: words will do for this idea
        return result.vectors.to_py()
