"""`superuserIPs` (admin-apis.md §9) on a server of this module's own: a superuser token from an
IP the list doesn't hold is refused on every route; guests and listed IPs go through."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.servers import Server

FORBIDDEN = {"data": {}, "message": "You are not allowed to perform this request.", "status": 403}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server behind a trusted `X-Real-IP`, superusers allowed from 10.1.2.0/24 and ::1 only."""
    srv = Server.pocketlite(tmp_path_factory.mktemp("superuser_ips") / "pb_data")
    srv.create_superuser()
    srv.start()
    token = srv.auth_token()
    body = {"trustedProxy": {"headers": ["X-Real-IP"]}, "superuserIPs": ["10.1.2.0/24", "::1"]}
    httpx.patch(f"{srv.url}/api/settings", json=body, headers={"Authorization": token}).raise_for_status()
    yield srv, token
    srv.stop()


@pytest.mark.parametrize(
    ("path", "ip", "superuser", "status"),
    [
        ("/api/health", "10.9.9.9", True, 403),
        ("/api/settings", "10.9.9.9", True, 403),
        ("/api/nowhere", "10.9.9.9", True, 403),
        ("/api/settings", None, True, 403),
        ("/api/health", "10.9.9.9", False, 200),
        ("/api/settings", "10.1.2.3", True, 200),
        ("/api/settings", "0:0:0:0:0:0:0:1", True, 200),
    ],
)
def test_who_gets_through(
    server: tuple[Server, str], path: str, ip: str | None, superuser: bool, status: int
) -> None:
    srv, token = server
    headers = {**({"X-Real-IP": ip} if ip else {}), **({"Authorization": token} if superuser else {})}
    assert httpx.get(srv.url + path, headers=headers).status_code == status


def test_the_403_comes_before_the_security_headers(server: tuple[Server, str]) -> None:
    srv, token = server
    response = httpx.get(f"{srv.url}/api/health", headers={"Authorization": token, "X-Real-IP": "10.9.9.9"})
    assert response.json() == FORBIDDEN
    assert response.headers["content-type"] == "application/json"
    assert "x-frame-options" not in response.headers
    assert response.headers["vary"] == "Origin"
