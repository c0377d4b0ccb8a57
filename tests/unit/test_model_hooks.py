"""Every save and delete goes through the model, record and collection hooks (spec/hooks.md
§2.2), in PocketBase's order, from whatever code makes it — on a real data dir."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pocketlite.app import App
from pocketlite.core.collection import Collection, collection_from_dict
from pocketlite.core.errors import BadRequestError, ValidationError, ValidationErrors
from pocketlite.core.events import RecordErrorEvent, RecordEvent
from pocketlite.core.record import Record
from pocketlite.tools.hook import Handler


def record_fired(app: App, *tags: str) -> list[str]:
    """Bind a handler on every model, record and collection hook that notes its name."""
    fired: list[str] = []
    for name in app.hook_names():
        if not name.startswith(("on_model_", "on_record_", "on_collection_")) or name.endswith("_request"):
            continue

        def note(hook_name: str) -> Callable[[Any], Awaitable[None]]:
            async def handler(e: Any) -> None:
                fired.append(hook_name)
                await e.next()

            return handler

        app.hook(name)(*tags).bind_func(note(name))
    return fired


async def posts(app: App, **extra: Any) -> Collection:
    data = {"name": "posts", "fields": [{"name": "title", "type": "text", "max": 10}], **extra}
    collection = collection_from_dict(data)
    await app.save(collection)
    found = app.find_collection("posts")
    assert found is not None
    return found


async def test_a_record_create_fires_the_record_hooks_around_the_model_hooks(app: App) -> None:
    collection = await posts(app)
    fired = record_fired(app)
    await app.save(Record(collection, {"title": "hello"}))
    assert fired == [
        "on_record_create",
        "on_model_create",
        "on_record_validate",
        "on_model_validate",
        "on_record_create_execute",
        "on_model_create_execute",
        "on_record_after_create_success",
        "on_model_after_create_success",
    ]


async def test_an_update_and_a_delete_fire_their_own_hooks(app: App) -> None:
    collection = await posts(app)
    record = Record(collection, {"title": "hello"})
    await app.save(record)
    fired = record_fired(app)
    record.set("title", "changed")
    await app.save(record)
    await app.delete(record)
    assert fired == [
        "on_record_update",
        "on_model_update",
        "on_record_validate",
        "on_model_validate",
        "on_record_update_execute",
        "on_model_update_execute",
        "on_record_after_update_success",
        "on_model_after_update_success",
        "on_record_delete",
        "on_model_delete",
        "on_record_delete_execute",
        "on_model_delete_execute",
        "on_record_after_delete_success",
        "on_model_after_delete_success",
    ]


async def test_save_no_validate_skips_only_the_validation_hooks(app: App) -> None:
    collection = await posts(app)
    fired = record_fired(app)
    await app.save_no_validate(Record(collection, {"title": "far too long for the max"}))
    assert "on_record_validate" not in fired
    assert "on_record_create_execute" in fired


async def test_tags_select_hooks_by_collection_name_or_id(app: App) -> None:
    collection = await posts(app)
    by_name = record_fired(app, "posts")
    by_id = record_fired(app, collection.id)
    elsewhere = record_fired(app, "users")
    await app.save(Record(collection, {"title": "hello"}))
    assert "on_record_create" in by_name
    assert by_id == by_name
    assert elsewhere == []


async def test_a_change_before_next_is_what_gets_saved(app: App) -> None:
    collection = await posts(app)

    async def shout(e: RecordEvent) -> None:
        e.record.set("title", e.record.get_string("title").upper())
        await e.next()

    app.on_record_create("posts").bind_func(shout)
    record = Record(collection, {"title": "hello"})
    await app.save(record)
    stored = await app.find_record_by_id("posts", record.id)
    assert stored is not None and stored.get("title") == "HELLO"


async def test_raising_before_next_vetoes_the_save(app: App) -> None:
    collection = await posts(app)

    async def refuse(e: RecordEvent) -> None:
        raise BadRequestError("Not today.")

    app.on_record_create("posts").bind_func(refuse)
    errors: list[BaseException] = []

    async def note_error(e: RecordErrorEvent) -> None:
        errors.append(e.error)
        await e.next()

    app.on_record_after_create_error("posts").bind_func(note_error)
    with pytest.raises(BadRequestError):
        await app.save(Record(collection, {"title": "hello"}))
    assert await app.data.fetch_all("SELECT * FROM posts") == []
    assert [str(e) for e in errors] == ["Not today."]


async def test_a_validate_hook_adds_field_errors(app: App) -> None:
    collection = await posts(app)

    async def no_spam(e: RecordEvent) -> None:
        if "spam" in e.record.get_string("title"):
            raise ValidationErrors({"title": ValidationError("validation_spam", "No spam.")})
        await e.next()

    app.on_record_validate("posts").bind_func(no_spam)
    with pytest.raises(ValidationErrors) as raised:
        await app.save(Record(collection, {"title": "spam"}))
    assert raised.value.raw_messages() == {"title": "No spam."}


async def test_in_a_transaction_after_success_waits_for_the_commit(app: App) -> None:
    collection = await posts(app)
    seen: list[str] = []

    async def committed(e: RecordEvent) -> None:
        seen.append(f"success {e.record.get_string('title')}")
        await e.next()

    app.on_record_after_create_success("posts").bind_func(committed)
    async with app.data.transaction():
        await app.save(Record(collection, {"title": "one"}))
        await app.save(Record(collection, {"title": "two"}))
        assert seen == []
    assert seen == ["success one", "success two"]


async def test_a_rolled_back_transaction_fires_after_error_with_its_error(app: App) -> None:
    collection = await posts(app)
    seen: list[str] = []

    async def success(e: RecordEvent) -> None:
        seen.append("success")
        await e.next()

    async def failure(e: RecordErrorEvent) -> None:
        seen.append(f"error: {e.error}")
        await e.next()

    app.on_record_after_create_success("posts").bind_func(success)
    app.on_record_after_create_error("posts").bind_func(failure)
    with pytest.raises(RuntimeError):
        async with app.data.transaction():
            await app.save(Record(collection, {"title": "one"}))
            raise RuntimeError("later step failed")
    assert seen == ["error: later step failed"]
    assert await app.data.fetch_all("SELECT * FROM posts") == []


async def test_an_after_success_hook_may_save_other_records(app: App) -> None:
    collection = await posts(app)
    logs = collection_from_dict({"name": "logs", "fields": [{"name": "message", "type": "text"}]})
    await app.save(logs)

    async def log_it(e: RecordEvent) -> None:
        target = e.app.find_collection("logs")
        assert target is not None
        await e.app.save(Record(target, {"message": f"created {e.record.id}"}))
        await e.next()

    app.on_record_after_create_success("posts").bind_func(log_it)
    record = Record(collection, {"title": "hello"})
    async with app.data.transaction():
        await app.save(record)
    rows = await app.data.fetch_all("SELECT message FROM logs")
    assert [r[0] for r in rows] == [f"created {record.id}"]


async def test_a_cascade_delete_fires_the_hooks_of_every_record_it_touches(app: App) -> None:
    parents = await posts(app)
    children = collection_from_dict(
        {
            "name": "comments",
            "fields": [
                {"name": "post", "type": "relation", "collectionId": parents.id, "cascadeDelete": True},
                {"name": "tags", "type": "relation", "collectionId": parents.id, "maxSelect": 5},
            ],
        }
    )
    await app.save(children)
    comments = app.find_collection("comments")
    assert comments is not None
    post, other = Record(parents, {"title": "a"}), Record(parents, {"title": "b"})
    await app.save(post)
    await app.save(other)
    owned = Record(comments, {"post": post.id})
    tagged = Record(comments, {"post": other.id, "tags": [post.id, other.id]})
    await app.save(owned)
    await app.save(tagged)
    deleted: list[str] = []
    updated: list[str] = []

    async def on_deleted(e: RecordEvent) -> None:
        deleted.append(e.record.id)
        await e.next()

    async def on_updated(e: RecordEvent) -> None:
        updated.append(e.record.id)
        await e.next()

    app.on_record_after_delete_success.bind_func(on_deleted)
    app.on_record_after_update_success.bind_func(on_updated)
    await app.delete(post)
    assert deleted == [owned.id, post.id]
    assert updated == [tagged.id]


async def test_collections_fire_their_hooks_and_model_hooks_see_them_as_collections(app: App) -> None:
    fired = record_fired(app)
    model_tags: list[tuple[str, ...]] = []

    async def note_tags(e: Any) -> None:
        model_tags.append(e.tags())
        await e.next()

    app.on_model_create.bind(Handler(note_tags, priority=-1))
    collection = await posts(app)
    await app.delete(collection)
    assert fired[:6] == [
        "on_collection_create",
        "on_model_create",
        "on_collection_validate",
        "on_model_validate",
        "on_collection_create_execute",
        "on_model_create_execute",
    ]
    assert "on_collection_after_delete_success" in fired
    assert model_tags == [("_collections",)]
    assert app.find_collection("posts") is None


async def test_a_collection_saved_in_a_transaction_is_seen_only_there_until_commit(app: App) -> None:
    async def seen_outside() -> bool:
        return app.find_collection("posts") is not None

    async with app.data.transaction():
        collection = await posts(app)
        await app.save(Record(collection, {"title": "seeded"}))
        assert app.find_collection("posts") is not None
        other_task = asyncio.get_running_loop().create_task(seen_outside(), context=contextvars.Context())
        assert await other_task is False
    found = app.find_collection("posts")
    assert found is not None
    rows = await app.data.fetch_all("SELECT title FROM posts")
    assert [r[0] for r in rows] == ["seeded"]


async def test_a_rolled_back_collection_leaves_no_trace_in_the_cache(app: App) -> None:
    with pytest.raises(RuntimeError):
        async with app.data.transaction():
            await posts(app)
            raise RuntimeError("undo")
    assert app.find_collection("posts") is None
