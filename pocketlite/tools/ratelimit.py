"""Fixed-window rate limiting, as PocketBase counts it (`apis/middlewares_rate_limit.go`): each
key gets `max_requests` per window of `interval` seconds; a window opens at the key's first
request after the previous one ended. Time is counted in whole Unix seconds, as PocketBase
does, so a window lasts between `interval - 1` and `interval` seconds."""

from __future__ import annotations

import time

__all__ = ["RateLimiter"]

# Past this many keys, a new key first drops the ones whose window ended (memory stays bounded
# even where no cleanup job runs, e.g. in a server worker that doesn't run the cron jobs).
_MAX_KEYS = 10_000


class RateLimiter:
    """Allowances per key (usually a client IP) for one rule."""

    __slots__ = ("_windows", "interval", "max_requests")

    def __init__(self, max_requests: int, interval: int) -> None:
        self.max_requests = max_requests
        self.interval = interval
        self._windows: dict[str, list[int]] = {}  # key -> [window start, requests left]

    def allow(self, key: str) -> bool:
        """Take one request from `key`'s allowance; False once it is used up for this window."""
        now = int(time.time())
        window = self._windows.get(key)
        if window is None:
            # NB: PocketBase starts a new key at window 0, i.e. expired; so does this.
            if len(self._windows) >= _MAX_KEYS:
                self.clean()
            self._windows[key] = window = [now, self.max_requests]
        elif now - window[0] >= self.interval:
            window[0], window[1] = now, self.max_requests
        if window[1] <= 0:
            return False
        window[1] -= 1
        return True

    def clean(self, min_idle: int = 0) -> None:
        """Forget the keys whose last window ended more than `min_idle` seconds ago."""
        now = int(time.time())
        self._windows = {k: w for k, w in self._windows.items() if now - (w[0] + self.interval) <= min_idle}
