"""`?expand=` (records-api.md §7): related records loaded in one query per path level, with the
related collection's view rule applied for the requester."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.fields import RelationField
from pocketlite.core.indexes import find_single_column_unique_index
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_records
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.tablesync import quote

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["MAX_EXPAND_DEPTH", "expand_records", "parse_expand"]

MAX_EXPAND_DEPTH = 6
MAX_BACK_RELATIONS = 1000
_VIA_RE = re.compile(r"^(\w+)_via_(\w+)$")
_OLD_VIA_RE = re.compile(r"^(\w+)\((\w+)\)$")

Tree = dict[str, "Tree"]


def parse_expand(text: str) -> Tree:
    """The expand paths as a tree (`a.b,a.c,d` → {a: {b, c}, d}); spaces are dropped and levels
    past the 6th ignored."""
    tree: Tree = {}
    for path in text.replace(" ", "").split(","):
        node = tree
        for segment in [s for s in path.split(".") if s][:MAX_EXPAND_DEPTH]:
            node = node.setdefault(segment, {})
    return tree


async def expand_records(
    app: Core,
    records: list[Record],
    tree: Tree,
    request: RequestInfo,
    *,
    superuser: bool,
) -> None:
    """Fill `record.expand` of every record (all of one collection) for the paths in `tree`."""
    if not records or not tree:
        return
    request = dataclasses.replace(request, context="expand")
    collection = records[0].collection
    for segment, children in tree.items():
        loaded = await _expand_segment(app, collection, records, segment, request, superuser)
        if loaded and children:
            await expand_records(app, loaded, children, request, superuser=superuser)


async def _expand_segment(
    app: Core,
    collection: Collection,
    records: list[Record],
    segment: str,
    request: RequestInfo,
    superuser: bool,
) -> list[Record] | None:
    """Expand one segment on every record; the loaded records (None when the segment isn't a
    relation: nothing is added then)."""
    field = collection.field(segment)
    if isinstance(field, RelationField):
        target = app.find_collection(field.collectionId)
        if target is None:
            return None
        allowed, rule = _rule(target, superuser)
        ids = list(dict.fromkeys(i for r in records for i in field.values_of(r.get(segment))))
        found: dict[str, Record] = {}
        if ids and allowed:
            marks = ", ".join(f":e{i}" for i in range(len(ids)))
            params = {f"e{i}": v for i, v in enumerate(ids)}
            where = f"{quote(target.name)}.`id` IN ({marks})"
            found = {r.id: r for r in await find_visible_records(app, target, where, params, rule, request)}
        for record in records:
            related = [found[i] for i in field.values_of(record.get(segment)) if i in found]
            _place(record, segment, related, single=not field.is_multiple)
        return list(found.values())
    match = _VIA_RE.match(segment) or _OLD_VIA_RE.match(segment)
    if match is None:
        return None
    back_collection = app.find_collection(match.group(1))
    back_field = back_collection.field(match.group(2)) if back_collection else None
    if (
        back_collection is None
        or not isinstance(back_field, RelationField)
        or back_field.collectionId != collection.id
    ):
        return None
    allowed, rule = _rule(back_collection, superuser)
    ids = [r.id for r in records]
    loaded: list[Record] = []
    if allowed:
        column = f"{quote(back_collection.name)}.{quote(back_field.name)}"
        marks = ", ".join(f":e{i}" for i in range(len(ids)))
        params = {f"e{i}": v for i, v in enumerate(ids)}
        if back_field.is_multiple:
            values = f"json_each(CASE WHEN json_valid({column}) THEN {column} ELSE '[]' END)"
            where = f"EXISTS (SELECT 1 FROM {values} WHERE value IN ({marks}))"
        else:
            where = f"{column} IN ({marks})"
        loaded = await find_visible_records(app, back_collection, where, params, rule, request)
    single = (
        not back_field.is_multiple
        and find_single_column_unique_index(back_collection.indexes, back_field.name) is not None
    )
    for record in records:
        related = [r for r in loaded if record.id in back_field.values_of(r.get(back_field.name))]
        _place(record, segment, related[:MAX_BACK_RELATIONS], single=single)
    return loaded


def _rule(collection: Collection, superuser: bool) -> tuple[bool, str | None]:
    """Whether anything may be expanded, and the view rule to apply."""
    if superuser:
        return True, None
    return collection.viewRule is not None, collection.viewRule


def _place(record: Record, segment: str, related: list[Record], *, single: bool) -> None:
    if record.expand is None:
        record.expand = {}
    if not related:
        return
    value: Any = related[-1] if single else related
    record.expand[segment] = value
