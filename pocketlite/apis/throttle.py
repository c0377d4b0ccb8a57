"""The list endpoint's guard against probing hidden records through filters (records-api.md §1):
a client whose filtered lists keep coming back empty is slowed down a little, at random."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque

__all__ = ["EmptyListThrottle"]


class EmptyListThrottle:
    """Counts empty filtered lists per (client IP, collection); past `limit` within `window`
    seconds each further one waits a random 0-500 ms (PocketBase's randomized throttle)."""

    def __init__(self, limit: int = 3, window: float = 3.0, max_delay_ms: int = 500) -> None:
        self.limit = limit
        self.window = window
        self.max_delay_ms = max_delay_ms
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def record(self, ip: str, collection_id: str, now: float | None = None) -> bool:
        """Note one empty result; whether this one should be delayed."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault((ip, collection_id), deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle clients rather than grow without bound
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] <= self.window}
        return len(hits) > self.limit

    async def delay(self) -> None:
        """Wait a random 0-500 ms."""
        await asyncio.sleep(secrets.randbelow(self.max_delay_ms) / 1000)
