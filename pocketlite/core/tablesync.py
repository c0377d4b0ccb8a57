"""Keeps SQLite tables in step with collection definitions (data-model.md §1.2).

Every function runs inside the caller's transaction, so a failed change leaves schema and data
as they were.
"""

from __future__ import annotations

import sqlite3

from pocketlite.core.collection import Collection
from pocketlite.core.db import Transaction, describe_error
from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields import Field
from pocketlite.core.indexes import parse_index
from pocketlite.tools.security import random_string

__all__ = [
    "SchemaError",
    "create_collection_table",
    "drop_collection_table",
    "quote",
    "sync_collection_table",
]


def quote(identifier: str) -> str:
    """A backtick-quoted SQL identifier (names are validated as `^\\w+$` before they get here)."""
    return "`" + identifier.replace("`", "``") + "`"


async def create_collection_table(tx: Transaction, collection: Collection) -> None:
    """Create the table of a new base/auth collection and its indexes.

    NB: PocketBase creates the initial columns in alphabetical order (Go map iteration); so do we,
    which keeps `.schema` of both servers identical.
    """
    columns = sorted(collection.fields, key=lambda f: f.name)
    body = ", ".join(f"{quote(f.name)} {f.column_definition()}" for f in columns)
    await tx.execute(f"CREATE TABLE {quote(collection.name)} ({body})")
    await _create_indexes(tx, collection)


async def drop_collection_table(tx: Transaction, collection: Collection) -> None:
    """Drop the table (or view) of a deleted collection."""
    kind = "VIEW" if collection.is_view else "TABLE"
    await tx.execute(f"DROP {kind} IF EXISTS {quote(collection.name)}")


async def sync_collection_table(tx: Transaction, new: Collection, old: Collection | None) -> None:
    """Apply the difference between `old` and `new` to the table: rename it, drop, add and
    rename columns (fields are matched by id), convert single↔multiple values, rebuild indexes."""
    if new.is_view:
        return
    if old is None or not await _has_table(tx, old.name):
        await create_collection_table(tx, new)
        return
    table = new.name
    # NB: like PocketBase, a case-only rename keeps the table (SQLite names are case-insensitive).
    renamed = old.name.lower() != new.name.lower()
    indexes_changed = (
        renamed
        or [f.to_dict() for f in old.fields] != [f.to_dict() for f in new.fields]
        or old.indexes != new.indexes
    )
    if indexes_changed:
        await _drop_indexes(tx, old)
    if renamed:
        await tx.execute(f"ALTER TABLE {quote(old.name)} RENAME TO {quote(table)}")

    new_ids = {f.id for f in new.fields}
    for field in old.fields:
        if field.id not in new_ids:
            await _alter(
                tx, f"ALTER TABLE {quote(table)} DROP COLUMN {quote(field.name)}", "drop", field.name
            )

    # Renames go through temporary names so that swapping two names works.
    old_by_id = {f.id: f for f in old.fields}
    temp_names: dict[str, str] = {}
    for field in new.fields:
        previous = old_by_id.get(field.id)
        if previous is not None and previous.name == field.name:
            continue
        temp = field.name + random_string(5)
        temp_names[temp] = field.name
        if previous is None:
            sql = f"ALTER TABLE {quote(table)} ADD COLUMN {quote(temp)} {field.column_definition()}"
            await _alter(tx, sql, "add", field.name)
        else:
            sql = f"ALTER TABLE {quote(table)} RENAME COLUMN {quote(previous.name)} TO {quote(temp)}"
            await _alter(tx, sql, "rename", previous.name)
    for temp, name in temp_names.items():
        await tx.execute(f"ALTER TABLE {quote(table)} RENAME COLUMN {quote(temp)} TO {quote(name)}")

    await _convert_multiplicity_changes(tx, new, old_by_id)
    if indexes_changed:
        await _create_indexes(tx, new)


class SchemaError(Exception):
    """A table change SQLite refused, worded like PocketBase's."""


async def _alter(tx: Transaction, sql: str, action: str, column: str) -> None:
    try:
        await tx.execute(sql)
    except sqlite3.Error as exc:
        raise SchemaError(f"failed to {action} column {column} - {describe_error(exc)}") from exc


def _is_multiple(field: Field | None) -> bool:
    return bool(getattr(field, "is_multiple", False))


async def _convert_multiplicity_changes(
    tx: Transaction, new: Collection, old_by_id: dict[str, Field]
) -> None:
    """Recreate columns whose field flipped between single and multiple values, converting data:
    single → `[value]` (`''` → `[]`), multiple → its last element."""
    for field in new.fields:
        previous = old_by_id.get(field.id)
        was_multiple, is_multiple = _is_multiple(previous), _is_multiple(field)
        if previous is None or was_multiple == is_multiple:
            continue
        # Views over the table would break while the column is swapped: drop and restore them.
        views = await tx.fetch_all(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view' AND sql IS NOT NULL"
        )
        for view in views:
            await tx.execute(f"DROP VIEW IF EXISTS {quote(view['name'])}")
        table, column = quote(new.name), quote(field.name)
        temp = quote("_" + field.name + random_string(5))
        await tx.execute(f"ALTER TABLE {table} RENAME COLUMN {column} TO {temp}")
        await tx.execute(f"ALTER TABLE {table} ADD COLUMN {column} {field.column_definition()}")
        if is_multiple:
            converted = (
                f"CASE WHEN COALESCE({temp}, '') = '' THEN '[]' ELSE (CASE WHEN json_valid({temp}) "
                f"AND json_type({temp}) == 'array' THEN {temp} ELSE json_array({temp}) END) END"
            )
        else:
            converted = (
                f"CASE WHEN COALESCE({temp}, '[]') = '[]' THEN '' ELSE (CASE WHEN json_valid({temp}) "
                f"AND json_type({temp}) == 'array' THEN COALESCE(json_extract({temp}, '$[#-1]'), '') "
                f"ELSE {temp} END) END"
            )
        await tx.execute(f"UPDATE {table} SET {column} = ({converted})")
        await tx.execute(f"ALTER TABLE {table} DROP COLUMN {temp}")
        for view in views:
            await tx.execute(view["sql"])


async def _has_table(tx: Transaction, name: str) -> bool:
    row = await tx.fetch_one(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND LOWER(name) = LOWER(?)", (name,)
    )
    return row is not None


async def _drop_indexes(tx: Transaction, collection: Collection) -> None:
    for statement in collection.indexes:
        name = parse_index(statement).name
        if not name:
            raise ValueError(f"failed to drop index - missing index name: {statement}")
        await tx.execute(f"DROP INDEX IF EXISTS {quote(name)}")


async def _create_indexes(tx: Transaction, collection: Collection) -> None:
    """Create the collection's indexes; failures are reported per index like PocketBase does."""
    errors: dict[str, ValidationError | ValidationErrors] = {}
    for i, statement in enumerate(collection.indexes):
        index = parse_index(statement).with_table(collection.name)
        if not index.is_valid:
            errors[str(i)] = ValidationError(
                "validation_invalid_index_expression", "Invalid CREATE INDEX expression."
            )
            continue
        try:
            await tx.execute(index.build())
        except Exception as exc:  # sqlite3 errors carry the reason users need to see
            errors[str(i)] = ValidationError(
                "validation_invalid_index_expression",
                f"Failed to create index {index.name} - {describe_error(exc)}.",
            )
    if errors:
        raise ValidationErrors({"indexes": ValidationErrors(errors)})
