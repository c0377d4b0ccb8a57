"""Creating a backup: a zip of pb_data taken while the server goes on serving and writing.

* The databases are copied with `VACUUM INTO` on connections of their own: each copy is one read
  transaction, so it holds every write committed before it started and none half-done, and it
  blocks no writer (WAL). The live files and their `-wal`/`-shm` never go into the zip.
* The record files in `storage/` are hard-linked into a scratch dir before the databases are
  copied, and again after: a file the copies name was there at one of the two moments, and a
  link keeps its bytes even if its record is deleted meanwhile (PocketBase copies a deleted
  file into the zip from its delete hook for the same reason). Stored files never change in
  place (a new version is a new name, a sidecar is replaced whole), so a link is a snapshot.
* Everything else in pb_data goes in as it is, except the entries of `e.exclude`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import posixpath
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from pocketlite.core.backups import CREATE_EXCLUDE, TEMP_DIR, BackupLock, backups_store, generate_backup_name
from pocketlite.core.events import BackupEvent
from pocketlite.tools.archive import new_zip, walk_files
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["create_backup"]

_STORAGE = "storage"
_ZIP_TYPE = "application/zip"
# What SQLite keeps beside a database file.
_DB_SIDE_FILES = ("-wal", "-shm", "-journal")


async def create_backup(app: Core, name: str = "") -> str:
    """Zip pb_data into the backups store as `name` (a generated `pb_backup_…` name when "",
    replacing a backup of the same name), inside `on_backup_create`; returns the name used.
    `BackupBusyError` when another backup or restore runs."""
    lock = BackupLock.acquire(app.data_dir, name)
    try:
        event = BackupEvent(app, name, list(CREATE_EXCLUDE))
        await app.on_backup_create.trigger(event, _create)
        return event.name
    finally:
        lock.release()


async def _create(e: BackupEvent) -> None:
    app = e.app
    if not e.name:
        e.name = generate_backup_name(app, "pb_backup_")
    work = app.data_dir / TEMP_DIR / f"pb_backup_{random_string(6)}"
    try:
        databases = (app.data.path, app.aux.path)
        archive = await asyncio.to_thread(_write_zip, app.data_dir, work, e.exclude, databases)
        async with backups_store(app) as store:
            with archive.open("rb") as source:
                await store.upload(e.name, source, _ZIP_TYPE, {"original-filename": e.name[:255]})
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


def _write_zip(data_dir: Path, work: Path, exclude: list[str], databases: tuple[Path, ...]) -> Path:
    """The zip of `data_dir`, written in the scratch dir `work`; returns its path."""
    work.mkdir(parents=True)
    skip = _skipper(exclude)
    storage, snapshot = data_dir / _STORAGE, work / _STORAGE
    with_storage = not skip(_STORAGE)
    if with_storage:
        _link_files(storage, snapshot)
    copies = []
    for database in databases:
        if not skip(database.name):
            copies.append(work / database.name)
            _vacuum_into(database, copies[-1])
    if with_storage:
        _link_files(storage, snapshot)
    live = {f"{db.name}{side}" for db in databases for side in ("", *_DB_SIDE_FILES)}
    target = work / "backup.zip"
    with new_zip(target) as archive:
        for copy in copies:
            archive.write(copy, copy.name)
        for path, name in walk_files(data_dir, lambda n: n in live or n == _STORAGE or skip(n)):
            archive.write(path, name)
        if snapshot.is_dir():
            for path, name in walk_files(snapshot, lambda n: skip(f"{_STORAGE}/{n}")):
                archive.write(path, f"{_STORAGE}/{name}")
    return target


def _skipper(exclude: list[str]) -> Callable[[str], bool]:
    """Whether a `/`-separated name relative to pb_data is, or is inside, an excluded entry."""
    prefixes = tuple(posixpath.normpath(entry).strip("/") + "/" for entry in exclude if entry)
    return lambda name: (name + "/").startswith(prefixes)


def _vacuum_into(database: Path, target: Path) -> None:
    """A consistent copy of a live database, on a read-only connection of its own."""
    conn = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()


def _link_files(source: Path, target: Path) -> None:
    """Hard-link every file under `source` not yet under `target` (copied where links aren't
    possible); files that vanish meanwhile are skipped, writes in progress left out."""
    if not source.is_dir():
        return
    for directory, _, names in os.walk(source):
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                continue  # a `LocalFilesystem` write not moved in place yet
            path = Path(directory, name)
            link = target / path.relative_to(source)
            if link.exists():
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, link)
            except FileNotFoundError:
                continue  # deleted meanwhile
            except OSError:  # no links here (another device, a filesystem without them)
                with contextlib.suppress(FileNotFoundError):
                    shutil.copy2(path, link)
