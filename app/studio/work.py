"""The one piece of model work at a time, and the studio's status line.

``Work.begin(job)`` runs a ``Job``; the studio is busy until it ends, however it ends:
finished; stopped (Stop: once the model has really stopped, the job says what it kept);
failed with a ``StudioError`` (the job keeps what was written, the error is shown, and
Try again is offered when the model stopped unexpectedly: its worker died, or the
creator's server went away); or broken by a fault nobody foresaw (said in the status
line, the text untouched). Busy is set and cleared here only, shown
as ``main[data-busy]``, and told to listeners (buttons, the editor's lock, autosave).

Public: ``Status``, ``Job``, ``Work``.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..core.errors import StudioError
from . import ids


class Status:
    """The one line that says what the studio is doing or what went wrong."""

    def __init__(self, page) -> None:
        self.page = page

    def show(self, text: str, kind: str = "info") -> None:
        """``kind``: info, warning or error."""
        self.page.set_text(ids.STATUS, text)
        self.page.set_data(ids.STATUS, "kind", kind)


@dataclass
class Job:
    """A piece of model work: ``run`` does it; ``stopped`` keeps what Stop leaves and says
    so; ``failed`` keeps what was written before an error; ``writes_editor``: the model
    writes into the draft, which is read-only meanwhile."""

    run: Callable[[], Awaitable[None]]
    stopped: Callable[[], str] = lambda: "Stopped."
    failed: Callable[[StudioError], None] = lambda error: None
    writes_editor: bool = False


class Work:
    """Runs one ``Job`` at a time; Stop cancels it, Try again runs it again after a crash."""

    def __init__(self, page, model, status: Status) -> None:
        self.page, self.model, self.status = page, model, status
        self.model_ready = False
        self.task: asyncio.Task | None = None
        self.job: Job | None = None
        self.running = False  # begun and not yet ended
        self.listeners: list[Callable[[bool, Job | None], None]] = []
        page.on_click(ids.STOP, self.stop)
        page.on_click(ids.RETRY, self.retry)

    @property
    def busy(self) -> bool:
        return bool(self.task and not self.task.done())

    def listen(self, listener: Callable[[bool, Job | None], None]) -> None:
        """``listener(busy, job)`` as work begins and as it ends."""
        self.listeners.append(listener)

    def begin(self, job: Job) -> bool:
        """Start ``job`` unless work is running (then False)."""
        if self.busy:
            return False
        self.job = job
        self.page.set_hidden(ids.RETRY, True)
        self._set_running(True)
        self.task = asyncio.ensure_future(self._run(job))
        self.task.add_done_callback(self._after)
        return True

    async def _run(self, job: Job) -> None:
        try:
            if not self.model_ready:
                self.status.show("Waiting for the model to finish loading…")
            await self.model.ready()
            await job.run()
        except asyncio.CancelledError:
            self.status.show("Stopping…")
            await self.model.settled()
            self.status.show(job.stopped())
        except StudioError as error:
            job.failed(error)
            self.show_error(error)
        finally:
            self._set_running(False)

    def _after(self, task: asyncio.Task) -> None:
        """Work stopped before it began never ran its ending: end it here. Work that failed
        in a way nobody foresaw says so (the text is untouched)."""
        failure = None if task.cancelled() else task.exception()
        if task is self.task and self.running:
            self._set_running(False)
            self.status.show("Stopped.")
        if failure is not None:
            self.status.show(f"Something went wrong: {failure}. Your text is kept; try again.", "error")
            raise failure  # logged to the console with its traceback

    def show_error(self, error: StudioError) -> None:
        """Say what went wrong; when the model stopped unexpectedly, offer to run the work again."""
        crashed = error.retryable and self.job is not None
        self.status.show(f"{error} What was written so far is kept: press Try again to run it again."
                         if crashed else str(error), "error")
        self.page.set_hidden(ids.RETRY, not crashed)

    def retry(self) -> None:
        if not self.busy and self.job is not None:
            self.begin(self.job)

    def stop(self) -> None:
        if self.busy:
            self.task.cancel()

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.page.set_enabled(ids.STOP, running)
        self.page.set_data(ids.STUDIO, "busy", str(running).lower())
        for listener in self.listeners:
            listener(running, self.job)
