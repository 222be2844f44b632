"""The page's Python entry point (run by PyScript): reopen the last project, start the studio.

Python runs on the page's main thread, so the start is cut into pieces: the studio's modules
are imported one at a time, giving the browser a turn between them (input, painting), so that
no single step holds the page for long (``STARTUP_MODULES``; any module left off is still
imported where it is needed, in one longer step).
"""
import asyncio
import importlib
import sys

PACKAGES = "packages.zip"  # the pinned wheels' bytecode, written beside this module (pyscript.toml)

# In the order they are needed, each after what it imports.
STARTUP_MODULES = (
    "dataclasses", "app.core.errors", "app.core.render", "app.core.catalogue", "app.core.model",
    "app.core.authorship", "app.core.techniques", "app.core.engines", "app.bridge.convert", "app.bridge.events",
    "app.bridge.stores", "app.bridge.worker", "app.bridge.endpoint", "app.bridge.page", "app.bridge",
    "app.core.brief", "app.core.idea_cards", "app.core.judging", "app.core.ideas", "app.core.ideas_at_once",
    "difflib", "app.core.tracking", "app.core.versions", "app.core.undo", "app.core.session", "app.core.project",
    "html.parser", "app.core.document", "app.core.draft", "app.core.proofread", "app.core.refine",
    "app.core.headlines",
    "app.studio.ids", "app.studio.views", "app.studio.state", "app.studio.work", "app.studio.context",
    "app.studio.preview", "app.studio.model", "app.studio.ideas", "app.studio.drafting", "app.studio.editor",
    "app.studio.proofreading", "app.studio.assist", "app.studio.versions", "app.studio.provenance",
    "app.studio.verify", "app.studio.keeping", "app.studio.projects", "app.studio.engine", "app.studio",
)

sys.path.insert(1, PACKAGES)
for name in STARTUP_MODULES:
    importlib.import_module(name)
    await asyncio.sleep(0)  # noqa: F704 — PyScript runs this module with top-level await

from app import bridge  # noqa: E402 — imported above, piece by piece
from app.studio import build_studio  # noqa: E402

bridge.install()
await build_studio(bridge.Page(), bridge.WorkerModel(), bridge.page_catalogue).start()  # noqa: F704
