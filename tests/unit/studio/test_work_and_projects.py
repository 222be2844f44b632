"""The one piece of work at a time, the kept project, and the page's ids, wired to a fake page."""
import asyncio
import re

from app.core.errors import StudioError, WorkerCrashedError
from app.studio import ids
from app.studio.work import Job

from ..core.doubles import run_async
from .fakes import INDEX, FakePage, StudioModel, until_idle
from .helpers import open_studio


def test_every_id_the_studio_uses_is_in_the_page_once():
    for element_id in ids.every_id():
        assert len(re.findall(rf'\bid="{re.escape(element_id)}"', INDEX)) == 1, element_id


def test_work_is_busy_until_it_ends_and_stop_keeps_what_the_job_says():
    async def scenario():
        page, _model, context = await open_studio()
        heard = []
        context.work.listen(lambda busy, job: heard.append(busy))
        started = asyncio.Event()

        async def forever():
            started.set()
            await asyncio.sleep(3600)

        assert context.work.begin(Job(forever, stopped=lambda: "Stopped. Kept 3 ideas."))
        assert not context.work.begin(Job(forever))  # one at a time
        await started.wait()
        assert page.data["studio", "busy"] == "true" and page.enabled["stop"]
        page.click("stop")
        await until_idle(context)
        assert page.texts["status"] == "Stopped. Kept 3 ideas." and page.data["studio", "busy"] == "false"
        assert heard == [True, False]
    run_async(scenario())


def test_a_crash_offers_try_again_which_runs_the_same_work():
    async def scenario():
        page, _model, context = await open_studio()
        runs, kept = [], []

        async def crashing():
            runs.append(1)
            if len(runs) == 1:
                raise WorkerCrashedError("The model stopped unexpectedly.")

        context.work.begin(Job(crashing, failed=kept.append))
        await until_idle(context)
        assert "press Try again" in page.texts["status"] and page.hidden["retry"] is False and len(kept) == 1
        page.click("retry")
        await until_idle(context)
        assert runs == [1, 1] and page.hidden["retry"] is True
        context.work.begin(Job(lambda: _raise(StudioError("The model is not there."))))
        await until_idle(context)
        assert page.texts["status"] == "The model is not there." and page.hidden["retry"] is True
    run_async(scenario())


async def _raise(error):
    raise error


def test_a_model_that_fails_to_load_is_said_and_work_waits_for_none():
    async def scenario():
        page, _model, context = await open_studio(model=StudioModel(fail=StudioError("The model could not load.")))
        assert page.texts["status"] == "The model could not load." and not context.work.model_ready
        assert page.data["studio", "python"] == "ready" and page.enabled["spark"]
    run_async(scenario())


def test_the_project_is_kept_after_a_change_and_reopened_as_it_was():
    async def scenario():
        page, _model, context = await open_studio()
        assert page.data["projects", "state"] == "ready" and len(page.store.files) == 1
        page.type("brief", "urban beekeeping")
        page.type("draft", "Bees like roofs.")
        page.click("save-version")  # a version is kept at once
        await asyncio.sleep(0)
        (name, _updated, file), = page.store.files.values()
        assert name == "Untitled" and "Bees like roofs." in file and "urban beekeeping" in file
        again = FakePage()
        again.store = page.store
        again_page, _model, again_context = await open_studio(page=again)
        assert again_page.values["draft"] == "Bees like roofs." and again_page.values["brief"] == "urban beekeeping"
        assert again_context.draft.history.head == 1 and 'id="version-restore-1"' in again_page.html["history"]
        assert not again_context.draft.undo.can_undo
    run_async(scenario())


def test_a_new_project_starts_empty_beside_the_kept_one():
    async def scenario():
        page, _model, context = await open_studio()
        page.type("draft", "First project's words.")
        page.click("project-new")
        assert page.hidden["project-name-dialog"] is False and page.values["project-name"] == "Untitled (2)"
        page.submit("project-name-form")
        await page.tasks[-1]
        assert context.draft.text == "" and page.values["draft"] == "" and len(page.store.files) == 2
        assert page.focused == "project-new" and page.texts["project-status"] == "Started “Untitled (2)”."
    run_async(scenario())
