"""`superuserIPs` (admin-apis.md §9) against PocketBase 0.40.6: while set, a superuser token from
any other client IP is refused on every route; the client IP is the trusted proxy header's."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.diff.conftest import serving_pair
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("superuser_ips_diff")

ALLOWED = {"X-Forwarded-For": "10.1.2.3"}
OTHER = {"X-Forwarded-For": "10.9.9.9"}
CASES = [
    Case("health from another IP", "GET", "/api/health", auth=True, headers=OTHER),
    Case("settings from another IP", "GET", "/api/settings", auth=True, headers=OTHER),
    Case("an unknown path from another IP", "GET", "/api/nothing", auth=True, headers=OTHER),
    Case("records from another IP", "GET", "/api/collections/users/records", auth=True, headers=OTHER),
    Case("guests from another IP", "GET", "/api/collections/users/records", headers=OTHER),
    Case(
        "sign-in from another IP",
        "POST",
        "/api/collections/_superusers/auth-with-password",
        headers=OTHER,
        json={"identity": "admin@example.com", "password": "Passw0rd123"},
    ),
    Case("the proxy's own IP is not the client", "GET", "/api/collections", auth=True),
    Case("from the listed IP", "GET", "/api/collections/users/records", auth=True, headers=ALLOWED),
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[tuple[Server, str], ...]]:
    """Both servers behind a trusted `X-Forwarded-For`, superusers allowed from 10.1.2.3 only."""
    with serving_pair(tmp_path_factory, "superuser_ips") as servers:
        out = []
        for server in servers:
            token = server.auth_token()
            body = {"trustedProxy": {"headers": ["X-Forwarded-For"]}, "superuserIPs": ["10.1.2.0/24"]}
            saved = httpx.patch(f"{server.url}/api/settings", json=body, headers={"Authorization": token})
            assert saved.status_code == 200, saved.text
            out.append((server, token))
        yield tuple(out)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[tuple[Server, str], ...]) -> None:
    (ours, our_token), (theirs, their_token) = pair
    compare(case, case.send(ours, our_token), case.send(theirs, their_token))
