"""SQLite access: one writer per database file, readers beside it (DESIGN.md principle 4).

* Writes go through one aiosqlite connection, serialized by an `asyncio.Lock`; every write runs in a
  transaction that commits or rolls back whole. A one-row write (`execute(..., short=True)`) runs
  on the event loop while no other process holds the write lock, as short reads do.
* Short reads run on a plain `sqlite3` connection on the event loop: for primary-key and indexed
  lookups this is the fastest path measured (DESIGN.md, measured facts). Reads that may scan pass
  `heavy=True` and run on a thread with their own connection, interrupted after `--queryTimeout`.
* Inside `transaction()` every read and write of the same task goes through the transaction, so
  code sees its own uncommitted writes; the open transaction travels in a `ContextVar`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

__all__ = ["Database", "Row", "Transaction", "describe_error", "split_statements"]

Row = sqlite3.Row
_T = TypeVar("_T")
Params = Sequence[Any] | dict[str, Any]

_BUSY_TIMEOUT = "PRAGMA busy_timeout = 10000"
PRAGMAS = (
    _BUSY_TIMEOUT,
    "PRAGMA journal_mode = WAL",
    "PRAGMA journal_size_limit = 200000000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32000",
)

_HEAVY_READERS = 4
_SQLITE_BUSY = 5
# The writer's COMMITs leave the write-ahead log alone (see `Database.open`); every this many of
# them, the writer thread checkpoints it (SQLite's own default: after ~1,000 pages).
_CHECKPOINT_EVERY = 100

_log = logging.getLogger("pocketlite")

# sqlite3_errstr() of the primary result codes, for error texts shaped like PocketBase's driver.
_ERRSTR = {
    1: "SQL logic error",
    5: "database is locked",
    6: "database table is locked",
    11: "database disk image is malformed",
    13: "database or disk is full",
    18: "string or blob too big",
    19: "constraint failed",
    20: "datatype mismatch",
    25: "column index out of range",
}


def describe_error(exc: BaseException) -> str:
    """`<errstr>: <message> (<code>)` for SQLite errors, as PocketBase shows raw DB errors."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return str(exc)
    # NB: the text is the primary code's, the number the extended code (1555 for a UNIQUE
    # constraint), as Go's driver prints them.
    return f"{_ERRSTR.get(code & 0xFF, 'SQL logic error')}: {exc} ({code})"


class Transaction:
    """An open write transaction on the writer connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.closed = False
        # Run right before COMMIT, still holding the write lock (so in commit order across
        # processes); an error rolls back.
        self.before_commit: list[Callable[[], Awaitable[None]]] = []
        # Run after COMMIT, in order, once the writer is free again; dropped on rollback. And
        # the reverse, told what failed the transaction.
        self.on_commit: list[Callable[[], Awaitable[None]]] = []
        self.on_rollback: list[Callable[[BaseException], Awaitable[None]]] = []
        # What code staged in this transaction for its own later reads (the collections it
        # saved); dropped with the transaction.
        self.state: dict[str, Any] = {}

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of changed rows."""
        self._check()
        cur = await self._conn.execute(sql, params)
        count = cur.rowcount
        await cur.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each parameter set."""
        self._check()
        await self._conn.executemany(sql, rows)

    async def executescript(self, script: str) -> None:
        """Run several statements (schema changes); no parameters."""
        self._check()
        for statement in split_statements(script):
            await self._conn.execute(statement)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a query, seeing this transaction's writes."""
        self._check()
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query or None."""
        self._check()
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    def _check(self) -> None:
        if self.closed:
            raise RuntimeError("the transaction has already ended")


def _execute_alone(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    """Run on the writer thread: `sql` in its own transaction, rolled back on failure."""
    _begin_waiting(conn)
    return _run_and_commit(conn, sql, params)


def _waiting(conn: sqlite3.Connection, sql: str) -> list[Row]:
    """Run on the writer thread: `sql`, waiting up to the busy timeout for the locks of other
    connections (other processes). The writer otherwise never waits (see `Database.open`)."""
    conn.execute(_BUSY_TIMEOUT)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.execute("PRAGMA busy_timeout = 0")


def _fetch(conn: sqlite3.Connection, sql: str) -> list[Row]:
    return conn.execute(sql).fetchall()


def _begin_waiting(conn: sqlite3.Connection) -> None:
    _waiting(conn, "BEGIN IMMEDIATE")


def _run_and_commit(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    try:
        cursor = conn.execute(sql, params)
        count = cursor.rowcount
        cursor.close()
        conn.commit()  # a failed COMMIT (a full disk) would leave the transaction open
    except BaseException:
        conn.rollback()
        raise
    return count


def _execute_now(conn: sqlite3.Connection, sql: str, params: Params) -> int | None:
    """`_execute_alone` on the calling thread if the write lock is free at once; None when another
    connection (another process) holds it, rather than blocking the thread for the busy timeout."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF == _SQLITE_BUSY:
            return None
        raise
    return _run_and_commit(conn, sql, params)


def split_statements(script: str) -> list[str]:
    """The statements of a script, split at each `;` where SQLite sees a complete statement
    (so not inside a string, a comment or a trigger body)."""
    statements: list[str] = []
    start = 0
    for at, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : at + 1]):
            statements.append(script[start : at + 1].strip())
            start = at + 1
    if script[start:].strip():
        statements.append(script[start:].strip())
    return statements


class Database:
    """One SQLite file: the writer, a loop-side reader and a few thread readers."""

    def __init__(self, path: Path, query_timeout: float = 30.0) -> None:
        self.path = path
        self.query_timeout = query_timeout
        self._writer: aiosqlite.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._heavy: asyncio.Queue[sqlite3.Connection] | None = None
        self._heavy_all: list[sqlite3.Connection] = []
        self._lock = asyncio.Lock()
        self._commits = 0
        self._tx: ContextVar[Transaction | None] = ContextVar(f"tx:{path}", default=None)

    async def open(self) -> None:
        """Open the writer and the loop-side reader; creates the file if missing."""
        # A file SQLite can't open at all must fail here: aiosqlite's thread would report the
        # failure to an event loop that is closed by then (a traceback at exit).
        sqlite3.connect(self.path).close()
        # Not tied to its thread: a short write runs it on the loop (`execute`), while holding
        # the lock that keeps every other use of it out.
        self._writer = await aiosqlite.connect(self.path, isolation_level=None, check_same_thread=False)
        self._writer.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await self._writer.execute(pragma)
        # The writer never waits for another process's lock on its own: a write that may wait
        # runs on the writer thread and asks for the wait itself (`_waiting`), so one on the loop
        # fails at once instead of blocking it. Nor does its COMMIT checkpoint the write-ahead
        # log (SQLite's automatic checkpoint would hold the loop for milliseconds, ~15 ms seen):
        # the writer thread does, every `_CHECKPOINT_EVERY` commits (`_committed`).
        await self._writer.execute("PRAGMA busy_timeout = 0")
        await self._writer.execute("PRAGMA wal_autocheckpoint = 0")
        self._reader = self._connect_reader()

    def _connect_reader(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            if "journal_mode" not in pragma:
                conn.execute(pragma)
        conn.execute("PRAGMA query_only = ON")
        return conn

    async def close(self) -> None:
        """Close every connection (waits for the writer lock)."""
        async with self._lock:
            if self._writer is not None:
                await self._writer.close()
                self._writer = None
        for conn in [self._reader, *self._heavy_all]:
            if conn is not None:
                conn.close()
        self._reader, self._heavy, self._heavy_all = None, None, []

    async def checkpoint(self, *, optimize: bool = False) -> None:
        """Move the write-ahead log into the database file and truncate it; with `optimize`,
        let SQLite refresh the statistics its planner uses (PocketBase's nightly job)."""
        assert self._writer is not None, "database is not open"
        async with self._lock:
            await self._on_writer(_waiting, "PRAGMA wal_checkpoint(TRUNCATE)")
            if optimize:
                await self._on_writer(_waiting, "PRAGMA optimize")  # may write (ANALYZE)

    async def vacuum(self) -> None:
        """Rebuild the file to give the space of deleted rows back (not inside a transaction)."""
        assert self._writer is not None, "database is not open"
        async with self._lock:
            await self._on_writer(_waiting, "VACUUM")

    @property
    def is_open(self) -> bool:
        """Whether `open()` ran and `close()` did not yet."""
        return self._writer is not None

    @property
    def in_transaction(self) -> bool:
        """Whether the current task runs inside `transaction()`."""
        return self._tx.get() is not None

    @contextlib.asynccontextmanager
    async def transaction(self, *, discard: bool = False) -> AsyncIterator[Transaction]:
        """A write transaction; nested use in the same task joins the outer one. `discard=True`
        rolls it back at the end even on success (dry runs).

        Once it ends and the writer is free, the callbacks queued with `after_commit` (or
        `after_rollback`) run: they may write again. A failing commit callback fails the block
        (after the others ran), as PocketBase joins the errors of its deferred hooks onto the
        transaction's."""
        outer = self._tx.get()
        if outer is not None:
            if discard:
                raise RuntimeError("a discarded transaction can't join an outer one")
            yield outer
            return
        assert self._writer is not None, "database is not open"
        failure: BaseException | None = None
        async with self._lock:
            tx = Transaction(self._writer)
            token = self._tx.set(tx)
            await self._on_writer(_begin_waiting)
            try:
                yield tx
                if not discard:
                    for prepare in tx.before_commit:
                        await prepare()
            except BaseException as exc:
                await self._writer.rollback()
                failure = exc
            else:
                try:
                    if discard:
                        await self._writer.rollback()
                    else:
                        await self._writer.commit()
                        await self._committed()
                except BaseException as exc:
                    # A failed COMMIT (a full disk) leaves the transaction open.
                    with contextlib.suppress(Exception):
                        await self._writer.rollback()
                    failure = exc
            finally:
                tx.closed = True
                self._tx.reset(token)
        if failure is not None or discard:
            error = failure or RuntimeError("the transaction was discarded")
            for undo in tx.on_rollback:
                try:
                    await undo(error)
                except Exception:
                    _log.exception("a rollback callback failed")
            if failure is not None:
                raise failure
            return
        errors: list[Exception] = []
        for callback in tx.on_commit:
            try:
                await callback()
            except Exception as exc:
                errors.append(exc)
        for extra in errors[1:]:
            _log.error("an after-commit callback failed too: %r", extra)
        if errors:
            raise errors[0]

    def current_transaction(self) -> Transaction | None:
        """The transaction the current task runs in, if any."""
        return self._tx.get()

    async def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once the current transaction commits (never if it rolls back); at
        once when no transaction is open, the last write having committed already."""
        tx = self._tx.get()
        if tx is None:
            await callback()
        else:
            tx.on_commit.append(callback)

    def before_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` right before the current transaction commits, while it still holds the
        write lock: what it does happens in commit order, whichever process commits. It may
        veto the commit by raising."""
        tx = self._tx.get()
        if tx is None:
            raise RuntimeError("before_commit needs an open transaction")
        tx.before_commit.append(callback)

    def after_rollback(self, callback: Callable[[BaseException], Awaitable[None]]) -> None:
        """Run `callback` if the current transaction rolls back; nothing outside a transaction
        (a single statement that failed raised to its caller already)."""
        tx = self._tx.get()
        if tx is not None:
            tx.on_rollback.append(callback)

    async def execute(self, sql: str, params: Params = (), *, short: bool = False) -> int:
        """One write statement in its own transaction (or the current one). `short=True` for a
        write of one row by its key: it runs on the loop when no other process holds the write
        lock (the trip to the writer thread and back costs more CPU than such a write)."""
        outer = self._tx.get()
        if outer is not None:
            return await outer.execute(sql, params)
        assert self._writer is not None, "database is not open"
        async with self._lock:
            done = _execute_now(self._writer._conn, sql, params) if short else None
            if done is None:
                # NB: one trip to the writer thread for BEGIN, the statement and COMMIT (three
                # aiosqlite calls cost three thread hops: a third of a single-row create).
                done = await self._on_writer(_execute_alone, sql, params)
            await self._committed()
            return done

    async def _on_writer(self, function: Callable[..., _T], *args: Any) -> _T:
        """`function(writer connection, *args)` on the writer thread, in one trip."""
        assert self._writer is not None, "database is not open"
        result: _T = await self._writer._execute(function, self._writer._conn, *args)  # type: ignore[no-untyped-call]
        return result

    async def _committed(self) -> None:
        """Count a commit of the writer (its lock held); every `_CHECKPOINT_EVERY`, checkpoint
        the write-ahead log on the writer thread. A checkpoint that fails fails no write: the
        next one takes over."""
        self._commits += 1
        if self._commits % _CHECKPOINT_EVERY == 0:
            try:
                await self._on_writer(_fetch, "PRAGMA wal_checkpoint(PASSIVE)")  # never waits
            except sqlite3.Error:
                _log.exception("a checkpoint of %s failed", self.path.name)

    async def fetch_all(self, sql: str, params: Params = (), *, heavy: bool = False) -> list[Row]:
        """Rows of a read query; `heavy=True` for queries that may scan."""
        tx = self._tx.get()
        if tx is not None:
            return await tx.fetch_all(sql, params)
        if heavy:
            return await self._run_heavy(sql, params)
        assert self._reader is not None, "database is not open"
        return self._reader.execute(sql, params).fetchall()

    def data_version(self) -> int:
        """SQLite's `PRAGMA data_version` on the reader: it changes after any other connection
        (this process's writer or another process) commits, and costs no I/O to ask."""
        assert self._reader is not None, "database is not open"
        row = self._reader.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a short read query, or None."""
        tx = self._tx.get()
        if tx is not None:
            return await tx.fetch_one(sql, params)
        assert self._reader is not None, "database is not open"
        row: Row | None = self._reader.execute(sql, params).fetchone()
        return row

    async def _run_heavy(self, sql: str, params: Params) -> list[Row]:
        if self._heavy is None:
            self._heavy = asyncio.Queue()
            for _ in range(_HEAVY_READERS):
                conn = self._connect_reader()
                self._heavy_all.append(conn)
                self._heavy.put_nowait(conn)
        conn = await self._heavy.get()
        try:
            task = asyncio.to_thread(lambda: conn.execute(sql, params).fetchall())
            try:
                return await asyncio.wait_for(task, self.query_timeout)
            except TimeoutError:
                conn.interrupt()
                raise
        finally:
            self._heavy.put_nowait(conn)
