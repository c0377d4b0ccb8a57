"""Rate limits (admin-apis.md §8-§9, auth-api.md §16) on a server of this module's own: the
labels (path, method, prefix, collection tags), audiences, who is never limited, the client key
behind a proxy, the 429 itself, windows, and the counters' lifecycle. Each row saves its rules
first, which starts every counter afresh."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

PASSWORD = "12345678"
HEALTH = "/api/health"
POSTS = "/api/collections/posts/records"
NOTES = "/api/collections/notes/records"
POST_ID = "post00000000001"
TOO_MANY = {"data": {}, "message": "Too Many Requests.", "status": 429}


@dataclass
class Request:
    """One request: `who` is "guest", "user" (an auth record) or "superuser"."""

    method: str
    url: str
    who: str = "guest"
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass
class Row:
    """Settings, then requests and the statuses they must get, in order."""

    name: str
    rules: list[tuple[str, int] | tuple[str, int, str]]
    requests: list[Request]
    statuses: list[int]
    settings: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def times(n: int, method: str, url: str, **kw: Any) -> list[Request]:
    return [Request(method, url, **kw) for _ in range(n)]


def batch(n: int) -> Request:
    requests = [{"method": "POST", "url": POSTS, "body": {"title": "in a batch"}} for _ in range(n)]
    return Request("POST", "/api/batch", json={"requests": requests})


ROWS = [
    Row("a path label", [(HEALTH, 2)], times(3, "GET", HEALTH), [200, 200, 429]),
    Row(
        "a method label comes first, and names the method sent",
        [(f"HEAD {HEALTH}", 1), (HEALTH, 2)],
        [*times(2, "HEAD", HEALTH), *times(3, "GET", HEALTH)],
        [200, 429, 200, 200, 429],
    ),
    Row(
        "a prefix label: one counter for all it covers, 404s included",
        [("/api/", 3)],
        [
            Request("GET", HEALTH),
            Request("GET", "/api/nope"),
            Request("POST", "/api/nope"),
            Request("GET", HEALTH),
        ],
        [200, 404, 404, 429],
    ),
    Row(
        "a prefix label covers the path without its slash",
        [("/api/health/", 1)],
        times(2, "GET", HEALTH),
        [200, 429],
    ),
    Row(
        "paths no rule matches are not limited",
        [("/api/collections/", 1)],
        times(3, "GET", HEALTH),
        [200, 200, 200],
    ),
    Row(
        "records: the collection's tag, then the wildcard one",
        [("posts:list", 1), ("*:list", 2)],
        [*times(2, "GET", POSTS), *times(3, "GET", NOTES)],
        [200, 429, 200, 200, 429],
    ),
    Row(
        "records: view, create, update and delete tags",
        [("*:view", 1), ("*:create", 1), ("posts:update", 1), ("posts:delete", 1)],
        [
            *times(2, "GET", f"{POSTS}/{POST_ID}"),
            *times(2, "POST", POSTS, json={"title": "new"}),
            *times(2, "PATCH", f"{POSTS}/{POST_ID}", json={"title": "changed"}),
            *times(2, "DELETE", f"{POSTS}/missing0000000"),
        ],
        [200, 429, 200, 429, 200, 429, 404, 429],
    ),
    Row(
        "records: a limited create is answered before its body is read",
        [("*:create", 1)],
        [
            Request("POST", POSTS, json={"title": "x"}),
            Request("POST", POSTS, headers={"content-type": "application/json"}, json="not an object"),
        ],
        [200, 429],
    ),
    Row(
        "records: each collection counts apart under one rule",
        [("*:create", 1)],
        [*times(2, "POST", POSTS, json={"title": "p"}), *times(2, "POST", NOTES, json={"title": "n"})],
        [200, 429, 200, 429],
    ),
    Row(
        "a batch: its own label, and its sub-requests counted apart from the route",
        [("/api/batch", 2), ("*:create", 1)],
        [Request("POST", POSTS, json={"title": "direct"}), batch(1), batch(1), batch(1)],
        [200, 200, 400, 429],
        {"batch": {"enabled": True}},
    ),
    Row(
        "auth routes: their own tag and `auth`",
        [("members:authWithPassword", 1), ("*:auth", 2)],
        [
            *times(2, "POST", "/api/collections/members/auth-with-password", json={}),
            *times(3, "POST", "/api/collections/_superusers/auth-with-password", json={}),
        ],
        [400, 429, 400, 400, 429],
    ),
    Row(
        "auth routes: by collection id too, one counter with the name",
        [("*:listAuthMethods", 1)],
        [
            Request("GET", "/api/collections/members/auth-methods"),
            Request("GET", "/api/collections/{id}/auth-methods"),
        ],
        [200, 429],
    ),
    Row(
        "an unknown collection is a 404 and not counted",
        [("*:authRefresh", 1), ("/api/", 1)],
        [*times(2, "POST", "/api/collections/nowhere/auth-refresh"), Request("GET", HEALTH)],
        [404, 404, 200],
    ),
    Row(
        "file downloads",
        [("posts:file", 1), ("*:file", 2)],
        [
            *times(2, "GET", f"/api/files/posts/{POST_ID}/a.txt"),
            *times(3, "HEAD", f"/api/files/notes/{POST_ID}/a.txt"),
        ],
        [404, 429, 404, 404, 429],
    ),
    Row(
        "audiences: guests and authenticated requests apart",
        [(HEALTH, 1, "@guest"), (HEALTH, 2, "@auth")],
        [*times(2, "GET", HEALTH), *times(3, "GET", HEALTH, who="user")],
        [200, 429, 200, 200, 429],
    ),
    Row(
        "audiences: a guest-only rule doesn't limit users",
        [(HEALTH, 1, "@guest")],
        times(3, "GET", HEALTH, who="user"),
        [200, 200, 200],
    ),
    Row(
        "superusers are never limited", [("/", 1)], times(3, "GET", HEALTH, who="superuser"), [200, 200, 200]
    ),
    Row(
        "excluded IPs are never limited",
        [("/", 1)],
        times(3, "GET", HEALTH),
        [200, 200, 200],
        {"excludedIPs": ["127.0.0.1"]},
    ),
    Row(
        "behind a proxy each client IP counts apart, and exclusions apply to it",
        [(HEALTH, 1)],
        [
            *times(2, "GET", HEALTH, headers={"X-Forwarded-For": "203.0.113.1"}),
            *times(2, "GET", HEALTH, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.2"}),
            *times(2, "GET", HEALTH, headers={"X-Forwarded-For": "10.1.2.3"}),
            *times(2, "GET", HEALTH, headers={"X-Forwarded-For": "::1"}),
        ],
        [200, 429, 200, 429, 200, 200, 200, 429],
        {
            "excludedIPs": ["10.0.0.0/8"],
            "trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": False},
        },
    ),
    Row(
        "an untrusted header is not the client",
        [(HEALTH, 1)],
        [
            Request("GET", HEALTH, headers={"X-Forwarded-For": "203.0.113.1"}),
            Request("GET", HEALTH, headers={"X-Forwarded-For": "203.0.113.2"}),
        ],
        [200, 429],
    ),
    Row(
        "nothing is limited while disabled",
        [("/", 1)],
        times(3, "GET", HEALTH),
        [200, 200, 200],
        {"enabled": False},
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own, with two public collections, a record and a user; mails
    go to a sink (an OTP is stored only once mailed)."""
    sink = SMTPSink()
    sink.start()
    srv = Server.pocketlite(tmp_path_factory.mktemp("rate_limits") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    httpx.patch(f"{srv.url}/api/settings", json={"smtp": sink.settings()}, headers=admin).raise_for_status()
    public = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}
    fields = [{"name": "title", "type": "text"}]
    for name in ("posts", "notes"):
        body = {"name": name, "type": "base", "fields": fields, **public}
        httpx.post(f"{srv.url}/api/collections", json=body, headers=admin).raise_for_status()
    members = {"name": "members", "type": "auth", "otp": {"enabled": True}, "authAlert": {"enabled": False}}
    httpx.post(f"{srv.url}/api/collections", json=members, headers=admin).raise_for_status()
    httpx.post(f"{srv.url}{POSTS}", json={"id": POST_ID, "title": "first"}, headers=admin).raise_for_status()
    user = {"email": "ann@members.co", "password": PASSWORD, "passwordConfirm": PASSWORD}
    httpx.post(f"{srv.url}/api/collections/members/records", json=user, headers=admin).raise_for_status()
    yield srv
    srv.stop()
    sink.stop()


@pytest.fixture(scope="module")
def tokens(server: Server) -> dict[str, str]:
    """A token for each `who`, and the members collection's id."""
    login = httpx.post(
        f"{server.url}/api/collections/members/auth-with-password",
        json={"identity": "ann@members.co", "password": PASSWORD},
    )
    superuser = server.auth_token()
    members = httpx.get(f"{server.url}/api/collections/members", headers={"Authorization": superuser})
    return {
        "superuser": superuser,
        "user": login.json()["token"],
        "guest": "",
        "members": members.json()["id"],
    }


def configure(
    server: Server, tokens: dict[str, str], rules: list[Any], duration: int = 60, **settings: Any
) -> None:
    limits = {
        "enabled": settings.pop("enabled", True),
        "excludedIPs": settings.pop("excludedIPs", []),
        "rules": [
            {"label": r[0], "maxRequests": r[1], "audience": r[2] if len(r) > 2 else "", "duration": duration}
            for r in rules
        ],
    }
    body = {
        "rateLimits": limits,
        "trustedProxy": settings.pop("trustedProxy", {"headers": [], "useLeftmostIP": False}),
        "batch": settings.pop("batch", {"enabled": False}),
    }
    saved = httpx.patch(
        f"{server.url}/api/settings", json=body, headers={"Authorization": tokens["superuser"]}
    )
    assert saved.status_code == 200, saved.text


def send(server: Server, tokens: dict[str, str], request: Request) -> httpx.Response:
    headers = dict(request.headers)
    if tokens[request.who]:
        headers["Authorization"] = tokens[request.who]
    url = request.url.replace("{id}", tokens["members"])
    return httpx.request(request.method, server.url + url, headers=headers, json=request.json)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_limits(row: Row, server: Server, tokens: dict[str, str]) -> None:
    configure(server, tokens, row.rules, **row.settings)
    statuses = [send(server, tokens, request).status_code for request in row.requests]
    assert statuses == row.statuses


def test_the_429(server: Server, tokens: dict[str, str]) -> None:
    configure(server, tokens, [(HEALTH, 1)])
    httpx.get(server.url + HEALTH)
    response = httpx.get(server.url + HEALTH, headers={"Origin": "https://app.example.com"})
    assert response.status_code == 429
    assert response.json() == TOO_MANY
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_limited_sub_request_fails_its_batch(server: Server, tokens: dict[str, str]) -> None:
    configure(server, tokens, [("*:create", 1)], batch={"enabled": True})
    response = send(server, tokens, batch(2))
    assert response.status_code == 400
    assert response.json() == {
        "data": {
            "requests": {
                "1": {
                    "code": "batch_request_failed",
                    "message": "Batch request failed.",
                    "response": TOO_MANY,
                }
            }
        },
        "message": "Batch transaction failed.",
        "status": 400,
    }


def test_a_window_reopens_after_its_duration(server: Server, tokens: dict[str, str]) -> None:
    configure(server, tokens, [(HEALTH, 1)], duration=1)
    statuses = []
    for _ in range(2):
        time.sleep(1.02 - time.time() % 1)  # windows are whole Unix seconds
        statuses += [httpx.get(server.url + HEALTH).status_code for _ in range(2)]
    assert statuses == [200, 429, 200, 429]


def test_saving_the_settings_starts_the_counters_afresh(server: Server, tokens: dict[str, str]) -> None:
    configure(server, tokens, [(HEALTH, 1)])
    first = [httpx.get(server.url + HEALTH).status_code for _ in range(2)]
    httpx.patch(f"{server.url}/api/settings", json={}, headers={"Authorization": tokens["superuser"]})
    assert [*first, httpx.get(server.url + HEALTH).status_code] == [200, 429, 200]


def test_the_cleanup_job(server: Server, tokens: dict[str, str]) -> None:
    admin = {"Authorization": tokens["superuser"]}
    configure(server, tokens, [(HEALTH, 5)])
    listed = [job["id"] for job in httpx.get(f"{server.url}/api/crons", headers=admin).json()]
    assert "__pbRateLimitersCleanup__" not in listed
    httpx.get(server.url + HEALTH)
    jobs = httpx.get(f"{server.url}/api/crons", headers=admin).json()
    assert jobs[-1] == {"id": "__pbRateLimitersCleanup__", "expression": "2 * * * *"}
    run = httpx.post(f"{server.url}/api/crons/__pbRateLimitersCleanup__", headers=admin)
    assert run.status_code == 204
    # Counters with a recent window stay.
    assert [httpx.get(server.url + HEALTH).status_code for _ in range(5)] == [200, 200, 200, 200, 429]


def test_otp_attempts_are_limited_whether_rate_limiting_is_on_or_not(
    server: Server, tokens: dict[str, str]
) -> None:
    configure(server, tokens, [], enabled=False)
    url = f"{server.url}/api/collections/members"
    otp = httpx.post(f"{url}/request-otp", json={"email": "ann@members.co"}).json()["otpId"]
    wrong = {"otpId": otp, "password": "000000"}
    statuses = [httpx.post(f"{url}/auth-with-otp", json=wrong).status_code for _ in range(6)]
    assert statuses == [400, 400, 400, 400, 400, 429]
    assert httpx.post(f"{url}/auth-with-otp", json=wrong).json() == {
        "data": {},
        "message": "Too many attempts, please try again later with a new OTP.",
        "status": 429,
    }


def test_workers_count_apart(tmp_path: Path) -> None:
    """Documented: each worker of `serve --workers N` has its own counters; the allowance is per
    worker, so N workers together allow between 1 and N times it."""
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    srv.start("--workers", "2")
    try:
        token = srv.auth_token()
        body = {
            "rateLimits": {"enabled": True, "rules": [{"label": HEALTH, "duration": 60, "maxRequests": 1}]}
        }
        assert (
            httpx.patch(f"{srv.url}/api/settings", json=body, headers={"Authorization": token}).status_code
            == 200
        )
        statuses = [httpx.get(srv.url + HEALTH).status_code for _ in range(10)]
        assert 1 <= statuses.count(200) <= 2
        assert statuses.count(429) == 10 - statuses.count(200)
    finally:
        srv.stop()


def test_a_renamed_collection_takes_its_rules_along(server: Server, tokens: dict[str, str]) -> None:
    admin = {"Authorization": tokens["superuser"]}
    body = {"name": "drafts", "type": "base", "createRule": "", "fields": [{"name": "title", "type": "text"}]}
    created = httpx.post(f"{server.url}/api/collections", json=body, headers=admin)
    assert created.status_code == 200, created.text
    configure(server, tokens, [("drafts:create", 1), ("draftsy:list", 2), ("*:create", 5)])
    renamed = httpx.patch(f"{server.url}/api/collections/drafts", json={"name": "articles"}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    rules = httpx.get(f"{server.url}/api/settings", headers=admin).json()["rateLimits"]["rules"]
    assert [r["label"] for r in rules] == ["articles:create", "draftsy:list", "*:create"]
    url = f"{server.url}/api/collections/articles/records"
    assert [httpx.post(url, json={"title": "t"}).status_code for _ in range(2)] == [200, 429]
