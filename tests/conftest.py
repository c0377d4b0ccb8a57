"""Shared fixtures: one live pocketlite server per test session, with a superuser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server

# A pb_hooks dir whose only file notes the hooks each request fires (see `tests/api/scenarios`).
RECORDER_HOOKS = Path(__file__).parent / "support" / "recorder_hooks"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running `pocketlite serve` on a free port, temp `pb_data`, one superuser, and the
    hooks-recording pb_hooks file."""
    srv = Server.pocketlite(tmp_path_factory.mktemp("pocketlite") / "pb_data")
    srv.create_superuser()
    srv.start("--hooksDir", str(RECORDER_HOOKS))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def superuser_token(server: Server) -> str:
    """A valid superuser auth token for `server`."""
    return server.auth_token()


@pytest.fixture()
def client(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client bound to `server`."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture()
def fresh_dir(tmp_path: Path) -> Path:
    """An empty data dir path for tests that start their own server."""
    return tmp_path / "pb_data"
