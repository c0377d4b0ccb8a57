"""Both servers side by side for the whole diff suite: fresh data dirs, the same superuser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.servers import Server


@contextmanager
def serving_pair(
    tmp_path_factory: pytest.TempPathFactory, prefix: str, *serve_args: str
) -> Iterator[tuple[Server, Server]]:
    """(pocketlite, PocketBase) on fresh data dirs, each with the same superuser, both serving;
    `serve_args` go to pocketlite's `serve` only."""
    servers = (
        Server.pocketlite(tmp_path_factory.mktemp(f"{prefix}_pocketlite") / "pb_data"),
        Server.pocketbase(tmp_path_factory.mktemp(f"{prefix}_pocketbase") / "pb_data"),
    )
    try:
        for server in servers:
            server.create_superuser()
        servers[0].start(*serve_args)
        servers[1].start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """(pocketlite, PocketBase), both serving, shared by the whole diff suite."""
    with serving_pair(tmp_path_factory, "diff") as servers:
        yield servers


@pytest.fixture(scope="session")
def tokens(pair: tuple[Server, Server]) -> tuple[str, str]:
    """A superuser token of each server."""
    return pair[0].auth_token(), pair[1].auth_token()
