"""Validating, saving and deleting records and collections: the one path every change takes,
through the hooks (spec/hooks.md §2.2), whoever asks (API, batch, import, CLI, migrations, hook
code).

A save triggers `on_record_create` (or update) around validation and `on_record_create_execute`,
whose last link writes the row; `on_record_after_create_success` follows once the write is
committed: at once outside a transaction, after the commit inside one, and
`on_record_after_create_error` instead when the save or the enclosing transaction fails.
Collections take the same steps with their own hooks; the model hooks run inside both.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.collections import drop_collection, validate_collection_change, write_collection
from pocketlite.core.events import (
    CREATE,
    DELETE,
    UPDATE,
    VALIDATE,
    CollectionErrorEvent,
    CollectionEvent,
    RecordErrorEvent,
    RecordEvent,
)
from pocketlite.core.hooks import Family, layered
from pocketlite.core.record import Record
from pocketlite.core.records import delete_record_row, prepare_record, validate_record, write_record

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["delete_model", "save_model", "validate_model"]

_log = logging.getLogger("pocketlite")

Model = Record | Collection


def _step(app: Core, model: Model, action: str) -> Family:
    return app.family("record" if isinstance(model, Record) else "collection", action)


def _event(app: Core, action: str, model: Model) -> RecordEvent | CollectionEvent:
    if isinstance(model, Record):
        return RecordEvent(app, action, model)
    return CollectionEvent(app, action, model)


def _error_event(app: Core, action: str, model: Model, error: BaseException) -> Any:
    if isinstance(model, Record):
        return RecordErrorEvent(app, action, model, error)
    return CollectionErrorEvent(app, action, model, error)


def _model(event: Any) -> Any:
    return event.record if isinstance(event, RecordEvent) else event.collection


async def _nothing(_: Any) -> None:
    return None


async def validate_model(app: Core, model: Model, original: Collection | None = None) -> None:
    """`on_record_validate` (or the collection's) around the model's own checks; the problems
    raise `ValidationErrors`. A collection is checked as a change of `original` (None: new)."""
    hook = app.on_record_validate if isinstance(model, Record) else app.on_collection_validate

    async def check(e: Any) -> None:
        current = _model(e)
        if isinstance(current, Record):
            await validate_record(e.app, current)
        else:
            await validate_collection_change(e.app, current, original)

    await layered(hook, app.on_model_validate, _event(app, VALIDATE, model), check)


async def save_model(
    app: Core, model: Model, *, validate: bool = True, original: Collection | None = None
) -> None:
    """Create or update `model` through its hooks: a record is new until stored, a collection
    is new unless its stored `original` is given."""
    is_new = model.is_new if isinstance(model, Record) else original is None
    action = CREATE if is_new else UPDATE
    step = _step(app, model, action)
    event = _event(app, action, model)

    async def execute(e: Any) -> None:
        current = _model(e)
        if isinstance(current, Record):
            await write_record(e.app, current)
        else:
            await write_collection(e.app, current, original)

    async def run(e: Any) -> None:
        current = _model(e)
        if isinstance(current, Record):
            prepare_record(current)
        if validate:
            await validate_model(e.app, current, original)
        await layered(*step.execute, e, execute)

    await _run_and_follow(app, step, event, action, run)


async def delete_model(app: Core, model: Model) -> None:
    """Delete `model` through its hooks."""
    step = _step(app, model, DELETE)
    event = _event(app, DELETE, model)

    async def execute(e: Any) -> None:
        current = _model(e)
        if isinstance(current, Record):
            await delete_record_row(e.app, current)
        else:
            await drop_collection(e.app, current)

    async def run(e: Any) -> None:
        await layered(*step.execute, e, execute)

    await _run_and_follow(app, step, event, DELETE, run)


async def _run_and_follow(
    app: Core, step: Family, event: Any, action: str, run: Callable[[Any], Awaitable[None]]
) -> None:
    """Run the main chain, then the after-success hooks once committed, or the after-error ones."""
    try:
        await layered(*step.main, event, run)
    except BaseException as exc:
        await _after_error(app, step, event, action, exc)
        raise
    if app.data.current_transaction() is None:
        await layered(*step.success, event, _nothing)
        return

    async def committed() -> None:
        await layered(*step.success, event, _nothing)

    async def rolled_back(error: BaseException) -> None:
        await _after_error(app, step, event, action, error)

    await app.data.after_commit(committed)
    app.data.after_rollback(rolled_back)


async def _after_error(app: Core, step: Family, event: Any, action: str, error: BaseException) -> None:
    # NB: PocketBase joins a failing error hook's error onto the save's; the save's error is what
    # the API renders either way, so the hook's is logged.
    try:
        await layered(*step.error, _error_event(app, action, _model(event), error), _nothing)
    except Exception:
        _log.exception("an after-%s-error hook failed", action)
