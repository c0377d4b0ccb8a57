"""The App: configuration, the two databases, settings and the collections cache.

One `App` per process. `bootstrap()` prepares the data dir (the CLI runs it before serving and
before every other command); `start()`/`stop()` open and close it inside a server worker.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path
from typing import IO, Any

import msgspec

from pocketlite.core.collection import Collection
from pocketlite.core.collections import delete_collection, import_collections, save_collection
from pocketlite.core.db import Database
from pocketlite.core.files import FileJanitor, delete_files, dropped_field_files
from pocketlite.core.migrations import run_migrations
from pocketlite.core.realtime import Broker
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS, count_records, find_record_by_id
from pocketlite.core.settings import S3Config, Settings, load_settings, save_settings
from pocketlite.core.system_jobs import register_system_jobs
from pocketlite.core.tokens import AUTH, read_claims, verify_record_token
from pocketlite.migrations import SYSTEM_MIGRATIONS
from pocketlite.tools.cron import Cron
from pocketlite.tools.filelock import try_lock
from pocketlite.tools.filesystem import Filesystem, LocalFilesystem
from pocketlite.tools.mailer import ConsoleMailer, Mailer, SendmailMailer, SMTPMailer
from pocketlite.tools.s3 import S3Filesystem
from pocketlite.tools.tasks import fire_and_forget

__all__ = ["App", "Config"]

# Held by the one worker of a server that runs the cron jobs.
_CRON_LOCK = "cron.lock"


class Config(msgspec.Struct, kw_only=True, frozen=True):
    """What the command line decides; passed to server workers as JSON."""

    data_dir: str = "./pb_data"
    dev: bool = False
    public_dir: str = "./pb_public"
    hooks_dir: str = ""
    migrations_dir: str = ""
    origins: tuple[str, ...] = ("*",)
    encryption_env: str = ""
    query_timeout: int = 30
    index_fallback: bool = True


class App:
    """The running application: config, databases, settings, collections."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.data_dir = Path(config.data_dir).resolve()
        self.data = Database(self.data_dir / "data.db", query_timeout=config.query_timeout)
        self.aux = Database(self.data_dir / "auxiliary.db", query_timeout=config.query_timeout)
        self.settings = Settings()
        self._local_storage = LocalFilesystem(self.data_dir / "storage")
        self._s3: tuple[S3Config, S3Filesystem] | None = None
        self.realtime = Broker(self.data, self.find_collection)
        self.data.listeners.append(self.realtime)
        self.data.listeners.append(FileJanitor(self.storage))
        self._collections: dict[str, Collection] = {}  # by id and by lower-cased name
        self.cron = Cron()
        register_system_jobs(self.cron, self.data, self.aux, self.collections)
        self._cron_lock: IO[str] | None = None
        # What the caches were loaded from; see `sync()`.
        self._data_version = -1
        self._stamp: tuple[object, ...] = ()

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Create the data dir if needed, open the databases, migrate, load settings and schema.
        A data dir that can't be used raises `OSError` or `sqlite3.Error` naming the path."""
        try:
            if self.data_dir.exists() and not self.data_dir.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(self.data_dir))
            self.data_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / "storage").mkdir(exist_ok=True)
            shutil.rmtree(self.data_dir / ".pb_temp_to_delete", ignore_errors=True)
            for db in (self.data, self.aux):
                try:
                    await db.open()
                except sqlite3.Error as exc:
                    # sqlite's messages ("file is not a database") don't say which file, nor
                    # that WAL mode needs to create files beside it.
                    hint = "" if os.access(self.data_dir, os.W_OK) else " (the data dir is read-only)"
                    raise type(exc)(f"{db.path}: {exc}{hint}") from exc
            await run_migrations(self.data, self.aux, SYSTEM_MIGRATIONS)
            await self.reload_settings()
            await self.reload_collections()
        except BaseException:
            # aiosqlite's worker threads would keep the process alive after the error.
            await self.stop()
            raise

    def start_cron(self) -> bool:
        """Run the scheduled jobs in this process, unless another worker of the server runs
        them already (one worker does, whichever takes `pb_data/cron.lock` first); returns
        whether this one does."""
        self._cron_lock = try_lock(self.data_dir / _CRON_LOCK)
        if self._cron_lock is None:
            return False
        self.cron.start()
        return True

    async def stop(self) -> None:
        """Disconnect realtime clients and close the databases (even if closing S3 fails: an
        open database keeps the process alive)."""
        self.realtime.close()
        self.cron.stop()
        if self._cron_lock is not None:
            self._cron_lock.close()
            self._cron_lock = None
        try:
            if self._s3 is not None:
                await self._s3[1].close()
        finally:
            await self.data.close()
            await self.aux.close()

    async def sync(self) -> None:
        """Reload settings and collections when another process (a worker sharing pb_data, the
        CLI) changed them. Cheap enough for every request: a no-I/O pragma, and one small query
        only after some commit happened."""
        version = self.data.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        stamp = await self._cache_stamp()
        if stamp != self._stamp:
            await self.reload_settings()
            await self.reload_collections()

    async def _cache_stamp(self) -> tuple[object, ...]:
        row = await self.data.fetch_one(
            "SELECT (SELECT COUNT(*) || ' ' || MAX(updated) FROM _collections), "
            "(SELECT updated FROM _params WHERE id = 'settings')"
        )
        return tuple(row) if row is not None else ()

    async def reload_settings(self) -> None:
        """Read the settings from `_params` (written with defaults on first start)."""
        settings = await load_settings(self.data, self.config.encryption_env)
        if settings is None:
            settings = Settings()
            await save_settings(self.data, settings, self.config.encryption_env)
        self.settings = settings

    async def reload_collections(self) -> None:
        """Refresh the collections cache from `_collections`."""
        rows = await self.data.fetch_all("SELECT * FROM _collections ORDER BY rowid")
        cache: dict[str, Collection] = {}
        for row in rows:
            collection = Collection.from_row(row)
            cache[collection.id] = collection
            cache.setdefault(collection.name.lower(), collection)
        self._collections = cache
        self._stamp = await self._cache_stamp()

    # --- collections -----------------------------------------------------------------------------

    def find_collection(self, id_or_name: str) -> Collection | None:
        """A collection by exact id, else by case-insensitive name."""
        found = self._collections.get(id_or_name)
        if found is not None and found.id == id_or_name:
            return found
        return self._collections.get(id_or_name.lower())

    def collections(self) -> list[Collection]:
        """Every collection, in creation order."""
        return list({c.id: c for c in self._collections.values()}.values())

    async def save_collection(
        self, collection: Collection, original: Collection | None, *, generated_id: bool = False
    ) -> None:
        """Create or update a collection (see `core.collections.save_collection`), then refresh.
        Files of file fields it no longer has are deleted."""
        dropped = await dropped_field_files(self.data, original, collection) if original else {}
        await save_collection(
            self.data, collection, original, self.find_collection, generated_id=generated_id
        )
        await self.reload_collections()
        if original is not None and dropped:
            work = delete_files(self.storage(), original, dropped)
            fire_and_forget(work, f"deleting the files of removed fields of {collection.name}")
        if (
            original is not None
            and original.auth
            and original.auth.authToken.secret
            != (collection.auth.authToken.secret if collection.auth else None)
        ):
            self.realtime.unset_auth(original)

    async def delete_collection(self, collection: Collection) -> None:
        """Drop a collection and its table, then refresh."""
        await delete_collection(self.data, collection, self.collections())
        await self.reload_collections()
        await self.storage().delete_prefix(collection.id)
        if collection.is_auth:
            self.realtime.unset_auth(collection)

    async def import_collections(self, items: list[dict[str, Any]], delete_missing: bool) -> None:
        """Create/update/delete many collections in one transaction, then refresh; the files of
        the collections it deleted go, as with `delete_collection`."""
        try:
            deleted = await import_collections(self.data, items, delete_missing, self.collections())
        finally:
            await self.reload_collections()
        for collection in deleted:
            await self.storage().delete_prefix(collection.id)
            if collection.is_auth:
                self.realtime.unset_auth(collection)

    def superusers(self) -> Collection:
        """The `_superusers` collection (always present)."""
        collection = self.find_collection(SUPERUSERS)
        assert collection is not None, "system migrations create _superusers"
        return collection

    async def has_superuser(self) -> bool:
        """Whether at least one superuser account exists."""
        return await count_records(self.data, self.superusers()) > 0

    def storage(self) -> Filesystem:
        """Where record files live: the S3 bucket of the settings when enabled, else
        `pb_data/storage`."""
        s3 = self.settings.s3
        if not s3.enabled:
            return self._local_storage
        if self._s3 is None or self._s3[0] != s3:
            if self._s3 is not None:
                fire_and_forget(self._s3[1].close(), "closing the previous S3 client")
            client = S3Filesystem(
                s3.bucket, s3.region, s3.endpoint, s3.accessKey, s3.secret, s3.forcePathStyle
            )
            self._s3 = (msgspec.structs.replace(s3), client)
        return self._s3[1]

    # --- auth ------------------------------------------------------------------------------------

    def mailer(self) -> Mailer:
        """Where mail goes: the SMTP server of the settings; without one, the local `sendmail`
        program as PocketBase does, except in `--dev`, where pocketlite prints mails instead."""
        smtp = self.settings.smtp
        if smtp.enabled:
            return SMTPMailer(
                smtp.host,
                smtp.port,
                username=smtp.username,
                password=smtp.password,
                tls=smtp.tls,
                auth_method=smtp.authMethod,
                local_name=smtp.localName,
            )
        return ConsoleMailer() if self.config.dev else SendmailMailer()

    async def find_auth_record_by_token(self, token: str, token_type: str = AUTH) -> Record | None:
        """The auth record a valid token of `token_type` belongs to, else None."""
        claims = read_claims(token)
        if not claims or claims["type"] != token_type:
            return None
        collection = self.find_collection(claims["collectionId"])
        if collection is None or not collection.is_auth or collection.id != claims["collectionId"]:
            return None
        record = await find_record_by_id(self.data, collection, claims["id"])
        if record is None or verify_record_token(record, token, token_type) is None:
            return None
        return record
