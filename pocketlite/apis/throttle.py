"""The list endpoint's guard against probing hidden records through filters (records-api.md §1):
a client whose filtered lists keep coming back empty, more than 3 times in 3 seconds per
collection, is slowed down a little, at random (PocketBase's `randomizedThrottle`). The count is
on the app's rate-limit counters, whether rate limiting is on or not."""

from __future__ import annotations

import asyncio
import secrets

from pocketlite.core.base import Core
from pocketlite.core.collection import Collection

__all__ = ["throttle_empty_list"]

_LIMIT = (3, 3)  # empty lists per seconds
_MAX_DELAY_MS = 500


async def throttle_empty_list(app: Core, collection: Collection, ip: str) -> None:
    """Note one empty filtered list of `ip`; past the limit, wait a random 0-500 ms."""
    if not app.rate_limits.allow(f"@pb_list_timing_check_{collection.id}", *_LIMIT, ip):
        await asyncio.sleep(secrets.randbelow(_MAX_DELAY_MS) / 1000)
