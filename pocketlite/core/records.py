"""Reading and writing records: the record's own steps of a save or delete (`core.models`
runs them inside the hooks) and the reads everything else builds on."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.errors import BadRequestError, ValidationError, ValidationErrors
from pocketlite.core.fields import (
    AutodateField,
    FileField,
    PasswordField,
    PasswordValue,
    RelationField,
    TextField,
)
from pocketlite.core.record import Record
from pocketlite.core.tablesync import quote
from pocketlite.tools.types import now_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "AUTH_SUBTABLES",
    "REQUIRED_REFERENCE",
    "SUPERUSERS",
    "count_records",
    "delete_owned_refs",
    "delete_record_row",
    "find_first_record_by_data",
    "find_record_by_id",
    "prepare_record",
    "validate_record",
    "write_record",
]

SUPERUSERS = "_superusers"

# System collections holding rows that belong to an auth record.
AUTH_SUBTABLES = ("_mfas", "_otps", "_externalAuths", "_authOrigins")

_UNIQUE_RE = re.compile(r"UNIQUE constraint failed: (.+)")


async def find_record_by_id(db: Database, collection: Collection, record_id: str) -> Record | None:
    """The record with this id, or None."""
    row = await db.fetch_one(f"SELECT * FROM {quote(collection.name)} WHERE id = ? LIMIT 1", (record_id,))
    return Record.from_row(collection, row) if row is not None else None


async def find_first_record_by_data(
    db: Database, collection: Collection, field: str, value: Any
) -> Record | None:
    """The first record whose `field` equals `value` exactly, or None."""
    if collection.field(field) is None:
        return None
    row = await db.fetch_one(
        f"SELECT * FROM {quote(collection.name)} WHERE {quote(field)} = ? LIMIT 1", (value,)
    )
    return Record.from_row(collection, row) if row is not None else None


async def count_records(
    db: Database, collection: Collection, where: str = "", params: tuple[Any, ...] = ()
) -> int:
    """How many records match an SQL condition built by the caller from trusted parts."""
    sql = f"SELECT COUNT(*) FROM {quote(collection.name)}" + (f" WHERE {where}" if where else "")
    row = await db.fetch_one(sql, params)
    return int(row[0]) if row is not None else 0


def prepare_record(record: Record) -> None:
    """Server-set values, before validation: ids, token keys, autodates, superusers'
    `verified`. Views store nothing."""
    collection = record.collection
    if collection.is_view:
        raise BadRequestError("Unsupported collection type.")
    new = record.is_new
    now = now_string()
    for field in collection.fields:
        name = field.name
        if isinstance(field, TextField) and field.autogeneratePattern and new and not record.data.get(name):
            record.data[name] = field.autogenerate()
        elif isinstance(field, AutodateField) and (
            # Values set explicitly by server-side code win over the automatic ones.
            (new and field.onCreate and not record.data.get(name))
            or (not new and field.onUpdate and not record.changed(name))
        ):
            record.data[name] = now
    if (
        collection.is_auth
        and not new
        and not record.changed("tokenKey")
        and (record.changed("password") or record.changed("email"))
    ):
        token_key = collection.field("tokenKey")
        if isinstance(token_key, TextField):
            record.data["tokenKey"] = token_key.autogenerate()
    if collection.name == SUPERUSERS:
        record.data["verified"] = True


async def validate_record(app: Core, record: Record) -> None:
    """Every field's value (of a new record, or changed), that related ids exist and, for auth
    records, that the id is not another auth collection's; problems raise `ValidationErrors`."""
    errors: dict[str, ValidationError | ValidationErrors] = {}
    for field in record.collection.fields:
        if record.is_new or record.changed(field.name):
            value = record.data.get(field.name)
            error = field.validate_value(value)
            if error is None and isinstance(field, FileField):
                error = field.new_names_error(value, (record.original or {}).get(field.name))
            if error is not None:
                errors[field.name] = error
    if (
        not record.is_new
        and record.original is not None
        and record.original.get("id") != record.data.get("id")
    ):
        errors["id"] = ValidationError("validation_pk_change", "The record primary key cannot be changed")
    for name, error in (await _relation_errors(app, record)).items():
        errors.setdefault(name, error)
    if errors:
        raise ValidationErrors(errors)
    if record.collection.is_auth:
        await _check_auth_id(app.data, record)


async def write_record(app: Core, record: Record) -> None:
    """Insert or update the record's row (and, for auth records, the rows hanging on its
    credentials); passwords are hashed here and their plain text forgotten after."""
    db = app.data
    collection = record.collection
    if collection.is_view:
        raise BadRequestError("Unsupported collection type.")
    for field in collection.fields:
        if isinstance(field, PasswordField):
            await field.hash_plain(record.data[field.name])
    if collection.is_auth and not record.is_new:
        async with db.transaction():
            await _write_auth_record(app, record)
    else:
        await _write(db, record)
    for value in record.data.values():
        if isinstance(value, PasswordValue):
            value.plain = ""  # the plain password lives only during the save
    record.original = dict(record.data)


async def _check_auth_id(db: Database, record: Record) -> None:
    """NB: PocketBase refuses an auth record whose id a record of another auth collection has
    (a loose guard against rules that mix auth collections up), on every save."""
    others = await db.fetch_all(
        "SELECT name FROM _collections WHERE type = 'auth' AND id != ?", (record.collection.id,)
    )
    for other in others:
        if await db.fetch_one(f"SELECT 1 FROM {quote(other[0])} WHERE id = ? LIMIT 1", (record.id,)):
            error = ValidationError("validation_invalid_auth_id", "Invalid or duplicated auth record id.")
            raise ValidationErrors({"id": error})


async def _write_auth_record(app: Core, record: Record) -> None:
    """Update an auth record and the rows that hang on its credentials (data-model.md §3.2):
    becoming verified drops OAuth2 links made before (and signs out everywhere when there were
    any), a new token key drops pending OTPs, a new password drops MFA sessions and known
    login origins."""
    assert record.original is not None
    if not record.original.get("verified") and record.get("verified"):
        links = await delete_owned_refs(app, "_externalAuths", record.collection.id, record.id)
        token_key = record.collection.field("tokenKey")
        if links and not record.changed("tokenKey") and isinstance(token_key, TextField):
            record.data["tokenKey"] = token_key.autogenerate()
    await _write(app.data, record)
    dropped: list[str] = []
    if record.changed("tokenKey"):
        dropped.append("_otps")
    if record.original.get("password") != record.get("password"):
        dropped += ["_mfas", "_authOrigins"]
    for table in dropped:
        await delete_owned_refs(app, table, record.collection.id, record.id)


async def delete_owned_refs(app: Core, table: str, collection_id: str, record_id: str) -> int:
    """Delete (through the hooks) the rows of a system table (`_otps`, …) that belong to one
    auth record; returns how many went."""
    refs = app.find_collection(table)
    if refs is None:
        return 0
    rows = await app.data.fetch_all(
        f"SELECT * FROM {quote(table)} WHERE collectionRef = ? AND recordRef = ?", (collection_id, record_id)
    )
    for row in rows:
        await app.delete(Record.from_row(refs, row))
    return len(rows)


async def _write(db: Database, record: Record) -> None:
    collection = record.collection
    values = {f.name: f.to_db(record.data.get(f.name, f.zero_value())) for f in collection.fields}
    table = quote(collection.name)
    try:
        if record.is_new:
            columns = ", ".join(quote(k) for k in values)
            marks = ", ".join("?" for _ in values)
            await db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()), short=True
            )
        else:
            assignments = ", ".join(f"{quote(k)} = ?" for k in values)
            assert record.original is not None
            await db.execute(
                f"UPDATE {table} SET {assignments} WHERE id = ?",
                (*values.values(), record.original["id"]),
                short=True,
            )
    except sqlite3.IntegrityError as exc:
        raise _integrity_errors(exc) from exc


async def _relation_errors(app: Core, record: Record) -> dict[str, ValidationError]:
    db, find = app.data, app.find_collection
    errors: dict[str, ValidationError] = {}
    for field in record.collection.fields:
        if not isinstance(field, RelationField) or not (record.is_new or record.changed(field.name)):
            continue
        value = record.get(field.name)
        ids = field.values_of(value)
        if not ids:
            continue
        target = find(field.collectionId)
        found: set[str] | None = None
        if target is not None:
            marks = ", ".join("?" for _ in ids)
            rows = await db.fetch_all(
                f"SELECT id FROM {quote(target.name)} WHERE id IN ({marks})", tuple(ids)
            )
            found = {row[0] for row in rows}
        error = field.existence_error(value, found)
        if error is not None:
            errors[field.name] = error
    return errors


def _integrity_errors(exc: sqlite3.IntegrityError) -> Exception:
    match = _UNIQUE_RE.search(str(exc))
    if match is None:
        return exc
    columns = [c.strip().rsplit(".", 1)[-1] for c in match.group(1).split(",")]
    return ValidationErrors(
        {c: ValidationError("validation_not_unique", "Value must be unique") for c in columns}
    )


REQUIRED_REFERENCE = (
    "Failed to delete record. Make sure that the record is not part of a required relation reference."
)


async def delete_record_row(app: Core, record: Record) -> None:
    """Delete a record's row, the rows of auth records' system tables, and what references it
    (data-model.md §3.3), in one transaction: the id leaves every relation pointing at it
    (saved without validation, through the hooks); a reference left empty deletes its record
    (through the hooks) when the field cascades, and refuses the whole delete when the field is
    required."""
    db = app.data
    collection = record.collection
    if collection.is_view:
        raise BadRequestError("View records cannot be deleted.")
    async with db.transaction() as tx:
        # Records already being deleted further up this cascade (cycles of relations).
        deleting: set[str] = tx.state.setdefault("deleting", set())
        deleting.add(f"{collection.id}/{record.id}")
        if collection.name == SUPERUSERS:
            row = await db.fetch_one(f"SELECT COUNT(*) FROM {quote(SUPERUSERS)}")
            if row is not None and row[0] <= 1:
                raise BadRequestError("You can't delete the only existing superuser.")
        await db.execute(f"DELETE FROM {quote(collection.name)} WHERE id = ?", (record.id,))
        if collection.is_auth:
            for table in AUTH_SUBTABLES:
                await delete_owned_refs(app, table, collection.id, record.id)
        for other in app.collections():
            if other.is_view:
                continue
            for field in other.fields:
                if isinstance(field, RelationField) and field.collectionId == collection.id:
                    await _unlink(app, other, field, record.id, deleting)


async def _unlink(
    app: Core, collection: Collection, field: RelationField, target_id: str, deleting: set[str]
) -> None:
    table, column = quote(collection.name), quote(field.name)
    if field.is_multiple:
        values = f"json_each(CASE WHEN json_valid({column}) THEN {column} ELSE '[]' END)"
        where = f"EXISTS (SELECT 1 FROM {values} WHERE value = ?)"
    else:
        where = f"{column} = ?"
    rows = await app.data.fetch_all(f"SELECT * FROM {table} WHERE {where}", (target_id,))
    for row in rows:
        referencing = Record.from_row(collection, row)
        if f"{collection.id}/{referencing.id}" in deleting:
            continue
        remaining = [i for i in field.values_of(referencing.get(field.name)) if i != target_id]
        if not remaining and field.cascadeDelete:
            await app.delete(referencing)
        elif not remaining and field.required:
            raise BadRequestError(REQUIRED_REFERENCE)
        else:
            referencing.set(field.name, remaining)
            await app.save_no_validate(referencing)
