"""PocketBase's own cron jobs: registered under its ids, they clear expired OTPs and MFA
sessions of every auth collection and checkpoint the databases — on a real data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketlite.app import App, Config
from pocketlite.core.record import Record
from pocketlite.core.system_jobs import delete_expired, optimize_databases


async def _ref(app: App, table: str, owner: Record, created: str) -> str:
    refs = app.find_collection(table)
    assert refs is not None
    data = {"collectionRef": owner.collection.id, "recordRef": owner.id}
    row = Record(
        refs, {**data, "password": "12345678"} if table == "_otps" else {**data, "method": "password"}
    )
    await app.save(row)
    await app.data.execute(f"UPDATE {table} SET created = ? WHERE id = ?", (created, row.id))
    return row.id


async def _user(app: App, email: str, collection: str = "users") -> Record:
    users = app.find_collection(collection)
    assert users is not None
    user = Record(users, {"email": email, "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"})
    await app.save(user)
    return user


def test_the_jobs_have_pocketbases_ids_and_expressions(tmp_path: Path) -> None:
    jobs = App(Config(data_dir=str(tmp_path / "pb_data"))).cron.jobs()
    assert [(j.id, j.expression) for j in jobs] == [
        ("__pbDBOptimize__", "0 0 * * *"),
        ("__pbMFACleanup__", "0 * * * *"),
        ("__pbOTPCleanup__", "0 * * * *"),
        ("__pbLogsCleanup__", "0 */6 * * *"),
    ]


@pytest.mark.parametrize("table", ["_otps", "_mfas"])
async def test_expired_rows_go_and_live_ones_stay(app: App, table: str) -> None:
    # Every auth collection's rows, by its own duration (OTPs 180 s, MFA sessions 600 s).
    user = await _user(app, "ann@example.com")
    superuser = await _user(app, "bob@example.com", "_superusers")
    await _ref(app, table, user, "2020-01-01 00:00:00.000Z")
    await _ref(app, table, superuser, "2020-01-01 00:00:00.000Z")
    fresh = {await _ref(app, table, owner, "2999-01-01 00:00:00.000Z") for owner in (user, superuser)}
    assert await delete_expired(app, table) == 2
    rows = await app.data.fetch_all(f"SELECT id FROM {table}")
    assert {r["id"] for r in rows} == fresh


async def test_the_job_runs_through_the_scheduler(app: App) -> None:
    user = await _user(app, "cy@example.com")
    await _ref(app, "_otps", user, "2020-01-01 00:00:00.000Z")
    job = next(j for j in app.cron.jobs() if j.id == "__pbOTPCleanup__")
    await job.run()
    assert await app.data.fetch_all("SELECT id FROM _otps") == []


async def test_the_nightly_job_empties_the_write_ahead_logs(app: App) -> None:
    await _user(app, "dee@example.com")
    wal = app.data.path.with_name("data.db-wal")
    assert wal.stat().st_size > 0
    await optimize_databases(app.data, app.aux)
    assert wal.stat().st_size == 0
    assert app.aux.path.with_name("auxiliary.db-wal").stat().st_size == 0
