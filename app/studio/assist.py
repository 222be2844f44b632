"""Help with text already written: Refine rewrites the selection (or the whole draft) in
place, streaming; three rewrites of a passage and summaries and headlines appear beside
the draft, to use or leave. Every change the model makes is a version.

Public: ``AssistSection``.
"""
from __future__ import annotations

from ..core.headlines import HEADLINE_MAX_CHARS, headlines
from ..core.refine import alternatives, refine, summarize
from . import ids, views
from .context import Context
from .state import Change
from .work import Job

EXTRA_LABELS = {"tldr": "tl;dr", "key points": "key points", "headlines": "headlines"}


class AssistSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.rewrites: list = []
        self.rewrite_target: tuple[int, int, str] | None = None  # (start, end, passage) the rewrites replace
        self.headlines: list[str] = []
        page = context.page
        page.on_click(ids.Assist.REFINE, self.start_refine)
        page.on_click(ids.Assist.REWRITES, self.start_rewrites)
        for kind, element in ids.Assist.EXTRA_KINDS.items():
            page.on_click(element, lambda kind=kind: self.start_extra(kind))
        page.on_action(ids.Assist.EXTRAS, self.on_action)
        context.state.listen(self.on_state)
        context.work.listen(lambda busy, _job: page.set_attribute(ids.Assist.EXTRAS, "aria-busy", str(busy).lower()))

    def on_state(self, change: Change) -> None:
        if change is Change.OPENED:
            self.rewrites, self.rewrite_target, self.headlines = [], None, []
            self.context.page.set_html(ids.Assist.EXTRAS, "")

    def on_action(self, action: str, index: int, _checked: bool) -> None:
        if action == "use-rewrite":
            self.use_rewrite(index)
        elif action == "use-headline":
            self.use_headline(index)

    # --- refine, in place ---

    def start_refine(self) -> None:
        context = self.context
        if context.work.busy:
            return
        text, start, end = context.target()
        operation = context.page.value(ids.Assist.REFINE_OPERATION)
        tone = context.page.value(ids.Assist.REFINE_TONE)
        before, target, after = text[:start], text[start:end], text[end:]
        written = target

        def keep() -> None:
            context.draft.set(context.model_wrote(start, len(context.draft.text) - len(after), written))

        async def run() -> None:
            nonlocal written
            current = context.draft.text
            if not (current.startswith(before) and current.endswith(after)
                    and len(current) >= len(before) + len(after)):
                context.status.show("The draft changed since; select the passage and refine it again.", "error")
                return
            if target.strip():
                context.draft.save_version("Before refining")
            context.status.show("Refining…")
            update = None
            async for update in refine(operation, target, context.model, tone, embedder=context.embedder):
                written = update.text
                context.stream_into_editor(before + written + after)
            keep_end = len(current) - len(after)  # where the passage sits now (after Try again, what was written)
            context.draft.set(context.model_wrote(start, keep_end, written), caret=len(before + written))
            version = context.draft.save_version(update.summary.split(":")[0])
            context.status.show(f"{update.summary} Saved as v{version.number}.")

        def stopped() -> str:
            keep()
            context.draft.save_version("Stopped refining")
            return "Stopped. The text before refining is kept in Versions."

        context.work.begin(Job(run, stopped=stopped, failed=lambda _error: keep(), writes_editor=True))

    # --- beside the draft ---

    def start_rewrites(self) -> None:
        """Three rewrites of the selection, or of the paragraph holding the caret."""
        context = self.context
        if context.work.busy:
            return
        text, start, end = context.target(whole=False)
        passage = text[start:end]
        self.rewrite_target = (start, end, passage)
        self.rewrites = []

        async def run() -> None:
            context.status.show("Writing three rewrites…")
            async for found in alternatives(passage, context.model, embedder=context.embedder):
                self.rewrites = found
                self.show_rewrites(final=False)
            self.show_rewrites(final=True)
            count = len(self.rewrites)
            context.status.show(f"{count} rewrite{'s' if count != 1 else ''} beside the draft: pick one with Use this.")

        def keep_finished() -> None:
            if self.rewrites:
                self.rewrites = [r for r in self.rewrites if r.summary]
                self.show_rewrites(final=True)

        def stopped() -> str:
            keep_finished()
            return "Stopped."

        context.work.begin(Job(run, stopped=stopped, failed=lambda _error: keep_finished()))

    def show_rewrites(self, final: bool) -> None:
        self.context.page.set_html(ids.Assist.EXTRAS, views.rewrites_html(self.rewrites, final))

    def use_rewrite(self, index: int) -> None:
        """Put the chosen rewrite in place of the passage it was written from."""
        context = self.context
        if context.work.busy or self.rewrite_target is None or index >= len(self.rewrites):
            return
        start, end, original = self.rewrite_target
        if context.page.value(ids.Editor.DRAFT)[start:end] != original:
            context.status.show("The passage has changed since the rewrites were written: ask for new ones.", "error")
            return
        rewrite = self.rewrites[index]
        context.draft.save_version("Before rewriting")
        context.draft.set(context.model_wrote(start, end, rewrite.text), caret=start + len(rewrite.text))
        self.rewrite_target = (start, start + len(rewrite.text), rewrite.text)
        version = context.draft.save_version(f"Rewrite: {rewrite.style}")
        context.status.show(f"{rewrite.summary} Saved as v{version.number}.")

    def start_extra(self, kind: str) -> None:
        """A summary or headline variants of the selection or the whole draft, shown beside it."""
        context = self.context
        if context.work.busy:
            return
        text, start, end = context.target()
        label = EXTRA_LABELS[kind]

        async def run() -> None:
            context.status.show(f"Writing the {label}…")
            if kind == "headlines":
                self.headlines = await headlines(text[start:end], context.model, embedder=context.embedder)
                context.page.set_html(ids.Assist.EXTRAS, views.headlines_html(self.headlines))
                count = len(self.headlines)
                none = "No headline passed the studio's checks and stayed on the text this time; try again."
                context.status.show(f"{count} headline{'s' if count != 1 else ''}, each under {HEADLINE_MAX_CHARS} characters."
                                    if count else none, "info" if count else "warning")
            else:
                result = await summarize(kind, text[start:end], context.model, embedder=context.embedder)
                context.page.set_html(ids.Assist.EXTRAS, views.summary_html(label, result.text))
                context.status.show(f"The {label} is beside the draft. {result.note}".strip(),
                                    "warning" if result.note else "info")

        context.work.begin(Job(run))

    def use_headline(self, index: int) -> None:
        """Make a headline the draft's title (its first "# " line), as a new version."""
        context = self.context
        if context.work.busy or index >= len(self.headlines):
            return
        headline = self.headlines[index]
        first_line = context.draft.text.split("\n")[0]
        if first_line.startswith("# "):
            tracked = context.draft.model_replaced(2, len(first_line), headline, context.state.model)
        else:
            tracked = context.draft.model_replaced(0, 0, f"# {headline}\n\n", context.state.model)
        context.draft.set(tracked, caret=len(headline) + 2)
        version = context.draft.save_version("New title")
        context.status.show(f"Title set; saved as v{version.number}.")
