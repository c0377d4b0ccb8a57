"""A set whose members drop out by themselves after a while (resend guards and the like)."""

from __future__ import annotations

import time

__all__ = ["ExpiringSet"]


class ExpiringSet:
    """Keys remembered for `ttl` seconds each."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._until: dict[str, float] = {}

    def add(self, key: str) -> None:
        """Remember `key` for the next `ttl` seconds."""
        now = time.monotonic()
        if len(self._until) > 10_000:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = now + self.ttl

    def discard(self, key: str) -> None:
        """Forget `key` now."""
        self._until.pop(key, None)

    def __contains__(self, key: object) -> bool:
        until = self._until.get(key) if isinstance(key, str) else None
        return until is not None and until > time.monotonic()
