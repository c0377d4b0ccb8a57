"""The App: the `Core` of one process, with the command line's configuration and its
lifecycle.

One `App` per process. `start()`/`stop()` open and close it (the CLI starts one for each command,
a server worker one per worker); `sync()` keeps its caches in step with other processes sharing
the data dir.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from pathlib import Path
from typing import IO

import msgspec

from pocketlite.core.backups import clear_temp_dir
from pocketlite.core.base import Core
from pocketlite.core.events import BootstrapEvent, CollectionEvent, SettingsReloadEvent, TerminateEvent
from pocketlite.core.logs import LogBridge
from pocketlite.core.migrations import run_migrations
from pocketlite.core.realtime import Broker
from pocketlite.core.realtime_cluster import ClusterBroker
from pocketlite.core.settings import Settings, load_settings, save_settings
from pocketlite.migrations import SYSTEM_MIGRATIONS
from pocketlite.tools.filelock import try_lock
from pocketlite.tools.hook import Handler
from pocketlite.tools.tasks import wait_background

__all__ = ["App", "Config"]

# Held by the one worker of a server that runs the cron jobs.
_CRON_LOCK = "cron.lock"
# How long a stopping app waits for the tasks hook code spawned.
_BACKGROUND_GRACE = 3.0


async def _nothing(_: object) -> None:
    return None


class Config(msgspec.Struct, kw_only=True, frozen=True):
    """What the command line decides; passed to server workers as JSON."""

    data_dir: str = "./pb_data"
    dev: bool = False
    public_dir: str = "./pb_public"
    hooks_dir: str = ""
    hooks_watch: bool = True
    migrations_dir: str = ""
    # Write a migration for each collection change made through the API (`--automigrate`).
    automigrate: bool = False
    origins: tuple[str, ...] = ("*",)
    encryption_env: str = ""
    query_timeout: int = 30
    index_fallback: bool = True
    # The realtime bus of `serve --workers N` (`tools/pubsub.py` endpoints); "" = one process.
    bus: str = ""


class App(Core):
    """The running application: `Core` plus configuration and lifecycle."""

    def __init__(self, config: Config) -> None:
        super().__init__(
            Path(config.data_dir).resolve(),
            dev=config.dev,
            query_timeout=config.query_timeout,
            broker=(lambda core: ClusterBroker(core, config.bus, self.sync)) if config.bus else Broker,
        )
        self.config = config
        self._cron_lock: IO[str] | None = None
        # What the caches were loaded from; see `sync()`.
        self._data_version = -1
        self._stamp: tuple[object, ...] = ()
        self._log_bridge = LogBridge(self.logger)
        self.on_collection_update.bind(
            Handler(self._rename_rate_limit_labels, "pbSettingsCollectionRename", 99)
        )

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Create the data dir if needed, open the databases, migrate, load settings and schema,
        inside `on_bootstrap` (its handlers see nothing open before `await e.next()`). A data
        dir that can't be used raises `OSError` or `sqlite3.Error` naming the path."""
        await self.on_bootstrap.trigger(BootstrapEvent(self), self._bootstrap)

    async def _bootstrap(self, _: BootstrapEvent) -> None:
        try:
            if self.data_dir.exists() and not self.data_dir.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(self.data_dir))
            self.data_dir.mkdir(parents=True, exist_ok=True)
            (self.data_dir / "storage").mkdir(exist_ok=True)
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
            # As PocketBase, only once the data opened: after a restore it holds the previous data.
            clear_temp_dir(self.data_dir)
            self.logger.start()
            logging.getLogger().addHandler(self._log_bridge)
            await self.realtime.start()
        except BaseException:
            # aiosqlite's worker threads would keep the process alive after the error.
            await self._close()
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
        """Tell `on_terminate`, disconnect realtime clients, give background tasks a moment and
        close the databases (even if something before fails: an open database keeps the
        process alive)."""
        try:
            if self.data.is_open:
                await self.on_terminate.trigger(TerminateEvent(self), _nothing)
                await wait_background(_BACKGROUND_GRACE)
        finally:
            await self._close()

    async def _close(self) -> None:
        logging.getLogger().removeHandler(self._log_bridge)
        self.realtime.close()
        self.cron.stop()
        if self._cron_lock is not None:
            self._cron_lock.close()
            self._cron_lock = None
        try:
            await self.close_storage()
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

        async def replace(e: SettingsReloadEvent) -> None:
            self.settings = settings

        await self.on_settings_reload.trigger(SettingsReloadEvent(self), replace)

    async def _rename_rate_limit_labels(self, e: CollectionEvent) -> None:
        """A renamed collection takes its `<name>:` rate-limit rules along (PocketBase saves the
        settings in the rename's transaction)."""
        old = self.stored_collection(e.collection.id)
        await e.next()
        if old is None or old.name == e.collection.name:
            return
        prefix, renamed = f"{old.name}:", f"{e.collection.name}:"
        settings = msgspec.structs.replace(self.settings)
        rules = [
            msgspec.structs.replace(r, label=renamed + r.label[len(prefix) :])
            if r.label.startswith(prefix)
            else r
            for r in settings.rateLimits.rules
        ]
        if rules == settings.rateLimits.rules:
            return
        settings.rateLimits = msgspec.structs.replace(settings.rateLimits, rules=rules)
        await save_settings(self.data, settings, self.config.encryption_env)
        await self.data.after_commit(self.reload_settings)

    async def reload_collections(self) -> None:
        await super().reload_collections()
        if self.data.current_transaction() is None:
            self._stamp = await self._cache_stamp()
