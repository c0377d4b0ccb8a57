"""The scheduled jobs run in the server, in exactly one of its workers: the one holding
`pb_data/cron.lock` (read from the kernel's lock table, /proc/locks)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.servers import Server, child_pids


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


def test_one_worker_of_several_runs_the_jobs(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start("--workers=2")
    try:
        assert server.process is not None
        workers = child_pids(server.process.pid)
        holders = _lock_holders(fresh_dir / "cron.lock")
        assert len(workers) == 2 and len(holders) == 1 and holders[0] in workers
    finally:
        server.stop()
    assert _lock_holders(fresh_dir / "cron.lock") == []
