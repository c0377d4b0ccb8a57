"""A pb_hooks file for the API scenario tables: it notes every hook that fires (outside the
cron jobs and background tasks such as mails, which run on their own clock) and serves the
names at `GET /api/_test/events`, clearing them, so a scenario can say which hooks its request
fired."""

from __future__ import annotations

import asyncio
from typing import Any

from pocketlite import hooks

fired: list[str] = []


def _recorder(name: str) -> Any:
    async def note(e: Any) -> None:
        task = asyncio.current_task()
        if task is None or not task.get_name().startswith(("cron ", "background: ")):
            fired.append(name)
        await e.next()

    return note


for _name in hooks.app.hook_names():
    getattr(hooks, _name)(priority=-10_000)(_recorder(_name))


@hooks.route("GET", "/api/_test/events")
async def events(e: hooks.RequestEvent) -> None:
    e.json(200, list(fired))
    fired.clear()
