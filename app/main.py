"""The page's Python entry point (run by PyScript): start the studio."""
from app import bridge
from app.ui import Studio

bridge.install()
studio = Studio(bridge.Page(), bridge.WorkerModel(), bridge.page_catalogue)
await studio.start()  # noqa: F704 — PyScript runs this module with top-level await
