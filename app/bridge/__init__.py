"""The only Python that touches the browser (``js``, ``pyodide.ffi``): this package, and
nothing else in app/.

It turns JS values into the core's dataclasses at the edge, keeps the few long-lived
proxies in one registry (destroyed by ``Page.close``), maps Python cancellation of a
generation to a worker abort, and every error from the page to the core's exceptions
(``convert``). The JS side it talks to is ``globalThis.museSpark``, set up by
assets/boot.js (model client, start-up stages, sanitizer, the key store of
assets/keystore.js, the project store of assets/project-store.js). What each side
offers the other is listed in README.md ("The page and Python").

Public: ``install``, ``page_url``, ``page_catalogue``, ``Page``, ``WorkerModel``.
"""
from __future__ import annotations

import json

import js

from ..core import render
from ..core.catalogue import Catalogue
from ..core.errors import CatalogueError
from .page import Page
from .worker import WorkerModel

__all__ = ["install", "page_url", "page_catalogue", "Page", "WorkerModel"]


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
