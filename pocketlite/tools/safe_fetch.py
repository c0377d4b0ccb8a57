"""Downloading from URLs that third parties choose (OAuth2 avatars) without reaching into the
server's own network: the host must resolve to public addresses only, and the connection goes
to the address that was checked (no DNS rebinding between the check and the connect)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

__all__ = ["UnsafeURLError", "download_public"]


class UnsafeURLError(Exception):
    """The URL can't be fetched safely (or at all)."""


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_loopback
        or ip.is_unspecified
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
    )


async def download_public(url: str, *, max_bytes: int, timeout: float = 10.0) -> bytes:
    """The body of a `GET url` from a public address; `UnsafeURLError` otherwise. Redirects
    are not followed (each hop would need the same checks)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeURLError(f"unsupported URL {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeURLError(f"can't resolve {host!r}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(_allowed(a) for a in addresses):
        raise UnsafeURLError(f"{host!r} resolves to a disallowed address")
    pinned = f"[{addresses[0]}]" if ":" in addresses[0] else addresses[0]
    target = urlunsplit((parts.scheme, f"{pinned}:{port}", parts.path or "/", parts.query, ""))
    headers = {"Host": parts.netloc}
    import httpx  # here: importing it costs every server start ~50 ms

    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        try:
            async with client.stream(
                "GET", target, headers=headers, extensions={"sni_hostname": host}
            ) as response:
                if not 200 <= response.status_code < 300:
                    raise UnsafeURLError(f"failed to download url {url} ({response.status_code})")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise UnsafeURLError(f"{url} is larger than {max_bytes} bytes")
                return bytes(body)
        except httpx.HTTPError as exc:
            raise UnsafeURLError(f"failed to download url {url}: {exc}") from exc
