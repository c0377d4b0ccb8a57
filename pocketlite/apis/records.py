"""The records API (records-api.md): lists and single records, with API rules applied.

Each endpoint triggers its request hook (`on_record_create_request`, …) once the rule check
passed, with the core action (save, enrich, write the JSON) as the last link; a batch runs the
same functions for each of its sub-requests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Response, delete, get, patch, post

from pocketlite.apis.context import AnyRequest, get_app, is_superuser, request_info
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.rate_limits import check_collection_rate_limit
from pocketlite.apis.realip import real_ip
from pocketlite.apis.record_body import read_record_body
from pocketlite.apis.throttle import throttle_empty_list
from pocketlite.app import App
from pocketlite.core.collection import Collection
from pocketlite.core.errors import ApiError, BadRequestError, ForbiddenError, NotFoundError, ValidationErrors
from pocketlite.core.record import Record
from pocketlite.core.record_form import auth_form_errors
from pocketlite.core.record_input import apply_input
from pocketlite.core.record_query import find_visible_record, list_records, new_record_matches
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.record_view import present_records
from pocketlite.core.records import find_record_by_id
from pocketlite.core.request_events import Exchange, RecordRequestEvent, RecordsListRequestEvent, Request
from pocketlite.search.provider import ListParams
from pocketlite.tools.security import random_string

__all__ = ["ROUTES", "Call", "delete_one", "insert_record", "update_record", "upsert_record"]

_log = logging.getLogger("pocketlite")

_SUPERUSERS_ONLY = "Only superusers can perform this action."
# A write's body: given (batch, OAuth2), or read from the request once the checks that come
# first passed (as PocketBase, a limited client's body is not read).
Body = dict[str, Any] | Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class Call:
    """One records API call, whether it came as an HTTP request or inside a batch; `exchange`
    is what its request hooks share (and hold the answer in)."""

    app: App
    auth: Record | None
    method: str
    query: dict[str, str]
    headers: dict[str, str]
    context: str = "default"
    exchange: Exchange = field(default=None)  # type: ignore[assignment]
    # The URL path the call came by (the rate limits' path labels).
    path: str = ""

    def __post_init__(self) -> None:
        if self.exchange is None:
            request = Request(self.method, "", "", headers=self.headers, query=self.query)
            self.exchange = Exchange(self.app, request, self.auth)

    @classmethod
    def of(cls, request: AnyRequest) -> Call:
        info = request_info(request)
        return cls(
            get_app(request),
            info.auth,
            info.method,
            info.query,
            info.headers,
            exchange=exchange_of(request),
            path=request.scope["path"],
        )

    @property
    def superuser(self) -> bool:
        return is_superuser(self.auth)

    def info(self, body: dict[str, Any] | None = None) -> RequestInfo:
        return RequestInfo(self.context, self.method, self.query, self.headers, body or {}, self.auth)


def _collection(call: Call, id_or_name: str, missing: str = "Missing collection context.") -> Collection:
    found = call.app.find_collection(id_or_name)
    if found is None:
        raise NotFoundError(missing)
    return found


def _rate_limit(call: Call, collection: Collection, action: str) -> None:
    """The collection's rate limit for `action`, checked inline since a batch runs these too.
    NB: an OAuth2 sign-up isn't limited as a create: PocketBase saves that record directly."""
    if call.context != "oauth2":
        check_collection_rate_limit(
            call.exchange, collection, action, call.method, call.path, batch=call.context == "batch"
        )


# NB: PocketBase's create and update answer an unknown collection from their body-limit middleware.
_MISSING_FOR_WRITES = "Missing or invalid collection context."


async def serialize(call: Call, records: list[Record], info: RequestInfo) -> list[dict[str, Any]]:
    """Records as the requester may see them, with `?expand=` applied (see `present_records`)."""
    return await present_records(call.app, records, info)


def _check_client_query(call: Call) -> None:
    """NB: PocketBase refuses `@collection.`/`@request.` in a non-superuser's filter or sort by a
    plain substring check."""
    if call.superuser:
        return
    for param in ("filter", "sort"):
        text = call.query.get(param, "")
        for prefix in ("@collection.", "@request."):
            if prefix in text:
                raise ForbiddenError(f"Only superusers can filter by {prefix}")


@get("/api/collections/{collection_id:str}/records")
async def list_(request: AnyRequest, collection_id: str) -> Response[Any]:
    """A page of the records the requester may list."""
    call = Call.of(request)
    collection = _collection(call, collection_id)
    _rate_limit(call, collection, "list")
    if collection.listRule is None and not call.superuser:
        raise ForbiddenError(_SUPERUSERS_ONLY)
    _check_client_query(call)
    info = call.info()
    app = call.app
    try:
        params = ListParams.from_query(call.query)
        page, records = await list_records(app, collection, params, info, superuser=call.superuser)
    except ValueError as exc:
        raise BadRequestError() from exc
    # Filtered lists that keep coming back empty may be probing what a rule hides.
    if not records and not call.superuser and collection.listRule and call.query.get("filter"):
        await throttle_empty_list(app, collection, real_ip(request))

    async def write(e: RecordsListRequestEvent) -> None:
        e.json(200, {**e.result, "items": await serialize(call, e.records, info)})

    event = RecordsListRequestEvent(call.exchange, collection, records, page.envelope(records))
    await app.on_records_list_request.trigger(event, write)
    return respond(request, call.exchange)


@get("/api/collections/{collection_id:str}/records/{record_id:str}")
async def view(request: AnyRequest, collection_id: str, record_id: str) -> Response[Any]:
    """One record, if the view rule lets the requester see it (else 404)."""
    call = Call.of(request)
    collection = _collection(call, collection_id)
    _rate_limit(call, collection, "view")
    if collection.viewRule is None and not call.superuser:
        raise ForbiddenError(_SUPERUSERS_ONLY)
    info = call.info()
    rule = None if call.superuser else collection.viewRule
    try:
        record = await find_visible_record(call.app, collection, record_id, rule, info)
    except ValueError as exc:
        raise NotFoundError() from exc
    if record is None:
        raise NotFoundError()

    async def write(e: RecordRequestEvent) -> None:
        e.json(200, (await serialize(call, [e.record], info))[0])

    await call.app.on_record_view_request.trigger(
        RecordRequestEvent(call.exchange, collection, record), write
    )
    return respond(request, call.exchange)


async def _writable(
    call: Call, collection: Collection, action: str, rule: str | None, body: Body
) -> dict[str, Any]:
    """The checks of a write in PocketBase's order (its type, its rate limit, the body, the
    superusers-only rule); the body."""
    if collection.is_view:
        raise BadRequestError("Unsupported collection type.")
    _rate_limit(call, collection, action)
    data = body if isinstance(body, dict) else await body()
    if rule is None and not call.superuser:
        raise ForbiddenError(_SUPERUSERS_ONLY)
    return data


async def _is_manager(call: Call, record: Record, info: RequestInfo) -> bool:
    """Superusers, and requesters the auth collection's manage rule admits for `record`."""
    collection = record.collection
    if call.superuser:
        return True
    rule = collection.auth.manageRule if collection.is_auth and collection.auth else None
    if not rule or call.auth is None:
        return False
    app = call.app
    try:
        if record.is_new:
            return await new_record_matches(app, record, rule, info)
        return await find_visible_record(app, collection, record.id, rule, info) is not None
    except ValueError:
        return False


async def _save(call: Call, record: Record, body: dict[str, Any], info: RequestInfo, failure: str) -> None:
    errors = await auth_form_errors(record, body, manager=await _is_manager(call, record, info))
    if errors:
        raise BadRequestError(failure, errors)
    try:
        await call.app.save(record)
    except ValidationErrors as exc:
        raise BadRequestError(failure, exc) from exc
    except ApiError:
        raise
    except Exception as exc:
        # As PocketBase: a failed write that isn't the client's fault (a full disk, an I/O error)
        # answers with the action's failure message; the cause goes to the log.
        _log.exception("Saving a record of %r failed", record.collection.name)
        raise BadRequestError(failure) from exc


async def insert_record(call: Call, collection_id: str, body: Body) -> tuple[Record, RequestInfo]:
    """Store a new record from `body` if the create rule admits it, through
    `on_record_create_request` (whose last link saves it and writes it as the requester sees
    it); the record and the request info the rule saw."""
    collection = _collection(call, collection_id)
    body = await _writable(call, collection, "create", collection.createRule, body)
    if call.context == "oauth2" and collection.is_auth and "password" not in body:
        # OAuth2 sign-ups get a random password nobody knows.
        password = random_string(30)
        body = {**body, "password": password, "passwordConfirm": password}
    record = Record(collection)
    resolved = apply_input(record, body, drop_hidden=not call.superuser)
    info = call.info(resolved)
    if not call.superuser and collection.createRule:
        app = call.app
        try:
            allowed = await new_record_matches(app, record, collection.createRule, info)
        except ValueError:
            allowed = False
        if not allowed:
            raise BadRequestError("Failed to create record.")

    async def save(e: RecordRequestEvent) -> None:
        await _save(call, e.record, body, info, "Failed to create record.")
        if call.context != "oauth2":  # an OAuth2 sign-up answers with the auth response
            e.json(200, (await serialize(call, [e.record], info))[0])

    event = RecordRequestEvent(call.exchange, collection, record)
    await call.app.on_record_create_request.trigger(event, save)
    return event.record, info


async def update_record(call: Call, collection_id: str, record_id: str, body: Body) -> None:
    """Change a record the update rule lets the requester change (404 otherwise), through
    `on_record_update_request`."""
    collection = _collection(call, collection_id)
    body = await _writable(call, collection, "update", collection.updateRule, body)
    app = call.app
    record = await find_record_by_id(app.data, collection, record_id)
    if record is None:
        raise NotFoundError()
    resolved = apply_input(record, body, drop_hidden=not call.superuser)
    info = call.info(resolved)
    if not call.superuser and collection.updateRule:
        try:
            visible = await find_visible_record(app, collection, record_id, collection.updateRule, info)
        except ValueError:
            visible = None
        if visible is None:
            raise NotFoundError()

    async def save(e: RecordRequestEvent) -> None:
        await _save(call, e.record, body, info, "Failed to update record.")
        e.json(200, (await serialize(call, [e.record], info))[0])

    await app.on_record_update_request.trigger(RecordRequestEvent(call.exchange, collection, record), save)


async def upsert_record(call: Call, collection_id: str, body: dict[str, Any]) -> None:
    """Update the record `body.id` names when it exists, else create it (batch `PUT`)."""
    collection = _collection(call, collection_id)
    record_id = str(body.get("id") or "")
    if record_id and await find_record_by_id(call.app.data, collection, record_id) is not None:
        await update_record(call, collection_id, record_id, body)
    else:
        await insert_record(call, collection_id, body)


async def delete_one(call: Call, collection_id: str, record_id: str) -> None:
    """Delete a record the delete rule lets the requester delete, with its references."""
    collection = _collection(call, collection_id)
    await _writable(call, collection, "delete", collection.deleteRule, {})
    app = call.app
    rule = None if call.superuser else collection.deleteRule
    try:
        record = await find_visible_record(app, collection, record_id, rule, call.info())
    except ValueError:
        record = None
    if record is None:
        raise NotFoundError()

    async def remove(e: RecordRequestEvent) -> None:
        await e.app.delete(e.record)
        e.no_content(204)

    await app.on_record_delete_request.trigger(RecordRequestEvent(call.exchange, collection, record), remove)


@post("/api/collections/{collection_id:str}/records", status_code=200)
async def create(request: AnyRequest, collection_id: str) -> Response[Any]:
    """`POST …/records`."""
    call = Call.of(request)
    _collection(call, collection_id, _MISSING_FOR_WRITES)
    await insert_record(call, collection_id, lambda: read_record_body(request))
    return respond(request, call.exchange)


@patch("/api/collections/{collection_id:str}/records/{record_id:str}")
async def update(request: AnyRequest, collection_id: str, record_id: str) -> Response[Any]:
    """`PATCH …/records/{id}`."""
    call = Call.of(request)
    _collection(call, collection_id, _MISSING_FOR_WRITES)
    await update_record(call, collection_id, record_id, lambda: read_record_body(request))
    return respond(request, call.exchange)


@delete("/api/collections/{collection_id:str}/records/{record_id:str}", status_code=200)
async def delete_(request: AnyRequest, collection_id: str, record_id: str) -> Response[Any]:
    """`DELETE …/records/{id}`."""
    call = Call.of(request)
    await delete_one(call, collection_id, record_id)
    return respond(request, call.exchange)


ROUTES = [list_, view, create, update, delete_]
