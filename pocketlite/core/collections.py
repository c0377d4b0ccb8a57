"""Collections' own steps of a save or delete (`core.models` runs them inside the hooks), and
imports and truncation built on them.

A save prepares the collection the way PocketBase does before validating (defaults, ids, index
table names), validates it, then writes `_collections` and syncs the table in one transaction,
after which the transaction sees the new schema (`Core.reload_collections`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import (
    AUTH,
    BASE,
    Collection,
    InvalidFormatError,
    collection_from_dict,
    default_collection_id,
    merge_input,
)
from pocketlite.core.collection_validator import validate_collection
from pocketlite.core.db import Database, Transaction, describe_error
from pocketlite.core.errors import BadRequestError, ValidationErrors
from pocketlite.core.fields import Field
from pocketlite.core.indexes import parse_index
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.scaffolds import apply_type_defaults, new_collection
from pocketlite.core.tablesync import drop_collection_table, quote, sync_collection_table
from pocketlite.core.views import ViewQueryError, delete_view, id_as_text, infer_view_fields, save_view
from pocketlite.tools.security import random_string
from pocketlite.tools.types import now_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "CollectionLookup",
    "drop_collection",
    "find_references",
    "import_collections",
    "prepare_collection",
    "truncate_collection",
    "validate_collection_change",
    "write_collection",
]

CollectionLookup = Callable[[str], Collection | None]

logger = logging.getLogger(__name__)

# Off while an import drops collections: it validates the end result instead.
_integrity_checks: ContextVar[bool] = ContextVar("collection_integrity_checks", default=True)


@contextlib.contextmanager
def _without_integrity_checks() -> Iterator[None]:
    token = _integrity_checks.set(False)
    try:
        yield
    finally:
        _integrity_checks.reset(token)


async def validate_collection_change(app: Core, collection: Collection, original: Collection | None) -> None:
    """Check a new collection, or a change of `original`; problems raise `ValidationErrors`."""
    async with app.data.transaction() as tx:
        await validate_collection(tx, collection, original, app.find_collection)


async def write_collection(app: Core, collection: Collection, original: Collection | None) -> None:
    """Store a validated collection and bring its table (or view) in line, in one transaction."""
    async with app.data.transaction() as tx:
        if collection.auth is not None and SUPERUSERS in (collection.name, original and original.name):
            _force_superusers_options(collection)
        # Changing the auth rule revokes every auth token issued under the old one.
        if (
            original is not None
            and collection.auth is not None
            and original.auth is not None
            and collection.auth.authRule != original.auth.authRule
        ):
            collection.auth.authToken.secret = random_string(50)
        if collection.is_view:
            collection.fields = await infer_view_fields(tx, collection.viewQuery)
            if original is not None:
                await delete_view(tx, original.name)
            await save_view(tx, collection.name, await id_as_text(tx, collection.viewQuery))
        row = collection.to_row()
        if original is None:
            columns = ", ".join(quote(k) for k in row)
            marks = ", ".join("?" for _ in row)
            await tx.execute(f"INSERT INTO `_collections` ({columns}) VALUES ({marks})", tuple(row.values()))
        else:
            sets = ", ".join(f"{quote(k)} = ?" for k in row)
            await tx.execute(f"UPDATE `_collections` SET {sets} WHERE id = ?", (*row.values(), original.id))
        await sync_collection_table(tx, collection, original)
        if original is not None:
            await _refresh_dependent_views(tx, exclude=collection.id)
        await app.reload_collections()


async def prepare_collection(
    db: Database, collection: Collection, original: Collection | None, generated_id: bool
) -> None:
    """PocketBase's pre-validation normalization of a collection being saved."""
    collection.type = collection.type or BASE
    now = now_string()
    if original is None:
        if not collection.id:
            collection.id, generated_id = default_collection_id(collection.type, collection.name), True
        collection.created = now
    else:
        collection.created = original.created
    collection.updated = now
    apply_type_defaults(collection)
    if collection.type == AUTH and collection.auth is not None:
        mapped = collection.auth.oauth2.mappedFields
        for key in ("id", "name", "username", "avatarURL"):
            if getattr(mapped, key) and collection.field(getattr(mapped, key)) is None:
                setattr(mapped, key, "")
    if original is None and generated_id:
        await _renumber_generated_id(db, collection)
    for i, statement in enumerate(collection.indexes):
        index = parse_index(statement)
        if index.table != collection.name:
            normalized = index.with_table(collection.name).build()
            if normalized:  # invalid ones are left for the validator to report
                collection.indexes[i] = normalized


def _force_superusers_options(collection: Collection) -> None:
    """Superusers: no OAuth2 (a sign-in must never create one), password auth always on, OTP only
    together with MFA."""
    assert collection.auth is not None
    collection.name = SUPERUSERS
    collection.auth.oauth2.enabled = False
    collection.auth.oauth2.providers = []
    collection.auth.passwordAuth.enabled = True
    if collection.auth.otp.enabled:
        collection.auth.mfa.enabled = True


async def _renumber_generated_id(db: Database, collection: Collection) -> None:
    """`pbc_<crc32>` of the final type+name, with a 2..999 suffix when taken; index names that
    embedded the old id follow."""
    base_id = default_collection_id(collection.type, collection.name)
    new_id = base_id
    for n in range(2, 1000):
        if await db.fetch_one("SELECT 1 FROM _collections WHERE id = ? LIMIT 1", (new_id,)) is None:
            break
        new_id = f"{base_id}{n}"
    if new_id == collection.id:
        return
    for i, statement in enumerate(collection.indexes):
        index = parse_index(statement)
        renamed = index.name.replace(collection.id, new_id)
        if renamed != index.name:
            collection.indexes[i] = replace(index, name=renamed).build()
    collection.id = new_id


def find_references(collection: Collection, collections: list[Collection]) -> list[Collection]:
    """The other collections with a relation field pointing at `collection`."""
    return [
        other
        for other in collections
        if other.id != collection.id
        and any(
            getattr(f, "collectionId", None) == collection.id for f in other.fields if f.type == "relation"
        )
    ]


async def drop_collection(app: Core, collection: Collection) -> None:
    """Drop a collection and its table; refused for system collections and for collections
    that relations or views still read (except inside an import, which validates its result)."""
    if collection.system:
        raise BadRequestError(f"[{collection.name}] system collections cannot be deleted")
    integrity_checks = _integrity_checks.get()
    references = find_references(collection, app.collections()) if integrity_checks else []
    if references:
        names = ", ".join(c.name for c in references)
        raise BadRequestError(
            f"[{collection.name}] failed to delete due to existing relation references: {names}"
        )
    async with app.data.transaction() as tx:
        await drop_collection_table(tx, collection)
        await tx.execute("DELETE FROM `_collections` WHERE id = ?", (collection.id,))
        if integrity_checks:
            # A view over the dropped table would break: re-inferring every view finds out (and
            # the error rolls the delete back).
            await _refresh_dependent_views(tx, exclude=collection.id, strict=True)
        await app.reload_collections()


async def _refresh_dependent_views(tx: Transaction, *, exclude: str, strict: bool = False) -> None:
    """Re-infer every view's fields after a schema change (a cloned field's options follow the
    original) and store the ones that changed. Failures raise when `strict`; otherwise the view
    is left as it was (the user fixes its query), as in PocketBase."""
    rows = await tx.fetch_all("SELECT * FROM `_collections` WHERE type = 'view' AND id != ?", (exclude,))
    for row in rows:
        view = Collection.from_row(row)
        try:
            fields = await infer_view_fields(tx, view.viewQuery)
        except Exception as exc:
            if strict:
                raise BadRequestError(f"[{view.name}] failed to resolve the view fields: {exc}") from exc
            logger.warning("view %s may need an update after a schema change: %s", view.name, exc)
            continue
        if _without_ids(fields) == _without_ids(view.fields):
            continue
        view.fields = fields
        await save_view(tx, view.name, await id_as_text(tx, view.viewQuery))
        await tx.execute(
            "UPDATE `_collections` SET fields = ?, updated = ? WHERE id = ?",
            (view.to_row()["fields"], now_string(), view.id),
        )


def _without_ids(fields: list[Field]) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.to_dict().items() if k != "id"} for f in fields]


async def truncate_collection(app: Core, collection: Collection) -> None:
    """Delete every record one by one, so each delete runs the full record delete path
    (hooks, cascades and required references included)."""
    async with app.data.transaction() as tx:
        rows = await tx.fetch_all(f"SELECT * FROM {quote(collection.name)}")
        for row in rows:
            await app.delete(Record.from_row(collection, row))


class CollectionsImportError(Exception):
    """An import that can't be applied; `validation` tells a failed validation from bad data."""

    def __init__(self, message: str, *, validation: bool) -> None:
        super().__init__(message)
        self.validation = validation


async def import_collections(app: Core, items: list[dict[str, Any]], delete_missing: bool) -> None:
    """Create or update every collection of `items` (matched by id, else by name) in one
    transaction, each through the hooks; with `delete_missing`, drop the non-system collections
    and fields not listed.

    Like PocketBase, everything is saved first and validated afterwards, so collections of one
    import may reference each other in any order, and a collection may be dropped together with
    the views over it.
    """
    existing = app.collections()
    by_key = {c.id: c for c in existing} | {c.name.lower(): c for c in existing}
    imported: list[tuple[Collection, Collection | None]] = []
    for data in items:
        key = str(data.get("id") or data.get("name") or "")
        current = by_key.get(key) or by_key.get(key.lower())
        try:
            if current is None:
                collection = collection_from_dict(merge_input(_scaffold_dict(data), data))
            else:
                patch = dict(data)
                if patch.get("fields") is None and delete_missing:
                    patch["fields"] = []
                collection = collection_from_dict(merge_input(current.to_dict(), patch))
                _keep_missing_fields(collection, current, delete_missing)
        except InvalidFormatError as exc:
            raise CollectionsImportError(str(exc), validation=False) from exc
        imported.append((collection, current))
    imported.sort(key=lambda pair: (pair[0].is_view, pair[0].created, pair[0].updated))

    async with app.data.transaction():
        if delete_missing:
            listed = {c.id for c, _ in imported}
            with _without_integrity_checks():
                for collection in existing:
                    if collection.id not in listed and not collection.system:
                        await app.delete(collection)
        for collection, current in imported:
            try:
                await app.save_collection(collection, current, validate=False)
            except (sqlite3.Error, ViewQueryError) as exc:
                raise CollectionsImportError(
                    f'failed to save collection "{collection.name}": {describe_error(exc)}', validation=False
                ) from exc
        for collection, current in imported:
            try:
                await app.validate(collection, current or collection)
            except ValidationErrors as exc:
                details = json.dumps(exc.raw_messages(), indent=2, sort_keys=True)
                raise CollectionsImportError(
                    f'Data validations failed for collection "{collection.name}" '
                    f"({collection.id}):\n{details}",
                    validation=True,
                ) from exc


def _scaffold_dict(data: dict[str, Any]) -> dict[str, Any]:
    return new_collection(
        str(data.get("type") or ""), str(data.get("name") or ""), str(data.get("id") or "")
    ).to_dict()


def _keep_missing_fields(collection: Collection, current: Collection, delete_missing: bool) -> None:
    """Fields of the stored collection that the import left out stay (system ones always); a
    same-named field of the same type takes over the stored field's id."""
    for field in current.fields:
        if delete_missing and not field.system:
            continue
        if any(f.id == field.id for f in collection.fields):
            continue
        same = collection.field(field.name)
        if same is not None and same.type == field.type:
            same.id = field.id
            continue
        collection.fields.append(field)
