"""Advisory file locks between the processes that share a data dir."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

__all__ = ["try_lock"]


def try_lock(path: Path) -> IO[str] | None:
    """An exclusive lock on `path` (created if missing), held for as long as the returned file
    stays open — also by processes forked meanwhile, which share it; None when another open
    file of the same path holds it."""
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
