"""Saving, deleting and truncating collections: the one path every schema change takes.

A save prepares the collection the way PocketBase does before validating (defaults, ids, index
table names), validates it, then writes `_collections` and syncs the table in one transaction.
Callers reload their collection cache afterwards.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

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
from pocketlite.core.records import SUPERUSERS, delete_record
from pocketlite.core.scaffolds import apply_type_defaults, new_collection
from pocketlite.core.tablesync import drop_collection_table, quote, sync_collection_table
from pocketlite.core.views import ViewQueryError, delete_view, id_as_text, infer_view_fields, save_view
from pocketlite.tools.security import random_string
from pocketlite.tools.types import now_string

__all__ = [
    "CollectionLookup",
    "delete_collection",
    "find_references",
    "save_collection",
    "truncate_collection",
]

CollectionLookup = Callable[[str], Collection | None]

logger = logging.getLogger(__name__)


async def save_collection(
    db: Database,
    collection: Collection,
    original: Collection | None,
    find_collection: CollectionLookup,
    *,
    generated_id: bool = False,
    validate: bool = True,
) -> None:
    """Create (`original` None) or update a collection; `ValidationErrors` when it is invalid.

    `generated_id` says the id was derived from type+name rather than chosen by the client, so it
    may be renumbered when taken. `validate=False` is for imports, which validate afterwards.
    """
    async with db.transaction() as tx:
        await _prepare(db, collection, original, generated_id)
        if validate:
            await validate_collection(tx, collection, original, find_collection)
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


async def _prepare(
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


async def delete_collection(
    db: Database, collection: Collection, collections: list[Collection], *, integrity_checks: bool = True
) -> None:
    """Drop a collection and its table; refused for system collections and, with
    `integrity_checks`, for collections that relations or views still read. Imports go
    without those checks, validating the result instead."""
    if collection.system:
        raise BadRequestError(f"[{collection.name}] system collections cannot be deleted")
    references = find_references(collection, collections) if integrity_checks else []
    if references:
        names = ", ".join(c.name for c in references)
        raise BadRequestError(
            f"[{collection.name}] failed to delete due to existing relation references: {names}"
        )
    async with db.transaction() as tx:
        await drop_collection_table(tx, collection)
        await tx.execute("DELETE FROM `_collections` WHERE id = ?", (collection.id,))
        if integrity_checks:
            # A view over the dropped table would break: re-inferring every view finds out (and
            # the error rolls the delete back).
            await _refresh_dependent_views(tx, exclude=collection.id, strict=True)


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


async def truncate_collection(db: Database, collection: Collection, collections: list[Collection]) -> None:
    """Delete every record one by one, so each delete runs the full record delete path
    (cascades and required references included)."""
    async with db.transaction() as tx:
        rows = await tx.fetch_all(f"SELECT * FROM {quote(collection.name)}")
        for row in rows:
            await delete_record(db, Record.from_row(collection, row), collections)


class CollectionsImportError(Exception):
    """An import that can't be applied; `validation` tells a failed validation from bad data."""

    def __init__(self, message: str, *, validation: bool) -> None:
        super().__init__(message)
        self.validation = validation


async def import_collections(
    db: Database, items: list[dict[str, Any]], delete_missing: bool, existing: list[Collection]
) -> list[Collection]:
    """Create or update every collection of `items` (matched by id, else by name) in one
    transaction; with `delete_missing`, drop the non-system collections and fields not listed.
    Returns the collections dropped.

    Like PocketBase, everything is saved first and validated afterwards, so collections of one
    import may reference each other in any order, and a collection may be dropped together with
    the views over it.
    """
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

    deleted: list[Collection] = []
    async with db.transaction() as tx:
        if delete_missing:
            listed = {c.id for c, _ in imported}
            deleted = [c for c in existing if c.id not in listed and not c.system]
            for collection in deleted:
                await delete_collection(db, collection, [], integrity_checks=False)
        lookup: dict[str, Collection] = {}
        for collection, current in imported:
            try:
                await save_collection(db, collection, current, lambda _: None, validate=False)
            except (sqlite3.Error, ViewQueryError) as exc:
                raise CollectionsImportError(
                    f'failed to save collection "{collection.name}": {describe_error(exc)}', validation=False
                ) from exc
        for collection, _ in imported:
            lookup[collection.id] = lookup[collection.name.lower()] = collection
        gone = {c.id for c in deleted}
        for c in existing:
            if c.id not in gone:
                lookup.setdefault(c.id, c)
                lookup.setdefault(c.name.lower(), c)
        for collection, current in imported:
            try:
                await validate_collection(
                    tx, collection, current or collection, lambda k: lookup.get(k) or lookup.get(k.lower())
                )
            except ValidationErrors as exc:
                details = json.dumps(exc.raw_messages(), indent=2, sort_keys=True)
                raise CollectionsImportError(
                    f'Data validations failed for collection "{collection.name}" '
                    f"({collection.id}):\n{details}",
                    validation=True,
                ) from exc
    return deleted


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
