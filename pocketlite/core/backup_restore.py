"""Restoring a backup: the data dir of a running server replaced by a zip's content.

It takes two steps, in two processes:

1. `restore_backup` (a server worker, inside `on_backup_restore`): extract the zip into the temp
   dir, check that it is a data dir that opens (`data.db` there, every database passing
   `PRAGMA integrity_check`), leave a plan beside it and ask the server for a restart in place
   (`app.restart()`). Until that point nothing of the running data has changed: a broken zip
   ends here, with an error and the temp files removed.
2. `apply_pending_restore` (the server's main process, once every worker has stopped and closed
   its databases, so that nobody writes to the files being moved): move the current content
   aside to `.pb_temp_to_delete/old_pb_data_<random>`, move the extracted content in. The server
   then opens the new data before starting again, and puts the old data back if it doesn't
   open; the next successful bootstrap removes the old data (`clear_temp_dir`).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import msgspec

from pocketlite.core.backups import (
    RESTORE_EXCLUDE,
    TEMP_DIR,
    BackupLock,
    backup_info,
    backups_store,
)
from pocketlite.core.events import BackupEvent
from pocketlite.tools.archive import ArchiveError, extract
from pocketlite.tools.filesystem import LocalFilesystem
from pocketlite.tools.s3 import S3Error
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["RESTORE_FAILURES", "RestoreError", "apply_pending_restore", "restore_backup"]

_PLAN = "pb_restore.json"
# The tables that make a SQLite file a PocketBase data.db.
_DATA_TABLES = ("_collections", "_params")

# The lock of a restore handed over to the restart: it stays held until this process ends, so
# that no backup starts on data about to be replaced.
_HANDED_OVER: list[BackupLock] = []


class RestoreError(RuntimeError):
    """The backup can't be restored: missing, or not a data dir that opens."""


# What a restore that can't go ahead raises: the busy lock, this error, a restart this process
# can't make (`RuntimeError`s all), a zip that doesn't extract, a store that fails.
RESTORE_FAILURES = (RuntimeError, ArchiveError, S3Error, OSError)


class _Plan(msgspec.Struct):
    """What step 2 moves: the extracted dir (a name in the temp dir), the entries left alone."""

    source: str
    exclude: list[str]


async def restore_backup(app: Core, name: str) -> None:
    """Prepare the restore of the backup `name` inside `on_backup_restore` and ask the server to
    restart on it. `BackupBusyError` when another backup or restore runs, `RestoreError` (or
    what the store raised) when the backup can't be restored, `RuntimeError` when this process
    can't be restarted; the running data is untouched in each case."""
    lock = BackupLock.acquire(app.data_dir, name)
    event = BackupEvent(app, name, list(RESTORE_EXCLUDE))
    try:
        await app.on_backup_restore.trigger(event, _prepare)
    except BaseException:
        lock.release()
        raise
    if app.restarting:
        _HANDED_OVER.append(lock)
    else:
        lock.release()  # a hook answered in place of the restore


async def _prepare(e: BackupEvent) -> None:
    app = e.app
    temp = app.data_dir / TEMP_DIR
    temp.mkdir(exist_ok=True)
    extracted = temp / f"pb_restore_{random_string(8)}"
    plan = temp / _PLAN
    try:
        async with backups_store(app) as store:
            if await backup_info(store, e.name) is None:
                raise RestoreError(f'missing or invalid backup file "{e.name}" to restore')
            if isinstance(store, LocalFilesystem):
                await asyncio.to_thread(extract, store.path(e.name), extracted)
            else:
                downloaded = temp / f"pb_restore_zip_{random_string(8)}"
                try:
                    with downloaded.open("wb") as target:
                        await store.download(e.name, target)
                    await asyncio.to_thread(extract, downloaded, extracted)
                finally:
                    downloaded.unlink(missing_ok=True)
        await asyncio.to_thread(_check_data_dir, extracted)
        plan.write_bytes(msgspec.json.encode(_Plan(extracted.name, list(e.exclude))))
        app.restart()
    except BaseException:
        plan.unlink(missing_ok=True)
        await asyncio.to_thread(shutil.rmtree, extracted, True)
        raise


def _check_data_dir(path: Path) -> None:
    """`RestoreError` unless `path` holds a `data.db` of PocketBase's, and it and any
    `auxiliary.db` beside it pass SQLite's integrity check."""
    if not (path / "data.db").is_file():
        raise RestoreError("data.db file is missing or invalid")
    for name in ("data.db", "auxiliary.db"):
        if not (path / name).is_file():
            continue
        conn = sqlite3.connect(f"file:{quote(str(path / name))}", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            raise RestoreError(f"{name} is not a valid database: {exc}") from exc
        finally:
            conn.close()
        if verdict != "ok":
            raise RestoreError(f"{name} failed the integrity check: {verdict}")
        if name == "data.db" and not tables.issuperset(_DATA_TABLES):
            raise RestoreError("data.db is not a PocketBase database (no _collections or _params table)")


def apply_pending_restore(data_dir: Path) -> Callable[[], None] | None:
    """Put the restore prepared in `data_dir` in place, if one is; returns what puts the
    previous data back, or None when none was pending. Run it only while no process has the
    databases open."""
    temp = data_dir / TEMP_DIR
    try:
        raw = (temp / _PLAN).read_bytes()
    except FileNotFoundError:
        return None
    (temp / _PLAN).unlink()
    try:
        plan = msgspec.json.decode(raw, type=_Plan)
    except msgspec.DecodeError:
        return None  # not one `restore_backup` wrote in full: nothing to apply
    source, aside = temp / plan.source, temp / f"old_pb_data_{random_string(8)}"
    exclude = set(plan.exclude)

    def revert() -> None:
        _move_content(data_dir, source, exclude)
        _move_content(aside, data_dir, exclude)

    try:
        _move_content(data_dir, aside, exclude)
    except OSError:
        _move_content(aside, data_dir, exclude)  # what went aside before the failure comes back
        raise
    try:
        _move_content(source, data_dir, exclude)
    except OSError:
        revert()
        raise
    return revert


def _move_content(source: Path, target: Path, exclude: set[str]) -> None:
    """Rename every entry of `source` but the `exclude`d names into `target` (created)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.name not in exclude:
            entry.rename(target / entry.name)
