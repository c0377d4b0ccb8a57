"""The jobs PocketBase schedules for itself, under its ids and expressions (`core/base.go`,
`otp_model.go`, `mfa_model.go`): expired OTPs and MFA sessions go every hour, the databases are
checkpointed and optimized every night, logs older than `logs.maxDays` go every six hours. They
are registered on the app's `Cron` like any other job, so they show and run the same way."""

from __future__ import annotations

import datetime as _dt
import logging
from typing import TYPE_CHECKING

from pocketlite.core.db import Database
from pocketlite.core.logs import LOGS_CLEANUP, delete_old_logs
from pocketlite.core.record import Record
from pocketlite.core.tablesync import quote
from pocketlite.tools.types import format_datetime, now

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["delete_expired", "optimize_databases", "register_system_jobs"]

_log = logging.getLogger("pocketlite")

OTP_CLEANUP = "__pbOTPCleanup__"
MFA_CLEANUP = "__pbMFACleanup__"
DB_OPTIMIZE = "__pbDBOptimize__"


async def delete_expired(app: Core, table: str) -> int:
    """Delete the rows of `_otps` or `_mfas` older than their auth collection's OTP or MFA
    duration — of every auth collection, the method enabled or not, so that nothing dangles;
    returns how many went. Each goes through the hooks, as any other delete."""
    collections = app.collections()
    refs = next((c for c in collections if c.name == table), None)
    if refs is None:
        return 0
    deleted = 0
    for collection in collections:
        if collection.auth is None:
            continue
        options = collection.auth.otp if table == "_otps" else collection.auth.mfa
        cutoff = format_datetime(now() - _dt.timedelta(seconds=options.duration))
        rows = await app.data.fetch_all(
            f"SELECT * FROM {quote(table)} WHERE collectionRef = ? AND created < ?", (collection.id, cutoff)
        )
        for row in rows:
            await app.delete(Record.from_row(refs, row))
            deleted += 1
    return deleted


async def optimize_databases(data: Database, aux: Database) -> None:
    """Checkpoint both databases' write-ahead logs; refresh the planner statistics of data.db."""
    await data.checkpoint(optimize=True)
    await aux.checkpoint()


def register_system_jobs(app: Core) -> None:
    """Schedule the system jobs on `app.cron`."""
    cron = app.cron

    async def otp_cleanup() -> None:
        await delete_expired(app, "_otps")

    async def mfa_cleanup() -> None:
        await delete_expired(app, "_mfas")

    async def db_optimize() -> None:
        await optimize_databases(app.data, app.aux)

    async def logs_cleanup() -> None:
        await delete_old_logs(app)

    # In PocketBase's order (what `GET /api/crons` lists after the app's own jobs).
    cron.add(DB_OPTIMIZE, "0 0 * * *", db_optimize)
    cron.add(MFA_CLEANUP, "0 * * * *", mfa_cleanup)
    cron.add(OTP_CLEANUP, "0 * * * *", otp_cleanup)
    cron.add(LOGS_CLEANUP, "0 */6 * * *", logs_cleanup)
