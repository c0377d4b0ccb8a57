"""The client IP (admin-apis.md §9): from a trusted proxy header when configured, else the peer."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import MutableMapping
from typing import Any

from litestar.connection import ASGIConnection

from pocketlite.apis.context import get_app
from pocketlite.core.settings import TrustedProxyConfig

__all__ = ["client_ip", "real_ip"]


@functools.lru_cache(maxsize=4096)
def _valid(candidate: str) -> str | None:
    # NB: cached: parsing an address costs more than a whole log entry, and clients repeat.
    try:
        return ipaddress.ip_address(candidate.strip()).exploded
    except ValueError:
        return None


def client_ip(scope: MutableMapping[str, Any], proxy: TrustedProxyConfig) -> str:
    """The IP of the ASGI request `scope`: the first configured trusted header present decides
    (the last valid IP of its last occurrence, or the leftmost with `useLeftmostIP`)."""
    for name in proxy.headers:
        wanted = name.lower().encode("latin-1")
        value = None
        for key, found in scope["headers"]:
            if key == wanted:
                value = found
        if value is None:
            continue
        ips = [ip for ip in (_valid(part) for part in value.decode("latin-1").split(",")) if ip]
        if ips:
            return ips[0] if proxy.useLeftmostIP else ips[-1]
    client = scope.get("client")
    return (_valid(client[0]) or client[0]) if client else ""


def real_ip(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client IP of a request, by the app's `trustedProxy` settings."""
    return client_ip(request.scope, get_app(request).settings.trustedProxy)  # type: ignore[arg-type]
