"""PocketBase's datetime format: `YYYY-MM-DD HH:MM:SS.mmmZ`, always UTC."""

from __future__ import annotations

import datetime as _dt

__all__ = ["format_datetime", "now", "now_string"]


def now() -> _dt.datetime:
    """The current UTC time, truncated to milliseconds like PocketBase stores it."""
    t = _dt.datetime.now(_dt.UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def format_datetime(value: _dt.datetime) -> str:
    """Format an aware datetime as `2026-11-24 10:33:50.485Z` (sub-millisecond digits dropped)."""
    value = value.astimezone(_dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def now_string() -> str:
    """`format_datetime(now())`."""
    return format_datetime(now())
