"""A pb_hooks file for the backups tests. Beside the data dir it notes each backup hook's event in
`backup_events.txt`; it holds the creation of a backup named `held.zip` for as long as a file
`hold` exists there; and it serves `GET /api/_test/slow`, which notes its start and answers
half a second later."""

from __future__ import annotations

import asyncio

from pocketlite import hooks
from pocketlite.hooks import BackupEvent, RequestEvent


def _note(line: str) -> None:
    with (hooks.app.data_dir.parent / "backup_events.txt").open("a") as out:
        out.write(line + "\n")


@hooks.on_backup_create()
async def noted_create(e: BackupEvent) -> None:
    _note(f"create {e.name or '<generated>'} without {','.join(e.exclude)}")
    while e.name == "held.zip" and (e.app.data_dir.parent / "hold").exists():
        await asyncio.sleep(0.02)
    await e.next()
    _note(f"created {e.name}")


@hooks.on_backup_restore()
async def noted_restore(e: BackupEvent) -> None:
    _note(f"restore {e.name}")
    try:
        await e.next()
    except Exception as exc:
        _note(f"restore failed: {exc}")
        raise
    _note(f"restoring {e.name}")


@hooks.route("GET", "/api/_test/slow")
async def slow(e: RequestEvent) -> None:
    _note("slow request")
    await asyncio.sleep(0.5)
    e.json(200, {"slow": True})
