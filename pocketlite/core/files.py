"""Files of records (files-and-realtime.md §1): uploads, their stored names, and keeping the
storage in step with the records.

A `file` field's value holds names of stored files and, before the save, `Upload`s. The
`FileJanitor` handles every save and delete through the hooks: uploads are written right before
the row (removed again when the save or its transaction fails), files a record stops naming go
once the save commits, a deleted record's directory once its delete commits, and a collection's
files when the collection, or one of its file fields, is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.events import CollectionEvent, RecordEvent
from pocketlite.core.fields import FileField
from pocketlite.core.fields.file import Upload
from pocketlite.core.tablesync import quote
from pocketlite.tools.filesystem import Filesystem
from pocketlite.tools.hook import Handler
from pocketlite.tools.tasks import fire_and_forget

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["FileJanitor", "delete_files", "dropped_field_files", "file_key", "thumb_key"]

# As PocketBase's record system handlers: innermost for the write, outermost after it.
_INNER, _OUTER = 99, -99


def file_key(collection: Collection, record_id: str, name: str) -> str:
    """Where a record's file is stored."""
    return f"{collection.id}/{record_id}/{name}"


def thumb_key(collection: Collection, record_id: str, name: str, size: str) -> str:
    """Where a thumbnail of a record's file is cached."""
    return f"{collection.id}/{record_id}/thumbs_{name}/{size}_{name}"


async def delete_files(storage: Filesystem, collection: Collection, files: dict[str, list[str]]) -> None:
    """Delete files (by record id) of a collection, with their thumbnails."""
    for record_id, names in files.items():
        for name in names:
            await storage.delete(file_key(collection, record_id, name))
            await storage.delete_prefix(f"{collection.id}/{record_id}/thumbs_{name}")


class FileJanitor:
    """The storage side of record and collection saves and deletes, as hook handlers."""

    def bind(self, app: Core) -> None:
        """Bind the handlers on `app`'s hooks."""
        for hook in (app.on_record_create_execute, app.on_record_update_execute):
            hook.bind(Handler(self._record_write, "pbFilesRecordWrite", _INNER, _has_files))
        app.on_record_after_delete_success.bind(
            Handler(self._record_deleted, "pbFilesRecordDelete", _OUTER, _has_files)
        )
        app.on_collection_update_execute.bind(Handler(self._collection_write, "pbFilesCollection", _INNER))
        app.on_collection_after_delete_success.bind(
            Handler(self._collection_deleted, "pbFilesCollectionDelete", _OUTER)
        )

    async def _record_write(self, e: RecordEvent) -> None:
        record, app = e.record, e.app
        collection = record.collection
        fields = [f for f in collection.fields if isinstance(f, FileField)]
        storage = app.storage()
        original = dict(record.original or {})
        written: list[str] = []
        try:
            for field in fields:
                for upload in field.items_of(record.get(field.name)):
                    if isinstance(upload, Upload):
                        key = file_key(collection, record.id, upload.name)
                        metadata = {"original-filename": upload.original_name}
                        await storage.write(key, upload.content, upload.content_type, metadata)
                        written.append(key)
            await e.next()
        except BaseException:
            for key in written:
                await storage.delete(key)
            raise

        async def undo(_: BaseException) -> None:
            # Inside a transaction (a batch), a later failure undoes this save: its files go too.
            fire_and_forget(_delete_keys(storage, written), "deleting the files of a rolled back save")

        if written:
            app.data.after_rollback(undo)
        stale: dict[str, list[str]] = {}
        for field in fields:
            names = field.values_of(record.get(field.name))
            record.data[field.name] = field.normalize(names)
            gone = [n for n in field.values_of(original.get(field.name)) if n not in names]
            if gone:
                stale.setdefault(record.id, []).extend(gone)
        record.original = dict(record.data)
        if stale:

            async def committed() -> None:
                what = f"deleting replaced files of {collection.name}/{record.id}"
                fire_and_forget(delete_files(storage, collection, stale), what)

            await app.data.after_commit(committed)

    async def _record_deleted(self, e: RecordEvent) -> None:
        prefix = f"{e.record.collection.id}/{e.record.id}"
        fire_and_forget(e.app.storage().delete_prefix(prefix), f"deleting the files of {prefix}")
        await e.next()

    async def _collection_write(self, e: CollectionEvent) -> None:
        app = e.app
        original = app.stored_collection(e.collection.id)
        dropped = await dropped_field_files(app.data, original, e.collection) if original else {}
        await e.next()
        if original is not None and dropped:
            storage = app.storage()

            async def committed() -> None:
                what = f"deleting the files of removed fields of {e.collection.name}"
                fire_and_forget(delete_files(storage, original, dropped), what)

            await app.data.after_commit(committed)

    async def _collection_deleted(self, e: CollectionEvent) -> None:
        await e.app.storage().delete_prefix(e.collection.id)
        await e.next()


def _has_files(e: RecordEvent) -> bool:
    return any(isinstance(f, FileField) for f in e.record.collection.fields)


async def _delete_keys(storage: Filesystem, keys: list[str]) -> None:
    for key in keys:
        await storage.delete(key)


async def dropped_field_files(
    db: Database, original: Collection, updated: Collection
) -> dict[str, list[str]]:
    """The files (by record id) of the file fields `updated` no longer has (matched by field
    id), read before the change is saved, for `delete_files` once it is."""
    kept = {f.id for f in updated.fields}
    dropped = [f for f in original.fields if isinstance(f, FileField) and f.id not in kept]
    if not dropped or original.is_view:
        return {}
    columns = ", ".join(quote(f.name) for f in dropped)
    rows = await db.fetch_all(f"SELECT id, {columns} FROM {quote(original.name)}", heavy=True)
    files: dict[str, list[str]] = {}
    for row in rows:
        names = [n for f in dropped for n in f.values_of(f.from_db(row[f.name]))]
        if names:
            files[row["id"]] = names
    return files
