"""Backups and restores in the core, on a real data dir: hooks may change what a backup leaves
out, one runs at a time, and a restore is prepared in one step and put in place (or taken back)
in another."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import zipfile
from pathlib import Path

import pytest

from pocketlite.app import App, Config
from pocketlite.core import backup_restore
from pocketlite.core.backup_cron import auto_backup
from pocketlite.core.backup_restore import RestoreError, apply_pending_restore
from pocketlite.core.backups import BackupBusyError, BackupLock, active_backup, clear_temp_dir
from pocketlite.core.events import BackupEvent, MailerEvent
from pocketlite.core.record import Record
from pocketlite.tools.mailer import Message


def _names(app: App, key: str) -> list[str]:
    return zipfile.ZipFile(app.data_dir / "backups" / key).namelist()


def _leftovers(app: App) -> list[str]:
    temp = app.data_dir / ".pb_temp_to_delete"
    return sorted(p.name for p in temp.iterdir()) if temp.exists() else []


async def test_a_hook_decides_what_a_backup_leaves_out(app: App) -> None:
    (app.data_dir / "storage" / "c" / "r").mkdir(parents=True)
    (app.data_dir / "storage" / "c" / "r" / "f.txt").write_text("file")
    (app.data_dir / "notes.txt").write_text("kept")

    async def without_storage(e: BackupEvent) -> None:
        e.exclude.append("storage")
        await e.next()

    assert await app.create_backup("all.zip") == "all.zip"
    app.on_backup_create.bind_func(without_storage)
    assert await app.create_backup("lean.zip") == "lean.zip"
    assert _names(app, "all.zip") == ["data.db", "auxiliary.db", "notes.txt", "storage/c/r/f.txt"]
    assert _names(app, "lean.zip") == ["data.db", "auxiliary.db", "notes.txt"]
    assert _leftovers(app) == []


async def test_one_backup_or_restore_at_a_time(app: App) -> None:
    lock = BackupLock.acquire(app.data_dir, "other.zip")
    try:
        assert active_backup(app.data_dir) == "other.zip"
        with pytest.raises(BackupBusyError):
            await app.create_backup("x.zip")
        with pytest.raises(BackupBusyError):
            await app.restore_backup("x.zip")
        (app.data_dir / ".pb_temp_to_delete").mkdir()
        clear_temp_dir(app.data_dir)  # not while the other one runs
        assert (app.data_dir / ".pb_temp_to_delete").exists()
    finally:
        lock.release()
    assert active_backup(app.data_dir) is None


async def test_a_restore_needs_a_process_that_can_restart(app: App) -> None:
    await app.create_backup("snap.zip")
    with pytest.raises(RuntimeError, match="can't restart itself"):
        await app.restore_backup("snap.zip")
    with pytest.raises(RestoreError) as missing:
        await app.restore_backup("nope.zip")
    assert str(missing.value) == 'missing or invalid backup file "nope.zip" to restore'
    assert _leftovers(app) == []
    assert active_backup(app.data_dir) is None


async def test_a_prepared_restore_is_put_in_place_and_can_be_taken_back(tmp_path: Path) -> None:
    data_dir = tmp_path / "pb_data"
    app = App(Config(data_dir=str(data_dir)))
    await app.start()
    await app.data.execute("CREATE TABLE marker (v TEXT)")
    await app.data.execute("INSERT INTO marker VALUES ('backed up')")
    await app.create_backup("snap.zip")
    await app.data.execute("UPDATE marker SET v = 'changed since'")
    restarts: list[bool] = []
    app.restarter = lambda: restarts.append(True)
    await app.restore_backup("snap.zip")
    assert restarts == [True]
    assert active_backup(data_dir) == "snap.zip"  # held for as long as the process lives
    assert _marker(data_dir) == "changed since"  # nothing moved while the app runs
    await app.stop()

    revert = apply_pending_restore(data_dir)
    assert revert is not None
    assert _marker(data_dir) == "backed up"
    assert (data_dir / "backups" / "snap.zip").exists() and (data_dir / "backup.lock").exists()
    [aside] = [p for p in (data_dir / ".pb_temp_to_delete").iterdir() if p.name.startswith("old_pb_data_")]
    assert (aside / "data.db").exists()
    revert()
    assert _marker(data_dir) == "changed since"
    assert apply_pending_restore(data_dir) is None
    backup_restore._HANDED_OVER.pop().release()  # what the end of the process would do


def _marker(data_dir: Path) -> str:
    with contextlib.closing(sqlite3.connect(data_dir / "data.db")) as db:
        return str(db.execute("SELECT v FROM marker").fetchone()[0])


def test_nothing_pending_nothing_moved(tmp_path: Path) -> None:
    (tmp_path / "data.db").write_bytes(b"")
    assert apply_pending_restore(tmp_path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.db"]


async def test_no_two_backups_at_once_in_one_process(app: App) -> None:
    release = asyncio.Event()

    async def slow(e: BackupEvent) -> None:
        await release.wait()
        await e.next()

    app.on_backup_create.bind_func(slow)
    first = asyncio.create_task(app.create_backup("first.zip"))
    await asyncio.sleep(0)
    with pytest.raises(BackupBusyError):
        await app.create_backup("second.zip")
    release.set()
    assert await first == "first.zip"


async def test_a_failed_auto_backup_is_mailed_to_every_superuser(app: App) -> None:
    for email in ("one@example.com", "two@example.com"):
        superuser = Record(app.superusers(), {"email": email})
        superuser.set("password", "Passw0rd123")
        await app.save(superuser)
    sent: list[Message] = []

    async def failing(e: BackupEvent) -> None:
        raise RuntimeError("disk full")

    async def caught(e: MailerEvent) -> None:
        sent.append(e.message)  # kept, not delivered

    app.on_backup_create.bind_func(failing)
    app.on_mailer_send.bind_func(caught)
    await auto_backup(app)
    assert [m.to[0].address for m in sent] == ["one@example.com", "two@example.com"]
    assert sent[0].subject == "[Acme system alert] Autobackup failure"
    assert "Failed to create/upload automated backup. Raw error:\ndisk full" in sent[0].html
