"""The page's events as plain calls: the studio's sections get ``handler()``,
``handler(pasted)``, ``handler(action, index, checked)`` or ``handler(files)``, never an
event object. Each listener is a long-lived proxy, destroyed by ``close``.

Public: ``PageEvents``, ``PASTED_INPUT``.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import js
from pyodide.ffi import create_proxy

from .convert import js_value

# Input types of text that came from outside the field (InputEvent.inputType).
PASTED_INPUT = frozenset({"insertFromPaste", "insertFromPasteAsQuotation", "insertFromDrop"})


class PageEvents:
    """Elements by id, and their events."""

    def __init__(self) -> None:
        self._document = js.document
        self._runtime = js.globalThis.museSpark
        self._proxies: list = []

    def _element(self, element_id: str):
        element = self._document.getElementById(element_id)
        if element is None:
            raise LookupError(f"no element #{element_id} in the page")
        return element

    def _listen(self, target, event: str, listener: Callable) -> None:
        proxy = create_proxy(listener)
        self._proxies.append(proxy)
        target.addEventListener(event, proxy)

    def _on(self, element_id: str, event: str, call: Callable[[object], object]) -> None:
        """Run ``call(event)`` on a DOM event; a coroutine it returns runs as a task."""

        def listener(event_object):
            result = call(event_object)
            if asyncio.iscoroutine(result):
                asyncio.ensure_future(result)

        self._listen(self._element(element_id), event, listener)

    def on_click(self, element_id: str, handler: Callable[[], object]) -> None:
        self._on(element_id, "click", lambda _event: handler())

    def on_change(self, element_id: str, handler: Callable[[], object]) -> None:
        """A field's value was committed (a select, a file input)."""
        self._on(element_id, "change", lambda _event: handler())

    def on_input(self, element_id: str, handler: Callable[[bool], object]) -> None:
        """Typing in a field or a form: ``handler(pasted)``, pasted for text pasted or dropped in."""
        self._on(element_id, "input", lambda event: handler(getattr(event, "inputType", "") in PASTED_INPUT))

    def on_submit(self, form_id: str, handler: Callable[[], object]) -> None:
        """A form was submitted (Enter, its button); it is never sent anywhere."""

        def submitted(event):
            event.preventDefault()
            return handler()

        self._on(form_id, "submit", submitted)

    def on_keys(self, element_id: str, chords: dict[str, Callable[[], object]]) -> None:
        """Key chords on an element, as "Ctrl+Enter", "Ctrl+Shift+Z", "Alt+ArrowUp" (Ctrl
        stands for Ctrl or ⌘); a chord handled here does nothing else."""

        def pressed(event):
            modifiers = [name for name, held in (("Ctrl", event.ctrlKey or event.metaKey), ("Alt", event.altKey),
                                                 ("Shift", event.shiftKey)) if held]
            key = event.key.upper() if len(event.key) == 1 else event.key
            handler = chords.get("+".join([*modifiers, key]))
            if handler is not None:
                event.preventDefault()
                return handler()
            return None

        self._on(element_id, "keydown", pressed)

    def on_action(self, container_id: str, handler: Callable[[str, int, bool], object]) -> None:
        """Controls inside a container that carry ``data-action`` and ``data-index``:
        ``handler(action, index, checked)`` when a button is clicked or a checkbox changes."""

        def acted(event):
            control = event.target.closest("[data-action]")
            if control is None or (event.type == "change") != (control.type == "checkbox"):
                return None
            return handler(control.dataset.action, int(control.dataset.index), bool(getattr(control, "checked", False)))

        for event in ("click", "change"):
            self._on(container_id, event, acted)

    def on_drop(self, element_id: str, handler: Callable[[list], object]) -> None:
        """Files dropped on an element: ``handler(files)`` (handles for ``read``), read
        while the event lasts, before the browser empties its data transfer."""

        def dropped(event):
            event.preventDefault()
            return handler(list(event.dataTransfer.files) if event.dataTransfer else [])

        self._on(element_id, "dragover", lambda event: event.preventDefault())
        self._on(element_id, "drop", dropped)

    def on_leave(self, handler: Callable[[], None]) -> None:
        """Call ``handler()`` when the page is hidden or closed (tab switched, closed,
        reloaded): the last chance to start a save."""

        def hidden(_event):
            if self._document.visibilityState == "hidden":
                handler()

        self._listen(js.window, "pagehide", lambda _event: handler())
        self._listen(self._document, "visibilitychange", hidden)

    def expose(self, name: str, function: Callable) -> None:
        """Publish an async Python function as ``museSpark.<name>``: a Promise of plain JS data."""

        async def run(*args):
            return js_value(await function(*(a.to_py() if hasattr(a, "to_py") else a for a in args)))

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
