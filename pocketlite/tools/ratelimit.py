"""Fixed-window rate limiting, as PocketBase counts it: each key gets `max_requests` per window
of `interval` seconds, the window starting at the key's first request after the last one ended."""

from __future__ import annotations

import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allowances per key (usually a client IP) for one rule."""

    def __init__(self, max_requests: int, interval: float) -> None:
        self.max_requests = max_requests
        self.interval = interval
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, requests left)

    def allow(self, key: str) -> bool:
        """Take one request from `key`'s allowance; False once it is used up for this window."""
        now = time.monotonic()
        # NB: no stored window means a new one; a (0, 0) default would refuse every first request
        # while the monotonic clock (seconds since boot) is still below the interval.
        start, left = self._windows.get(key, (now - self.interval, 0))
        if now - start >= self.interval:
            start, left = now, self.max_requests
            if len(self._windows) > 10_000:
                self._forget_stale(now)
        if left <= 0:
            return False
        self._windows[key] = (start, left - 1)
        return True

    def _forget_stale(self, now: float) -> None:
        self._windows = {k: w for k, w in self._windows.items() if now - w[0] < self.interval}
