"""The SQLite layer: one serialized writer, whole-or-nothing transactions, readers beside it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pocketlite.core.db import Database


@pytest.fixture()
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "test.db", query_timeout=0.2)
    await database.open()
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    yield database
    await database.close()


async def _count(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) FROM t")
    assert row is not None
    return int(row[0])


async def test_a_failed_transaction_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (1)")
            await tx.execute("INSERT INTO t (n) VALUES (2)")
            raise RuntimeError("boom")
    assert await _count(db) == 0


async def test_a_constraint_failure_rolls_back_earlier_statements(db: Database) -> None:
    with pytest.raises(Exception, match="NOT NULL"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (1)")
            await tx.execute("INSERT INTO t (n) VALUES (NULL)")
    assert await _count(db) == 0


async def test_nested_transactions_join_the_outer_one(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO t (n) VALUES (1)")
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO t (n) VALUES (2)")
            assert await _count(db) == 2  # reads inside see the transaction's own writes
            raise RuntimeError("boom")
    assert await _count(db) == 0


async def test_readers_outside_do_not_see_uncommitted_writes(db: Database) -> None:
    seen_outside: list[int] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (1)")
            inside.set()
            await release.wait()

    async def reader() -> None:
        await inside.wait()
        seen_outside.append(await _count(db))
        release.set()

    await asyncio.gather(writer(), reader())
    assert seen_outside == [0]
    assert await _count(db) == 1


async def test_concurrent_transactions_are_serialized(db: Database) -> None:
    await db.execute("INSERT INTO t (id, n) VALUES (1, 0)")

    async def increment() -> None:
        async with db.transaction() as tx:
            row = await tx.fetch_one("SELECT n FROM t WHERE id = 1")
            assert row is not None
            await asyncio.sleep(0)  # another task would interleave here without the writer lock
            await tx.execute("UPDATE t SET n = ? WHERE id = 1", (row[0] + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    row = await db.fetch_one("SELECT n FROM t WHERE id = 1")
    assert row is not None and row[0] == 50


async def test_heavy_reads_run_on_threads_and_are_interrupted_after_the_timeout(db: Database) -> None:
    await db.execute("INSERT INTO t (n) VALUES (7)")
    assert [tuple(r) for r in await db.fetch_all("SELECT n FROM t", heavy=True)] == [(7,)]
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
    with pytest.raises(TimeoutError):
        await db.fetch_all(endless, heavy=True)
    assert [tuple(r) for r in await db.fetch_all("SELECT n FROM t", heavy=True)] == [(7,)]


async def test_the_loop_side_reader_is_read_only(db: Database) -> None:
    with pytest.raises(Exception, match=r"readonly|query_only|attempt to write"):
        await db.fetch_all("INSERT INTO t (n) VALUES (1)")


async def test_before_commit_runs_inside_the_transaction_and_can_veto_it(
    db: Database, tmp_path: Path
) -> None:
    seen: list[int] = []
    other = sqlite3.connect(tmp_path / "test.db")

    async def check() -> None:
        # Still uncommitted: another connection doesn't see the row yet.
        seen.append(other.execute("SELECT COUNT(*) FROM t").fetchone()[0])

    async with db.transaction() as tx:
        await tx.execute("INSERT INTO t (n) VALUES (1)")
        db.before_commit(check)
    assert seen == [0] and await _count(db) == 1

    rolled_back: list[str] = []

    async def veto() -> None:
        raise RuntimeError("no")

    async def undo(error: BaseException) -> None:
        rolled_back.append(str(error))

    with pytest.raises(RuntimeError, match="no"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (2)")
            db.before_commit(veto)
            db.after_rollback(undo)
    assert rolled_back == ["no"] and await _count(db) == 1
    other.close()


async def test_before_commit_needs_a_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        db.before_commit(_nothing)


async def _nothing() -> None:
    return None


async def test_a_short_write_commits_alone_or_rolls_back_whole(db: Database) -> None:
    assert await db.execute("INSERT INTO t (id, n) VALUES (1, 1)", short=True) == 1
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO t (id, n) VALUES (1, 2)", short=True)
    assert await db.execute("UPDATE t SET n = 3 WHERE id = 1", short=True) == 1
    assert [tuple(r) for r in await db.fetch_all("SELECT id, n FROM t")] == [(1, 3)]


async def test_a_short_write_waits_off_the_loop_while_another_process_writes(
    db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (n) VALUES (1)")
    write = asyncio.ensure_future(db.execute("INSERT INTO t (n) VALUES (2)", short=True))
    await asyncio.sleep(0.2)  # the loop runs meanwhile: the write waits on the writer thread
    assert not write.done()
    other.execute("COMMIT")
    assert await write == 1
    assert await _count(db) == 2
    other.close()


async def test_short_writes_go_on_past_their_checkpoints(db: Database) -> None:
    for n in range(250):  # the writer thread checkpoints every hundred of them
        await db.execute("INSERT INTO t (n) VALUES (?)", (n,), short=True)
    assert await _count(db) == 250


async def test_a_transaction_waits_off_the_loop_while_another_process_writes(
    db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (n) VALUES (1)")

    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (2)")

    pending = asyncio.ensure_future(write())
    await asyncio.sleep(0.2)  # the loop runs meanwhile: BEGIN waits on the writer thread
    assert not pending.done()
    other.execute("COMMIT")
    await pending
    assert await _count(db) == 2
    other.close()


async def test_the_write_ahead_log_is_checkpointed_every_hundred_commits(
    db: Database, tmp_path: Path
) -> None:
    wal = tmp_path / "test.db-wal"
    for n in range(400):  # short writes and transactions alike count
        if n % 2:
            await db.execute("INSERT INTO t (n) VALUES (?)", (n,), short=True)
        else:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (n) VALUES (?)", (n,))
    # Each commit appends a page or more: 400 of them without a checkpoint would need 400+
    # pages; checkpointed, the log starts over and holds about a hundred commits at most.
    page = (await db.fetch_all("PRAGMA page_size"))[0][0]
    assert wal.stat().st_size < 250 * page
    assert await _count(db) == 400


async def test_the_nightly_checkpoint_waits_while_another_process_writes(
    db: Database, tmp_path: Path
) -> None:
    await db.execute("INSERT INTO t (n) VALUES (1)")
    other = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (n) VALUES (2)")
    pending = asyncio.ensure_future(db.checkpoint(optimize=True))
    await asyncio.sleep(0.2)
    assert not pending.done()
    other.execute("COMMIT")
    await pending  # no "database is locked"
    assert await _count(db) == 2
    other.close()
