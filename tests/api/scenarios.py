"""API scenario tables (DESIGN.md, Testing): one row per request, with the expected status,
the fragments the body must contain and the ones it must not, and — on the session server, which
records them — how many times each hook fired (`expected_events`, as PocketBase's own API tests
have)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["Scenario", "fired_events", "run"]

# Stands for a valid superuser token in a scenario's headers; replaced before sending.
SUPERUSER_TOKEN = "{superuser_token}"


@dataclass
class Scenario:
    """One request and what must come back."""

    name: str
    method: str
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    content: bytes | None = None
    expected: list[str] = field(default_factory=list)
    not_expected: list[str] = field(default_factory=list)
    expected_headers: dict[str, str] = field(default_factory=dict)
    # hook name → times fired, exactly (every hook that fired must be listed); None: unchecked.
    expected_events: dict[str, int] | None = None

    def __str__(self) -> str:
        return self.name


def run(client: httpx.Client, scenario: Scenario, superuser_token: str) -> httpx.Response:
    """Send the scenario's request and check status, body fragments and headers."""
    headers = {k: v.replace(SUPERUSER_TOKEN, superuser_token) for k, v in scenario.headers.items()}
    if scenario.expected_events is not None:
        fired_events(client)  # what earlier requests fired is not this scenario's
    response = client.request(
        scenario.method,
        scenario.url,
        headers=headers,
        json=scenario.json,
        data=scenario.data,
        files=scenario.files,
        content=scenario.content,
    )
    body = response.text
    assert response.status_code == scenario.status, f"{scenario.name}: {response.status_code} {body}"
    for fragment in scenario.expected:
        assert fragment in body, f"{scenario.name}: {fragment!r} not in {body}"
    for fragment in scenario.not_expected:
        assert fragment not in body, f"{scenario.name}: {fragment!r} unexpectedly in {body}"
    for name, value in scenario.expected_headers.items():
        assert response.headers.get(name) == value, (
            f"{scenario.name}: header {name}={response.headers.get(name)!r}"
        )
    if scenario.expected_events is not None:
        fired = fired_events(client)
        assert fired == scenario.expected_events, f"{scenario.name}: hooks fired {fired}"
    return response


def fired_events(client: httpx.Client) -> dict[str, int]:
    """How many times each hook fired since the last call (the session server records them)."""
    response = client.get("/api/_test/events")
    assert response.status_code == 200, "the server runs without the recorder hooks"
    return dict(Counter(response.json()))
