"""The page's Python entry point (run by PyScript): reopen the last project, start the studio."""
from app import bridge
from app.core.catalogue import read_catalogue
from app.projects import ProjectShelf
from app.ui import Studio

bridge.install()
page = bridge.Page()
studio = Studio(page, bridge.WorkerModel(), lambda: read_catalogue(bridge.page_url("models/catalogue.json")))
await ProjectShelf(studio, page).start()  # noqa: F704 — PyScript runs this module with top-level await
await studio.start()  # noqa: F704 — PyScript runs this module with top-level await
