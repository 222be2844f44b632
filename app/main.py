"""The page's Python entry point (run by PyScript): reopen the last project, start the studio."""
from app import bridge
from app.projects import ProjectShelf
from app.ui import Studio

bridge.install()
page = bridge.Page()
studio = Studio(page, bridge.WorkerModel(), bridge.page_catalogue)
await ProjectShelf(studio, page).start()  # noqa: F704 — PyScript runs this module with top-level await
await studio.start()  # noqa: F704 — PyScript runs this module with top-level await
