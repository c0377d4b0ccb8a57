"""Health, superuser auth, the HTTP core: pocketlite answers as PocketBase 0.40.6 does."""

from __future__ import annotations

import pytest

from tests.diff.cases import Case, compare
from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server

pytestmark = pytest.mark.xdist_group("diff")

AUTH = "/api/collections/_superusers/auth-with-password"
REFRESH = "/api/collections/_superusers/auth-refresh"
LOGIN = {"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}
JSON = {"Content-Type": "application/json"}
PREFLIGHT = {"Origin": "http://example.com", "Access-Control-Request-Method": "POST"}

CASES = [
    # health
    Case("health as guest", "GET", "/api/health"),
    Case("health as superuser", "GET", "/api/health", auth=True),
    Case("health HEAD", "HEAD", "/api/health"),
    Case("health fields", "GET", "/api/health?fields=message"),
    Case("health nested fields", "GET", "/api/health?fields=data.realIP", auth=True),
    Case(
        "health names a proxy header", "GET", "/api/health", auth=True, headers={"X-Forwarded-For": "1.2.3.4"}
    ),
    Case("health with a garbage token", "GET", "/api/health", headers={"Authorization": "garbage"}),
    Case("health with a bad fields expression", "GET", "/api/health?fields=message:excerpt("),
    # auth-with-password
    Case("login with JSON", "POST", AUTH, json=LOGIN),
    Case("login with a form", "POST", AUTH, data=LOGIN),
    Case("login with multipart", "POST", AUTH, files={k: (None, v) for k, v in LOGIN.items()}),
    Case("wrong password", "POST", AUTH, json={**LOGIN, "password": "wrong-pass"}),
    Case("unknown identity", "POST", AUTH, json={**LOGIN, "identity": "nobody@example.com"}),
    Case("blank credentials", "POST", AUTH, json={"identity": "", "password": ""}),
    Case("no body", "POST", AUTH),
    Case("a 300 character password", "POST", AUTH, json={**LOGIN, "password": "a" * 300}),
    Case("identityField outside identityFields", "POST", AUTH, json={**LOGIN, "identityField": "username"}),
    Case("identityField email", "POST", AUTH, json={**LOGIN, "identityField": "email"}),
    Case("malformed JSON", "POST", AUTH, content=b"{bad", headers=JSON),
    Case("a JSON array", "POST", AUTH, json=[1, 2]),
    Case("wrong value types", "POST", AUTH, json={"identity": 123, "password": True}),
    Case("text/plain", "POST", AUTH, content=b"x", headers={"Content-Type": "text/plain"}),
    Case("login fields", "POST", f"{AUTH}?fields=token", json=LOGIN),
    Case("collection by id", "POST", "/api/collections/pbc_3142635823/auth-with-password", json=LOGIN),
    Case("upper-case collection name", "POST", "/api/collections/_SUPERUSERS/auth-with-password", json=LOGIN),
    Case("users without users", "POST", "/api/collections/users/auth-with-password", json=LOGIN),
    Case("a base collection", "POST", "/api/collections/_mfas/auth-with-password", json=LOGIN),
    Case("an unknown collection", "POST", "/api/collections/nope/auth-with-password", json=LOGIN),
    # auth-refresh
    Case("refresh", "POST", REFRESH, auth=True),
    Case("refresh without a token", "POST", REFRESH),
    Case("refresh with a garbage token", "POST", REFRESH, headers={"Authorization": "garbage"}),
    Case("refresh on users with a superuser token", "POST", "/api/collections/users/auth-refresh", auth=True),
    Case("refresh on an unknown collection", "POST", "/api/collections/nope/auth-refresh", auth=True),
    Case("refresh fields", "POST", f"{REFRESH}?fields=record.email", auth=True),
    # routing
    Case("unknown API GET", "GET", "/api/nope"),
    Case("unknown API POST", "POST", "/api/nope"),
    Case("unknown API PUT", "PUT", "/api/nope", json={}),
    Case("GET on a POST route", "GET", AUTH),
    Case("DELETE on health", "DELETE", "/api/health"),
    Case("unknown file", "GET", "/nope.txt"),
    # CORS and headers
    Case("preflight", "OPTIONS", AUTH, headers=PREFLIGHT),
    Case(
        "preflight with requested headers",
        "OPTIONS",
        AUTH,
        headers={**PREFLIGHT, "Access-Control-Request-Headers": "authorization,content-type"},
    ),
    Case("OPTIONS without Origin", "OPTIONS", AUTH),
    Case("GET with Origin", "GET", "/api/health", headers={"Origin": "http://example.com"}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))
