"""Reading records for the API: one SELECT with the rule, the client filter and their JOINs
(records-api.md §1-§2, filter-and-rules.md §4).

A rule is AND-ed into the query. For non-superusers, every collection that a client filter
reaches through a relation brings its own list rule along (PocketBase's "rule joins"), so
filtering can't reveal records the requester couldn't list.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.db import Database
from pocketlite.core.record import Record
from pocketlite.core.record_resolver import RecordFieldResolver, RequestInfo
from pocketlite.core.tablesync import quote
from pocketlite.search.filter import build_filter
from pocketlite.search.provider import MAX_FILTER_LENGTH, ListParams, Page
from pocketlite.search.sort import build_sort

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "MAX_SORT_FIELDS",
    "count_records_by_filter",
    "find_records_by_filter",
    "find_visible_record",
    "find_visible_records",
    "list_records",
    "new_record_matches",
]

# PocketBase refuses more sort expressions than this (records-api.md §1).
MAX_SORT_FIELDS = 8
FindCollection = Callable[[str], Collection | None]


class _Query:
    """The parts of one SELECT over a collection, built up by rules and filters."""

    def __init__(self, collection: Collection, resolver: RecordFieldResolver) -> None:
        self.collection = collection
        self.resolver = resolver
        self.where: list[str] = []
        self.params: dict[str, Any] = {}

    def and_filter(
        self,
        text: str,
        resolver: RecordFieldResolver | None = None,
        placeholders: dict[str, Any] | None = None,
    ) -> None:
        built = build_filter(
            text, resolver or self.resolver, prefix=f"f{len(self.where)}_", placeholders=placeholders
        )
        self.where.append(f"({built.sql})")
        self.params.update(built.params)

    def from_sql(self) -> str:
        table = quote(self.collection.name)
        joins = "".join(
            f" LEFT JOIN {j.table} `{j.alias}`" + (f" ON {j.on}" if j.on else "") for j in self.resolver.joins
        )
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        return f"FROM {table} {table}{joins}{where}"

    def apply_rule_joins(self) -> None:
        """AND the list rules of the collections a non-superuser's filter joined."""
        for n, (joined, alias) in enumerate(list(self.resolver.rule_joins)):
            if not joined.listRule:
                continue
            clone = RecordFieldResolver(
                self.resolver.find_collection,
                joined,
                self.resolver.request,
                allow_hidden=True,
                base_alias=alias,
                alias_suffix=f"_lr{n}",
            )
            self.and_filter(f"id='' || (\n{joined.listRule}\n)", clone)
            self.resolver.joins.extend(clone.joins)
            self.params.update(clone.join_params)

    def all_params(self) -> dict[str, Any]:
        return {**self.resolver.join_params, **self.params}


def _resolver(find: FindCollection, collection: Collection, request: RequestInfo) -> RecordFieldResolver:
    # Rules may use hidden fields; the client's filter and sort may not (unless superuser).
    return RecordFieldResolver(find, collection, request, allow_hidden=True)


async def list_records(
    app: Core,
    collection: Collection,
    params: ListParams,
    request: RequestInfo,
    *,
    superuser: bool,
) -> tuple[Page, list[Record]]:
    """A page of the records the requester may list; `ValueError` for bad filters or sorts."""
    db = app.data
    resolver = _resolver(app.find_collection, collection, request)
    query = _Query(collection, resolver)
    if not superuser and collection.listRule:
        query.and_filter(collection.listRule)
    resolver.allow_hidden = superuser
    if params.filter:
        if len(params.filter) > MAX_FILTER_LENGTH:
            raise ValueError("filter too long")
        query.and_filter(params.filter)
    if len([s for s in params.sort.split(",") if s.strip()]) > MAX_SORT_FIELDS:
        raise ValueError("too many sort fields")
    table = quote(collection.name)
    order = build_sort(params.sort, resolver, table)
    query.apply_rule_joins()
    distinct = "DISTINCT " if resolver.joins else ""
    order_sql = f" ORDER BY {order}" if order else ""
    page_sql = f"LIMIT {params.per_page} OFFSET {params.offset}"
    rows = await db.fetch_all(
        f"SELECT {distinct}{table}.* {query.from_sql()}{order_sql} {page_sql}",
        query.all_params(),
        heavy=True,
    )
    total_items = total_pages = -1
    if not params.skip_total:
        # Rows only repeat when joins fan out; without joins COUNT(*) spares the temporary b-tree
        # that COUNT(DISTINCT) builds (most of a filtered list's time on a large table).
        column = f"{table}.`id`" if collection.is_view else f"{table}.`_rowid_`"
        counted = f"DISTINCT {column}" if resolver.joins else "*"
        total_items = await _count(db, f"SELECT COUNT({counted}) {query.from_sql()}", query.all_params())
        total_pages = math.ceil(total_items / params.per_page)
    records = [Record.from_row(collection, row) for row in rows]
    return Page(rows, params.page, params.per_page, total_items, total_pages), records


# Totals by (database, SQL, parameters), valid while SQLite's data_version stays the same: paging
# through a list repeats one COUNT, and nothing committed means the answer can't have changed.
_COUNTS: OrderedDict[tuple[str, str, str], tuple[int, int]] = OrderedDict()
_COUNTS_MAX = 512


async def _count(db: Database, sql: str, params: dict[str, Any]) -> int:
    if db.in_transaction:  # our own uncommitted writes don't move data_version
        rows = await db.fetch_all(sql, params, heavy=True)
        return int(rows[0][0])
    key = (str(db.path), sql, repr(sorted(params.items())))
    version = db.data_version()
    cached = _COUNTS.get(key)
    if cached is not None and cached[0] == version:
        _COUNTS.move_to_end(key)
        return cached[1]
    rows = await db.fetch_all(sql, params, heavy=True)
    total = int(rows[0][0])
    if db.data_version() == version:  # nothing committed while counting
        _COUNTS[key] = (version, total)
        if len(_COUNTS) > _COUNTS_MAX:
            _COUNTS.popitem(last=False)
    return total


async def find_visible_record(
    app: Core,
    collection: Collection,
    record_id: str,
    rule: str | None,
    request: RequestInfo,
    *,
    allow_hidden: bool = True,
) -> Record | None:
    """The record if it exists and `rule` (None or "" = no condition) matches it; `allow_hidden`
    False for a client's filter, which may not read hidden fields."""
    table = quote(collection.name)
    where = f"{table}.`id` = :record_id"
    if not rule:
        # The same SELECT, without building a resolver that nothing would ask (a public view's
        # lookup by id: most of its cost was that setup).
        sql = f"SELECT {table}.* FROM {table} {table} WHERE {where} LIMIT 1"
        rows = await app.data.fetch_all(sql, {"record_id": record_id})
        return Record.from_row(collection, rows[0]) if rows else None
    resolver = RecordFieldResolver(app.find_collection, collection, request, allow_hidden=allow_hidden)
    query = _Query(collection, resolver)
    query.where.append(where)
    query.params["record_id"] = record_id
    query.and_filter(rule)
    rows = await app.data.fetch_all(f"SELECT {table}.* {query.from_sql()} LIMIT 1", query.all_params())
    return Record.from_row(collection, rows[0]) if rows else None


async def new_record_matches(app: Core, record: Record, rule: str, request: RequestInfo) -> bool:
    """Whether a record about to be created satisfies `rule`.

    NB: as PocketBase, the rule runs against a one-row CTE named like the collection that holds
    the new values, so field names mean the submitted data and relations join as usual.
    """
    collection = record.collection
    query = _Query(collection, _resolver(app.find_collection, collection, request))
    query.and_filter(rule)
    values: dict[str, Any] = {}
    columns = []
    for i, field in enumerate(collection.fields):
        name = f"c{i}"
        value = record.get(field.name)
        if field.name == "id" and not value:
            value = "_temp_" + "x" * 15
        elif collection.is_auth and field.name == "verified":
            value = False
        values[name] = field.to_db(value)
        columns.append(f":{name} AS {quote(field.name)}")
    cte = f"WITH {quote(collection.name)} AS (SELECT {', '.join(columns)}) "
    rows = await app.data.fetch_all(
        f"{cte}SELECT 1 {query.from_sql()} LIMIT 1", {**values, **query.all_params()}
    )
    return bool(rows)


async def find_visible_records(
    app: Core,
    collection: Collection,
    where: str,
    params: dict[str, Any],
    rule: str | None,
    request: RequestInfo,
) -> list[Record]:
    """The records matching `where` (SQL over the collection's own columns, with `params`) that
    `rule` (None or "" = no condition) lets the requester see."""
    query = _Query(collection, _resolver(app.find_collection, collection, request))
    query.where.append(f"({where})")
    query.params.update(params)
    if rule:
        query.and_filter(rule)
    distinct = "DISTINCT " if query.resolver.joins else ""
    table = quote(collection.name)
    rows = await app.data.fetch_all(
        f"SELECT {distinct}{table}.* {query.from_sql()}", query.all_params(), heavy=True
    )
    return [Record.from_row(collection, row) for row in rows]


def _code_query(app: Core, collection: Collection, text: str, params: dict[str, Any] | None) -> _Query:
    """The query of a filter asked by code: no rules, hidden fields allowed."""
    resolver = RecordFieldResolver(app.find_collection, collection, RequestInfo(), allow_hidden=True)
    query = _Query(collection, resolver)
    if text.strip():
        query.and_filter(text, placeholders=params)
    return query


async def find_records_by_filter(
    app: Core,
    collection: Collection,
    text: str,
    sort: str = "",
    limit: int = 0,
    offset: int = 0,
    params: dict[str, Any] | None = None,
) -> list[Record]:
    """The records matching a filter (`{:name}` placeholders filled from `params`), for code:
    no rules apply and hidden fields may be used. `limit` 0 means all."""
    query = _code_query(app, collection, text, params)
    table = quote(collection.name)
    order = build_sort(sort, query.resolver, table)
    distinct = "DISTINCT " if query.resolver.joins else ""
    sql = f"SELECT {distinct}{table}.* {query.from_sql()}"
    if order:
        sql += f" ORDER BY {order}"
    if limit > 0 or offset > 0:
        sql += f" LIMIT {max(limit, 0) or -1} OFFSET {max(offset, 0)}"
    rows = await app.data.fetch_all(sql, query.all_params(), heavy=True)
    return [Record.from_row(collection, row) for row in rows]


async def count_records_by_filter(
    app: Core, collection: Collection, text: str, params: dict[str, Any] | None = None
) -> int:
    """How many records match a filter asked by code (see `find_records_by_filter`)."""
    query = _code_query(app, collection, text, params)
    table = quote(collection.name)
    counted = f"DISTINCT {table}.`id`" if query.resolver.joins else "*"
    rows = await app.data.fetch_all(
        f"SELECT COUNT({counted}) {query.from_sql()}", query.all_params(), heavy=True
    )
    return int(rows[0][0])
