"""Records as a requester may see them (data-model.md §3): the one presentation every record
answer goes through, whether a REST response or a realtime event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.events import RecordEnrichEvent
from pocketlite.core.expand import expand_records, parse_expand
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_record
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.records import SUPERUSERS

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["can_access", "is_superuser", "present_records"]


def is_superuser(record: Record | None) -> bool:
    """Whether `record` is a superuser account."""
    return record is not None and record.collection.name == SUPERUSERS


async def can_access(app: Core, record: Record, rule: str | None, info: RequestInfo) -> bool:
    """Whether the requester of `info` passes `rule` for a stored record: superusers always,
    others never for a locked (None) rule and always for an empty one."""
    if is_superuser(info.auth):
        return True
    if rule is None:
        return False
    if not rule:
        return True
    try:
        found = await find_visible_record(app, record.collection, record.id, rule, info)
    except ValueError:
        return False
    return found is not None


async def present_records(app: Core, records: list[Record], info: RequestInfo) -> list[dict[str, Any]]:
    """The records' JSON for the requester of `info`, with its `expand` query applied: hidden
    fields for superusers only; emails for superusers, the record's owner and the collection's
    managers (or when made visible)."""
    auth = info.auth
    superuser = is_superuser(auth)
    expand = info.query.get("expand", "")
    if expand:
        await expand_records(app, records, parse_expand(expand), info, superuser=superuser)
    enrich = app.on_record_enrich if len(app.on_record_enrich) else None

    async def one(record: Record) -> dict[str, Any]:
        if enrich is not None:
            await enrich.trigger(RecordEnrichEvent(app, record, info), _nothing)
        collection = record.collection
        show_email = superuser or (
            auth is not None and auth.collection.id == collection.id and auth.id == record.id
        )
        if not show_email and collection.is_auth and collection.auth and collection.auth.manageRule and auth:
            show_email = await can_access(app, record, collection.auth.manageRule, info)
        out = record.to_api(show_hidden=superuser, show_email=show_email)
        if record.expand is not None:
            expanded: dict[str, Any] = {}
            for key, value in record.expand.items():
                expanded[key] = [await one(r) for r in value] if isinstance(value, list) else await one(value)
            out["expand"] = expanded
            out = dict(sorted(out.items()))
        return out

    return [await one(record) for record in records]


async def _nothing(_: RecordEnrichEvent) -> None:
    return None
