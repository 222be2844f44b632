"""The creator's things kept in this browser: the signing keys (WebCrypto, never
extractable) and the projects (IndexedDB). Failures are StudioErrors that say what
happened and what to do.

Public: ``KeystoreSigner``, ``ProjectStore``, ``StoredProject``.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pyodide.ffi import JsException, to_js

from ..core.errors import StudioError
from .convert import failure, js_value


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
            raise failure("The signing key cannot be made or read", error) from None
        return cls(keys, name, point)

    async def sign(self, data: bytes) -> bytes:
        """The raw 64-byte ES256 signature (r‖s) of ``data``."""
        try:
            return (await self._keys.sign(self.name, to_js(bytes(data)))).to_bytes()
        except JsException as error:
            raise failure("Signing failed", error) from None


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
        return failure(doing, error)

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
        promise = self._store.put(js_value({"id": project_id, "name": name, "updated": updated, "file": file}))
        return asyncio.ensure_future(self._settle(promise, "The project cannot be saved"))

    async def _settle(self, promise, doing: str) -> None:
        try:
            await promise
        except JsException as error:
            raise self._error(error, doing) from None

    async def remove(self, project_id: str) -> None:
        await self._settle(self._store.remove(project_id), "The project cannot be deleted")

    async def setting(self, key: str):
        """A saved setting as Python data (None when there is none)."""
        try:
            value = await self._store.setting(key)
            return (value.to_py() if hasattr(value, "to_py") else value) or None
        except JsException as error:
            raise self._error(error, "The studio's settings cannot be read") from None

    async def set_setting(self, key: str, value) -> None:
        await self._settle(self._store.setSetting(key, js_value(value)), "The studio's settings cannot be saved")

    async def persist(self) -> str:
        """Ask once for storage the browser keeps: "persisted", "best-effort" or "unsupported"."""
        return await self._store.persist()
