"""List requests: `page`, `perPage`, `sort`, `filter`, `skipTotal` → one page of rows and the
envelope PocketBase answers with (records-api.md, admin-apis.md §1)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pocketlite.search.filter import DEFAULT_MAX_EXPRESSIONS, build_filter
from pocketlite.search.resolver import FieldResolver
from pocketlite.search.sort import build_sort

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "ListParams", "Page", "Reader", "list_page"]

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
MAX_FILTER_LENGTH = 3500
_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})
_ATOI = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class Reader(Protocol):
    """What listing needs of the database."""

    async def fetch_all(self, sql: str, params: Any = (), *, heavy: bool = False) -> list[Any]: ...


@dataclass(frozen=True)
class ListParams:
    """The list query parameters, validated."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""
    filter: str = ""
    skip_total: bool = False

    @property
    def offset(self) -> int:
        """`perPage * (page - 1)` in Go's wrapping int64 arithmetic. NB: PocketBase's offset
        overflows for a huge page (`page=9223372036854775807` gives -60, which SQLite reads as
        no offset: the first page of items, under the page number asked for)."""
        wrapped = (self.per_page * (self.page - 1)) & 0xFFFFFFFFFFFFFFFF
        return wrapped - (1 << 64) if wrapped > _INT64_MAX else wrapped

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ListParams:
        """Parse like PocketBase: bad numbers or booleans are errors (`ValueError`); page < 1
        means 1; perPage < 1 means 30 and is capped at 1000."""
        page = _int(query.get("page", ""), 1)
        per_page = _int(query.get("perPage", ""), DEFAULT_PER_PAGE)
        skip = query.get("skipTotal", "")
        if skip and skip not in _TRUE and skip not in _FALSE:
            raise ValueError(f"invalid skipTotal value {skip!r}")
        return cls(
            page=max(page, 1),
            per_page=DEFAULT_PER_PAGE if per_page <= 0 else min(per_page, MAX_PER_PAGE),
            sort=query.get("sort", ""),
            filter=query.get("filter", ""),
            skip_total=skip in _TRUE,
        )


def _int(raw: str, default: int) -> int:
    """Go's `strconv.Atoi` on a 64-bit machine: an optional sign and ASCII digits, within int64
    (Python's `int()` would also take spaces, `_` and other scripts' digits)."""
    if raw == "":
        return default
    if not _ATOI.fullmatch(raw):
        raise ValueError(f"invalid integer {raw!r}")
    value = int(raw)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"integer out of range {raw!r}")
    return value


@dataclass
class Page:
    """One page of rows and the totals (-1 when skipped)."""

    rows: list[Any]
    page: int
    per_page: int
    total_items: int
    total_pages: int

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        """`{"items","page","perPage","totalItems","totalPages"}`, in PocketBase's order."""
        return {
            "items": items,
            "page": self.page,
            "perPage": self.per_page,
            "totalItems": self.total_items,
            "totalPages": self.total_pages,
        }


async def list_page(
    db: Reader,
    table: str,
    resolver: FieldResolver,
    params: ListParams,
    *,
    max_expressions: int = DEFAULT_MAX_EXPRESSIONS,
) -> Page:
    """Run the page query (and the COUNT unless skipped) over `table` (an SQL table name)."""
    where, bound = "", {}
    if params.filter:
        if len(params.filter) > MAX_FILTER_LENGTH:
            raise ValueError("filter too long")
        built = build_filter(params.filter, resolver, max_expressions)
        where, bound = f" WHERE {built.sql}", built.params
    order = build_sort(params.sort, resolver)
    order_sql = f" ORDER BY {order}" if order else ""
    rows = await db.fetch_all(
        f"SELECT * FROM {table}{where}{order_sql} LIMIT {params.per_page} OFFSET {params.offset}",
        bound,
        heavy=True,
    )
    total_items = total_pages = -1
    if not params.skip_total:
        count = await db.fetch_all(f"SELECT COUNT(*) FROM {table}{where}", bound, heavy=True)
        total_items = int(count[0][0])
        total_pages = math.ceil(total_items / params.per_page)
    return Page(rows, params.page, params.per_page, total_items, total_pages)
