"""The fixed-window limiter behind rate limits and the OTP attempt limit."""

from __future__ import annotations

import pytest

from pocketlite.tools import ratelimit
from pocketlite.tools.ratelimit import RateLimiter


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.5]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    return now


def test_each_key_gets_its_allowance(clock: list[float]) -> None:
    limiter = RateLimiter(2, 180)
    assert [limiter.allow("k"), limiter.allow("k"), limiter.allow("k")] == [True, True, False]
    assert limiter.allow("other") is True


def test_windows_are_whole_seconds(clock: list[float]) -> None:
    # As PocketBase's Unix-second clock: a window opened at 1000.5 counts from 1000.
    limiter = RateLimiter(1, 10)
    assert [limiter.allow("k"), limiter.allow("k")] == [True, False]
    clock[0] = 1009.99
    assert limiter.allow("k") is False
    clock[0] = 1010.0
    assert [limiter.allow("k"), limiter.allow("k")] == [True, False]


def test_clean_forgets_keys_idle_past_the_given_time(clock: list[float]) -> None:
    limiter = RateLimiter(1, 10)
    limiter.allow("old")
    clock[0] += 100
    limiter.allow("recent")
    limiter.clean(min_idle=50)
    assert set(limiter._windows) == {"recent"}


def test_a_full_limiter_drops_ended_windows_before_adding(
    clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "_MAX_KEYS", 2)
    limiter = RateLimiter(1, 10)
    limiter.allow("a")
    limiter.allow("b")
    clock[0] += 11
    limiter.allow("b")
    limiter.allow("c")
    assert set(limiter._windows) == {"b", "c"}
