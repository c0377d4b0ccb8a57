"""Background work that outlives the request that started it (mails sent after the answer)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["fire_and_forget"]

_log = logging.getLogger("pocketlite")
# The event loop keeps only weak references to tasks: hold them until they finish.
_RUNNING: set[asyncio.Task[Any]] = set()


def fire_and_forget(work: Coroutine[Any, Any, Any], what: str) -> None:
    """Run `work` in the background; a failure is logged with `what` it was doing."""
    task = asyncio.get_running_loop().create_task(work)
    _RUNNING.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _RUNNING.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            _log.error("%s failed", what, exc_info=finished.exception())

    task.add_done_callback(done)
