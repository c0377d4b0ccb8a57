"""Background work that outlives the request that started it (mails sent after the answer,
what hook code spawns). A stopping app gives it a moment to finish (`wait_background`)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["fire_and_forget", "wait_background"]

_log = logging.getLogger("pocketlite")
# The event loop keeps only weak references to tasks: hold them until they finish.
_RUNNING: set[asyncio.Task[Any]] = set()


def fire_and_forget(
    work: Coroutine[Any, Any, Any], what: str, *, fresh_context: bool = False
) -> asyncio.Task[Any]:
    """Run `work` in the background, as a task named `background: <what>`; a failure is logged
    with `what` it was doing. `fresh_context` starts it outside the caller's context (no open
    transaction follows it)."""
    context = contextvars.Context() if fresh_context else None
    task = asyncio.get_running_loop().create_task(work, name=f"background: {what}", context=context)
    _RUNNING.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _RUNNING.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            _log.error("%s failed", what, exc_info=finished.exception())

    task.add_done_callback(done)
    return task


async def wait_background(timeout: float) -> None:
    """Give the background tasks of this loop up to `timeout` seconds, then cancel the rest."""
    loop = asyncio.get_running_loop()
    running = {t for t in _RUNNING if t.get_loop() is loop and not t.done()}
    if not running:
        return
    _, pending = await asyncio.wait(running, timeout=timeout)
    for task in pending:
        task.cancel()
