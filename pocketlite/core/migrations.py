"""Runs migrations once each, recording them in `_migrations` (file name, unix microseconds).

Two lists, as in PocketBase (spec/hooks.md §4 and §5.9): the system migrations
(`pocketlite.migrations`, applied over the raw databases on every start) and the app's own
`pb_migrations/<unix>_<name>.py` files, each defining `async def up(app)` and optionally
`async def down(app)`. App migrations run in file-name order (a string sort), every pending one
in one transaction over `data.db`: the first error rolls the whole batch back.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pocketlite.core.db import Database
from pocketlite.core.errors import ApiError, ValidationErrors

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "APP_MIGRATION_SUFFIXES",
    "Migration",
    "MigrationError",
    "app_migration_files",
    "apply_app_migrations",
    "last_applied_app_migrations",
    "revert_app_migrations",
    "run_migrations",
    "sync_app_migration_history",
]


class Migration(NamedTuple):
    """One step. `covers` names PocketBase migrations whose end state this one creates directly,
    so they are recorded too and a data dir looks the same to either server."""

    file: str
    up: Callable[[Database, Database], Awaitable[None]]
    covers: tuple[str, ...] = ()


# `_migrations` rows of app migrations: pocketlite's files and PocketBase's JS ones. System
# migrations, PocketBase's and pocketlite's alike, are named `….go`.
APP_MIGRATION_SUFFIXES = (".py", ".js", ".ts")

_CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS `_migrations` "
    "(file VARCHAR(255) PRIMARY KEY NOT NULL, applied INTEGER NOT NULL)"
)
_INSERT = "INSERT INTO _migrations (file, applied) VALUES (?, ?)"

AppStep = Callable[["Core"], Awaitable[None]]


class MigrationError(Exception):
    """A migration that could not be applied or reverted; the message names its file."""


def _now() -> int:
    return time.time_ns() // 1000


async def run_migrations(data: Database, aux: Database, migrations: Sequence[Migration]) -> list[str]:
    """Apply the pending `migrations` in order, all in one transaction; returns the applied files."""
    await data.execute(_CREATE_TABLE)
    rows = await data.fetch_all("SELECT file FROM _migrations")
    done = {r["file"] for r in rows}
    applied: list[str] = []
    # `up` receives the databases; its writes on `data` join this one transaction.
    async with data.transaction() as tx:
        for migration in migrations:
            if migration.file in done:
                continue
            await migration.up(data, aux)
            for file in (migration.file, *migration.covers):
                if file not in done:
                    await tx.execute(_INSERT, (file, _now()))
                    done.add(file)
            applied.append(migration.file)
    return applied


# --- app migrations ------------------------------------------------------------------------------


def app_migration_files(directory: Path) -> list[Path]:
    """The migration files of `directory` (`.py`, and PocketBase's `.js`/`.ts`) sorted by name;
    none when it doesn't exist. Names starting with `_` or `.` (`__init__.py`) are not
    migrations."""
    if not directory.is_dir():
        return []
    found = [
        path
        for path in directory.iterdir()
        if path.suffix in APP_MIGRATION_SUFFIXES and not path.name.startswith(("_", ".")) and path.is_file()
    ]
    return sorted(found, key=lambda path: path.name)


def _load(path: Path) -> tuple[AppStep | None, AppStep | None]:
    """Import a migration file; returns its `up` and `down` (None when not defined)."""
    if path.suffix != ".py":
        # NB: spec/hooks.md §5.9 would translate PocketBase's four generated JS shapes; until
        # then a pending JS file stops the batch rather than being skipped without a word.
        raise MigrationError(
            "pocketlite runs Python migrations only: port it to a .py file (see docs/migrations.md)"
        )
    name = f"pb_migrations.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise MigrationError(f"can't import {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered, as an import would, so code in the module that looks itself up works.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    steps: list[AppStep | None] = []
    for attr in ("up", "down"):
        step = getattr(module, attr, None)
        if step is not None and not inspect.iscoroutinefunction(step):
            raise MigrationError(f"{attr} must be an async function (async def {attr}(app): ...)")
        steps.append(step)
    return steps[0], steps[1]


def _describe(exc: BaseException, path: Path) -> str:
    """The error of a migration as one line: pocketlite's own errors by their message, others
    with their type, and the line of the migration file it came from."""
    if isinstance(exc, MigrationError | ApiError | ValidationErrors):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    where = os.path.normpath(os.path.abspath(path))
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(exc.__traceback__)
        if os.path.normpath(frame.filename) == where
    ]
    return f"{text} ({path.name}, line {lines[-1]})" if lines else text


async def apply_app_migrations(app: Core, directory: Path) -> list[str]:
    """Apply the pending migrations of `directory` in file-name order, all in one transaction
    over `data.db`; returns the applied file names. A failure rolls every one of them back and
    raises `MigrationError("failed to apply migration <file>: <error>")`. Rows of PocketBase's
    `.js` migrations applied already count as applied."""
    await app.data.execute(_CREATE_TABLE)
    files = app_migration_files(directory)
    applied: list[str] = []
    async with app.data.transaction() as tx:
        done = {row["file"] for row in await tx.fetch_all("SELECT file FROM _migrations")}
        for path in files:
            if path.name in done:
                continue
            try:
                up, _ = _load(path)
                if up is not None:
                    await up(app)
            except Exception as exc:
                raise MigrationError(
                    f"failed to apply migration {path.name}: {_describe(exc, path)}"
                ) from exc
            await tx.execute(_INSERT, (path.name, _now()))
            applied.append(path.name)
    return applied


async def last_applied_app_migrations(app: Core, directory: Path, count: int) -> list[str]:
    """The `count` most recently applied `.py` migrations of `directory`, newest first."""
    files = [path.name for path in app_migration_files(directory) if path.suffix == ".py"]
    if count <= 0 or not files:
        return []
    await app.data.execute(_CREATE_TABLE)
    marks = ", ".join("?" for _ in files)
    # NB: PocketBase's ordering: old rows hold seconds, newer ones microseconds, and the padded
    # prefix compares both alike.
    rows = await app.data.fetch_all(
        f"SELECT file FROM _migrations WHERE applied IS NOT NULL AND file IN ({marks}) "
        "ORDER BY substr(applied || '0000000000000000', 0, 17) DESC, file DESC LIMIT ?",
        (*files, count),
    )
    return [row["file"] for row in rows]


async def revert_app_migrations(app: Core, directory: Path, count: int) -> list[str]:
    """Revert the `count` most recently applied app migrations (never system ones), newest
    first, in one transaction; returns the reverted file names. A failure rolls every one back
    and raises `MigrationError("failed to revert migration <file>: <error>")`."""
    names = await last_applied_app_migrations(app, directory, count)
    reverted: list[str] = []
    async with app.data.transaction() as tx:
        for name in names:
            path = directory / name
            try:
                _, down = _load(path)
                if down is not None:
                    await down(app)
            except Exception as exc:
                raise MigrationError(f"failed to revert migration {name}: {_describe(exc, path)}") from exc
            await tx.execute("DELETE FROM _migrations WHERE file = ?", (name,))
            reverted.append(name)
    return reverted


async def sync_app_migration_history(app: Core, directory: Path) -> list[str]:
    """Forget the applied app migrations whose files are gone from `directory`; returns them.
    System rows stay, whether pocketlite knows them or not (PocketBase would drop those too)."""
    await app.data.execute(_CREATE_TABLE)
    present = {path.name for path in app_migration_files(directory)}
    rows = await app.data.fetch_all("SELECT file FROM _migrations")
    gone = [
        row["file"]
        for row in rows
        if row["file"].endswith(APP_MIGRATION_SUFFIXES) and row["file"] not in present
    ]
    async with app.data.transaction() as tx:
        for file in gone:
            await tx.execute("DELETE FROM _migrations WHERE file = ?", (file,))
    return gone
