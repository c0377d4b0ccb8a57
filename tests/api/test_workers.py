"""`serve --workers N` beyond realtime (tests/api/test_realtime_workers.py): what one worker
changes — settings, hooks — every worker serves from then on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx

from tests.servers import Server
from tests.support.waiting import eventually

ROUTE = textwrap.dedent(
    """
    from pocketlite import hooks

    @hooks.route("GET", "/api/version")
    async def version(e):
        e.json(200, {"version": VERSION})
    """
)


def _answers(srv: Server, path: str, headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """`path` asked on 20 fresh connections, which the kernel spreads over the workers."""
    return [httpx.get(f"{srv.url}{path}", headers=headers) for _ in range(20)]


def test_settings_and_hooks_reach_every_worker(tmp_path: Path) -> None:
    hooks_dir = tmp_path / "pb_hooks"
    hooks_dir.mkdir()
    (hooks_dir / "version.py").write_text("VERSION = 1\n" + ROUTE)
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    srv.start("--workers=3", f"--hooksDir={hooks_dir}")
    try:
        admin = {"Authorization": srv.auth_token()}
        changed = httpx.patch(f"{srv.url}/api/settings", json={"meta": {"appName": "Renamed"}}, headers=admin)
        assert changed.status_code == 200
        names = {r.json()["meta"]["appName"] for r in _answers(srv, "/api/settings", admin)}
        assert names == {"Renamed"}

        (hooks_dir / "version.py").write_text("VERSION = 2\n" + ROUTE)
        assert eventually(lambda: {r.json()["version"] for r in _answers(srv, "/api/version")} == {2})
    finally:
        srv.stop()
