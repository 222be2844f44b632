"""Values across the edge between Python and the page: plain JS objects, file contents as
object URLs, and the page's errors as the core's.

Public: ``js_value``, ``object_url``, ``studio_error``, ``failure``.
"""
from __future__ import annotations

import js
from pyodide.ffi import JsException, to_js

from ..core.errors import StudioError, error_for


def js_value(value):
    """``value`` as plain JS data (dicts become objects)."""
    return to_js(value, dict_converter=js.Object.fromEntries)


def object_url(content: str | bytes, mime: str) -> str:
    """An object URL for a file's content (text is written as UTF-8)."""
    if isinstance(content, str):
        mime = f"{mime};charset=utf-8"
        content = content.encode("utf-8")
    return js.URL.createObjectURL(js.Blob.new(js_value([to_js(content)]), js_value({"type": mime})))


def studio_error(error: JsException) -> StudioError:
    """A named error from the page or its worker as the core's exception of that name."""
    return error_for(getattr(error, "name", "") or "", getattr(error, "message", str(error)))


def failure(doing: str, error: JsException) -> StudioError:
    """What failed, and the page's reason: "Signing failed: …"."""
    return StudioError(f"{doing}: {getattr(error, 'message', error)}")
