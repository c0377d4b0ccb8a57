"""Keys that drop out by themselves after a while (resend guards, short-lived hand-overs)."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["ExpiringMap", "ExpiringSet"]

# Past this many entries, expired ones are swept on the next write.
_SWEEP_AT = 10_000


class ExpiringMap:
    """Values remembered for `ttl` seconds each."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Any]] = {}

    def set(self, key: str, value: Any) -> None:
        """Remember `value` under `key` for the next `ttl` seconds."""
        now = time.monotonic()
        if len(self._entries) > _SWEEP_AT:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
        self._entries[key] = (now + self.ttl, value)

    def pop(self, key: str) -> Any:
        """The live value under `key` (None if none), forgotten from now on."""
        entry = self._entries.pop(key, None)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def discard(self, key: str) -> None:
        """Forget `key` now."""
        self._entries.pop(key, None)

    def __contains__(self, key: object) -> bool:
        entry = self._entries.get(key) if isinstance(key, str) else None
        return entry is not None and entry[0] > time.monotonic()


class ExpiringSet(ExpiringMap):
    """Keys remembered for `ttl` seconds each."""

    def add(self, key: str) -> None:
        """Remember `key` for the next `ttl` seconds."""
        self.set(key, True)
