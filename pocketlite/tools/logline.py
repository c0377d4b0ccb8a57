"""The one-line messages the command line and the server workers print, in Go's `log` format."""

from __future__ import annotations

import time

__all__ = ["describe", "log_line"]


def log_line(message: str) -> str:
    """`YYYY/MM/DD HH:MM:SS <message>`, as PocketBase's CLI prints failures."""
    return time.strftime("%Y/%m/%d %H:%M:%S ") + message


def describe(exc: BaseException) -> str:
    """An exception as one line; an `OSError` names its path as Go's errors do."""
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"{exc.filename}: {exc.strerror[:1].lower()}{exc.strerror[1:]}"
    return str(exc)
