"""Logs (admin-apis.md §3) and crons (§5) against PocketBase 0.40.6: the same request sequence
sent to both servers leaves the same entries, which list, filter, sort, chart and delete the
same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.diff.conftest import serving_pair
from tests.diff.normalize import normalize
from tests.servers import Server
from tests.support.waiting import eventually

pytestmark = pytest.mark.xdist_group("diff")

# What the sequence leaves: successes (INFO), failures with and without details (ERROR), and the
# requests that leave nothing (the logs API, the dashboard, preflights).
SEQUENCE = [
    Case("health", "GET", "/api/health?probe=1", headers={"Referer": "http://ref.example"}),
    Case("head", "HEAD", "/api/health?probe=2"),
    Case("unknown path", "GET", "/nothing/here"),
    Case("escaped url", "GET", "/api/collections/users/records/a%20b?q=%C3%A9"),
    Case("validation failure", "POST", "/api/collections/users/records", json={"email": "bad"}),
    Case("batch off", "POST", "/api/batch", json={"requests": []}),
    Case("a superuser's list", "GET", "/api/collections/users/records?perPage=1", auth=True),
    Case("guest on a superuser route", "GET", "/api/settings"),
    Case("logs api success", "GET", "/api/logs", auth=True),
    Case("logs api failure", "GET", "/api/logs/missing", auth=True),
    Case("dashboard", "GET", "/_/"),
    Case("dashboard extensions", "GET", "/_/extensions.js"),
    Case(
        "preflight",
        "OPTIONS",
        "/api/health",
        headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"},
    ),
]
EXPECTED_ENTRIES = 9


class Logged:
    def __init__(self, servers: tuple[Server, Server]) -> None:
        self.servers = servers
        self.tokens = (servers[0].auth_token(), servers[1].auth_token())

    def each(self, case: Case) -> tuple[httpx.Response, httpx.Response]:
        ours, theirs = (case.send(s, t) for s, t in zip(self.servers, self.tokens, strict=True))
        return ours, theirs

    def entries(self, index: int, filter_: str = "data.type = 'request'") -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.servers[index].url}/api/logs",
            params={"perPage": 100, "filter": filter_},
            headers={"Authorization": self.tokens[index]},
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Logged]:
    """Both servers after the sequence, once every entry is written."""
    with serving_pair(tmp_path_factory, "logs") as servers:
        both = Logged(servers)
        # The start's health checks and the superuser sign-ins were logged too: once they are
        # written, start from nothing.
        signed_in = "data.url = '/api/collections/_superusers/auth-with-password'"
        for index, (server, token) in enumerate(zip(servers, both.tokens, strict=True)):
            assert eventually(lambda i=index: both.entries(i, signed_in), timeout=20)
            httpx.delete(f"{server.url}/api/logs", headers={"Authorization": token})
        for case in SEQUENCE:
            both.each(case)
        for index in (0, 1):
            assert eventually(lambda i=index: len(both.entries(i)) >= EXPECTED_ENTRIES, timeout=20)
        yield both


def _comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without what differs by nature: timings, and the text of a Go-internal cause
    (PocketBase's `details` for e.g. `sql: no rows in result set` is its driver's error)."""
    data = dict(entry["data"])
    data.pop("execTime")
    if "details" in data and not isinstance(data["details"], dict):
        data["details"] = "<raw error or none>"
    return {"message": entry["message"], "level": entry["level"], "data": normalize(data)}


def test_the_same_requests_leave_the_same_entries(logged: Logged) -> None:
    ours, theirs = ([_comparable(e) for e in logged.entries(i)] for i in (0, 1))
    key = lambda e: json.dumps(e, sort_keys=True)  # noqa: E731
    assert sorted(ours, key=key) == sorted(theirs, key=key)
    assert len(ours) == EXPECTED_ENTRIES


def _mask_entries(body: Any) -> Any:
    """List and view answers with the per-entry timings and raw causes masked."""
    if isinstance(body, dict) and "items" in body:
        return {**body, "items": [_mask_entries(item) for item in body["items"]]}
    if isinstance(body, dict) and "data" in body and "level" in body:
        masked = _comparable(body)
        return {**body, "data": masked["data"], "id": "<id>", "created": "<datetime>"}
    return body


LIST_CASES = [
    Case("errors by message", "GET", "/api/logs?filter=level>0&sort=message", auth=True),
    Case(
        "by status, some fields",
        "GET",
        "/api/logs?filter=data.status%3D404&sort=-message&fields=message,level",
        auth=True,
    ),
    Case("paged", "GET", "/api/logs?sort=message,data.status&perPage=3&page=2", auth=True),
    Case("skip the total", "GET", "/api/logs?sort=message&perPage=2&skipTotal=1", auth=True),
    Case("by auth", "GET", "/api/logs?filter=data.auth%3D'_superusers'", auth=True),
    Case("json path with a colon", "GET", "/api/logs?filter=data.a:b%3D1", auth=True),
    Case("unknown field", "GET", "/api/logs?filter=nope%3D1", auth=True),
    Case("bad sort", "GET", "/api/logs?sort=nope", auth=True),
    Case("guests may not list", "GET", "/api/logs"),
    Case("stats", "GET", "/api/logs/stats", auth=True),
    Case("stats filtered", "GET", "/api/logs/stats?filter=level%3D8", auth=True),
    Case("stats bad filter", "GET", "/api/logs/stats?filter=level%3D", auth=True),
    Case("stats for guests", "GET", "/api/logs/stats"),
    Case("one missing", "GET", "/api/logs/nope", auth=True),
    Case("guests may not view", "GET", "/api/logs/nope"),
    Case("guests may not delete", "DELETE", "/api/logs"),
]


@pytest.mark.parametrize("case", LIST_CASES, ids=str)
def test_reading_the_logs(logged: Logged, case: Case) -> None:
    ours, theirs = logged.each(case)
    assert ours.status_code == theirs.status_code, (ours.text, theirs.text)
    assert normalize(_mask_entries(ours.json())) == normalize(_mask_entries(theirs.json()))


def test_one_entry_by_id(logged: Logged) -> None:
    answers = []
    for server, token in zip(logged.servers, logged.tokens, strict=True):
        auth = {"Authorization": token}
        first = httpx.get(f"{server.url}/api/logs?filter=data.url%3D'/nothing/here'", headers=auth).json()
        answers.append(httpx.get(f"{server.url}/api/logs/{first['items'][0]['id']}", headers=auth))
    ours, theirs = answers
    assert list(ours.json()) == list(theirs.json()) == ["id", "created", "data", "message", "level"]
    assert _mask_entries(ours.json()) == _mask_entries(theirs.json())


CRON_CASES = [
    Case("the jobs", "GET", "/api/crons", auth=True),
    Case("guests may not list", "GET", "/api/crons"),
    Case("run one", "POST", "/api/crons/__pbLogsCleanup__", auth=True),
    Case("run another", "POST", "/api/crons/__pbOTPCleanup__", auth=True),
    Case("run a missing one", "POST", "/api/crons/nope", auth=True),
    Case("guests may not run", "POST", "/api/crons/__pbLogsCleanup__"),
]


@pytest.mark.parametrize("case", CRON_CASES, ids=str)
def test_crons(logged: Logged, case: Case) -> None:
    ours, theirs = logged.each(case)
    compare(case, ours, theirs)


def test_deleting_every_entry(logged: Logged) -> None:
    case = Case("delete", "DELETE", "/api/logs", auth=True)
    ours, theirs = logged.each(case)
    compare(case, ours, theirs)
    # (Entries of the requests just before may still be on their way: look at older ones.)
    after = Case("after", "GET", "/api/logs?filter=data.url%3D'/nothing/here'", auth=True)
    ours, theirs = logged.each(after)
    compare(after, ours, theirs)
    assert ours.json()["totalItems"] == 0
