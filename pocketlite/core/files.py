"""Files of records (files-and-realtime.md §1): uploads, their stored names, and keeping the
storage in step with the records.

A `file` field's value holds names of stored files and, before the save, `Upload`s. A save
writes the uploads first (removed again when the save fails) and deletes the files the record
no longer names once the save commits; a deleted record's directory goes after its delete
commits (the `FileJanitor` hears every delete, cascades included).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.fields import FileField, TextField
from pocketlite.core.fields.file import Upload
from pocketlite.core.record import Record
from pocketlite.core.records import save_record
from pocketlite.core.tablesync import quote
from pocketlite.tools.filesystem import Filesystem
from pocketlite.tools.tasks import fire_and_forget

__all__ = [
    "FileJanitor",
    "delete_files",
    "dropped_field_files",
    "file_key",
    "save_record_with_files",
    "thumb_key",
]


def file_key(collection: Collection, record_id: str, name: str) -> str:
    """Where a record's file is stored."""
    return f"{collection.id}/{record_id}/{name}"


def thumb_key(collection: Collection, record_id: str, name: str, size: str) -> str:
    """Where a thumbnail of a record's file is cached."""
    return f"{collection.id}/{record_id}/thumbs_{name}/{size}_{name}"


async def save_record_with_files(
    db: Database,
    storage: Filesystem,
    record: Record,
    *,
    find: Callable[[str], Collection | None] | None = None,
) -> None:
    """`save_record`, with the record's uploads stored first and the files it stopped naming
    deleted after the commit."""
    collection = record.collection
    fields = [f for f in collection.fields if isinstance(f, FileField)]
    uploads = [i for f in fields for i in f.items_of(record.get(f.name)) if isinstance(i, Upload)]
    if record.is_new and not record.id:
        id_field = collection.field("id")
        if isinstance(id_field, TextField):
            record.data["id"] = id_field.autogenerate()
    original = dict(record.original or {})
    written: list[str] = []

    async def store_uploads() -> None:
        # After validation, before the row: a refused save writes nothing.
        for upload in uploads:
            key = file_key(collection, record.id, upload.name)
            metadata = {"original-filename": upload.original_name}
            await storage.write(key, upload.content, upload.content_type, metadata)
            written.append(key)

    try:
        await save_record(db, record, find=find, before_write=store_uploads)
    except BaseException:
        for key in written:
            await storage.delete(key)
        raise
    if written:
        # Inside a transaction (a batch), a later failure undoes this save: its files go too.
        db.after_rollback(functools.partial(_delete_keys_later, storage, written))
    for field in fields:
        names = field.values_of(record.get(field.name))
        record.data[field.name] = field.normalize(names)
        stale = [n for n in field.values_of(original.get(field.name)) if n not in names]
        if stale:
            db.after_commit(functools.partial(_delete_later, storage, collection, record.id, stale))
    record.original = dict(record.data)


def _delete_keys_later(storage: Filesystem, keys: list[str]) -> None:
    async def delete() -> None:
        for key in keys:
            await storage.delete(key)

    fire_and_forget(delete(), "deleting the files of a rolled back save")


def _delete_later(storage: Filesystem, collection: Collection, record_id: str, names: list[str]) -> None:
    what = f"deleting replaced files of {collection.name}/{record_id}"
    fire_and_forget(delete_files(storage, collection, {record_id: names}), what)


async def delete_files(storage: Filesystem, collection: Collection, files: dict[str, list[str]]) -> None:
    """Delete files (by record id) of a collection, with their thumbnails."""
    for record_id, names in files.items():
        for name in names:
            await storage.delete(file_key(collection, record_id, name))
            await storage.delete_prefix(f"{collection.id}/{record_id}/thumbs_{name}")


class FileJanitor:
    """Removes the stored files of deleted records (a `RecordListener`)."""

    def __init__(self, storage: Callable[[], Filesystem]) -> None:
        self._storage = storage

    def saved(self, action: str, record: Record) -> None:
        """Nothing to do: saves clean up after themselves."""

    async def deleting(self, record: Record) -> Callable[[], None]:
        collection = record.collection
        if not any(isinstance(f, FileField) for f in collection.fields):
            return lambda: None
        prefix = f"{collection.id}/{record.id}"

        def committed() -> None:
            fire_and_forget(self._storage().delete_prefix(prefix), f"deleting the files of {prefix}")

        return committed


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
