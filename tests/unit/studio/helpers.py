"""Open the whole studio on a fake page with a scripted model, inside a test's event loop."""
from app.studio import build_studio

from .fakes import FakePage, StudioModel, catalogue


async def open_studio(replies=(), page: FakePage | None = None, model: StudioModel | None = None):
    """The page, the model and the studio's shared context, started (the project kept)."""
    page = page or FakePage()
    model = model or StudioModel(replies)
    studio = build_studio(page, model, catalogue)
    await studio.start()
    return page, model, studio.context


def idea(title: str, hook: str) -> list[str]:
    """The replies one idea takes: two titles, then a hook."""
    return [f"{title}\n", f"{title}\n", f"{hook} And more."]
