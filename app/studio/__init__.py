"""The studio's page logic, one module per section of the page; no section imports
another. They share a ``Context`` (page, model, status line, the one piece of work at a
time, the draft's owner and the studio's state) and hear of each other's changes through
it: ``DraftSession`` tells of every edit and version, ``StudioState`` of cards and opened
projects, ``Work`` of work beginning and ending.

Public: ``build_studio``, ``Studio``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.catalogue import Catalogue
from . import ids
from .assist import AssistSection
from .context import Context
from .drafting import DraftingSection
from .editor import EditorSection
from .engine import EngineSection
from .ideas import IdeasSection
from .model import ModelSection
from .projects import ProjectShelf
from .proofreading import ProofreadingSection
from .provenance import ProvenanceSection
from .verify import VerifySection
from .versions import VersionsSection


@dataclass
class Studio:
    """The studio's sections, bound to one page."""

    context: Context
    model: ModelSection
    editor: EditorSection
    projects: ProjectShelf
    engine: EngineSection

    async def start(self) -> None:
        """Reopen the last project, take what was typed before Python ran, say the form
        works, then wait for the model; then reconnect the creator's engine if one was in use."""
        page = self.context.page
        await self.projects.start()
        self.editor.adopt_early_typing()
        page.stage("python", "ready", f"Studio ready in {page.seconds_since_start():.1f} s")
        page.set_enabled(ids.Ideas.SPARK, True)
        page.set_data(ids.STUDIO, "python", "ready")
        await self.model.start()
        await self.engine.start()


def build_studio(page, model, read_catalogue: Callable[[], Catalogue]) -> Studio:
    """Make every section of the studio and bind it to ``page``."""
    context = Context.make(page, model)
    for section in (IdeasSection, DraftingSection, ProofreadingSection, AssistSection, VersionsSection,
                    ProvenanceSection, VerifySection):
        section(context)
    model_section = ModelSection(context, read_catalogue)
    return Studio(context, model_section, EditorSection(context), ProjectShelf(context),
                  EngineSection(context, model_section.run_on, read_catalogue))
