"""Backups of pb_data (admin-apis.md §4): where they are kept, how they are named, and the lock
that lets one backup or restore run at a time across every process sharing the data dir.

The store is `pb_data/backups/` (each zip with its `.attrs` sidecar, as PocketBase keeps them),
or the S3 bucket of `settings.backups.s3` when enabled. Creating is `backup_create`, restoring
`backup_restore`, the schedule `backup_cron`.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pocketlite.tools.filelock import try_lock
from pocketlite.tools.filesystem import ATTRS_SUFFIX, FileInfo, Filesystem, LocalFilesystem
from pocketlite.tools.inflector import snakecase
from pocketlite.tools.types import now

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "BACKUPS_DIR",
    "CREATE_EXCLUDE",
    "RESTORE_EXCLUDE",
    "TEMP_DIR",
    "BackupBusyError",
    "BackupLock",
    "BackupNotFoundError",
    "active_backup",
    "backup_exists",
    "backup_info",
    "backups_store",
    "clear_temp_dir",
    "close_backups_store",
    "delete_backup",
    "generate_backup_name",
    "is_reserved",
    "open_backups_store",
]

BACKUPS_DIR = "backups"
# Scratch space inside pb_data (a rename from it never crosses devices); emptied at bootstrap.
TEMP_DIR = ".pb_temp_to_delete"
_LOCK_FILE = "backup.lock"
# pocketlite's lock files belong to the processes running now, not to the data.
_LOCK_FILES = ("serve.lock", "cron.lock", _LOCK_FILE)
# The pb_data entries a backup leaves out (PocketBase's, then pocketlite's own).
CREATE_EXCLUDE = (BACKUPS_DIR, TEMP_DIR, ".notify", ".autocert_cache", "lost+found", *_LOCK_FILES)
# The pb_data entries a restore leaves in place.
RESTORE_EXCLUDE = (BACKUPS_DIR, TEMP_DIR, ".autocert_cache", "lost+found", *_LOCK_FILES)


class BackupBusyError(RuntimeError):
    """Another backup or restore runs (in this process or another one on the same data dir)."""

    def __init__(self) -> None:
        super().__init__("try again later - another backup/restore operation has already been started")


class BackupNotFoundError(LookupError):
    """No stored backup has the key."""


class BackupLock:
    """`pb_data/backup.lock`, held for as long as a backup or restore runs; it holds the
    backup's name, which a delete must not remove meanwhile."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle: IO[str] | None = handle

    @classmethod
    def acquire(cls, data_dir: Path, name: str) -> BackupLock:
        """The lock, for the backup `name`; `BackupBusyError` when someone holds it."""
        handle = try_lock(data_dir / _LOCK_FILE)
        if handle is None:
            raise BackupBusyError()
        handle.seek(0)
        handle.truncate()
        handle.write(name)
        handle.flush()
        return cls(handle)

    def release(self) -> None:
        """Let the next backup or restore start."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def active_backup(data_dir: Path) -> str | None:
    """The name of the backup being created or restored right now ("" for a generated one not
    named yet), or None when none is."""
    path = data_dir / _LOCK_FILE
    handle = try_lock(path)
    if handle is not None:
        handle.close()
        return None
    try:
        return path.read_text()
    except OSError:
        return ""


def open_backups_store(app: Core) -> Filesystem:
    """The filesystem backups are kept in: the S3 bucket of `settings.backups.s3` when enabled,
    else `pb_data/backups/`. Close it with `close_backups_store`."""
    s3 = app.settings.backups.s3
    if not s3.enabled:
        return LocalFilesystem(app.data_dir / BACKUPS_DIR)
    from pocketlite.tools.s3 import S3Filesystem  # here: only an S3 store needs the client

    return S3Filesystem(s3.bucket, s3.region, s3.endpoint, s3.accessKey, s3.secret, s3.forcePathStyle)


async def close_backups_store(store: Filesystem) -> None:
    """Release what `open_backups_store` opened (an S3 client's connections)."""
    from pocketlite.tools.s3 import S3Filesystem  # here: see `open_backups_store`

    if isinstance(store, S3Filesystem):
        await store.close()


@contextlib.asynccontextmanager
async def backups_store(app: Core) -> AsyncIterator[Filesystem]:
    """`open_backups_store` for the time of the block."""
    store = open_backups_store(app)
    try:
        yield store
    finally:
        await close_backups_store(store)


async def backup_info(store: Filesystem, key: str) -> FileInfo | None:
    """The stored backup `key`, or None. In the local store a sidecar is no backup (PocketBase's
    local store reserves the `.attrs` extension)."""
    if is_reserved(store, key):
        return None
    return await store.info(key)


async def backup_exists(store: Filesystem, key: str) -> bool:
    """Whether `key` is taken: a stored backup, or a name the local store reserves."""
    return is_reserved(store, key) or await store.info(key) is not None


async def delete_backup(store: Filesystem, key: str) -> None:
    """Remove the backup `key`; `BackupNotFoundError` (with the reason, in the words of
    PocketBase's stores) when there is none."""
    if is_reserved(store, key):
        raise BackupNotFoundError(f'[key: {key}] file extension "{ATTRS_SUFFIX}" is reserved')
    if await store.info(key) is None:
        where = (
            f"remove {store.root / key}: no such file or directory\n"
            if isinstance(store, LocalFilesystem)
            else ""
        )
        raise BackupNotFoundError(f"[key: {key}] {where}resource not found")
    await store.delete(key)


def is_reserved(store: Filesystem, key: str) -> bool:
    """Whether the store can't hold `key`: the local one keeps its sidecars under such keys."""
    return isinstance(store, LocalFilesystem) and key.endswith(ATTRS_SUFFIX)


def generate_backup_name(app: Core, prefix: str) -> str:
    """`<prefix><snake_case app name, at most 50 chars>_<YYYYMMDDhhmmss UTC>.zip`."""
    app_name = snakecase(app.settings.meta.appName)[:50]
    return f"{prefix}{app_name}_{now().strftime('%Y%m%d%H%M%S')}.zip"


def clear_temp_dir(data_dir: Path) -> None:
    """Remove what earlier backups and restores left in the temp dir (the previous data of a
    restore among it), unless one runs now: a CLI command bootstrapping beside a serving
    process must not pull a zip being written from under it."""
    try:
        lock = BackupLock.acquire(data_dir, "")
    except (BackupBusyError, OSError):
        return  # busy, or a read-only data dir: nothing to clear then
    try:
        shutil.rmtree(data_dir / TEMP_DIR, ignore_errors=True)
    finally:
        lock.release()
