"""The page's Python entry point (run by PyScript): start the studio."""
from app import bridge
from app.core.catalogue import read_catalogue
from app.ui import Studio

bridge.install()
studio = Studio(
    bridge.Page(), bridge.WorkerModel(), lambda: read_catalogue(bridge.page_url("models/catalogue.json"))
)
await studio.start()  # noqa: F704 — PyScript runs this module with top-level await
