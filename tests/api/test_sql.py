"""The SQL console (admin-apis.md §7) on a live server: reads can't write, at most 1,000 rows,
a multi-statement write is one transaction."""

from __future__ import annotations

import httpx

from tests.servers import Server


def _sql(server: Server, token: str, query: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/sql", json={"query": query}, headers={"Authorization": token})


def test_a_read_cannot_write(server: Server, superuser_token: str) -> None:
    for query in ("PRAGMA user_version = 7", "WITH x AS (SELECT 1) INSERT INTO _params (id) VALUES ('nope')"):
        refused = _sql(server, superuser_token, query)
        assert refused.status_code == 400, refused.text
        assert "readonly database" in refused.json()["message"]
    assert _sql(server, superuser_token, "PRAGMA user_version").json()["rows"] == [["0"]]


def test_a_read_returns_at_most_1000_rows(server: Server, superuser_token: str) -> None:
    query = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) SELECT i FROM n"
    answer = _sql(server, superuser_token, query).json()
    assert len(answer["rows"]) == 1000
    assert answer["rows"][-1] == ["1000"]


def test_a_write_script_is_one_transaction(server: Server, superuser_token: str) -> None:
    assert _sql(server, superuser_token, "CREATE TABLE sql_tx (id TEXT PRIMARY KEY)").status_code == 200
    try:
        failed = _sql(
            server, superuser_token, "INSERT INTO sql_tx VALUES ('a'); INSERT INTO sql_tx VALUES ('a')"
        )
        assert failed.status_code == 400
        assert _sql(server, superuser_token, "SELECT count(*) FROM sql_tx").json()["rows"] == [["0"]]
        done = _sql(
            server, superuser_token, "INSERT INTO sql_tx VALUES ('a'); INSERT INTO sql_tx VALUES ('b')"
        )
        assert done.status_code == 200, done.text
        assert done.json()["affectedRows"] == 1  # the last statement's, as PocketBase's driver
    finally:
        _sql(server, superuser_token, "DROP TABLE sql_tx")
