"""The jobs PocketBase schedules for itself, under its ids and expressions (`core/base.go`,
`otp_model.go`, `mfa_model.go`): expired OTPs and MFA sessions go every hour, the databases are
checkpointed and optimized every night. They are registered on the app's `Cron` like any other
job, so they show and run the same way."""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Callable

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.record import Record
from pocketlite.core.records import delete_record
from pocketlite.core.tablesync import quote
from pocketlite.tools.cron import Cron
from pocketlite.tools.types import format_datetime, now

__all__ = ["delete_expired", "optimize_databases", "register_system_jobs"]

_log = logging.getLogger("pocketlite")

OTP_CLEANUP = "__pbOTPCleanup__"
MFA_CLEANUP = "__pbMFACleanup__"
DB_OPTIMIZE = "__pbDBOptimize__"


async def delete_expired(db: Database, collections: list[Collection], table: str) -> int:
    """Delete the rows of `_otps` or `_mfas` older than their auth collection's OTP or MFA
    duration — of every auth collection, the method enabled or not, so that nothing dangles;
    returns how many went. Each goes through `delete_record`, as any other delete."""
    refs = next((c for c in collections if c.name == table), None)
    if refs is None:
        return 0
    deleted = 0
    for collection in collections:
        if collection.auth is None:
            continue
        options = collection.auth.otp if table == "_otps" else collection.auth.mfa
        cutoff = format_datetime(now() - _dt.timedelta(seconds=options.duration))
        rows = await db.fetch_all(
            f"SELECT * FROM {quote(table)} WHERE collectionRef = ? AND created < ?", (collection.id, cutoff)
        )
        for row in rows:
            await delete_record(db, Record.from_row(refs, row))
            deleted += 1
    return deleted


async def optimize_databases(data: Database, aux: Database) -> None:
    """Checkpoint both databases' write-ahead logs; refresh the planner statistics of data.db."""
    await data.checkpoint(optimize=True)
    await aux.checkpoint()


def register_system_jobs(
    cron: Cron, data: Database, aux: Database, collections: Callable[[], list[Collection]]
) -> None:
    """Schedule the system jobs on `cron`."""

    async def otp_cleanup() -> None:
        await delete_expired(data, collections(), "_otps")

    async def mfa_cleanup() -> None:
        await delete_expired(data, collections(), "_mfas")

    async def db_optimize() -> None:
        await optimize_databases(data, aux)

    cron.add(OTP_CLEANUP, "0 * * * *", otp_cleanup)
    cron.add(MFA_CLEANUP, "0 * * * *", mfa_cleanup)
    cron.add(DB_OPTIMIZE, "0 0 * * *", db_optimize)
