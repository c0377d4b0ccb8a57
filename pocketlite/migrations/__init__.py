"""System migrations, applied in order on every start (each runs once per data dir)."""

from __future__ import annotations

from pocketlite.core.migrations import Migration
from pocketlite.migrations import init

__all__ = ["SYSTEM_MIGRATIONS"]

SYSTEM_MIGRATIONS: tuple[Migration, ...] = (init.AUX_INIT, init.INIT)
