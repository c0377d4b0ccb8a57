"""Scheduled jobs with PocketBase's cron syntax and timing (its `tools/cron`).

An expression is a macro (`@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`,
`@hourly`) or five space-separated segments — minute, hour, day of month, month, day of week
(0 = Sunday) — each a list of `*`, `n`, `a-b`, `*/step` or `a-b/step`. Times are UTC. The
scheduler wakes at the start of every minute and starts each due job in its own task; a job
still running from an earlier minute is not started again.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["Cron", "Job", "Schedule", "ScheduleError"]

_log = logging.getLogger("pocketlite")

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_SEGMENTS_ERROR = (
    "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments"
)
# (min, max) of minute, hour, day of month, month, day of week.
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


class ScheduleError(ValueError):
    """An expression PocketBase refuses, with its message."""


def _atoi(text: str) -> int:
    # Go's strconv.Atoi: an optional sign and ASCII digits, nothing else.
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ScheduleError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _segment(segment: str, low: int, high: int) -> frozenset[int]:
    slots: set[int] = set()
    for part in segment.split(","):
        step_parts = part.split("/")
        if len(step_parts) > 2:
            raise ScheduleError("invalid segment step format - must be in the format */n or 1-30/n")
        step = 1
        if len(step_parts) == 2:
            step = _atoi(step_parts[1])
            if step < 1 or step > high:
                raise ScheduleError(
                    f"invalid segment step boundary - the step must be between 1 and the {high}"
                )
        if step_parts[0] == "*":
            first, last = low, high
        else:
            range_parts = step_parts[0].split("-")
            if len(range_parts) == 1:
                if step != 1:
                    raise ScheduleError(
                        "invalid segment step - step > 1 could be used only with the wildcard or range format"
                    )
                first = last = _atoi(range_parts[0])
                if not low <= first <= high:
                    raise ScheduleError(
                        "invalid segment value - must be between the min and max of the segment"
                    )
            elif len(range_parts) == 2:
                first = _atoi(range_parts[0])
                if not low <= first <= high:
                    raise ScheduleError(f"invalid segment range minimum - must be between {low} and {high}")
                last = _atoi(range_parts[1])
                if not first <= last <= high:
                    raise ScheduleError(f"invalid segment range maximum - must be between {first} and {high}")
            else:
                raise ScheduleError("invalid segment range format - the range must have 1 or 2 parts")
        slots.update(range(first, last + 1, step))
    return frozenset(slots)


@dataclass(frozen=True)
class Schedule:
    """The minutes, hours, days, months and weekdays an expression runs at."""

    expression: str  # macros expanded, as PocketBase reports it
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        """The schedule of `expression`; `ScheduleError` with PocketBase's message if invalid."""
        expression = _MACROS.get(expression, expression)
        segments = expression.split(" ")
        if len(segments) != 5:
            raise ScheduleError(_SEGMENTS_ERROR)
        parsed = [_segment(s, low, high) for s, (low, high) in zip(segments, _BOUNDS, strict=True)]
        return cls(expression, *parsed)

    def is_due(self, moment: _dt.datetime) -> bool:
        """Whether the job runs in the minute of `moment` (read as it is: pass UTC)."""
        weekday = (moment.weekday() + 1) % 7  # Python's Monday = 0, cron's Sunday = 0
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.day in self.days
            and weekday in self.weekdays
            and moment.month in self.months
        )


@dataclass(frozen=True)
class Job:
    """A named, scheduled coroutine function."""

    id: str
    schedule: Schedule
    run: Callable[[], Awaitable[None]]

    @property
    def expression(self) -> str:
        """The job's cron expression (a macro shows as what it stands for)."""
        return self.schedule.expression


class Cron:
    """The app's jobs and the clock that starts them."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._ticker: asyncio.Task[None] | None = None

    def add(self, job_id: str, expression: str, run: Callable[[], Awaitable[None]]) -> None:
        """Schedule `run` (replacing a job with the same id); `ScheduleError` if invalid."""
        try:
            schedule = Schedule.parse(expression)
        except ScheduleError as exc:
            raise ScheduleError(f"failed to add new cron job: {exc}") from None
        self._jobs = [j for j in self._jobs if j.id != job_id] + [Job(job_id, schedule, run)]

    def remove(self, job_id: str) -> None:
        """Unschedule a job (an unknown id is fine)."""
        self._jobs = [j for j in self._jobs if j.id != job_id]

    def remove_all(self) -> None:
        """Unschedule every job."""
        self._jobs = []

    def jobs(self) -> list[Job]:
        """The scheduled jobs, in the order they were added."""
        return list(self._jobs)

    def run_due(self, moment: _dt.datetime) -> list[str]:
        """Start the jobs due in the minute of `moment` (UTC); returns the ids started. A job
        whose previous run hasn't finished is skipped, with a warning."""
        started = []
        for job in self._jobs:
            if not job.schedule.is_due(moment):
                continue
            if job.id in self._running:
                _log.warning("cron job %s is still running: skipped at %s", job.id, moment.isoformat())
                continue
            task = asyncio.get_running_loop().create_task(self._run(job), name=f"cron {job.id}")
            self._running[job.id] = task
            started.append(job.id)
        return started

    async def _run(self, job: Job) -> None:
        try:
            await job.run()
        except Exception:
            _log.exception("cron job %s failed", job.id)
        finally:
            del self._running[job.id]

    def start(self) -> None:
        """Wake at the start of every minute and run what is due (restarts if running)."""
        self.stop()
        self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="cron ticker")

    def stop(self) -> None:
        """Stop the clock; jobs already running finish on their own."""
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    @property
    def started(self) -> bool:
        """Whether the clock runs."""
        return self._ticker is not None

    async def _tick(self) -> None:
        while True:
            # To the next minute of the wall clock, each time anew: sleeps never drift.
            await asyncio.sleep(60 - time.time() % 60)
            self.run_due(_dt.datetime.now(_dt.UTC))
