"""Runs migrations once each, recording them in `_migrations` (file name, unix microseconds)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

from pocketlite.core.db import Database

__all__ = ["Migration", "run_migrations"]


class Migration(NamedTuple):
    """One step. `covers` names PocketBase migrations whose end state this one creates directly,
    so they are recorded too and a data dir looks the same to either server."""

    file: str
    up: Callable[[Database, Database], Awaitable[None]]
    covers: tuple[str, ...] = ()


_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS `_migrations` "
    "(file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL)"
)


async def run_migrations(data: Database, aux: Database, migrations: Sequence[Migration]) -> list[str]:
    """Apply the pending `migrations` in order, all in one transaction; returns the applied files."""
    await data.execute(_CREATE_TABLE)
    rows = await data.fetch_all("SELECT file FROM _migrations")
    done = {r["file"] for r in rows}
    applied: list[str] = []
    # `up` receives the databases; its writes on `data` join this one transaction.
    async with data.transaction() as tx:
        for migration in migrations:
            if migration.file in done:
                continue
            await migration.up(data, aux)
            for file in (migration.file, *migration.covers):
                if file not in done:
                    await tx.execute(
                        "INSERT INTO _migrations (file, applied) VALUES (?, ?)",
                        (file, time.time_ns() // 1000),
                    )
                    done.add(file)
            applied.append(migration.file)
    return applied
