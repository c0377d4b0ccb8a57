"""A fresh data dir is PocketBase's fresh data dir: same tables, indexes, system collections,
settings and migration history, compared against the real binary's bootstrap."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pocketlite.app import App, Config
from tests.servers import pocketbase_binary

# Generated per data dir: token secrets, timestamps.
SECRET_KEYS = {"secret"}
TIME_KEYS = {"created", "updated"}


@pytest.fixture(scope="module")
def pocketbase_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("pocketbase") / "pb_data"
    # Any command bootstraps the data dir; `superuser delete` of nobody changes nothing else.
    subprocess.run(
        [pocketbase_binary(), "superuser", "delete", "x@example.com", f"--dir={data_dir}"], check=True
    )
    return data_dir


@pytest.fixture(scope="module")
def pocketlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("pocketlite") / "pb_data"

    async def bootstrap() -> None:
        app = App(Config(data_dir=str(data_dir)))
        await app.start()
        await app.stop()

    asyncio.run(bootstrap())
    return data_dir


def _schema(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    # Statistics tables come from PocketBase's periodic ANALYZE, not from the schema.
    return {name: re.sub(r"[\s`]", "", sql) for name, sql in rows if not name.startswith("sqlite_stat")}


def _rows(db: Path, sql: str) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<masked>" if k in SECRET_KEYS | TIME_KEYS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _collections(db: Path) -> list[dict[str, Any]]:
    rows = _rows(db, "SELECT * FROM _collections ORDER BY rowid")
    for row in rows:
        for column in ("fields", "indexes", "options"):
            row[column] = json.loads(row[column])
    return [_mask(row) for row in rows]


@pytest.mark.parametrize("db", ["data.db", "auxiliary.db"])
def test_tables_and_indexes_match(pocketbase_dir: Path, pocketlite_dir: Path, db: str) -> None:
    assert _schema(pocketlite_dir / db) == _schema(pocketbase_dir / db)


def test_system_collections_match(pocketbase_dir: Path, pocketlite_dir: Path) -> None:
    ours, theirs = _collections(pocketlite_dir / "data.db"), _collections(pocketbase_dir / "data.db")
    assert [c["name"] for c in ours] == [c["name"] for c in theirs]
    for mine, real in zip(ours, theirs, strict=True):
        assert mine == real, mine["name"]


def test_the_superusers_collection_has_the_id_the_sdk_hardcodes(pocketlite_dir: Path) -> None:
    rows = _rows(pocketlite_dir / "data.db", "SELECT id, name FROM _collections WHERE type = 'auth'")
    assert {r["name"]: r["id"] for r in rows} == {"_superusers": "pbc_3142635823", "users": "_pb_users_auth_"}


def test_default_settings_match(pocketbase_dir: Path, pocketlite_dir: Path) -> None:
    query = "SELECT id, value FROM _params"
    ours = {r["id"]: json.loads(r["value"]) for r in _rows(pocketlite_dir / "data.db", query)}
    theirs = {r["id"]: json.loads(r["value"]) for r in _rows(pocketbase_dir / "data.db", query)}
    assert ours == theirs


def test_migration_history_matches(pocketbase_dir: Path, pocketlite_dir: Path) -> None:
    query = "SELECT file FROM _migrations ORDER BY file"
    assert _rows(pocketlite_dir / "data.db", query) == _rows(pocketbase_dir / "data.db", query)


def test_data_dir_layout(pocketlite_dir: Path) -> None:
    assert (pocketlite_dir / "storage").is_dir()
    for db in ("data.db", "auxiliary.db"):
        with sqlite3.connect(pocketlite_dir / db) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_starting_again_changes_nothing(pocketlite_dir: Path) -> None:
    before = (
        _rows(pocketlite_dir / "data.db", "SELECT * FROM _collections"),
        _schema(pocketlite_dir / "data.db"),
    )
    applied = _rows(pocketlite_dir / "data.db", "SELECT * FROM _migrations")

    async def restart() -> None:
        app = App(Config(data_dir=str(pocketlite_dir)))
        await app.start()
        await app.stop()

    asyncio.run(restart())
    after = (
        _rows(pocketlite_dir / "data.db", "SELECT * FROM _collections"),
        _schema(pocketlite_dir / "data.db"),
    )
    assert after == before
    assert _rows(pocketlite_dir / "data.db", "SELECT * FROM _migrations") == applied


def test_settings_encrypted_by_pocketbase_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("PB_SETTINGS_KEY", key)
    data_dir = tmp_path / "pb_data"
    subprocess.run(
        [
            pocketbase_binary(),
            "superuser",
            "ips",
            "10.9.8.7",
            f"--dir={data_dir}",
            "--encryptionEnv=PB_SETTINGS_KEY",
        ],
        check=True,
        capture_output=True,
    )
    stored = _rows(data_dir / "data.db", "SELECT value FROM _params")[0]["value"]
    assert "10.9.8.7" not in stored

    async def read() -> list[str]:
        app = App(Config(data_dir=str(data_dir), encryption_env="PB_SETTINGS_KEY"))
        await app.start()
        await app.stop()
        return app.settings.superuserIPs

    assert asyncio.run(read()) == ["10.9.8.7"]
