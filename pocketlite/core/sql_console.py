"""The superusers' SQL console (admin-apis.md §7): a query that starts with a write keyword runs
in a write transaction and reports its affected rows; anything else runs on a read-only
connection (it can't write, whatever it says) and returns up to `max_rows` rows, every value as
PocketBase's Go driver scans it into a string.

Column types are the declared types SQLite knows for each result column (`TEXT`, `BOOLEAN`, …;
"" for expressions), read by defining the query as a temporary view on that read-only
connection — Python's sqlite3 doesn't expose `sqlite3_column_decltype`.
"""

from __future__ import annotations

import asyncio
import decimal
import math
import sqlite3
import time
from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.db import split_statements

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["SQLColumn", "SQLResult", "run_sql"]

MAX_ROWS = 1000
TIMEOUT = 180.0  # seconds, as PocketBase's 3 minutes

# PocketBase's loose check: these starts (not SELECT) mean a write.
_WRITES = ("INSERT", "CREATE", "UPDATE", "DELETE", "DROP", "DETACH", "ALTER", "REPLACE")
_PROBE = "_pocketlite_sql_console"


class SQLColumn(msgspec.Struct):
    name: str
    type: str
    nullable: bool = True


class SQLResult(msgspec.Struct):
    execTime: int = 0
    affectedRows: int = 0
    columns: list[SQLColumn] = []
    rows: list[list[str | None]] = []


class EmptyQueryError(ValueError):
    """Nothing to run (PocketBase's driver error text)."""

    def __init__(self) -> None:
        super().__init__("empty query")


async def run_sql(app: Core, query: str, max_rows: int = MAX_ROWS, timeout: float = TIMEOUT) -> SQLResult:
    """Run a console query; SQLite's errors pass through (`describe_error` words them)."""
    query = query.strip()
    if not query:
        raise EmptyQueryError()
    started = time.monotonic()
    upper = query.upper()
    if not upper.startswith("SELECT") and upper.startswith(_WRITES):
        result = SQLResult(affectedRows=await _write(app, query, timeout))
    else:
        result = await _read(app, query, max_rows, timeout)
    result.execTime = int((time.monotonic() - started) * 1000)
    return result


async def _write(app: Core, query: str, timeout: float) -> int:
    """Every statement in one transaction; the rows the last one changed (0 for schema
    statements, where PocketBase reports whatever the connection changed last)."""
    affected = 0
    async with asyncio.timeout(timeout), app.data.transaction() as tx:
        for statement in split_statements(query):
            affected = max(await tx.execute(statement), 0)
    return affected


async def _read(app: Core, query: str, max_rows: int, timeout: float) -> SQLResult:
    path = app.data.path
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        work = asyncio.to_thread(_read_on, conn, query, max_rows)
        try:
            return await asyncio.wait_for(work, timeout)
        except TimeoutError:
            conn.interrupt()
            raise
    finally:
        conn.close()


def _read_on(conn: sqlite3.Connection, query: str, max_rows: int) -> SQLResult:
    statements = split_statements(query)
    # As PocketBase's driver: the statements run in turn, the last one's rows are the answer.
    for statement in statements[:-1]:
        conn.execute(statement).fetchall()
    last = statements[-1]
    cursor = conn.execute(last)
    names = [d[0] for d in cursor.description or ()]
    rows = [[_as_string(v) for v in row] for row in cursor.fetchmany(max_rows)]
    cursor.close()
    types = _declared_types(conn, last, len(names))
    return SQLResult(columns=[SQLColumn(n, t) for n, t in zip(names, types, strict=True)], rows=rows)


def _declared_types(conn: sqlite3.Connection, statement: str, count: int) -> list[str]:
    try:
        conn.execute(f"CREATE TEMP VIEW {_PROBE} AS {statement.rstrip(';')}")
    except sqlite3.Error:
        return [""] * count  # not a SELECT (PRAGMA, EXPLAIN, …): no declared types
    try:
        found = [str(row[2]) for row in conn.execute(f"PRAGMA temp.table_info({_PROBE})")]
    finally:
        conn.execute(f"DROP VIEW IF EXISTS temp.{_PROBE}")
    return found if len(found) == count else [""] * count


def _as_string(value: Any) -> str | None:
    """A value as Go's `database/sql` scans it into a string."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits, an exponent from 1e+21
    down… and from 1e+06 up (the shortest form uses precision 6 to choose)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digit_tuple, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # where the decimal point goes
    exp = point - 1
    prefix = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{prefix}{digits}{'0' * (point - len(digits))}"
    return f"{prefix}{digits[:point]}.{digits[point:]}"
