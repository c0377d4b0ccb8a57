"""A request sent to both servers, and the comparison of the two answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.diff.normalize import normalize
from tests.servers import Server

__all__ = ["Case", "compare"]

# Headers whose values must agree (others, like Date or Content-Length, may differ).
COMPARED_HEADERS = (
    "content-type",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "x-frame-options",
    "x-content-type-options",
    "x-xss-protection",
)


@dataclass
class Case:
    """One request; `auth` adds a superuser token of the server it goes to."""

    name: str
    method: str
    path: str
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = False
    # Sign the request as this user (a key of the module's user tokens) instead.
    user: str = ""
    # Headers this case doesn't compare, each with the reason.
    skip_headers: tuple[str, ...] = ()

    def __str__(self) -> str:
        # NB: pytest-xdist's loadgroup reads the group after an "@" in the test id.
        return self.name.replace("@", "at-")

    def send(self, server: Server, token: str, *, force: bool = False) -> httpx.Response:
        """Send to `server`; `token` goes along when the case is authenticated (or `force`)."""
        headers = {**self.headers, **({"Authorization": token} if self.auth or force else {})}
        return httpx.request(
            self.method,
            server.url + self.path,
            headers=headers,
            json=self.json,
            data=self.data,
            files=self.files,
            content=self.content,
            timeout=30,
        )


def _body(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        return normalize(json.loads(response.content)) if response.content else None
    return response.text


def compare(case: Case, ours: httpx.Response, theirs: httpx.Response) -> None:
    """Same status, same normalized body, same values for the compared headers."""
    where = f"{case.method} {case.path}"
    assert ours.status_code == theirs.status_code, (
        f"{where}: {ours.status_code} != {theirs.status_code}\n{ours.text}\n{theirs.text}"
    )
    assert _body(ours) == _body(theirs), f"{where}:\npocketlite: {ours.text}\npocketbase: {theirs.text}"
    for name in COMPARED_HEADERS:
        if name not in case.skip_headers:
            assert ours.headers.get(name) == theirs.headers.get(name), f"{where}: header {name}"
