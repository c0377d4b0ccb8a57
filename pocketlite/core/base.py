"""`Core`: the handle domain code and hook code receive (DESIGN.md principle 3) — the two
databases, the settings, the collections, the file storage, the realtime broker, the cron jobs
and every hook, with the operations that change data going through those hooks.

Inside `data.transaction()` the same `Core` reads and writes through the transaction (it lives in
a `ContextVar`), collections included: a collection saved in a transaction is visible to code in
that transaction only, until it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.backup_cron import bind_auto_backups
from pocketlite.core.collection import Collection
from pocketlite.core.collections import import_collections, prepare_collection, truncate_collection
from pocketlite.core.db import Database
from pocketlite.core.errors import NotFoundError
from pocketlite.core.events import MailerEvent
from pocketlite.core.files import FileJanitor
from pocketlite.core.hooks import Hooks
from pocketlite.core.installer import bind_installer
from pocketlite.core.logs import Logger
from pocketlite.core.models import delete_model, save_model, validate_model
from pocketlite.core.rate_limits import RateLimits
from pocketlite.core.realtime import Broker
from pocketlite.core.record import Record
from pocketlite.core.record_query import count_records_by_filter, find_records_by_filter
from pocketlite.core.records import SUPERUSERS, find_record_by_id
from pocketlite.core.routes import Router
from pocketlite.core.settings import S3Config, Settings
from pocketlite.core.system_jobs import register_system_jobs
from pocketlite.core.tokens import AUTH, read_claims, verify_record_token
from pocketlite.tools.cron import Cron
from pocketlite.tools.filesystem import Filesystem, LocalFilesystem
from pocketlite.tools.hook import Handler
from pocketlite.tools.mailer import ConsoleMailer, Mailer, Message, SendmailMailer, SMTPMailer
from pocketlite.tools.tasks import fire_and_forget

if TYPE_CHECKING:
    from pocketlite.tools.s3 import S3Filesystem

__all__ = ["Core"]

# Hook priority of the built-in reactions that must run before anyone else's.
SYSTEM_FIRST = -999

_STAGED = "collections"


class Core(Hooks):
    """Databases, settings, collections, storage, realtime, cron and hooks of one app."""

    def __init__(
        self,
        data_dir: Path,
        *,
        dev: bool = False,
        query_timeout: float = 30,
        broker: Callable[[Core], Broker] = Broker,
    ) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.dev = dev
        self.data = Database(data_dir / "data.db", query_timeout=query_timeout)
        self.aux = Database(data_dir / "auxiliary.db", query_timeout=query_timeout)
        self.settings = Settings()
        self._local_storage = LocalFilesystem(data_dir / "storage")
        self._s3: tuple[S3Config, S3Filesystem] | None = None
        self._collections: dict[str, Collection] = {}  # by id and by lower-cased name
        self.realtime = broker(self)
        self.logger = Logger(self)
        self.cron = Cron()
        self.rate_limits = RateLimits(self.cron)
        # The routes hook code added (a reload replaces the router whole).
        self.router = Router()
        # What hook code keeps across reloads (`app.store()`).
        self._store: dict[str, Any] = {}
        # How whoever runs this app restarts it in place (a server worker: by a signal to the
        # server's process); None where nothing can (the CLI). `restarting` once asked.
        self.restarter: Callable[[], None] | None = None
        self.restarting = False
        register_system_jobs(self)
        self._bind_system_handlers()

    def _bind_system_handlers(self) -> None:
        for name in ("create", "update", "delete"):
            self.hook(f"on_collection_after_{name}_success").bind(
                Handler(self._collections_changed, "pbCollectionsCache", SYSTEM_FIRST)
            )
        FileJanitor().bind(self)
        self.realtime.bind(self)
        bind_auto_backups(self)
        self.rate_limits.bind(self)
        self.logger.bind(self)
        bind_installer(self)

    async def _collections_changed(self, e: Any) -> None:
        await self.reload_collections()
        await e.next()

    # --- collections -----------------------------------------------------------------------------

    def _cache(self) -> dict[str, Collection]:
        tx = self.data.current_transaction()
        if tx is not None:
            staged: dict[str, Collection] | None = tx.state.get(_STAGED)
            if staged is not None:
                return staged
        return self._collections

    def find_collection(self, id_or_name: str) -> Collection | None:
        """A collection by exact id, else by case-insensitive name."""
        cache = self._cache()
        found = cache.get(id_or_name)
        if found is not None and found.id == id_or_name:
            return found
        return cache.get(id_or_name.lower())

    def stored_collection(self, collection_id: str) -> Collection | None:
        """The stored collection with exactly this id (what a save of it changes)."""
        found = self._cache().get(collection_id)
        return found if found is not None and found.id == collection_id else None

    def collections(self) -> list[Collection]:
        """Every collection, in creation order."""
        return list({c.id: c for c in self._cache().values()}.values())

    async def _load_collections(self) -> dict[str, Collection]:
        rows = await self.data.fetch_all("SELECT * FROM _collections ORDER BY rowid")
        cache: dict[str, Collection] = {}
        for row in rows:
            collection = Collection.from_row(row)
            cache[collection.id] = collection
            cache.setdefault(collection.name.lower(), collection)
        return cache

    async def reload_collections(self) -> None:
        """Refresh the collections cache from `_collections`; inside a transaction, the
        transaction's own view of them."""
        tx = self.data.current_transaction()
        if tx is not None:
            tx.state[_STAGED] = await self._load_collections()
        else:
            self._collections = await self._load_collections()

    def superusers(self) -> Collection:
        """The `_superusers` collection (always present)."""
        collection = self.find_collection(SUPERUSERS)
        assert collection is not None, "system migrations create _superusers"
        return collection

    # --- changing data: every change goes through the hooks -------------------------------------

    async def save(self, model: Record | Collection) -> None:
        """Validate and store a record or collection (new or changed); problems raise
        `ValidationErrors`."""
        if isinstance(model, Record):
            await save_model(self, model)
        else:
            await self.save_collection(model, self.stored_collection(model.id) if model.id else None)

    async def save_no_validate(self, model: Record | Collection) -> None:
        """Store without the validation step (its hooks included)."""
        if isinstance(model, Record):
            await save_model(self, model, validate=False)
        else:
            original = self.stored_collection(model.id) if model.id else None
            await self.save_collection(model, original, validate=False)

    async def validate(self, model: Record | Collection, original: Collection | None = None) -> None:
        """Run the validation of a save without saving. A collection is checked as a change of
        `original`, by default the one stored under its id."""
        if isinstance(model, Record):
            await validate_model(self, model)
        else:
            await validate_model(self, model, original or self.stored_collection(model.id))

    async def delete(self, model: Record | Collection) -> None:
        """Delete a record (with what references it) or a collection (with its records)."""
        await delete_model(self, model)

    async def save_collection(
        self,
        collection: Collection,
        original: Collection | None,
        *,
        generated_id: bool = False,
        validate: bool = True,
    ) -> None:
        """Create (`original` None) or update a collection: PocketBase's defaults first (ids,
        timestamps, type options), then the hooks around validation and the write.
        `generated_id` says the id was derived from type+name rather than chosen by the client,
        so it may be renumbered when taken."""
        async with self.data.transaction():
            await prepare_collection(self.data, collection, original, generated_id)
            await save_model(self, collection, validate=validate, original=original)

    async def import_collections(self, items: list[dict[str, Any]], delete_missing: bool) -> None:
        """Create, update (and with `delete_missing`, delete) many collections in one
        transaction; `CollectionsImportError` says why an import can't be applied."""
        await import_collections(self, items, delete_missing)

    async def truncate_collection(self, collection: Collection) -> None:
        """Delete every record of a collection, each through the hooks."""
        await truncate_collection(self, collection)

    # --- reads -----------------------------------------------------------------------------------

    async def find_record_by_id(self, collection: Collection | str, record_id: str) -> Record | None:
        """The record with this id in a collection (given or named), or None."""
        found = self.find_collection(collection) if isinstance(collection, str) else collection
        if found is None:
            return None
        return await find_record_by_id(self.data, found, record_id)

    def _collection(self, collection: Collection | str) -> Collection:
        found = self.find_collection(collection) if isinstance(collection, str) else collection
        if found is None:
            raise NotFoundError(f"Missing collection {collection!r}.")
        return found

    async def find_records_by_filter(
        self,
        collection: Collection | str,
        filter: str,
        sort: str = "",
        limit: int = 0,
        offset: int = 0,
        params: dict[str, Any] | None = None,
    ) -> list[Record]:
        """Records matching a filter of the API's grammar, e.g. `"status = {:s}"` with
        `params={"s": "draft"}` (values are always bound, never pasted into SQL). No API rules
        apply: this is the app's own code asking. `limit` 0 means all."""
        return await find_records_by_filter(
            self, self._collection(collection), filter, sort, limit, offset, params
        )

    async def find_first_record_by_filter(
        self, collection: Collection | str, filter: str, params: dict[str, Any] | None = None
    ) -> Record | None:
        """The first record matching a filter, or None."""
        found = await find_records_by_filter(self, self._collection(collection), filter, "", 1, 0, params)
        return found[0] if found else None

    async def count_records(
        self, collection: Collection | str, filter: str = "", params: dict[str, Any] | None = None
    ) -> int:
        """How many records match a filter (all of them without one)."""
        return await count_records_by_filter(self, self._collection(collection), filter, params)

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

    @contextlib.asynccontextmanager
    async def run_in_transaction(self) -> AsyncIterator[Core]:
        """`async with app.run_in_transaction() as tx_app:` — every save, delete and read of
        the block (and of the hooks it fires) is one transaction on data.db, committed when the
        block ends, rolled back when it raises; after-success hooks run after the commit. The
        transaction follows the task (a `ContextVar`), so `tx_app` is this app."""
        async with self.data.transaction():
            yield self

    # --- for hook code ------------------------------------------------------------------------------

    def store(self) -> dict[str, Any]:
        """A dict for hook code's own state; unlike module globals it outlives hook reloads."""
        return self._store

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` in the background outside any transaction (a fresh context); what it
        raises is logged, and a stopping app waits a moment for it."""
        return fire_and_forget(coro, "a spawned task", fresh_context=True)

    # --- backups and restarts --------------------------------------------------------------------

    async def create_backup(self, name: str = "") -> str:
        """Zip pb_data into the backups store as `name` (generated when ""), through
        `on_backup_create`; returns the name. `BackupBusyError` when another backup or restore
        runs."""
        from pocketlite.core.backup_create import create_backup  # here: see `auto_backup`

        return await create_backup(self, name)

    async def restore_backup(self, name: str) -> None:
        """Restore the backup `name` through `on_backup_restore`: once it checks out, the
        server restarts in place on the restored data (see `core.backup_restore`)."""
        from pocketlite.core.backup_restore import restore_backup  # here: only a restore needs it

        await restore_backup(self, name)

    def restart(self) -> None:
        """Ask for a restart in place: the server stops every worker, applies a prepared
        restore, and starts again. `RuntimeError` where nothing can restart this process."""
        if self.restarter is None:
            raise RuntimeError("this process can't restart itself: only a server worker can")
        self.restarter()
        self.restarting = True

    # --- services --------------------------------------------------------------------------------

    def storage(self) -> Filesystem:
        """Where record files live: the S3 bucket of the settings when enabled, else
        `pb_data/storage`."""
        s3 = self.settings.s3
        if not s3.enabled:
            return self._local_storage
        if self._s3 is None or self._s3[0] != s3:
            if self._s3 is not None:
                fire_and_forget(self._s3[1].close(), "closing the previous S3 client")
            from pocketlite.tools.s3 import S3Filesystem  # here: most apps store files locally

            client = S3Filesystem(
                s3.bucket, s3.region, s3.endpoint, s3.accessKey, s3.secret, s3.forcePathStyle
            )
            self._s3 = (msgspec.structs.replace(s3), client)
        return self._s3[1]

    async def close_storage(self) -> None:
        """Close the S3 client, if one was opened."""
        if self._s3 is not None:
            await self._s3[1].close()

    def new_mail_client(self) -> Mailer:
        """The mail client of the settings: `await app.new_mail_client().send(MailerMessage(...))`;
        every message goes through `on_mailer_send`."""
        return _HookedMailer(self, self.mailer())

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
        return ConsoleMailer() if self.dev else SendmailMailer()


class _HookedMailer:
    """A mailer whose messages pass through `on_mailer_send` (handlers may change or stop them)."""

    def __init__(self, app: Core, mailer: Mailer) -> None:
        self.app = app
        self.mailer = mailer

    async def send(self, message: Message) -> None:
        async def deliver(e: MailerEvent) -> None:
            await e.mailer.send(e.message)

        await self.app.on_mailer_send.trigger(MailerEvent(self.app, self.mailer, message), deliver)
