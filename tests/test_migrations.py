"""Python migrations (spec/hooks.md §4 and §5.9, spec/cli.md "migrate"): the `migrate` command
run as a real process on real files, and automigrate on an app's collection request hooks."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pocketlite.app import App, Config
from pocketlite.cli import _config, _normalize_bool_flags, _parser
from pocketlite.core.collection import Collection, collection_from_dict, merge_input
from pocketlite.core.request_events import CollectionRequestEvent, Exchange, Request
from pocketlite.core.scaffolds import new_collection
from pocketlite.plugins.migratecmd import bind_automigrate
from tests.servers import Server

ROOT = Path(__file__).resolve().parent.parent
LOG_PREFIX = r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} "

BLANK = """from __future__ import annotations

from pocketlite.app import App


async def up(app: App) -> None:
    # add up queries...
    pass


async def down(app: App) -> None:
    # add down queries...
    pass
"""


UPDATED_POSTS = '''"""Updated the "posts" collection."""

from __future__ import annotations

from pocketlite.app import App
from pocketlite.plugins.migratecmd import add_field_at, apply_changes, find_collection, remove_field


async def up(app: App) -> None:
    collection = find_collection(app, "pbc_1125843985")

    # update collection data
    apply_changes(
        collection,
        {
            "listRule": "",
        },
    )

    # remove field
    remove_field(collection, "editor3685223346")

    # add field
    add_field_at(
        collection,
        2,
        {
            "help": "",
            "hidden": False,
            "id": "bool271442091",
            "name": "done",
            "presentable": False,
            "required": False,
            "system": False,
            "type": "bool",
        },
    )

    await app.save(collection)


async def down(app: App) -> None:
    collection = find_collection(app, "pbc_1125843985")

    # update collection data
    apply_changes(
        collection,
        {
            "listRule": None,
        },
    )

    # add field
    add_field_at(
        collection,
        2,
        {
            "convertURLs": False,
            "help": "",
            "hidden": False,
            "id": "editor3685223346",
            "maxSize": 0,
            "name": "body",
            "presentable": False,
            "required": False,
            "system": False,
            "type": "editor",
        },
    )

    # remove field
    remove_field(collection, "bool271442091")

    await app.save(collection)
'''


def doc_examples() -> list[str]:
    """The Python code blocks of docs/migrations.md that are whole migration files."""
    text = (ROOT / "docs" / "migrations.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    return [block for block in blocks if "async def up(app: App)" in block]


ADD_POSTS, RENAME_POSTS = doc_examples()


def migrate(root: Path, *args: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
    """`pocketlite migrate …` on `root/pb_data` (migrations in `root/pb_migrations`), with
    `answer` on stdin (none: stdin closed)."""
    return subprocess.run(
        [sys.executable, "-m", "pocketlite", "migrate", *args, "--dir=pb_data"],
        capture_output=True,
        text=True,
        timeout=60,
        input=answer if answer is not None else "",
        cwd=root,
    )


def query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(root / "pb_data" / "data.db") as conn:
        return conn.execute(sql).fetchall()


def app_rows(root: Path) -> list[str]:
    """The `_migrations` rows that aren't system ones, by file name."""
    return [
        row[0] for row in query(root, "SELECT file FROM _migrations WHERE file NOT LIKE '%.go' ORDER BY file")
    ]


def tables(root: Path) -> set[str]:
    return {row[0] for row in query(root, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def write(root: Path, name: str, source: str) -> Path:
    path = root / "pb_migrations" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- up / down -----------------------------------------------------------------------------------


def test_up_applies_the_cookbook_migration_once_and_records_it(tmp_path: Path) -> None:
    assert ok(migrate(tmp_path)) == "No new migrations to apply.\n"
    write(tmp_path, "1700000000_add_posts.py", ADD_POSTS)
    before = time.time_ns() // 1000
    assert ok(migrate(tmp_path, "up")) == "Applied 1700000000_add_posts.py\n"
    assert query(tmp_path, "SELECT title, published FROM posts") == [("Hello, world", 1)]
    [(applied,)] = query(tmp_path, "SELECT applied FROM _migrations WHERE file = '1700000000_add_posts.py'")
    assert before <= applied <= time.time_ns() // 1000  # microseconds
    assert ok(migrate(tmp_path, "up")) == "No new migrations to apply.\n"

    # The second example of the doc changes that collection.
    write(tmp_path, "1700000001_rename_posts.py", RENAME_POSTS)
    assert ok(migrate(tmp_path)) == "Applied 1700000001_rename_posts.py\n"
    assert query(tmp_path, "SELECT id, title, summary FROM articles")[0][1:] == ("Hello, world", "")
    columns = [row[1] for row in query(tmp_path, "PRAGMA table_info(articles)")]
    assert columns == ["id", "title", "summary"]


def test_down_asks_then_reverts_the_newest_app_migrations_only(tmp_path: Path) -> None:
    write(tmp_path, "1700000000_add_posts.py", ADD_POSTS)
    write(tmp_path, "1700000001_nothing.py", BLANK)
    write(tmp_path, "1700000002_nothing.py", BLANK)
    ok(migrate(tmp_path))
    system = query(tmp_path, "SELECT file, applied FROM _migrations WHERE file LIKE '%.go'")

    cancelled = migrate(tmp_path, "down")  # stdin closed: the default answer, no
    assert cancelled.stdout == "The command has been cancelled\n"
    assert cancelled.stderr == (
        "\n1700000002_nothing.py\nDo you really want to revert the last 1 applied migration(s)? (y/N) "
    )
    assert migrate(tmp_path, "down", answer="n\n").stdout == "The command has been cancelled\n"

    done = migrate(tmp_path, "down", "2", answer="maybe\nyes\n")
    assert ok(done) == "Reverted 1700000002_nothing.py\nReverted 1700000001_nothing.py\n"
    assert done.stderr.count("Do you really want to revert the last 2 applied migration(s)? (y/N) ") == 2
    assert query(tmp_path, "SELECT title, published FROM posts") == [("Hello, world", 1)]
    assert app_rows(tmp_path) == ["1700000000_add_posts.py"]

    assert ok(migrate(tmp_path, "down", "-1", answer="y\n")) == "Reverted 1700000000_add_posts.py\n"
    assert "posts" not in tables(tmp_path)
    assert ok(migrate(tmp_path, "down", answer="y\n")) == "No migrations to revert.\n"
    assert query(tmp_path, "SELECT file, applied FROM _migrations WHERE file LIKE '%.go'") == system


def test_a_failing_migration_rolls_the_whole_batch_back(tmp_path: Path) -> None:
    write(tmp_path, "1700000000_add_posts.py", ADD_POSTS)
    write(tmp_path, "1700000001_boom.py", 'async def up(app):\n    raise RuntimeError("boom")\n')
    done = migrate(tmp_path, "up")
    assert done.returncode == 1 and done.stdout == ""
    message = "failed to apply migration 1700000001_boom.py: RuntimeError: boom (1700000001_boom.py, line 2)"
    assert re.fullmatch(LOG_PREFIX + re.escape(message), done.stderr.strip()), done.stderr
    assert "posts" not in tables(tmp_path)
    assert app_rows(tmp_path) == []

    write(tmp_path, "1700000001_boom.py", "def up(app):\n    pass\n")
    done = migrate(tmp_path, "up")
    assert done.stderr.strip().endswith(
        "failed to apply migration 1700000001_boom.py: up must be an async function (async def up(app): ...)"
    )
    write(tmp_path, "1700000001_boom.py", "async def down(app):\n    raise ValueError('no way back')\n")
    assert ok(migrate(tmp_path)) == "Applied 1700000000_add_posts.py\nApplied 1700000001_boom.py\n"
    done = migrate(tmp_path, "down", "2", answer="y\n")
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "failed to revert migration 1700000001_boom.py: ValueError: no way back (1700000001_boom.py, line 2)"
    )
    assert app_rows(tmp_path) == ["1700000000_add_posts.py", "1700000001_boom.py"]


def test_pocketbase_rows_count_as_applied_and_pending_js_stops_up(tmp_path: Path) -> None:
    ok(migrate(tmp_path))
    write(tmp_path, "1690000000_created_posts.js", "migrate((app) => {})")
    with sqlite3.connect(tmp_path / "pb_data" / "data.db") as conn:
        conn.execute("INSERT INTO _migrations VALUES ('1690000000_created_posts.js', 1690000000)")
        conn.execute("INSERT INTO _migrations VALUES ('1699999999_future_system.go', 1690000000000000)")
    write(tmp_path, "1700000000_nothing.py", BLANK)
    assert ok(migrate(tmp_path)) == "Applied 1700000000_nothing.py\n"

    write(tmp_path, "1700000001_by_hand.js", "migrate((app) => {})")
    write(tmp_path, "1700000002_nothing.py", BLANK)
    done = migrate(tmp_path)
    message = (
        "failed to apply migration 1700000001_by_hand.js: pocketlite runs Python migrations only: "
        "port it to a .py file (see docs/migrations.md)"
    )
    assert done.returncode == 1 and re.fullmatch(LOG_PREFIX + re.escape(message), done.stderr.strip())
    assert "1700000002_nothing.py" not in app_rows(tmp_path)


def test_history_sync_forgets_only_app_migrations_whose_files_are_gone(tmp_path: Path) -> None:
    for name in ("1700000000_a.py", "1700000001_b.py"):
        write(tmp_path, name, BLANK)
    ok(migrate(tmp_path))
    with sqlite3.connect(tmp_path / "pb_data" / "data.db") as conn:
        for file in ("1690000000_gone.js", "1690000001_kept.js", "1699999999_unknown_system.go"):
            conn.execute("INSERT INTO _migrations VALUES (?, 1690000000)", (file,))
    write(tmp_path, "1690000001_kept.js", "migrate((app) => {})")
    (tmp_path / "pb_migrations" / "1700000001_b.py").unlink()
    system = [row[0] for row in query(tmp_path, "SELECT file FROM _migrations WHERE file LIKE '%.go'")]
    assert ok(migrate(tmp_path, "history-sync")) == (
        "The _migrations table was synced with the available migrations.\n"
    )
    assert app_rows(tmp_path) == ["1690000001_kept.js", "1700000000_a.py"]
    assert [
        row[0] for row in query(tmp_path, "SELECT file FROM _migrations WHERE file LIKE '%.go'")
    ] == system
    assert "1699999999_unknown_system.go" in system


# --- create / collections ------------------------------------------------------------------------


def test_create_asks_then_writes_the_blank_template(tmp_path: Path) -> None:
    missing = migrate(tmp_path, "create")
    assert missing.returncode == 1
    assert re.fullmatch(LOG_PREFIX + "missing migration file name", missing.stderr.strip())

    cancelled = migrate(tmp_path, "create", "Add Posts")
    assert cancelled.returncode == 0 and cancelled.stdout == "The command has been cancelled\n"
    assert re.fullmatch(
        r'Do you really want to create migration "pb_migrations/\d+_add_posts\.py"\? \(y/N\) ',
        cancelled.stderr,
    )
    assert not (tmp_path / "pb_migrations").exists()

    done = migrate(tmp_path, "create", "Add Posts", answer="y\n")
    [path] = (tmp_path / "pb_migrations").iterdir()
    assert re.fullmatch(r"\d{10}_add_posts\.py", path.name)
    assert ok(done) == f'Successfully created file "pb_migrations/{path.name}"\n'
    assert path.read_text() == BLANK
    assert ok(migrate(tmp_path)) == f"Applied {path.name}\n"


async def schema(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Every collection's API JSON by name, without its timestamps, read by an app of its own."""
    app = App(Config(data_dir=str(data_dir)))
    await app.start()
    try:
        return {c.name: without_times(c) for c in app.collections()}
    finally:
        await app.stop()


def without_times(collection: Collection) -> dict[str, Any]:
    data = collection.to_api()
    del data["created"], data["updated"]
    return data


async def test_collections_writes_a_snapshot_that_rebuilds_the_schema(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    write(source, "1700000000_add_posts.py", ADD_POSTS)
    ok(migrate(source))
    assert migrate(source, "collections").stdout == "The command has been cancelled\n"
    done = migrate(source, "collections", answer="y\n")
    [path] = (source / "pb_migrations").glob("*_collections_snapshot.py")
    assert ok(done) == f'Successfully created file "pb_migrations/{path.name}"\n'
    assert "await app.import_collections(snapshot, False)" in path.read_text()

    write(target, path.name, path.read_text())
    assert ok(migrate(target)) == f"Applied {path.name}\n"
    assert await schema(target / "pb_data") == await schema(source / "pb_data")
    # `down` does nothing: the collections stay.
    assert ok(migrate(target, "down", answer="y\n")) == f"Reverted {path.name}\n"
    assert "posts" in tables(target)


# --- automigrate ---------------------------------------------------------------------------------


@pytest.fixture()
async def app(tmp_path: Path) -> AsyncIterator[App]:
    running = App(Config(data_dir=str(tmp_path / "pb_data"), automigrate=True))
    await running.start()
    bind_automigrate(running, tmp_path / "pb_migrations")
    yield running
    await running.stop()


def _event(app: App, method: str, collection: Collection) -> CollectionRequestEvent:
    request = Request(method, "http://127.0.0.1/api/collections", "/api/collections")
    return CollectionRequestEvent(Exchange(app, request), collection)


async def api_create(app: App, body: dict[str, Any]) -> Collection:
    """What `POST /api/collections` does: the body merged onto its type's scaffold, saved inside
    `on_collection_create_request`."""
    scaffold = new_collection(body.get("type", ""), body["name"])
    collection = collection_from_dict(merge_input(scaffold.to_dict(), body))

    async def save(e: CollectionRequestEvent) -> None:
        await e.app.save_collection(e.collection, None, generated_id=True)

    await app.on_collection_create_request.trigger(_event(app, "POST", collection), save)
    return collection


async def api_update(app: App, id_or_name: str, body: dict[str, Any]) -> None:
    """What `PATCH /api/collections/{id}` does."""
    original = stored(app, id_or_name)
    collection = collection_from_dict(merge_input(original.to_dict(), body))

    async def save(e: CollectionRequestEvent) -> None:
        await e.app.save_collection(e.collection, original)

    await app.on_collection_update_request.trigger(_event(app, "PATCH", collection), save)


async def api_delete(app: App, id_or_name: str) -> None:
    """What `DELETE /api/collections/{id}` does."""
    found = stored(app, id_or_name)

    async def remove(e: CollectionRequestEvent) -> None:
        await e.app.delete(e.collection)

    await app.on_collection_delete_request.trigger(_event(app, "DELETE", found), remove)


def stored(app: App, name: str) -> Collection:
    found = app.find_collection(name)
    assert found is not None
    return found


def written(tmp_path: Path) -> list[str]:
    """The automigrate files, without their timestamps, in file-name order."""
    folder = tmp_path / "pb_migrations"
    return [path.name.split("_", 1)[1] for path in sorted(folder.iterdir())] if folder.exists() else []


async def test_an_update_writes_its_diff_and_the_reverse(app: App, tmp_path: Path) -> None:
    await api_create(
        app,
        {"name": "posts", "fields": [{"name": "title", "type": "text"}, {"name": "body", "type": "editor"}]},
    )
    id_, title, _ = [f.to_dict() for f in stored(app, "posts").fields]
    await api_update(app, "posts", {"listRule": "", "fields": [id_, title, {"name": "done", "type": "bool"}]})
    [update] = (tmp_path / "pb_migrations").glob("*_updated_posts.py")
    assert update.read_text() == UPDATED_POSTS


async def test_automigrate_writes_created_updated_and_deleted_files(app: App, tmp_path: Path) -> None:
    fields = [{"name": "title", "type": "text"}, {"name": "body", "type": "editor"}]
    posts = await api_create(app, {"name": "posts", "fields": fields})
    [created] = (tmp_path / "pb_migrations").iterdir()
    assert re.fullmatch(r"\d{10}_created_posts\.py", created.name)
    source = created.read_text()
    assert source.startswith(
        '"""Created the "posts" collection."""\n\n'
        "from __future__ import annotations\n\n"
        "from pocketlite.app import App\n"
        "from pocketlite.core.collection import collection_from_dict\n"
        "from pocketlite.plugins.migratecmd import find_collection\n\n\n"
        "async def up(app: App) -> None:\n"
        "    collection = collection_from_dict(\n"
        "        {\n"
        '            "createRule": None,\n'
    )
    assert source.endswith(
        "    await app.save(collection)\n\n\n"
        "async def down(app: App) -> None:\n"
        f'    collection = find_collection(app, "{posts.id}")\n\n'
        "    await app.delete(collection)\n"
    )
    assert '"created"' not in source and '"updated"' not in source
    # The file is applied already: its row was written with it.
    assert app_rows(tmp_path) == [created.name]

    # Only reordering fields, or changing nothing, writes nothing.
    id_, title, body = [f.to_dict() for f in stored(app, "posts").fields]
    await api_update(app, "posts", {"fields": [id_, body, title]})
    await api_update(app, "posts", {})
    assert written(tmp_path) == ["created_posts.py"]

    await api_update(app, "posts", {"listRule": "", "fields": [id_, title, body]})  # order back too
    await api_update(app, "posts", {"fields": [id_, title, {"name": "done", "type": "bool"}]})
    assert written(tmp_path) == ["created_posts.py", "updated_posts.py", "updated_posts.py"]
    first = sorted((tmp_path / "pb_migrations").glob("*_updated_posts.py"))[0].read_text()
    assert '    apply_changes(\n        collection,\n        {\n            "listRule": "",\n' in first
    await api_update(app, "posts", {"listRule": None})
    await api_update(
        app, "posts", {"fields": [id_, {**title, "required": True}, stored(app, "posts").fields[2].to_dict()]}
    )
    title_change = sorted((tmp_path / "pb_migrations").glob("*_updated_posts.py"))[-1]
    up, down = title_change.read_text().split("async def down")
    assert (
        "    # update field\n    add_field_at(\n        collection,\n        1,\n" in up
        and '"required": True' in up
    )
    assert '"required": False' in down and "remove_field" not in up + down

    await api_create(
        app,
        {
            "name": "mytest",
            "type": "auth",
            "oauth2": {
                "enabled": True,
                "providers": [{"name": "google", "clientId": "id", "clientSecret": "s3"}],
            },
        },
    )
    await api_update(app, "mytest", {"oauth2": {"providers": []}})  # providers alone: no file
    await api_update(app, "mytest", {"otp": {"enabled": True}, "mfa": {"enabled": True}})
    scratch = await api_create(app, {"name": "scratch"})
    await api_delete(app, "scratch")
    assert written(tmp_path)[5:] == [
        "created_mytest_.py",
        "updated_mytest_.py",
        "created_scratch.py",
        "deleted_scratch.py",
    ]
    texts = "".join(path.read_text() for path in (tmp_path / "pb_migrations").iterdir())
    assert "google" not in texts and "s3" not in texts and '"providers"' not in texts
    otp = next((tmp_path / "pb_migrations").glob("*_updated_mytest_.py")).read_text()
    assert '            "otp": {\n                "enabled": True,\n            },\n' in otp
    deleted = next((tmp_path / "pb_migrations").glob("*_deleted_scratch.py")).read_text()
    assert deleted.split("async def down")[0].endswith(
        f'    collection = find_collection(app, "{scratch.id}")\n\n    await app.delete(collection)\n\n\n'
    )
    assert app_rows(tmp_path) == sorted(path.name for path in (tmp_path / "pb_migrations").iterdir())


async def test_changes_within_a_second_each_get_a_file_in_their_order(app: App, tmp_path: Path) -> None:
    await api_create(app, {"name": "posts"})
    for rule in ("", "id != ''", "@request.auth.id != ''"):
        await api_update(app, "posts", {"listRule": rule})
    assert written(tmp_path) == ["created_posts.py", *["updated_posts.py"] * 3]
    names = sorted(path.name for path in (tmp_path / "pb_migrations").iterdir())
    stamps = [int(name.split("_")[0]) for name in names]
    assert stamps == sorted(set(stamps))
    assert app_rows(tmp_path) == names


async def test_automigrate_files_replay_the_schema_elsewhere_and_revert(app: App, tmp_path: Path) -> None:
    await api_create(app, {"name": "tags", "fields": [{"name": "label", "type": "text", "max": 30}]})
    await api_create(
        app,
        {
            "name": "posts",
            "listRule": "",
            "fields": [
                {"name": "title", "type": "text", "required": True},
                {"name": "views", "type": "number", "onlyInt": True},
                {"name": "tags", "type": "relation", "collectionId": stored(app, "tags").id},
                {"name": "note", "type": "json"},
            ],
            "indexes": ["CREATE INDEX idx_title ON posts (title)"],
        },
    )
    await api_create(app, {"name": "members", "type": "auth", "fields": [{"name": "nick", "type": "text"}]})
    await api_create(app, {"name": "scratch"})
    fields = [f.to_dict() for f in stored(app, "posts").fields]
    await api_update(
        app,
        "posts",
        {
            "viewRule": "id != ''",
            "fields": [fields[0], {**fields[1], "max": 120}, fields[3], {"name": "body", "type": "editor"}],
        },
    )
    await api_update(
        app,
        "members",
        {
            "passwordAuth": {"identityFields": ["email", "nick"]},
            "indexes": [
                *stored(app, "members").indexes,
                "CREATE UNIQUE INDEX idx_nick ON members (nick)",
            ],
        },
    )
    await api_delete(app, "scratch")
    await api_update(app, "tags", {"name": "labels"})
    expected = {c.name: without_times(c) for c in app.collections()}

    # Generated code is laid out as a formatter would: formatting a project leaves it alone.
    formatted = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "--line-length=110",
            str(tmp_path / "pb_migrations"),
        ],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout

    fresh = tmp_path / "fresh"
    shutil.copytree(tmp_path / "pb_migrations", fresh / "pb_migrations")
    files = sorted(path.name for path in (fresh / "pb_migrations").iterdir())
    assert ok(migrate(fresh)) == "".join(f"Applied {name}\n" for name in files)
    assert await schema(fresh / "pb_data") == expected

    assert ok(migrate(fresh, "down", "-1", answer="y\n")) == "".join(
        f"Reverted {name}\n" for name in reversed(files)
    )
    assert set(await schema(fresh / "pb_data")) == {
        "_authOrigins",
        "_externalAuths",
        "_mfas",
        "_otps",
        "_superusers",
        "users",
    }
    assert {"posts", "labels", "tags", "members", "scratch"}.isdisjoint(tables(fresh))


def test_automigrate_is_on_with_dev_unless_told_otherwise() -> None:
    def automigrate(*argv: str) -> bool:
        return _config(_parser().parse_args(_normalize_bool_flags(["serve", *argv]))).automigrate

    assert automigrate() is False
    assert automigrate("--dev") is True
    assert automigrate("--dev", "--automigrate=false") is False
    assert automigrate("--automigrate") is True
    assert automigrate("--no-automigrate", "--dev") is False


def test_a_dev_server_writes_the_migration_a_fresh_dir_replays_and_down_undoes(tmp_path: Path) -> None:

    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.create_superuser()
    srv.start("--dev", f"--migrationsDir={tmp_path / 'pb_migrations'}")
    try:
        admin = {"Authorization": srv.auth_token()}
        body = {"name": "notes", "listRule": "", "fields": [{"name": "text", "type": "text", "max": 50}]}
        created = httpx.post(f"{srv.url}/api/collections", json=body, headers=admin)
        assert created.status_code == 200, created.text
        made = httpx.get(f"{srv.url}/api/collections/notes", headers=admin).json()
    finally:
        srv.stop()
    [written] = sorted((tmp_path / "pb_migrations").iterdir())
    assert written.name.endswith("_created_notes.py")
    assert app_rows(tmp_path) == [written.name]  # it counts as applied where it was written

    fresh = tmp_path / "fresh"
    shutil.copytree(tmp_path / "pb_migrations", fresh / "pb_migrations")
    assert ok(migrate(fresh)) == f"Applied {written.name}\n"
    replayed = json.loads(
        query(
            fresh,
            "SELECT json_object('listRule', listRule, 'fields', json(fields)) "
            "FROM _collections WHERE name = 'notes'",
        )[0][0]
    )
    assert replayed == {"listRule": made["listRule"], "fields": made["fields"]}
    assert ok(migrate(fresh, "down", answer="y\n")) == f"Reverted {written.name}\n"
    assert "notes" not in tables(fresh)
