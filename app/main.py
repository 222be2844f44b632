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
    "app.core.authorship", "app.bridge", "app.core.brief", "app.core.techniques", "app.core.ideas", "difflib",
    "app.core.tracking",
    "app.core.versions", "app.core.project", "app.projects", "html.parser", "app.core.document",
    "app.core.draft", "app.core.proofread", "app.core.refine", "app.core.undo", "app.preview", "app.ui",
)

sys.path.insert(1, PACKAGES)
for name in STARTUP_MODULES:
    importlib.import_module(name)
    await asyncio.sleep(0)  # noqa: F704 — PyScript runs this module with top-level await

from app import bridge  # noqa: E402 — imported above, piece by piece
from app.projects import ProjectShelf  # noqa: E402
from app.ui import Studio  # noqa: E402

bridge.install()
page = bridge.Page()
studio = Studio(page, bridge.WorkerModel(), bridge.page_catalogue)
await ProjectShelf(studio, page).start()  # noqa: F704
await studio.start()  # noqa: F704
