"""The crons API (admin-apis.md §5): superusers list the scheduled jobs and run one now."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post

from pocketlite.apis.context import AnyRequest, get_app, require_superuser
from pocketlite.apis.response import json_response
from pocketlite.core.errors import NotFoundError
from pocketlite.tools.tasks import fire_and_forget

__all__ = ["ROUTES"]


@get("/api/crons")
async def list_crons(request: AnyRequest) -> Response[bytes]:
    """`[{id, expression}]`: the app's own jobs by id, then PocketBase's `__pb*` ones."""
    require_superuser(request)
    jobs = get_app(request).cron.jobs()
    # NB: a stable sort that only orders the app's jobs; PocketBase's own keep their order.
    ordered = sorted(jobs, key=lambda job: (True, "") if job.id.startswith("__pb") else (False, job.id))
    return json_response(request, [{"id": job.id, "expression": job.expression} for job in ordered])


@post("/api/crons/{job_id:str}", status_code=204)
async def run_cron(request: AnyRequest, job_id: str) -> None:
    """Run a job now, in the background (whichever worker gets the request runs it)."""
    require_superuser(request)
    job = next((j for j in get_app(request).cron.jobs() if j.id == job_id), None)
    if job is None:
        raise NotFoundError("Missing or invalid cron job.")

    async def run() -> None:
        await job.run()

    fire_and_forget(run(), f"running the cron job {job_id}")


ROUTES: list[Any] = [list_crons, run_cron]
