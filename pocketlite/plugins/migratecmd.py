"""Python migrations from the command line and from the dashboard (spec/hooks.md §4 and §5.9,
spec/cli.md "migrate"): the `migrate` command, automigrate, the templates both write, and the
helpers the written files call.

Automigrate binds the collection create/update/delete request hooks, so only schema changes made
through the API (the dashboard) write a file; changes made by imports, code or migrations don't.
Each file is recorded in `_migrations` as it is written, since the change it describes is
already applied.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec

from pocketlite.core.collection import Collection, collection_from_dict, merge_input
from pocketlite.core.fields import field_from_dict
from pocketlite.core.fields.base import default_field_id
from pocketlite.core.migrations import (
    MigrationError,
    app_migration_files,
    apply_app_migrations,
    last_applied_app_migrations,
    revert_app_migrations,
    sync_app_migration_history,
)
from pocketlite.core.request_events import CollectionRequestEvent
from pocketlite.tools.hook import Handler
from pocketlite.tools.inflector import snakecase

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "add_field_at",
    "apply_changes",
    "bind_automigrate",
    "find_collection",
    "migrate_command",
    "remove_field",
]

# --- what migration files call -------------------------------------------------------------------


def find_collection(app: Core, id_or_name: str) -> Collection:
    """The stored collection with this id or name, as a copy the migration may change before
    saving it (the app's own stays as stored until the save succeeds); `LookupError` when
    missing, as PocketBase's `findCollectionByNameOrId` fails."""
    found = app.find_collection(id_or_name)
    if found is None:
        raise LookupError(f'missing collection "{id_or_name}"')
    return Collection.from_row(found.to_row())


def apply_changes(collection: Collection, changes: dict[str, Any]) -> None:
    """Merge collection JSON onto `collection` in place, as PocketBase's `unmarshal(changes,
    collection)`: objects merge key by key, other values (lists too) replace, `None` clears a
    rule."""
    changed = collection_from_dict(merge_input(collection.to_dict(), changes))
    for slot in Collection.__slots__:
        setattr(collection, slot, getattr(changed, slot))


def remove_field(collection: Collection, field_id: str) -> None:
    """Drop the field with this id (PocketBase's `fields.removeById`); a missing one is no
    error."""
    collection.fields = [f for f in collection.fields if f.id != field_id]


def add_field_at(collection: Collection, index: int, data: dict[str, Any]) -> None:
    """Insert a field from its JSON at `index`, moving and replacing the field with the same id
    (PocketBase's `fields.addAt`). A field without an id takes the id of the same-named field, or
    a new default one; a negative index replaces in place or appends."""
    field = field_from_dict(data)
    fields = collection.fields
    if not field.id:
        same_name = next((f for f in fields if field.name and f.name == field.name), None)
        field.id = (
            same_name.id if same_name is not None else _free_field_id(collection, field.type, field.name)
        )
    existing = next((i for i, f in enumerate(fields) if f.id == field.id), None)
    if existing is not None and index < 0:
        fields[existing] = field
        return
    if existing is not None:
        del fields[existing]
    fields.insert(len(fields) if index < 0 else min(index, len(fields)), field)


def _free_field_id(collection: Collection, type_: str, name: str) -> str:
    base_id = default_field_id(type_, name)
    taken = {f.id for f in collection.fields}
    candidate, n = base_id, 2
    while candidate in taken and n < 1000:
        candidate, n = f"{base_id}{n}", n + 1
    return candidate


# --- templates -----------------------------------------------------------------------------------


def _literal(value: Any, indent: str = "") -> str:
    """`value` (JSON data) as a Python literal: dicts with sorted keys, one item a line with a
    trailing comma, strings double-quoted as in JSON, and `None`/`True`/`False`."""
    inner = indent + "    "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_string(k)}: {_literal(v, inner)}," for k, v in sorted(value.items())]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "\n".join(f"{inner}{_literal(v, inner)}," for v in value) + f"\n{indent}]"
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"not JSON data: {value!r}")


def _string(text: str) -> str:
    """A string literal: JSON's escapes (`\\n`, `\\uXXXX`…) are Python's too. Double-quoted unless
    single quotes need fewer escapes, as `ruff format` and black decide."""
    double = json.dumps(text, ensure_ascii=False)
    if text.count('"') <= text.count("'"):
        return double
    # In JSON every `"` of the text is escaped, so each `\\"` is one.
    return "'" + double[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"


def _module(docstring: str | None, imports: Sequence[str], up: str, down: str) -> str:
    """A migration file: its docstring and imports, then `up` and `down` with these bodies."""
    head = [f'"""{docstring}"""', ""] if docstring else []
    head += ["from __future__ import annotations", "", "from pocketlite.app import App", *imports]
    return (
        "\n".join(head)
        + f"\n\n\nasync def up(app: App) -> None:\n{up}\n\n\nasync def down(app: App) -> None:\n{down}\n"
    )


def _blank_template() -> str:
    """What `migrate create` writes."""
    return _module(None, [], "    # add up queries...\n    pass", "    # add down queries...\n    pass")


def _snapshot(collection: Collection) -> dict[str, Any]:
    """A collection as migrations carry it: its API JSON without timestamps and without OAuth2
    providers (their client secrets don't belong in files)."""
    data: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(collection.to_api()))
    data.pop("created", None)
    data.pop("updated", None)
    if isinstance(data.get("oauth2"), dict):
        data["oauth2"].pop("providers", None)
    return data


def _snapshot_template(collections: Sequence[Collection]) -> str:
    """What `migrate collections` writes: `up` imports every collection as it is now, without
    deleting others; `down` does nothing."""
    items = _literal([_snapshot(c) for c in collections], "    ")
    up = f"    snapshot = {items}\n\n    await app.import_collections(snapshot, False)"
    return _module(
        "Collections snapshot.", [], up, "    # the snapshot's collections stay as they are\n    pass"
    )


_SNAPSHOT_IMPORTS = (
    "from pocketlite.core.collection import collection_from_dict",
    "from pocketlite.plugins.migratecmd import find_collection",
)


def _call(func: str, args: Sequence[str], data: dict[str, Any] | None = None, assign: str = "") -> str:
    """`func(*args, data)` as a statement of a function body, laid out as `ruff format` (and
    black) lay it out, so formatting a project leaves generated files alone."""
    if data is None:
        return f"    {assign}{func}({', '.join(args)})"
    rendered = _literal(data, " " * 8)
    if not args:
        return f"    {assign}{func}(\n        {rendered}\n    )"
    return f"    {assign}{func}(\n" + "".join(f"        {arg},\n" for arg in [*args, rendered]) + "    )"


def _create_body(data: dict[str, Any]) -> str:
    create = _call("collection_from_dict", [], data, assign="collection = ")
    return f"{create}\n\n    await app.save(collection)"


def _delete_body(collection_id: str) -> str:
    find = _call("find_collection", ["app", _string(collection_id)], assign="collection = ")
    return f"{find}\n\n    await app.delete(collection)"


def _created_template(new: dict[str, Any]) -> str:
    """Automigrate's file for a new collection: `up` creates it, `down` deletes it."""
    docstring = f'Created the "{new["name"]}" collection.'
    return _module(docstring, _SNAPSHOT_IMPORTS, _create_body(new), _delete_body(new["id"]))


def _deleted_template(old: dict[str, Any]) -> str:
    """Automigrate's file for a deleted collection: `up` deletes it, `down` creates it again."""
    docstring = f'Deleted the "{old["name"]}" collection.'
    return _module(docstring, _SNAPSHOT_IMPORTS, _delete_body(old["id"]), _create_body(old))


_NOT_FIELDS = frozenset({"fields", "created", "updated"})


def _same(a: Any, b: Any) -> bool:
    # Compared as JSON, as PocketBase does (in Python `1 == True`).
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _diff_maps(
    old: dict[str, Any], new: dict[str, Any], exclude: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What turns `old` into `new`: changed keys (objects recursively, only their changed keys),
    and `None` for keys `new` lacks (PocketBase's `diffMaps`)."""
    diff: dict[str, Any] = {}
    for key, value in new.items():
        if key in exclude:
            continue
        if key not in old:
            diff[key] = value
        elif not _same(old[key], value):
            if isinstance(old[key], dict) and isinstance(value, dict):
                nested = _diff_maps(old[key], value)
                if nested:
                    diff[key] = nested
            else:
                diff[key] = value
    for key in old:
        if key not in diff and key not in exclude and key not in new:
            diff[key] = None
    return diff


class _Step(NamedTuple):
    """One statement of an update: `# comment` then `helper(collection, *args, data)`."""

    comment: str
    helper: str
    args: tuple[str, ...]
    data: dict[str, Any] | None = None

    def render(self) -> str:
        return f"    # {self.comment}\n" + _call(self.helper, ["collection", *self.args], self.data)


def _remove(field: dict[str, Any]) -> _Step:
    return _Step("remove field", "remove_field", (_string(field["id"]),))


def _add(comment: str, index: int, field: dict[str, Any]) -> _Step:
    return _Step(comment, "add_field_at", (str(index),), field)


def _field_steps(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[_Step], list[_Step]]:
    """The field statements of an update's `up` and `down`, in PocketBase's order: removed,
    added, then changed fields; a field that only moved is no change."""
    up: list[_Step] = []
    down: list[_Step] = []
    old_index = {f["id"]: i for i, f in enumerate(old)}
    new_ids = {f["id"] for f in new}
    for i, field in enumerate(old):
        if field["id"] not in new_ids:
            up.append(_remove(field))
            down.append(_add("add field", i, field))
    for i, field in enumerate(new):
        if field["id"] not in old_index:
            up.append(_add("add field", i, field))
            down.append(_remove(field))
    for i, field in enumerate(new):
        j = old_index.get(field["id"])
        if j is not None and not _same(old[j], field):
            up.append(_add("update field", i, field))
            down.append(_add("update field", j, old[j]))
    return up, down


def _updated_template(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """Automigrate's file for a changed collection: `up` applies the difference, `down` the
    reverse; None when nothing but the field order changed."""
    up: list[_Step] = []
    down: list[_Step] = []
    changes = _diff_maps(old, new, _NOT_FIELDS)
    if changes:
        up.append(_Step("update collection data", "apply_changes", (), changes))
        reverse = _diff_maps(new, old, _NOT_FIELDS)
        down.append(_Step("update collection data", "apply_changes", (), reverse))
    field_up, field_down = _field_steps(old["fields"], new["fields"])
    up += field_up
    down += field_down
    if not up:
        return None
    helpers = sorted({step.helper for step in up + down} | {"find_collection"})
    imports = [f"from pocketlite.plugins.migratecmd import {', '.join(helpers)}"]

    def body(collection_id: str, steps: list[_Step]) -> str:
        find = _call("find_collection", ["app", _string(collection_id)], assign="collection = ")
        return "\n\n".join([find, *(step.render() for step in steps), "    await app.save(collection)"])

    docstring = f'Updated the "{old["name"]}" collection.'
    return _module(docstring, imports, body(old["id"], up), body(new["id"], down))


# --- automigrate ---------------------------------------------------------------------------------


def _file_safe(name: str) -> str:
    # NB: PocketBase appends "_" to names ending in "test" so that no file ends in "_test.js";
    # here it keeps pytest from collecting `…_test.py`.
    return name + "_" if name.lower().endswith("test") else name


def _write(path: Path, text: str) -> None:
    """Write a whole file or nothing (a crash mid-write must not leave half a migration)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _first_stamp(directory: Path) -> int:
    """The timestamp of the next file: now, unless a file of the folder has this second or a later
    one; then a second past the newest.

    NB: PocketBase names files by the current second only: the second change of a collection
    within a second collides with the first one's row and is lost, and changes of one second
    replay in name order (`created_posts` before `created_tags`, whatever came first). Strictly
    increasing stamps keep every change, in the order it was made."""
    prefixes = (path.name.split("_", 1)[0] for path in app_migration_files(directory))
    newest = max((int(prefix) for prefix in prefixes if prefix.isdigit()), default=0)
    return max(int(time.time()), newest + 1)


async def _record(app: Core, directory: Path, action: str, source: str) -> str:
    """Write `<unix>_<action>.py` and its `_migrations` row in one transaction; returns the name."""
    async with app.data.transaction() as tx:
        stamp = _first_stamp(directory)
        # A row may outlive its file (deleted by hand): never reuse its name.
        while await tx.fetch_one("SELECT 1 FROM _migrations WHERE file = ?", (f"{stamp}_{action}.py",)):
            stamp += 1
        name = f"{stamp}_{action}.py"
        await tx.execute(
            "INSERT INTO _migrations (file, applied) VALUES (?, ?)", (name, time.time_ns() // 1000)
        )
        _write(directory / name, source)
    return name


def _automigrate(directory: Path, *, creating: bool) -> Callable[[CollectionRequestEvent], Awaitable[None]]:
    async def automigrate(e: CollectionRequestEvent) -> None:
        stored = None if creating else e.app.stored_collection(e.collection.id)
        old = _snapshot(stored) if stored is not None else None
        await e.next()
        saved = e.app.stored_collection(e.collection.id)
        new = _snapshot(saved) if saved is not None else None
        if new is None and old is not None:
            action, source = f"deleted_{_file_safe(old['name'])}", _deleted_template(old)
        elif old is None and new is not None:
            action, source = f"created_{_file_safe(new['name'])}", _created_template(new)
        elif old is not None and new is not None:
            changed = _updated_template(old, new)
            if changed is None:
                return
            action, source = f"updated_{_file_safe(old['name'])}", changed
        else:
            return
        await _record(e.app, directory, action, source)

    return automigrate


def bind_automigrate(app: Core, directory: Path) -> None:
    """Write a migration into `directory` for every collection created, changed or deleted
    through the API, and mark it applied."""
    app.on_collection_create_request.bind(Handler(_automigrate(directory, creating=True), "pbAutomigrate"))
    app.on_collection_update_request.bind(Handler(_automigrate(directory, creating=False), "pbAutomigrate"))
    app.on_collection_delete_request.bind(Handler(_automigrate(directory, creating=False), "pbAutomigrate"))


# --- the command ---------------------------------------------------------------------------------


def _confirm(question: str) -> bool:
    """PocketBase's yes/no prompt on stderr, "no" by default: an empty answer or the end of
    stdin (a script) cancels; anything but y/yes/n/no asks again."""
    while True:
        sys.stderr.write(f"{question} (y/N) ")
        sys.stderr.flush()
        # Read on the loop, blocking: nothing else runs in the CLI meanwhile, and Ctrl-C at the
        # prompt must interrupt at once (a reading thread would hold the exit until Enter).
        line = sys.stdin.readline()
        answer = line.strip().lower()
        if answer in ("", "n", "no"):
            return False
        if answer in ("y", "yes"):
            return True


async def _create(directory: str, args: Sequence[str], template: str) -> None:
    if not args:
        raise MigrationError("missing migration file name")
    filename = f"{int(time.time())}_{snakecase(args[0])}.py"
    # Shown the way PocketBase shows it: the joined path, cleaned (`pb_migrations/…`).
    shown = os.path.normpath(os.path.join(directory, filename))
    if not _confirm(f'Do you really want to create migration "{shown}"?'):
        print("The command has been cancelled")
        return
    _write(Path(directory) / filename, template)
    print(f'Successfully created file "{shown}"')


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0  # as Go's cast.ToInt


async def _down(app: Core, directory: Path, args: Sequence[str]) -> None:
    count = _count(args[0]) if args else 1
    if count < 0:
        count = sum(1 for path in app_migration_files(directory) if path.suffix == ".py")
    names = await last_applied_app_migrations(app, directory, count)
    listed = "\n".join(names)
    if not _confirm(f"\n{listed}\nDo you really want to revert the last {count} applied migration(s)?"):
        print("The command has been cancelled")
        return
    reverted = await revert_app_migrations(app, directory, count)
    for name in reverted:
        print(f"Reverted {name}")
    if not reverted:
        print("No migrations to revert.")


async def migrate_command(app: Core, args: Sequence[str], directory: str) -> None:
    """`migrate [up|down [n]|create NAME|collections|history-sync]` with PocketBase's messages;
    `directory` is `--migrationsDir`. Failures raise `MigrationError`."""
    command, rest = (args[0], args[1:]) if args else ("up", [])
    path = Path(directory)
    if command == "create":
        await _create(directory, rest, _blank_template())
    elif command == "collections":
        ordered = sorted(app.collections(), key=lambda c: c.created)
        await _create(directory, ["collections_snapshot", *rest], _snapshot_template(ordered))
    elif command == "up":
        applied = await apply_app_migrations(app, path)
        for name in applied:
            print(f"Applied {name}")
        if not applied:
            print("No new migrations to apply.")
    elif command == "down":
        await _down(app, path, rest)
    elif command == "history-sync":
        await sync_app_migration_history(app, path)
        print("The _migrations table was synced with the available migrations.")
    else:
        raise MigrationError(f'unsupported command: "{command}"')
