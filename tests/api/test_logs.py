"""Request and app logs (admin-apis.md §3): one entry per request, written off the request path
in batches; the logs API lists, views, charts and deletes them; the `logs` settings decide what
is kept."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server
from tests.support.waiting import eventually

LOGS = "/api/logs"


def _entries(client: httpx.Client, token: str, filter_: str) -> list[dict[str, Any]]:
    response = client.get(LOGS, params={"filter": filter_, "perPage": 100}, headers={"Authorization": token})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _wait_for(client: httpx.Client, token: str, filter_: str, count: int = 1) -> list[dict[str, Any]]:
    """The entries matching `filter_`, once `count` of them were written (a few seconds after
    their requests: logs go to the database in batches)."""
    found: list[dict[str, Any]] = []

    def written() -> bool:
        found[:] = _entries(client, token, filter_)
        return len(found) >= count

    assert eventually(written, timeout=15), f"{filter_!r}: {found}"
    return found


def _marker() -> str:
    return uuid.uuid4().hex


# --- what a request's entry holds ----------------------------------------------------------------


def test_a_successful_request_is_an_info_entry(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    client.get(
        f"/api/health?probe={mark}", headers={"Referer": "http://ref.example", "User-Agent": "probe/1"}
    )
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    assert list(entry) == ["id", "created", "data", "message", "level"]
    assert entry["level"] == 0
    assert entry["message"] == f"GET /api/health?probe={mark}"
    data = entry["data"]
    assert list(data) == sorted(data)  # Go's map order
    assert data.pop("execTime") > 0
    assert data == {
        "auth": "",
        "method": "GET",
        "referer": "http://ref.example",
        "remoteIP": "127.0.0.1",
        "status": 200,
        "type": "request",
        "url": f"/api/health?probe={mark}",
        "userAgent": "probe/1",
        "userIP": "127.0.0.1",
    }


def test_a_failed_request_is_an_error_entry_with_its_details(
    client: httpx.Client, superuser_token: str
) -> None:
    mark = _marker()
    client.post(f"/api/collections/users/records?probe={mark}", json={"email": "not an email"})
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    assert entry["level"] == 8
    data = entry["data"]
    assert (data["status"], data["error"]) == (400, "Failed to create record.")
    assert data["details"] == {
        "password": "cannot be blank",
        "passwordConfirm": "cannot be blank",
    }


def test_an_error_without_a_cause_has_null_details(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    client.get(f"/nothing/here/{mark}")
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    assert (entry["level"], entry["data"]["status"]) == (8, 404)
    assert (entry["data"]["error"], entry["data"]["details"]) == ("File not found.", None)


def test_the_message_has_the_url_unescaped_and_the_data_as_sent(
    client: httpx.Client, superuser_token: str
) -> None:
    mark = _marker()
    client.get(
        f"/api/collections/nope/records/a%20b?probe={mark}&q=%C3%A9",
        headers={"Authorization": superuser_token},
    )
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    assert entry["message"] == f"GET /api/collections/nope/records/a b?probe={mark}&q=é"
    assert entry["data"]["url"] == f"/api/collections/nope/records/a%20b?probe={mark}&q=%C3%A9"
    assert entry["data"]["auth"] == "_superusers"


def test_head_requests_are_logged_under_their_method(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    client.head(f"/api/health?probe={mark}")
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    assert entry["data"]["method"] == "HEAD"


def test_quiet_routes_log_only_their_failures(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    auth = {"Authorization": superuser_token}
    client.get(f"{LOGS}?probe={mark}-ok", headers=auth)
    client.get(f"/_/?probe={mark}-ok")
    client.get(f"/_/extensions.js?probe={mark}-ok")
    client.get(f"/api/oauth2-redirect?probe={mark}-ok&state=nobody")
    client.options(
        f"/api/health?probe={mark}-ok", headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"}
    )
    client.get(f"{LOGS}/nope?probe={mark}-failed", headers=auth)
    client.get(f"/api/health?probe={mark}-last")
    # Entries are written in order: once the last is in, anything before it would be too.
    _wait_for(client, superuser_token, f"data.url ~ '{mark}-last'")
    logged = [e["data"]["url"] for e in _entries(client, superuser_token, f"data.url ~ '{mark}'")]
    assert sorted(logged) == sorted([f"{LOGS}/nope?probe={mark}-failed", f"/api/health?probe={mark}-last"])


# --- the API -------------------------------------------------------------------------------------


def test_only_superusers_read_the_logs(client: httpx.Client) -> None:
    for method, url in (("GET", LOGS), ("GET", f"{LOGS}/stats"), ("GET", f"{LOGS}/x"), ("DELETE", LOGS)):
        response = client.request(method, url)
        assert response.status_code == 401, (method, url)


def test_one_entry_by_id(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    client.get(f"/api/health?probe={mark}")
    [entry] = _wait_for(client, superuser_token, f"data.url ~ '{mark}'")
    auth = {"Authorization": superuser_token}
    assert client.get(f"{LOGS}/{entry['id']}", headers=auth).json() == entry
    missing = client.get(f"{LOGS}/nope", headers=auth)
    assert (missing.status_code, missing.json()["message"]) == (404, "The requested resource wasn't found.")


def test_lists_filter_sort_page_and_pick_fields(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    for n in range(3):
        client.get(f"/api/health?probe={mark}&n={n}")
    _wait_for(client, superuser_token, f"data.url ~ '{mark}'", count=3)
    response = client.get(
        LOGS,
        params={
            "filter": f"data.url ~ '{mark}' && data.status = 200",
            "sort": "-data.url",
            "perPage": 2,
            "fields": "message",
        },
        headers={"Authorization": superuser_token},
    )
    page = response.json()
    assert (page["page"], page["perPage"], page["totalItems"], page["totalPages"]) == (1, 2, 3, 2)
    assert page["items"] == [{"message": f"GET /api/health?probe={mark}&n={n}"} for n in (2, 1)]


@pytest.mark.parametrize(
    "query", [{"filter": "nope = 1"}, {"sort": "nope"}, {"filter": "data.a.="}, {"page": "x"}]
)
def test_a_bad_list_query_is_a_400(client: httpx.Client, superuser_token: str, query: dict[str, str]) -> None:
    response = client.get(LOGS, params=query, headers={"Authorization": superuser_token})
    assert response.status_code == 400
    assert response.json()["message"] == "Something went wrong while processing your request."


def test_stats_count_entries_per_hour(client: httpx.Client, superuser_token: str) -> None:
    mark = _marker()
    for _ in range(2):
        client.get(f"/api/health?probe={mark}")
    _wait_for(client, superuser_token, f"data.url ~ '{mark}'", count=2)
    auth = {"Authorization": superuser_token}
    stats = client.get(f"{LOGS}/stats", params={"filter": f"data.url ~ '{mark}'"}, headers=auth).json()
    [hour] = stats
    assert list(hour) == ["total", "date"]
    assert hour["total"] == 2
    assert hour["date"].endswith(":00:00.000Z")
    bad = client.get(f"{LOGS}/stats", params={"filter": "nope ="}, headers=auth)
    assert (bad.status_code, bad.json()["message"]) == (400, "Invalid filter format.")


# --- settings, the app logger, retention: a server of their own ----------------------------------


class Own:
    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.http = httpx.Client(base_url=srv.url, timeout=30)
        self.token = srv.auth_token()
        self.auth = {"Authorization": self.token}

    def logs(self, filter_: str) -> list[dict[str, Any]]:
        return _entries(self.http, self.token, filter_)

    def wait_for(self, filter_: str, count: int = 1) -> list[dict[str, Any]]:
        return _wait_for(self.http, self.token, filter_, count)

    def settings(self, logs: dict[str, Any], **extra: Any) -> None:
        response = self.http.patch("/api/settings", json={"logs": logs, **extra}, headers=self.auth)
        assert response.status_code == 200, response.text


HOOKS = """
import logging

from pocketlite import hooks


@hooks.route("GET", "/hello/{name}")
async def hello(e):
    e.app.logger.info("said hello", name=e.request.path_value("name"), n=1)
    e.app.logger.debug("a detail")
    logging.getLogger("pb_hooks.hello").warning("from logging: %s", "too many", extra={"data": {"k": "v"}})
    e.string(200, "hi")
"""


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Own]:
    root = tmp_path_factory.mktemp("logs")
    (root / "pb_hooks").mkdir()
    (root / "pb_hooks" / "main.py").write_text(HOOKS)
    srv = Server.pocketlite(root / "pb_data")
    srv.create_superuser()
    srv.start("--hooksDir", str(root / "pb_hooks"))
    try:
        yield Own(srv)
    finally:
        srv.stop()


def test_hook_code_logs_through_the_app_logger_and_logging(own: Own) -> None:
    own.settings({"maxDays": 5, "minLevel": 0})
    mark = _marker()
    own.http.get(f"/hello/{mark}")
    own.wait_for(f"data.url ~ '{mark}'")
    said = own.wait_for(f"data.name = '{mark}'")
    assert [(e["level"], e["message"], e["data"]) for e in said] == [
        (0, "said hello", {"n": 1, "name": mark})
    ]
    warned = own.logs("message = 'from logging: too many'")
    assert [(e["level"], e["data"]) for e in warned][-1] == (4, {"k": "v"})
    assert own.logs("message = 'a detail'") == []  # below minLevel 0


def test_min_level_keeps_only_what_is_at_least_that_severe(own: Own) -> None:
    own.settings({"maxDays": 5, "minLevel": -4})
    mark = _marker()
    own.http.get(f"/hello/{mark}")
    own.wait_for(f"data.url ~ '{mark}'")
    assert own.wait_for("message = 'a detail' && level = -4")
    own.settings({"maxDays": 5, "minLevel": 8})
    # The change drops what the new level would not have kept, already written or not.
    assert eventually(lambda: own.logs("level < 8") == [], timeout=15)
    ok, failed = _marker(), _marker()
    own.http.get(f"/api/health?probe={ok}")
    own.http.get(f"/nope/{failed}")
    own.wait_for(f"data.url ~ '{failed}'")
    assert own.logs(f"data.url ~ '{ok}'") == []
    own.settings({"maxDays": 5, "minLevel": 0})


def test_what_a_request_entry_names_follows_the_settings(own: Own) -> None:
    own.settings({"maxDays": 5, "minLevel": 0, "logIP": False, "logAuthId": True})
    mark = _marker()
    own.http.get(f"/api/health?probe={mark}", headers=own.auth)
    [entry] = own.wait_for(f"data.url ~ '{mark}'")
    superuser = own.http.get("/api/collections/_superusers/records", headers=own.auth).json()["items"][0]
    assert entry["data"]["authId"] == superuser["id"]
    assert "userIP" not in entry["data"] and "remoteIP" not in entry["data"]
    own.settings(
        {"logIP": True, "logAuthId": False},
        trustedProxy={"headers": ["X-Forwarded-For"], "useLeftmostIP": False},
    )
    mark = _marker()
    own.http.get(f"/api/health?probe={mark}", headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    [entry] = own.wait_for(f"data.url ~ '{mark}'")
    assert (entry["data"]["userIP"], entry["data"]["remoteIP"]) == ("198.51.100.7", "127.0.0.1")
    assert "authId" not in entry["data"]
    own.settings({"maxDays": 5}, trustedProxy={"headers": [], "useLeftmostIP": False})


def test_refusals_of_the_global_checks_are_error_entries(own: Own) -> None:
    mark = _marker()
    limits = {"enabled": True, "rules": [{"label": f"/limited/{mark}", "maxRequests": 1, "duration": 60}]}
    own.settings({"maxDays": 5, "minLevel": 0}, rateLimits=limits)
    try:
        statuses = [own.http.get(f"/limited/{mark}").status_code for _ in range(2)]
    finally:
        own.settings({"maxDays": 5}, rateLimits={"enabled": False})
    assert statuses == [404, 429]
    refused = own.wait_for(f"data.url ~ '{mark}' && data.status = 429")
    assert [(e["level"], e["data"]["error"], e["data"]["details"]) for e in refused] == [
        (8, "Too Many Requests.", None)
    ]


def test_data_over_the_size_limit_is_cut_and_marked(own: Own) -> None:
    own.settings({"maxDays": 5, "minLevel": 0, "maxDataSize": 150})
    mark = _marker()
    own.http.get(f"/api/health?probe={mark}", headers={"User-Agent": "x" * 300})
    [entry] = own.wait_for(f"message ~ '{mark}'")
    data = entry["data"]
    assert data["__pb_truncated__"] is True
    assert "userAgent" not in data and data["method"] == "GET"
    own.settings({"maxDays": 5, "maxDataSize": 0})


def test_max_days_zero_turns_logging_off(own: Own) -> None:
    own.settings({"maxDays": 0})
    mark = _marker()
    own.http.get(f"/api/health?probe={mark}")
    own.http.get(f"/nope/{mark}")
    own.settings({"maxDays": 5})
    after = _marker()
    own.http.get(f"/api/health?probe={after}")
    own.wait_for(f"data.url ~ '{after}'")
    assert own.logs(f"data.url ~ '{mark}'") == []


def test_the_cleanup_job_drops_entries_older_than_max_days(own: Own) -> None:
    own.settings({"maxDays": 2, "minLevel": 0})
    with sqlite3.connect(own.srv.data_dir / "auxiliary.db") as db:
        db.execute(
            "INSERT INTO _logs (id, level, message, data, created) VALUES "
            "('oldentry0000001', 0, 'old', '{}', '2020-01-01 00:00:00.000Z'), "
            "('newentry0000001', 0, 'new', '{}', strftime('%Y-%m-%d %H:%M:%fZ'))"
        )
    crons = own.http.get("/api/crons", headers=own.auth).json()
    assert {"id": "__pbLogsCleanup__", "expression": "0 */6 * * *"} in crons
    assert own.http.post("/api/crons/__pbLogsCleanup__", headers=own.auth).status_code == 204
    assert eventually(lambda: own.logs("message = 'old'") == [], timeout=15)
    assert [e["id"] for e in own.logs("message = 'new'")] == ["newentry0000001"]


def test_deleting_the_logs_empties_them(own: Own) -> None:
    mark = _marker()
    own.http.get(f"/api/health?probe={mark}")
    own.wait_for(f"data.url ~ '{mark}'")
    assert own.http.delete(LOGS, headers=own.auth).status_code == 204
    page = own.http.get(LOGS, headers=own.auth).json()
    assert page["totalItems"] == 0


def test_logs_waiting_to_be_written_are_written_at_stop(tmp_path: Path) -> None:
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    srv.start()
    mark = _marker()
    try:
        httpx.get(f"{srv.url}/api/health?probe={mark}")
    finally:
        srv.stop()  # at once: the batch had no time to go
    with sqlite3.connect(srv.data_dir / "auxiliary.db") as db:
        rows = db.execute("SELECT message FROM _logs WHERE message LIKE ?", (f"%{mark}%",)).fetchall()
    assert rows == [(f"GET /api/health?probe={mark}",)]


def test_dev_mode_prints_every_entry(tmp_path: Path) -> None:
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    stderr = tmp_path / "stderr.txt"
    srv.start("--dev", stderr=stderr)
    mark = _marker()
    try:
        httpx.get(f"{srv.url}/api/health?probe={mark}")
        httpx.get(f"{srv.url}/api/collections/users/records?filter=bad%3D&probe={mark}")
        expected = (
            f"ERROR GET /api/collections/users/records?filter=bad=&probe={mark}\n└─ Something went wrong"
        )
        assert eventually(lambda: expected in stderr.read_text(), timeout=15)
    finally:
        srv.stop()
    text = stderr.read_text()
    assert f"INFO GET /api/health?probe={mark}\n" in text
    assert text.count(f"/api/health?probe={mark}") == 1  # once: no second access log line
    assert "   └─ invalid or incomplete filter expression" in text
