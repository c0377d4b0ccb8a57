"""Password authentication of auth records (auth-api.md §4)."""

from __future__ import annotations

import asyncio

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.fields import PasswordField
from pocketlite.core.fields.email import is_email
from pocketlite.core.indexes import find_single_column_unique_index
from pocketlite.core.record import Record
from pocketlite.core.tablesync import quote
from pocketlite.tools.security import check_password

__all__ = [
    "find_record_by_email",
    "find_record_by_identity",
    "find_record_by_unique_field",
    "password_matches",
]

# A bcrypt hash (cost 10) of a random string: checked against when no record matched, so a
# miss costs as much time as a wrong password and reveals nothing about which emails exist.
_DUMMY_HASH = "$2a$10$Rm5HXbGhm0z6tqDZ7EBWbOqJ6zL1Xr5l0zG2Cq3xA4vGJmN8bV6Ca"


async def find_record_by_unique_field(
    db: Database, collection: Collection, name: str, value: str
) -> Record | None:
    """The record whose `name` equals `value`: case-insensitively when the field's unique index
    says `COLLATE NOCASE`, exactly otherwise."""
    if collection.field(name) is None:
        return None
    index = find_single_column_unique_index(collection.indexes, name)
    nocase = index is not None and index.columns[0].collate.lower() == "nocase"
    collate = " COLLATE NOCASE" if nocase else ""
    row = await db.fetch_one(
        f"SELECT * FROM {quote(collection.name)} WHERE {quote(name)} = ?{collate} LIMIT 1", (value,)
    )
    return Record.from_row(collection, row) if row is not None else None


async def find_record_by_email(db: Database, collection: Collection, email: str) -> Record | None:
    """The auth record with this e-mail address, or None."""
    return await find_record_by_unique_field(db, collection, "email", email)


async def find_record_by_identity(
    db: Database, collection: Collection, identity: str, identity_field: str = ""
) -> Record | None:
    """The record whose identity field equals `identity`: the given field only, or the
    collection's `identityFields` with `email` tried first (and only for email-shaped input)."""
    assert collection.auth is not None
    if identity_field:
        fields = [identity_field]
    else:
        configured = collection.auth.passwordAuth.identityFields
        fields = sorted(configured, key=lambda name: name != "email")
    for name in fields:
        if name == "email" and not is_email(identity):
            continue
        record = await find_record_by_unique_field(db, collection, name, identity)
        if record is not None:
            return record
    return None


async def password_matches(record: Record | None, password: str) -> bool:
    """Whether `record` exists and `password` is its password (after equal work either way, so
    the time taken says nothing about which identities exist)."""
    field = record.collection.field("password") if record is not None else None
    if record is None or not isinstance(field, PasswordField):
        await asyncio.to_thread(check_password, password, _DUMMY_HASH)
        return False
    return await field.verify(record.password, password)
