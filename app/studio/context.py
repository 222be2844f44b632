"""What every section of the studio shares, and nothing else: the page, the model (and the
embedding model, once loaded), the status line, the one piece of work at a time, the
draft's owner and the studio's state.

Public: ``Context``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.engines import EngineSwitch
from ..core.refine import paragraph_at
from ..core.session import DraftSession
from ..core.tracking import Tracked
from . import ids
from .state import StudioState
from .work import Status, Work


@dataclass
class Context:
    page: object  # app.bridge.Page, or a test's fake
    model: EngineSwitch  # the engine in use: the built-in model or the creator's server
    status: Status
    work: Work
    draft: DraftSession
    state: StudioState
    embedder: object = None  # a core TextEmbedder, once the model section has it
    builtin_model: tuple = ((), "")  # the built-in model's provenance identity and description, once loaded

    @classmethod
    def make(cls, page, model) -> Context:
        """The context for ``model``, the built-in model (other engines are switched in later)."""
        status = Status(page)
        engines = EngineSwitch(model)
        return cls(page, engines, status, Work(page, engines, status), DraftSession(), StudioState())

    def target(self, whole: bool = True) -> tuple[str, int, int]:
        """The draft and the range an operation works on: the selection, or with none the
        whole draft (``whole``) or the paragraph holding the caret."""
        text = self.page.value(ids.Editor.DRAFT)
        start, end = self.page.selection(ids.Editor.DRAFT)
        if start == end:
            start, end = (0, len(text)) if whole else paragraph_at(text, start)
        return text, start, end

    def stream_into_editor(self, text: str) -> None:
        """Show text the model is still writing (the draft takes it when the work ends)."""
        self.page.set_value(ids.Editor.DRAFT, text)

    def model_wrote(self, start: int, end: int, new_text: str) -> Tracked:
        """The draft with the model's ``new_text`` in place of ``start..end`` (not yet applied)."""
        return self.draft.model_wrote(start, end, new_text, self.state.model)
