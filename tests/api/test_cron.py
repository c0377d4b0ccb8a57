"""The scheduled jobs run in the server, in exactly one of its workers: the one holding
`pb_data/cron.lock` (read from the kernel's lock table, /proc/locks)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.servers import Server


def _lock_holders(path: Path) -> list[int]:
    """The pids holding a flock on `path`."""
    stat = path.stat()
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        if fields[1] == "FLOCK" and fields[5] == device:
            holders.append(int(fields[4]))
    return holders


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def test_one_worker_of_several_runs_the_jobs(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start("--workers=2")
    try:
        assert server.process is not None
        workers = _children(server.process.pid)
        holders = _lock_holders(fresh_dir / "cron.lock")
        assert len(workers) == 2 and len(holders) == 1 and holders[0] in workers
    finally:
        server.stop()
    assert _lock_holders(fresh_dir / "cron.lock") == []
