"""The draft's counts and Markdown preview, kept quick for long drafts.

A long draft is cut into pieces that render alone (``render.markdown_chunks``);
each piece's word count and HTML are kept, so an edit renders only the piece it
touched, and the page shows each piece in a block of its own, so only changed
blocks are redrawn. When much is new at once (a long paste, a restored version)
the preview waits for a pause in typing and then renders a piece per task, so
the page answers input and paints in between; the counts, far cheaper, come
first. It works through the page object it is given (``app.bridge.Page``).

Public: ``Preview``, ``PAUSE_SECONDS``, ``AT_ONCE_CHARS``, ``COUNT_AT_ONCE_CHARS``,
``BLOCKS_PER_TASK``, ``FIRST_HEADING``.
"""
from __future__ import annotations

import asyncio

from ..core.document import WORDS_PER_MINUTE, TextStats, text_stats
from ..core.render import markdown_chunks, reference_definitions, render_markdown

PAUSE_SECONDS = 0.2
# The draft's top headings sit below the page's "Preview" heading (an h3).
FIRST_HEADING = 4
# New text rendered at once (a keystroke, a model's edit); more waits and goes piece by piece.
AT_ONCE_CHARS = 8000
# New text counted at once; more is counted piece by piece too.
COUNT_AT_ONCE_CHARS = 50_000
# Blocks put in the page per task when many pieces change at once.
BLOCKS_PER_TASK = 4


class Preview:
    """Counts in one element, the rendered draft in another."""

    def __init__(self, page, preview_id: str, stats_id: str) -> None:
        self.page = page
        self.preview_id = preview_id
        self.stats_id = stats_id
        self._words: dict[str, int] = {}  # piece → its words
        self._html: dict[str, str] = {}  # piece, with the link definitions it needs → its HTML
        self._shown: list[str] = []  # the HTML of each block in the page, in order
        self._drawing: asyncio.Future | None = None

    def show(self, text: str) -> None:
        """Bring counts and preview up to date with ``text``: at once when little is new, else
        after a pause in typing, a piece at a time."""
        if self._drawing is not None:
            self._drawing.cancel()
            self._drawing = None
        chunks = markdown_chunks(text)
        sources = self._sources(text, chunks)
        counted = sum(len(chunk) for chunk in set(chunks) if chunk not in self._words) <= COUNT_AT_ONCE_CHARS
        if counted:
            self._show_counts(text, chunks)
        if sum(len(source) for source in set(sources) if source not in self._html) <= AT_ONCE_CHARS:
            self._replace_blocks([self._render(source) for source in sources])
            self._forget(chunks, sources)
        else:
            self._drawing = asyncio.ensure_future(self._show_later(text, chunks, sources, counted))

    @property
    def settled(self) -> bool:
        """Whether the page shows the latest text (no drawing is waiting or running)."""
        return self._drawing is None or self._drawing.done()

    @staticmethod
    def _sources(text: str, chunks: list[str]) -> list[str]:
        """What to render for each piece: the piece, and the document's link definitions if it links."""
        definitions = reference_definitions(text)
        return [f"{chunk}\n\n{definitions}" if definitions and "[" in chunk else chunk for chunk in chunks]

    async def _show_later(self, text: str, chunks: list[str], sources: list[str], counted: bool) -> None:
        await asyncio.sleep(PAUSE_SECONDS)
        if not counted:
            for chunk in chunks:
                if chunk not in self._words:
                    self._words[chunk] = text_stats(chunk).words
                    await asyncio.sleep(0)
            self._show_counts(text, chunks)
        parts = []
        for source in sources:
            if source not in self._html:
                self._render(source)
                await asyncio.sleep(0)
            parts.append(self._html[source])
        start, end, shown_end = self._changed(parts)
        self.page.splice_html(self.preview_id, start, shown_end - start, [])
        del self._shown[start:shown_end]
        for step in range(start, end, BLOCKS_PER_TASK):
            batch = parts[step:min(step + BLOCKS_PER_TASK, end)]
            self.page.splice_html(self.preview_id, step, 0, batch)
            self._shown[step:step] = batch
            await asyncio.sleep(0)
        self._forget(chunks, sources)

    def _render(self, source: str) -> str:
        if source not in self._html:
            self._html[source] = render_markdown(source, FIRST_HEADING)
        return self._html[source]

    def _show_counts(self, text: str, chunks: list[str]) -> None:
        words = 0
        for chunk in chunks:
            if chunk not in self._words:
                self._words[chunk] = text_stats(chunk).words
            words += self._words[chunk]
        stats = TextStats(words, len(text) - text.count("\n"), round(words / WORDS_PER_MINUTE))
        self.page.set_text(self.stats_id, stats.describe())

    def _changed(self, parts: list[str]) -> tuple[int, int, int]:
        """The blocks to redraw: ``parts[start:end]`` replace the shown ``[start:shown_end]``."""
        start = 0
        while start < min(len(parts), len(self._shown)) and parts[start] == self._shown[start]:
            start += 1
        same_end = 0
        while (same_end < min(len(parts), len(self._shown)) - start
               and parts[-1 - same_end] == self._shown[-1 - same_end]):
            same_end += 1
        return start, len(parts) - same_end, len(self._shown) - same_end

    def _replace_blocks(self, parts: list[str]) -> None:
        start, end, shown_end = self._changed(parts)
        if start < end or start < shown_end:
            self.page.splice_html(self.preview_id, start, shown_end - start, parts[start:end])
            self._shown[start:shown_end] = parts[start:end]

    def _forget(self, chunks: list[str], sources: list[str]) -> None:
        """Keep only the pieces of the text now shown."""
        self._words = {chunk: self._words[chunk] for chunk in chunks if chunk in self._words}
        self._html = {source: self._html[source] for source in sources if source in self._html}
