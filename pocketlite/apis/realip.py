"""The client IP (admin-apis.md §9): from a trusted proxy header when configured, else the peer."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

from pocketlite.apis.context import get_app

__all__ = ["real_ip"]


def _valid(candidate: str) -> str | None:
    try:
        return ipaddress.ip_address(candidate.strip()).exploded
    except ValueError:
        return None


def real_ip(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The first configured trusted header present decides (its last, or leftmost, valid IP)."""
    proxy = get_app(request).settings.trustedProxy
    for name in proxy.headers:
        values = request.headers.getall(name, [])
        if not values:
            continue
        ips = [ip for ip in (_valid(part) for part in values[-1].split(",")) if ip]
        if ips:
            return ips[0] if proxy.useLeftmostIP else ips[-1]
    client = request.client
    return (_valid(client.host) or client.host) if client is not None else ""
