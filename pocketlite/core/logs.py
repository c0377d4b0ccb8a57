"""The app's logs (admin-apis.md §3): entries in `auxiliary.db` `_logs`, PocketBase's table, so a
PocketBase data dir's logs read the same.

Writing a log never waits for the database: `Logger` keeps the entries in memory and writes them
in one transaction on `auxiliary.db` a few seconds later (or once 5,000 are waiting), as
PocketBase's batch handler does. `auxiliary.db` has its own writer, so logging never holds up a
write to the data. Python's `logging` is bridged in (`LogBridge`), so library and hook code that
logs the standard way lands here too.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import functools
import logging
import os
import sqlite3
import string
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.events import SettingsReloadEvent, TerminateEvent
from pocketlite.tools.hook import Handler
from pocketlite.tools.security import DEFAULT_ID_ALPHABET
from pocketlite.tools.tasks import fire_and_forget
from pocketlite.tools.types import format_datetime, now

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "CONSOLE_ONLY",
    "DEBUG",
    "ERROR",
    "INFO",
    "LOGS_CLEANUP",
    "WARN",
    "LogBridge",
    "Logger",
    "delete_all_logs",
    "delete_old_logs",
    "encode_data",
]

# Go's slog levels, which `_logs.level` stores.
DEBUG, INFO, WARN, ERROR = -4, 0, 4, 8

LOGS_CLEANUP = "__pbLogsCleanup__"
# `logging` extra flag of records for the console only (what the logs have already).
CONSOLE_ONLY = "console_only"

# When the waiting entries are written: three seconds after the first one, or at once when this
# many are waiting. NB: PocketBase writes every 200; larger batches touch each index page once
# for many entries (the message index is written at random places): measured, 5,000 rows per
# transaction cost 40% less per row than 200, and hold ~2.5 MB at most.
_FLUSH_DELAY = 3.0
_BATCH_SIZE = 5000
# PocketBase's limits of one entry (`Log.DBExport`); `logs.maxDataSize` overrides the second.
_MAX_MESSAGE = 8000
_DEFAULT_MAX_DATA = 16 << 10

_INSERT = (
    "INSERT INTO _logs (id, level, message, data, created)"
    " SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)"
)
_ROWS = msgspec.json.Encoder()
# Go encodes a map with its keys sorted; the stored and answered JSON matches it byte for byte.
_ENCODER = msgspec.json.Encoder(order="sorted")

_log = logging.getLogger("pocketlite")

_Entry = tuple[float, int, str, str]  # when (epoch seconds), level, message, data

# Ids look like PocketBase's (15 characters of [a-z0-9]) but start with the time in base 36, so
# each new one sorts after the last: inserted at the end of the id index instead of at a random
# place in it, a quarter of the cost of writing an entry.
_ID_TABLE = bytes(DEFAULT_ID_ALPHABET[b % len(DEFAULT_ID_ALPHABET)].encode()[0] for b in range(256))
_BASE36 = string.digits + string.ascii_lowercase  # in ASCII order


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


@functools.lru_cache(maxsize=4)
def _id_head(micros_high: int) -> str:
    return _base36(micros_high, 7)


def _new_id(at: float) -> str:
    # 11 base-36 digits of the microseconds (the first 7 change every 1.7 s: cached), 4 random.
    high, low = divmod(int(at * 1_000_000), 36**4)
    return _id_head(high) + _base36(low, 4) + os.urandom(4).translate(_ID_TABLE).decode()


@functools.lru_cache(maxsize=4)
def _second(whole: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(whole))


def _created(at: float) -> str:
    """`2026-11-24 10:35:54.529Z` of an epoch time."""
    whole = int(at)
    return f"{_second(whole)}.{int((at - whole) * 1000):03d}Z"


def encode_data(data: dict[str, Any], max_size: int) -> str:
    """`data` as stored: sorted JSON, cut to the members that fit in `max_size` bytes plus
    `"__pb_truncated__": true` when it is larger (what PocketBase keeps of a truncated entry)."""
    raw = _ENCODER.encode(data)
    if len(raw) <= max_size:
        return raw.decode()
    kept: dict[str, Any] = {}
    size = 1  # "{"
    for key in sorted(data):
        member = len(_ENCODER.encode({key: data[key]})) - 1  # '"key":value' and a "," or "}"
        if size + member > max_size:
            break
        kept[key] = data[key]
        size += member
    kept["__pb_truncated__"] = True
    return _ENCODER.encode(kept).decode()


def _level_name(level: int) -> str:
    names = {DEBUG: "DEBUG", INFO: "INFO", WARN: "WARN", ERROR: "ERROR"}
    return names.get(level, f"[{level}]")


def print_log(level: int, message: str, data: dict[str, Any]) -> None:
    """What `--dev` shows of an entry on the console, as PocketBase prints it: the level and the
    message, then a request's error and details, or any other entry's data."""
    lines = [f"{_level_name(level)} {message}"]
    if data.get("type") == "request":
        padding = 0
        for key in ("error", "details"):
            if data.get(key) is not None:
                lines.append(f"{' ' * padding}└─ {data[key]}")
                padding += 3
    elif data:
        lines.append(f"└─ {data}")
    print("\n".join(lines), file=sys.stderr, flush=True)


class Logger:
    """The app's logger (PocketBase's `app.Logger()`): `app.logger.info("message", key=value)`.

    Entries below `logs.minLevel` are dropped, and every entry when `logs.maxDays` is 0 (logging
    off); with `--dev` each is printed too. Safe to call from any thread."""

    def __init__(self, app: Core) -> None:
        self._app = app
        self._pending: list[_Entry] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._timer: asyncio.TimerHandle | None = None

    def bind(self, app: Core) -> None:
        """Write what waits when the app stops; clean up after a settings change (both as
        PocketBase's logger does, on `on_terminate` and `on_settings_reload`)."""
        app.on_terminate.bind(Handler(self._on_terminate, "__pbAppLoggerOnTerminate__", -999))
        app.on_settings_reload.bind(
            Handler(self._on_settings_reload, "__pbAppLoggerOnSettingsReload__", -999)
        )

    def debug(self, message: str, **data: Any) -> None:
        """A DEBUG entry."""
        self.log(DEBUG, message, data)

    def info(self, message: str, **data: Any) -> None:
        """An INFO entry."""
        self.log(INFO, message, data)

    def warn(self, message: str, **data: Any) -> None:
        """A WARN entry."""
        self.log(WARN, message, data)

    warning = warn

    def error(self, message: str, **data: Any) -> None:
        """An ERROR entry."""
        self.log(ERROR, message, data)

    def log(self, level: int, message: str, data: dict[str, Any], *, echo: bool = True) -> None:
        """Queue one entry; `echo=False` when the console has it already (Python's logging)."""
        if self._app.dev and echo:
            print_log(level, message, data)
        settings = self._app.settings.logs
        if settings.maxDays <= 0 or level < settings.minLevel:
            return
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE]
        stored = encode_data(data, settings.maxDataSize or _DEFAULT_MAX_DATA)
        # The id and the date text are made when the batch is written, off the caller's path.
        entry = (time.time(), level, message, stored)
        if threading.get_ident() == self._thread:
            self._add(entry)
        elif self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._add, entry)

    def start(self) -> None:
        """Attach to the running loop; entries logged before wait for it."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        if self._pending:
            self._schedule()

    def _add(self, entry: _Entry) -> None:
        self._pending.append(entry)
        if self._loop is None:
            return
        if len(self._pending) >= _BATCH_SIZE:
            self._write_soon()
        elif self._timer is None:
            self._schedule()

    def _schedule(self) -> None:
        assert self._loop is not None
        self._timer = self._loop.call_later(_FLUSH_DELAY, self._write_soon)

    def _write_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending and self._app.aux.is_open:
            fire_and_forget(self.flush(), "writing the logs", fresh_context=True)

    async def flush(self) -> None:
        """Write the waiting entries now, in one transaction."""
        entries, self._pending = self._pending, []
        if not entries or not self._app.aux.is_open:
            return
        try:
            try:
                await self._insert(entries)
            except sqlite3.IntegrityError:
                # Another worker took an id in the same microsecond: new random parts.
                await self._insert(entries)
        except Exception as exc:
            # NB: printed, not logged: a log about failing to write logs would only queue again.
            print(f"Failed to write {len(entries)} log entries: {exc!r}", file=sys.stderr)

    async def _insert(self, entries: list[_Entry]) -> None:
        rows = [(_new_id(at), level, message, data, _created(at)) for at, level, message, data in entries]
        # One statement for the whole batch, the rows as one JSON parameter: a statement per row
        # would hand the GIL back and forth with the event loop at every row.
        await self._app.aux.execute(_INSERT, (_ROWS.encode(rows),))

    async def _on_terminate(self, e: TerminateEvent) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()
        await e.next()

    async def _on_settings_reload(self, e: SettingsReloadEvent) -> None:
        await e.next()
        if e.app.aux.is_open:
            # Off the request that noticed the change: the delete may scan the whole table.
            fire_and_forget(_apply_retention(e.app), "cleaning up the logs", fresh_context=True)


async def _apply_retention(app: Core) -> None:
    """Drop what the current settings would not have kept: older than `maxDays`, or below
    `minLevel`; with logging off, give the space back."""
    settings = app.settings.logs
    cutoff = format_datetime(now() - _dt.timedelta(days=settings.maxDays))
    await app.aux.execute("DELETE FROM _logs WHERE created <= ? OR level < ?", (cutoff, settings.minLevel))
    if settings.maxDays == 0:
        await app.aux.vacuum()


async def delete_old_logs(app: Core) -> None:
    """The cleanup job: delete the entries older than `logs.maxDays`."""
    cutoff = format_datetime(now() - _dt.timedelta(days=app.settings.logs.maxDays))
    await app.aux.execute("DELETE FROM _logs WHERE created <= ?", (cutoff,))


async def delete_all_logs(app: Core) -> None:
    """Empty `_logs` and give the space back (`DELETE /api/logs`)."""
    await app.aux.execute("DELETE FROM _logs")
    try:
        await app.aux.vacuum()
    except Exception as exc:
        app.logger.warn("Failed to VACUUM aux database", error=str(exc))


_PY_LEVELS = ((logging.ERROR, ERROR), (logging.WARNING, WARN), (logging.INFO, INFO))


class LogBridge(logging.Handler):
    """Python's `logging` into the app's logs: ERROR and above as ERROR, WARNING as WARN, INFO
    as INFO, the rest as DEBUG; `extra={"data": {...}}` becomes the entry's data, and an
    exception's traceback goes into `data.error`."""

    def __init__(self, logger: Logger) -> None:
        super().__init__()
        self.logger = logger

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("granian") or getattr(record, CONSOLE_ONLY, False):
            return  # granian's access log would repeat the request logs
        try:
            level = next((ours for py, ours in _PY_LEVELS if record.levelno >= py), DEBUG)
            data: dict[str, Any] = dict(getattr(record, "data", None) or {})
            if record.exc_info and record.exc_info[1] is not None:
                data.setdefault("error", repr(record.exc_info[1]))
            self.logger.log(level, record.getMessage(), data, echo=False)
        except Exception:
            self.handleError(record)
