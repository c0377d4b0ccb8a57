"""View collections (data-model.md §2.6): SQL views whose fields are inferred from the query.

The inference reads the SELECT list and the FROM/JOIN tables with a light tokenizer (not a SQL
parser, like PocketBase): a column that names a collection field becomes a clone of it, `x.id`
a relation to x, `count()`/`total()`/`cast()` typed numbers, text or bools, anything else JSON.
The column list itself comes from SQLite (`PRAGMA table_info` of a temporary view).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from pocketlite.core.collection import Collection, normalize_fields
from pocketlite.core.db import Transaction, describe_error
from pocketlite.core.fields import BoolField, Field, JSONField, NumberField, RelationField, TextField
from pocketlite.core.fields.base import FindCollection
from pocketlite.core.tablesync import quote
from pocketlite.tools.security import random_string
from pocketlite.tools.tokenizer import split_tokens

__all__ = [
    "ViewQueryError",
    "check_view_query",
    "delete_view",
    "id_as_text",
    "infer_view_fields",
    "normalize_view_query",
    "save_view",
    "view_field_source",
    "view_sample",
]

_JOIN_RE = re.compile(
    r"\s+(full\s+outer\s+join|left\s+outer\s+join|right\s+outer\s+join|full\s+join|cross\s+join|"
    r"inner\s+join|outer\s+join|left\s+join|right\s+join|join)\s+?",
    re.IGNORECASE | re.MULTILINE,
)
_DISCARD_RE = re.compile(r"\s+(where|group\s+by|having|order|limit|with)\s+?", re.IGNORECASE | re.MULTILINE)
_COMMENTS_RE = re.compile(r"(/\*[\s\S]*?\*/)|(--.+$)", re.MULTILINE)
_CAST_RE = re.compile(r"^cast\s*\(.*\s+as\s+(\w+)\s*\)$", re.IGNORECASE | re.DOTALL)
_MISSING_ID = "missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)"


class ViewQueryError(ValueError):
    """A view query that can't back a collection; the message is shown to the user. `fields`
    holds what could be inferred before the problem (PocketBase validates those)."""

    def __init__(self, message: str, fields: list[Field] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


def normalize_view_query(query: str) -> str:
    """Trim spaces and `;`; more than one statement is refused."""
    query = query.strip().strip(";")
    if len(split_tokens(query, ";")) > 1:
        raise ViewQueryError("multiple statements are not supported")
    return query


async def delete_view(tx: Transaction, name: str) -> None:
    """Drop a view if it exists."""
    await tx.execute(f"DROP VIEW IF EXISTS {quote(name)}")


async def save_view(tx: Transaction, name: str, query: str) -> None:
    """(Re)create the view `name` over `query`."""
    await delete_view(tx, name)
    query = normalize_view_query(query)
    await tx.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM ({query})")
    # SQLite accepts some broken views at CREATE time; reading their columns surfaces the error.
    await tx.fetch_all(f"PRAGMA table_info({quote(name)})")


async def _query_columns(tx: Transaction, query: str) -> list[Any]:
    temp = "_temp_" + random_string(6)
    await save_view(tx, temp, query)
    try:
        return await tx.fetch_all(f"PRAGMA table_info({quote(temp)})")
    finally:
        await delete_view(tx, temp)


async def id_as_text(tx: Transaction, query: str) -> str:
    """The query, wrapped so that its `id` column is TEXT (record ids are strings)."""
    query = query.strip().strip(";")
    for column in await _query_columns(tx, query):
        if column["name"].lower() == "id" and column["type"].upper() == "TEXT":
            return query
    columns = [
        f"CAST({quote(alias)} as TEXT) {quote(alias)}" if alias == "id" else quote(alias)
        for _, alias in _parse_identifiers(query)[0]
    ]
    return f"SELECT {','.join(columns)} FROM ({query})"


async def infer_view_fields(tx: Transaction, query: str) -> list[Field]:
    """The fields of a view over `query`, in column order."""
    suggested = await _suggest_fields(tx, query)
    fields: list[Field] = []
    has_id = False
    for column in await _query_columns(tx, query):
        name = column["name"]
        has_id = has_id or name == "id"
        field = suggested.get(name) or _default_field(name)
        field.id = field.id if field.id.startswith("_clone_") else ""
        fields = normalize_fields([*fields, field])
    if not has_id:
        raise ViewQueryError(_MISSING_ID, fields)
    return fields


def _default_field(name: str) -> Field:
    if name == "id":
        return TextField(name="id", system=True, required=True, primaryKey=True, pattern="^[a-z0-9]+$")
    return JSONField(name=name, maxSize=1)


async def _suggest_fields(tx: Transaction, query: str) -> dict[str, Field]:
    columns, tables = _parse_identifiers(query)
    collections = await _collections_by_alias(tx, tables)
    main_alias = tables[0][1] if tables else ""
    out: dict[str, Field] = {}
    for original, alias in columns:
        if alias == "*":
            raise ViewQueryError(
                "wildcard columns (*) are not supported - manually type the collection field names "
                "you want the view query to have"
            )
        out[alias] = _suggest_field(original, alias, collections, main_alias)
    return out


def _suggest_field(original: str, alias: str, collections: dict[str, Collection], main_alias: str) -> Field:
    lower = original.lower()
    if alias == "id":
        return _default_field("id")
    if lower.startswith("count("):
        return NumberField(name=alias, onlyInt=True)
    if lower.startswith("total("):
        return NumberField(name=alias)
    cast = _CAST_RE.match(lower)
    if cast is not None:
        kind = cast.group(1)
        if kind in ("real", "decimal", "numeric"):
            return NumberField(name=alias)
        if kind in ("int", "integer"):
            return NumberField(name=alias, onlyInt=True)
        if kind == "text":
            return TextField(name=alias)
        if kind in ("boolean", "bool"):
            return BoolField(name=alias)
    source = _source_field(original, collections, main_alias)
    if source is None:
        return _default_field(alias)
    collection, found = source
    if found.name.lower() == "id":
        return RelationField(name=alias, maxSelect=1, collectionId=collection.id)
    return msgspec.structs.replace(found, id="_clone_" + random_string(4), name=alias)


def _source_field(
    original: str, collections: dict[str, Collection], main_alias: str
) -> tuple[Collection, Field] | None:
    """The collection field a SELECT expression names (`field` or `alias.field`), or None."""
    parts = original.split(".")
    table_alias, field_name = (parts[0], parts[1]) if len(parts) == 2 else (main_alias, parts[0])
    collection = collections.get(table_alias)
    if collection is None:
        return None
    found = next((f for f in collection.fields if f.name.lower() == field_name.lower()), None)
    return (collection, found) if found is not None else None


def view_field_source(query: str, name: str, find: FindCollection) -> tuple[Collection, Field] | None:
    """The collection field that the column `name` of a view over `query` copies (that
    collection may be a view itself), or None for a computed column."""
    columns, tables = _parse_identifiers(query)
    collections = {
        alias: found
        for original, alias in tables
        if "(" not in alias and (found := find(original)) is not None
    }
    main_alias = tables[0][1] if tables else ""
    original = next((original for original, alias in columns if alias == name), None)
    return _source_field(original, collections, main_alias) if original is not None else None


async def _collections_by_alias(tx: Transaction, tables: list[tuple[str, str]]) -> dict[str, Collection]:
    names = [original for original, alias in tables if "(" not in alias]
    if not names:
        return {}
    marks = ",".join("?" for _ in names)
    rows = await tx.fetch_all(f"SELECT * FROM _collections WHERE name IN ({marks})", names)
    by_name = {row["name"]: Collection.from_row(row) for row in rows}
    return {alias: by_name[original] for original, alias in tables if original in by_name}


def _parse_identifiers(query: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (expression, alias) pairs of the SELECT list and of the FROM and JOIN tables."""
    text = query.strip().strip(";")
    text = _COMMENTS_RE.sub(" ", text)
    text = _JOIN_RE.sub(" __pb_join__ ", text)
    text = _DISCARD_RE.sub(" __pb_discard__ ", text)
    parts: dict[str, list[str]] = {"select": [], "from": [], "join": []}
    active: list[str] | None = None
    part_type = ""
    skip = False
    for token in split_tokens(text, ", \n\t", keep_separator=True):
        word = token.strip().lower()
        if word in ("select", "from"):
            skip, part_type, active = False, word, parts[word]
        elif word == "distinct":
            continue
        elif word == "__pb_join__":
            skip = False
            if part_type == "join":
                parts["join"].append(",")
            part_type, active = "join", parts["join"]
        elif word == "__pb_discard__":
            skip = True
        else:
            if part_type == "join" and word == "on":
                skip = True
            if not skip and active is not None:
                active.append(" " + token)
    selects = _identifiers("".join(parts["select"]))
    return selects, _identifiers("".join(parts["from"])) + _identifiers("".join(parts["join"]))


def _identifiers(raw: str) -> list[tuple[str, str]]:
    out = []
    for item in split_tokens(raw, ","):
        words = split_tokens(item, " \n\t")
        if len(words) == 3:
            if words[1].lower() != "as":
                raise ViewQueryError(f'invalid identifier part - expected "as", got {words[1]}')
            original, alias = words[0], words[2]
        elif len(words) == 2:
            original, alias = words
        elif len(words) == 1:
            original, alias = words[0], words[0].split(".")[-1]
        else:
            # Go's `%v` of a []string: `[a b c]`.
            raise ViewQueryError(f"invalid identifier parts [{' '.join(words)}]")
        out.append((_trim_identifier(original, ""), _trim_identifier(alias, "'")))
    return out


def _trim_identifier(raw: str, extra: str) -> str:
    chars = '`"[];' + extra
    return ".".join(part.strip(chars) for part in raw.split("."))


async def view_sample(
    tx: Transaction, query: str, limit: int, find: FindCollection
) -> tuple[Collection, list[Any]]:
    """A temporary view collection over `query` and its first rows (PocketBase's dry run);
    raises `ViewQueryError`/SQLite errors for queries that can't back a view collection."""
    query = normalize_view_query(query)
    fields = await infer_view_fields(tx, query)
    probe = Collection(name="temp_view_" + random_string(5), type="view", fields=fields)
    for i, field in enumerate(fields):
        errors = field.validate_settings(probe, find)
        if errors is not None:
            raise ViewQueryError(f'invalid field "{field.name}" ({i}): {errors}')
    query = await id_as_text(tx, query)
    rows = await tx.fetch_all(f"SELECT * FROM (SELECT * FROM ({query})) LIMIT {int(limit)}")
    seen: set[str] = set()
    for row in rows:
        record_id = row["id"]
        if not record_id:
            raise ViewQueryError("the query could return records with empty or invalid ids")
        if record_id in seen:
            raise ViewQueryError("the query could return records with non-unique ids")
        seen.add(record_id)
    return probe, rows


async def check_view_query(tx: Transaction, query: str, find: FindCollection) -> str | None:
    """Why `query` can't back a view collection (at most 500 characters), or None."""
    if not query:
        return None
    try:
        await view_sample(tx, query, 10, find)
    except Exception as exc:  # any SQLite refusal is reported verbatim, as PocketBase does
        return describe_error(exc)[:500]
    return None
