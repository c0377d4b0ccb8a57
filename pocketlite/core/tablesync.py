"""Keeps SQLite tables in step with collection definitions."""

from __future__ import annotations

from pocketlite.core.collection import Collection
from pocketlite.core.db import Transaction

__all__ = ["create_collection_table", "quote"]


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
    for index in collection.indexes:
        await tx.execute(index)
