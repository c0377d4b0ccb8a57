"""The SQL console (admin-apis.md §7) against PocketBase 0.40.6: reads with their column types
and string values, writes with their affected rows, and the errors."""

from __future__ import annotations

import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

SQL = "/api/sql"


def sql(name: str, query: object) -> Case:
    return Case(f"sql: {name}", "POST", SQL, json={"query": query}, auth=True)


CASES = [
    Case("guests may not", "POST", SQL, json={"query": "SELECT 1"}),
    Case("no body", "POST", SQL, json={}, auth=True),
    sql("blank", ""),
    sql("only spaces", "   "),
    sql("too long", "SELECT " + "1" * 5000),
    sql("not a string", 5),
    sql(
        "a read of declared columns", "SELECT id, name, type, system FROM _collections ORDER BY name LIMIT 3"
    ),
    sql("expressions", "SELECT 1 AS one, 1.5 AS half, NULL AS nothing, 'a' AS txt, -7 AS neg, 1e20 AS big"),
    sql("a count", "SELECT count(*) AS total FROM _collections WHERE system = 1"),
    sql("no rows", "SELECT id FROM _collections WHERE 1 = 0"),
    sql("a with query", "WITH x(n) AS (SELECT 1 UNION ALL SELECT 2) SELECT n, n * 2 AS twice FROM x"),
    sql("insert rows", "INSERT INTO sql_probe (id, n, note) VALUES ('a', 1, NULL), ('b', 2, 'two')"),
    sql("lower case insert", "insert into sql_probe (id, n) values ('c', 3)"),
    sql("read them back", "SELECT * FROM sql_probe ORDER BY id"),
    sql("update", "UPDATE sql_probe SET n = n + 10 WHERE n > 1"),
    sql("replace", "REPLACE INTO sql_probe (id, n) VALUES ('a', 100)"),
    sql("delete", "DELETE FROM sql_probe WHERE id = 'b'"),
    sql("a failing write", "INSERT INTO sql_probe (id, n) VALUES ('c', 5)"),
    sql("an unknown column", "SELECT nope FROM _collections"),
    sql("bad syntax", "SELEC 1"),
    sql("an unknown table", "SELECT * FROM nowhere"),
]


def _run(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))


def _schema_change(query: str, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    """NB: for a schema statement PocketBase reports whatever its connection changed last as
    `affectedRows`; pocketlite reports 0. The rest must agree."""
    case = sql(query, query)
    ours, theirs = case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1])
    assert (ours.status_code, theirs.status_code) == (200, 200), (ours.text, theirs.text)
    assert ours.json()["affectedRows"] == 0
    for key in ("columns", "rows"):
        assert ours.json()[key] == theirs.json()[key]


def test_same_answers_in_order(pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    _schema_change("CREATE TABLE sql_probe (id TEXT PRIMARY KEY, n INTEGER, note TEXT)", pair, tokens)
    try:
        for case in CASES:
            _run(case, pair, tokens)
    finally:
        _schema_change("DROP TABLE sql_probe", pair, tokens)
