"""The page's elements for the studio's sections: values, selections, markup (always
sanitized), files, the creator's keys and certificates, the creator's own server,
dialogs and start-up stages.

Public: ``Page``, ``PickedFile``.
"""
from __future__ import annotations

from dataclasses import dataclass

import js
from pyodide.ffi import JsException, create_once_callable, to_js

from ..core.engines import EngineSettings
from ..core.errors import StudioError
from .convert import failure, object_url
from .endpoint import EndpointModel, connect
from .events import PageEvents
from .stores import KeystoreSigner, ProjectStore

BLOB_LIFETIME_MS = 60_000  # how long a download's object URL stays valid


@dataclass(frozen=True)
class PickedFile:
    """A file the person chose or dropped, read into memory."""

    name: str
    data: bytes


class Page(PageEvents):
    """DOM access by element id, for the studio's sections (app/studio). Markup always goes
    through the sanitizer."""

    def __init__(self) -> None:
        super().__init__()
        self._listed_urls: list[str] = []  # object URLs behind download_files' links

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
        url = object_url(content, mime)
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
        self._listed_urls = [object_url(content, mime) for _name, content, mime in files]
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
                raise failure(f"{file.name} cannot be read", error) from None
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
            raise failure("Your certificates cannot be read", error) from None
        return stored.to_bytes() if stored else None

    async def save_certificate(self, name: str, der: bytes) -> None:
        try:
            await self._runtime.keys.saveCertificate(name, to_js(bytes(der)))
        except JsException as error:
            raise failure("Your certificates cannot be kept", error) from None

    def projects(self) -> ProjectStore:
        """The creator's kept projects."""
        return ProjectStore(self._runtime.projects)

    async def engine(self, settings: EngineSettings) -> EndpointModel:
        """The creator's own server as a model (``app.bridge.endpoint``)."""
        return await connect(settings)

    def show_dialog(self, element_id: str) -> None:
        """Open a ``<dialog>`` as modal (focus moves into it; Escape closes it)."""
        self._element(element_id).showModal()

    def close_dialog(self, element_id: str) -> None:
        self._element(element_id).close()

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
