"""Cron expressions and the scheduler, with PocketBase's syntax, messages and timing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from pocketlite.tools.cron import Cron, Schedule, ScheduleError

EVERY_MINUTE, EVERY_HOUR, EVERY_DAY = set(range(60)), set(range(24)), set(range(1, 32))
EVERY_MONTH, EVERY_WEEKDAY = set(range(1, 13)), set(range(7))


@pytest.mark.parametrize(
    ("expression", "slots"),
    [
        ("* * * * *", (EVERY_MINUTE, EVERY_HOUR, EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        (
            "*/2 */3 */5 */4 */2",
            (set(range(0, 60, 2)), set(range(0, 24, 3)), {1, 6, 11, 16, 21, 26, 31}, {1, 5, 9}, {0, 2, 4, 6}),
        ),
        ("59 * * * *", ({59}, EVERY_HOUR, EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        (
            "1,2,5,7,40-50/2 * * * *",
            ({1, 2, 5, 7, 40, 42, 44, 46, 48, 50}, EVERY_HOUR, EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY),
        ),
        ("* 3,4,8-16/3,7 * * *", (EVERY_MINUTE, {3, 4, 7, 8, 11, 14}, EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        (
            "* * 5,6,20-30/3,1 * *",
            (EVERY_MINUTE, EVERY_HOUR, {1, 5, 6, 20, 23, 26, 29}, EVERY_MONTH, EVERY_WEEKDAY),
        ),
        ("* * * 1,4,5-10/2 *", (EVERY_MINUTE, EVERY_HOUR, EVERY_DAY, {1, 4, 5, 7, 9}, EVERY_WEEKDAY)),
        ("* * * * 1,2-5/2", (EVERY_MINUTE, EVERY_HOUR, EVERY_DAY, EVERY_MONTH, {1, 2, 4})),
        ("@hourly", ({0}, EVERY_HOUR, EVERY_DAY, EVERY_MONTH, EVERY_WEEKDAY)),
        ("@weekly", ({0}, {0}, EVERY_DAY, EVERY_MONTH, {0})),
        ("@yearly", ({0}, {0}, {1}, {1}, EVERY_WEEKDAY)),
    ],
)
def test_expressions_expand_to_their_slots(expression: str, slots: tuple[set[int], ...]) -> None:
    schedule = Schedule.parse(expression)
    assert (schedule.minutes, schedule.hours, schedule.days, schedule.months, schedule.weekdays) == slots


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "invalid",
            "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
        ),
        (
            "* * * *",
            "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
        ),
        (
            "* * * * * *",
            "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
        ),
        (
            "2/3 * * * *",
            "invalid segment step - step > 1 could be used only with the wildcard or range format",
        ),
        ("-1 * * * *", 'strconv.Atoi: parsing "": invalid syntax'),
        ("60 * * * *", "invalid segment value - must be between the min and max of the segment"),
        ("* 24 * * *", "invalid segment value - must be between the min and max of the segment"),
        ("* * 0 * *", "invalid segment value - must be between the min and max of the segment"),
        ("* * * 13 *", "invalid segment value - must be between the min and max of the segment"),
        ("* * * * 7", "invalid segment value - must be between the min and max of the segment"),
        ("*/0 * * * *", "invalid segment step boundary - the step must be between 1 and the 59"),
        ("*/1/2 * * * *", "invalid segment step format - must be in the format */n or 1-30/n"),
        ("5-2 * * * *", "invalid segment range maximum - must be between 5 and 59"),
        ("1-2-3 * * * *", "invalid segment range format - the range must have 1 or 2 parts"),
        ("a * * * *", 'strconv.Atoi: parsing "a": invalid syntax'),
    ],
)
def test_invalid_expressions_are_refused_with_pocketbases_messages(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        Schedule.parse(expression)
    assert str(refused.value) == message


def test_a_schedule_is_due_in_the_minutes_it_names() -> None:
    weekday_mornings = Schedule.parse("30 9 * * 1-5")
    assert weekday_mornings.is_due(dt.datetime(2026, 12, 1, 9, 30, 59))  # a Tuesday
    assert not weekday_mornings.is_due(dt.datetime(2026, 12, 1, 9, 31))
    assert not weekday_mornings.is_due(dt.datetime(2026, 12, 6, 9, 30))  # a Sunday
    assert Schedule.parse("0 0 * * 0").is_due(dt.datetime(2026, 12, 6, 0, 0))
    assert Schedule.parse("@monthly").expression == "0 0 1 * *"


def test_adding_an_existing_id_replaces_the_job_and_a_bad_expression_is_refused() -> None:
    cron = Cron()

    async def job() -> None:
        pass

    cron.add("a", "* * * * *", job)
    cron.add("b", "@daily", job)
    cron.add("a", "*/5 * * * *", job)
    assert [(j.id, j.expression) for j in cron.jobs()] == [("b", "0 0 * * *"), ("a", "*/5 * * * *")]
    with pytest.raises(ScheduleError, match=r"^failed to add new cron job: invalid segment value"):
        cron.add("c", "61 * * * *", job)
    cron.remove("b")
    assert [j.id for j in cron.jobs()] == ["a"]
    cron.remove_all()
    assert cron.jobs() == []


async def test_due_jobs_start_and_a_job_still_running_is_not_started_twice() -> None:
    cron = Cron()
    release = asyncio.Event()
    runs: list[str] = []

    async def slow() -> None:
        runs.append("slow")
        await release.wait()

    async def quick() -> None:
        runs.append("quick")

    cron.add("slow", "* * * * *", slow)
    cron.add("quick", "* * * * *", quick)
    cron.add("hourly", "0 * * * *", quick)
    first = cron.run_due(dt.datetime(2026, 12, 1, 10, 1))
    await asyncio.sleep(0)
    second = cron.run_due(dt.datetime(2026, 12, 1, 10, 2))  # slow hasn't finished
    await asyncio.sleep(0)
    assert (first, second) == (["slow", "quick"], ["quick"])
    release.set()
    await asyncio.sleep(0.01)
    assert cron.run_due(dt.datetime(2026, 12, 1, 11, 0)) == ["slow", "quick", "hourly"]
    await asyncio.sleep(0)
    assert runs == ["slow", "quick", "quick", "slow", "quick", "quick"]


async def test_a_failing_job_is_logged_and_runs_again_next_time(caplog: pytest.LogCaptureFixture) -> None:
    cron = Cron()
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("disk on fire")

    cron.add("broken", "* * * * *", broken)
    cron.run_due(dt.datetime(2026, 12, 1, 10, 1))
    await asyncio.sleep(0.01)
    cron.run_due(dt.datetime(2026, 12, 1, 10, 2))
    await asyncio.sleep(0.01)
    assert calls == 2
    assert [r.getMessage() for r in caplog.records] == ["cron job broken failed", "cron job broken failed"]


async def test_the_clock_starts_and_stops() -> None:
    cron = Cron()
    cron.start()
    assert cron.started
    cron.stop()
    assert not cron.started
