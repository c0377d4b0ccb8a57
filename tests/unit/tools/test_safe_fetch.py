"""OAuth2 avatars are fetched from public addresses only (no requests into the server's own
network on a provider's say-so)."""

from __future__ import annotations

import asyncio

import pytest

from pocketlite.tools.safe_fetch import UnsafeURLError, download_public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8090/api/health",
        "http://localhost/avatar.png",
        "http://10.1.2.3/avatar.png",
        "http://192.168.0.1/avatar.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/avatar.png",
        "http://0.0.0.0/avatar.png",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "http:///no-host",
    ],
)
def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        asyncio.run(download_public(url, max_bytes=1024, timeout=2))
