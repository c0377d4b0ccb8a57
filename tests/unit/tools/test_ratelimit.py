"""The fixed-window limiter behind the OTP guess limit."""

from __future__ import annotations

import pytest

from pocketlite.tools import ratelimit
from pocketlite.tools.ratelimit import RateLimiter


def test_a_new_key_gets_its_allowance_right_after_boot(monkeypatch: pytest.MonkeyPatch) -> None:
    # The monotonic clock counts from boot: one second in, a 180 s window must still open.
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: 1.0)
    limiter = RateLimiter(2, 180)
    assert [limiter.allow("k"), limiter.allow("k"), limiter.allow("k")] == [True, True, False]
    assert limiter.allow("other") is True


def test_the_window_reopens_after_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    limiter = RateLimiter(1, 10)
    assert [limiter.allow("k"), limiter.allow("k")] == [True, False]
    now[0] += 10
    assert limiter.allow("k") is True
