"""Filters to SQL (filter-and-rules.md §1-§3) over a fixed set of columns."""

from __future__ import annotations

import sqlite3

import pytest

from pocketlite.search.filter import FilterError, build_filter
from pocketlite.search.resolver import SimpleFieldResolver
from pocketlite.search.sort import build_sort

RESOLVER = SimpleFieldResolver("name", "n", "flag", "meta", "^data\\..+$")


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT, name TEXT, n NUMERIC, flag BOOLEAN, meta JSON, data JSON)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("a", "alpha", 1, 1, '{"k":1}', '{"x":"one"}'),
            ("b", "beta_2", 2, 0, None, '{"x":"two"}'),
            ("c", "", 3, 0, None, "{}"),
            ("d", None, 0, 1, None, "{}"),
            ("e", "50% off", 5, 0, None, "{}"),
        ],
    )
    return conn


def ids(db: sqlite3.Connection, text: str) -> list[str]:
    built = build_filter(text, RESOLVER)
    return [r[0] for r in db.execute(f"SELECT id FROM t WHERE {built.sql} ORDER BY id", built.params)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = 'alpha'", ["a"]),
        ("name != 'alpha'", ["b", "c", "d", "e"]),
        ("name = ''", ["c", "d"]),  # NULL and "" are the same empty value
        ("name = null", ["c", "d"]),
        ("name != null", ["a", "b", "e"]),
        ("n > 1 && n <= 3", ["b", "c"]),
        ("n >= 5 || n < 1", ["d", "e"]),
        ("n = 1 || n = 2 && flag = true", ["a"]),  # && binds tighter
        ("(n = 1 || n = 2) && flag = false", ["b"]),
        ("flag = true", ["a", "d"]),
        ("flag = 'true'", []),  # bools are stored as 0/1
        ("name ~ 'ph'", ["a"]),
        ("name ~ '_'", ["b"]),  # _ is escaped, not a wildcard
        ("name ~ 'a%'", ["a"]),  # an unescaped % makes it the user's own pattern
        ("name ~ '50\\%'", ["e"]),  # an escaped % is a literal one
        ("name !~ 'a'", ["c", "e"]),
        ("data.x = 'two'", ["b"]),
        ("data.missing = null", ["a", "b", "c", "d", "e"]),
        ("'x' = 'x'", ["a", "b", "c", "d", "e"]),
        ("n ?= 2", ["b"]),  # the any-variants equal the plain ones on single values
        ("n < @year", ["a", "b", "c", "d", "e"]),  # macros are bound values
    ],
)
def test_matches(db: sqlite3.Connection, text: str, expected: list[str]) -> None:
    assert ids(db, text) == expected


def test_values_are_bound_never_pasted() -> None:
    built = build_filter('name = "x\' OR 1=1 --"', RESOLVER)
    assert built.sql == "`name` = :p0"
    assert built.params == {"p0": "x' OR 1=1 --"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope = 1", 'invalid left operand "nope" - failed to resolve field "nope"'),
        ("name = nope", 'invalid right operand "nope" - failed to resolve field "nope"'),
        ("name = x(1)", 'invalid right operand "x" - unknown function "x"'),
        ("name =", "invalid or incomplete filter expression"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        build_filter(text, RESOLVER)
    assert str(caught.value) == message


def test_the_expression_limit() -> None:
    build_filter(" && ".join(["n = 1"] * 3), RESOLVER, max_expressions=3)
    with pytest.raises(FilterError, match="max filter expressions limit reached"):
        build_filter(" && ".join(["n = 1"] * 4), RESOLVER, max_expressions=3)


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("", ""),
        ("name", "`name` ASC"),
        ("-n,+name", "`n` DESC, `name` ASC"),
        ("@random", "RANDOM()"),
        ("-@rowid", "`_rowid_` DESC"),
        ("data.x", "JSON_EXTRACT(`data`, '$.x') ASC"),
    ],
)
def test_sort(text: str, sql: str) -> None:
    assert build_sort(text, RESOLVER) == sql


@pytest.mark.parametrize("text", ["nope", " ", "name,"])
def test_sort_refuses_unknown_fields(text: str) -> None:
    with pytest.raises(ValueError, match="invalid sort field"):
        build_sort(text, RESOLVER)


@pytest.fixture(scope="module")
def places() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT, lon REAL, lat REAL, day TEXT)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [
            ("sofia", 23.32, 42.69, "2024-05-06 10:00:00.000Z"),
            ("plovdiv", 24.75, 42.15, "2023-01-01 00:00:00.000Z"),
            ("paris", 2.35, 48.85, ""),
        ],
    )
    return conn


PLACES = SimpleFieldResolver("lon", "lat", "day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("geoDistance(lon, lat, 23.3, 42.7) < 10", ["sofia"]),
        ("geoDistance(lon, lat, 23.3, 42.7) < 200", ["plovdiv", "sofia"]),
        ("strftime('%Y', day) = '2024'", ["sofia"]),
        ("strftime('%Y-%m', day, 'start of month') = '2023-01'", ["plovdiv"]),
        ("strftime('%Y') != ''", ["paris", "plovdiv", "sofia"]),
    ],
)
def test_functions(places: sqlite3.Connection, text: str, expected: list[str]) -> None:
    built = build_filter(text, PLACES)
    rows = places.execute(f"SELECT id FROM t WHERE {built.sql} ORDER BY id", built.params)
    assert [r[0] for r in rows] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "geoDistance(1, 2) = 1",
            'invalid left operand "geoDistance" - [geoDistance] expected 4 arguments, got 2',
        ),
        (
            "strftime(1) = 'x'",
            'invalid left operand "strftime" - [strftime] expects the first argument to be a format string',
        ),
        ("nope(1) = 1", 'invalid left operand "nope" - unknown function "nope"'),
    ],
)
def test_function_errors(text: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        build_filter(text, PLACES)
    assert str(caught.value) == message
