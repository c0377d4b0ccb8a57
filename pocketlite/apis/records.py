"""The records API (records-api.md): lists and single records, with API rules applied."""

from __future__ import annotations

from typing import Any

from litestar import Response, get

from pocketlite.apis.context import AnyRequest, get_app, get_auth, is_superuser, request_info
from pocketlite.apis.response import json_response
from pocketlite.core.collection import Collection
from pocketlite.core.errors import BadRequestError, ForbiddenError, NotFoundError
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_record, list_records
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.search.provider import ListParams

__all__ = ["ROUTES"]

_SUPERUSERS_ONLY = "Only superusers can perform this action."


def _collection(request: AnyRequest, id_or_name: str) -> Collection:
    found = get_app(request).find_collection(id_or_name)
    if found is None:
        raise NotFoundError("Missing collection context.")
    return found


async def serialize(request: AnyRequest, records: list[Record], info: RequestInfo) -> list[dict[str, Any]]:
    """Records as the requester may see them: hidden fields for superusers only; emails for
    superusers, the record's owner and the collection's managers (or when made visible)."""
    auth = get_auth(request)
    superuser = is_superuser(auth)
    out = []
    for record in records:
        collection = record.collection
        show_email = superuser or (
            auth is not None and auth.collection.id == collection.id and auth.id == record.id
        )
        if not show_email and collection.is_auth and collection.auth and collection.auth.manageRule and auth:
            app = get_app(request)
            show_email = (
                await find_visible_record(
                    app.data, app.find_collection, collection, record.id, collection.auth.manageRule, info
                )
                is not None
            )
        out.append(record.to_api(show_hidden=superuser, show_email=show_email))
    return out


def _check_client_query(request: AnyRequest, superuser: bool) -> None:
    """NB: PocketBase refuses `@collection.`/`@request.` in a non-superuser's filter or sort by a
    plain substring check."""
    if superuser:
        return
    for param in ("filter", "sort"):
        text = request.query_params.get(param, "")
        for prefix in ("@collection.", "@request."):
            if prefix in text:
                raise ForbiddenError(f"Only superusers can filter by {prefix}")


@get("/api/collections/{collection_id:str}/records")
async def list_(request: AnyRequest, collection_id: str) -> Response[bytes]:
    """A page of the records the requester may list."""
    collection = _collection(request, collection_id)
    superuser = is_superuser(get_auth(request))
    if collection.listRule is None and not superuser:
        raise ForbiddenError(_SUPERUSERS_ONLY)
    _check_client_query(request, superuser)
    info = request_info(request)
    app = get_app(request)
    try:
        params = ListParams.from_query(request.query_params)
        page, records = await list_records(
            app.data, app.find_collection, collection, params, info, superuser=superuser
        )
    except ValueError as exc:
        raise BadRequestError() from exc
    return json_response(request, page.envelope(await serialize(request, records, info)), page=True)


@get("/api/collections/{collection_id:str}/records/{record_id:str}")
async def view(request: AnyRequest, collection_id: str, record_id: str) -> Response[bytes]:
    """One record, if the view rule lets the requester see it (else 404)."""
    collection = _collection(request, collection_id)
    superuser = is_superuser(get_auth(request))
    if collection.viewRule is None and not superuser:
        raise ForbiddenError(_SUPERUSERS_ONLY)
    info = request_info(request)
    app = get_app(request)
    rule = None if superuser else collection.viewRule
    try:
        record = await find_visible_record(app.data, app.find_collection, collection, record_id, rule, info)
    except ValueError as exc:
        raise NotFoundError() from exc
    if record is None:
        raise NotFoundError()
    return json_response(request, (await serialize(request, [record], info))[0])


ROUTES = [list_, view]
