"""The collections API (admin-apis.md §1): superusers shape the schema over HTTP."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, delete, get, patch, post, put

from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, get_app, require_superuser
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.response import json_response
from pocketlite.core.collection import (
    TYPES,
    Collection,
    InvalidFormatError,
    collection_from_dict,
    merge_input,
)
from pocketlite.core.collections import CollectionsImportError, find_references
from pocketlite.core.db import describe_error
from pocketlite.core.errors import BadRequestError, NotFoundError, ValidationError, ValidationErrors
from pocketlite.core.oauth2_providers import providers
from pocketlite.core.record import Record
from pocketlite.core.request_events import (
    CollectionRequestEvent,
    CollectionsImportRequestEvent,
    CollectionsListRequestEvent,
)
from pocketlite.core.scaffolds import new_collection
from pocketlite.core.validators import first_error, length, required
from pocketlite.core.views import view_sample
from pocketlite.search.provider import ListParams, list_page
from pocketlite.search.resolver import SimpleFieldResolver
from pocketlite.tools.security import DEFAULT_ID_ALPHABET, random_string

__all__ = ["ROUTES"]

_FORMAT_ERROR = "Failed to load the submitted data due to invalid formatting."


def _found(request: AnyRequest, id_or_name: str) -> Collection:
    found = get_app(request).find_collection(id_or_name)
    if found is None:
        raise NotFoundError()
    return found


async def _body(request: AnyRequest, load_error: str) -> dict[str, Any]:
    body: dict[str, Any] = await read_body(request, dict[str, Any], load_error, wrap_unsupported=True)
    return body


# The columns a collections list may filter and sort by.
_LIST_FIELDS = SimpleFieldResolver("id", "created", "updated", "name", "system", "type")


@get("/api/collections")
async def list_collections(request: AnyRequest) -> Response[bytes]:
    """A page of collections; `filter` and `sort` over id, created, updated, name, system, type."""
    require_superuser(request)
    try:
        params = ListParams.from_query(request.query_params)
        page = await list_page(get_app(request).data, "`_collections`", _LIST_FIELDS, params)
    except ValueError as exc:
        raise BadRequestError() from exc
    collections = [Collection.from_row(row) for row in page.rows]

    async def write(e: CollectionsListRequestEvent) -> None:
        e.json(200, {**e.result, "items": [c.to_api() for c in e.collections]})

    event = CollectionsListRequestEvent(exchange_of(request), collections, page.envelope(collections))
    await get_app(request).on_collections_list_request.trigger(event, write)
    return respond(request, exchange_of(request))


@get("/api/collections/{collection_id:str}")
async def view_collection(request: AnyRequest, collection_id: str) -> Response[bytes]:
    """One collection by id or name."""
    require_superuser(request)

    async def write(e: CollectionRequestEvent) -> None:
        e.json(200, e.collection.to_api())

    event = CollectionRequestEvent(exchange_of(request), _found(request, collection_id))
    await get_app(request).on_collection_view_request.trigger(event, write)
    return respond(request, exchange_of(request))


@post("/api/collections", status_code=200)
async def create_collection(request: AnyRequest) -> Response[bytes]:
    """A new collection: the submitted JSON merged onto the scaffold of its type."""
    require_superuser(request)
    body = await _body(request, "Failed to load the collection type data due to invalid formatting.")
    type_, name, id_ = body.get("type"), body.get("name"), body.get("id")
    if not all(v is None or isinstance(v, str) for v in (type_, name, id_)):
        raise BadRequestError("Failed to load the collection type data due to invalid formatting.")
    scaffold = new_collection(type_ or "", name or "", id_ or "")
    try:
        collection = collection_from_dict(merge_input(scaffold.to_dict(), body))
    except InvalidFormatError as exc:
        raise BadRequestError(_FORMAT_ERROR) from exc

    async def save(e: CollectionRequestEvent) -> None:
        await _save(request, e.collection, None, "Failed to create collection.", generated_id=not id_)
        e.json(200, e.collection.to_api())

    event = CollectionRequestEvent(exchange_of(request), collection)
    await get_app(request).on_collection_create_request.trigger(event, save)
    return respond(request, exchange_of(request))


@patch("/api/collections/{collection_id:str}")
async def update_collection(request: AnyRequest, collection_id: str) -> Response[bytes]:
    """Top-level keys replace, option objects merge key by key, `fields` replaces the list."""
    require_superuser(request)
    original = _found(request, collection_id)
    body = await _body(request, _FORMAT_ERROR)
    try:
        collection = collection_from_dict(merge_input(original.to_dict(), body))
    except InvalidFormatError as exc:
        raise BadRequestError(_FORMAT_ERROR) from exc

    async def save(e: CollectionRequestEvent) -> None:
        await _save(request, e.collection, original, "Failed to update collection.")
        e.json(200, e.collection.to_api())

    event = CollectionRequestEvent(exchange_of(request), collection)
    await get_app(request).on_collection_update_request.trigger(event, save)
    return respond(request, exchange_of(request))


async def _save(
    request: AnyRequest, collection: Collection, original: Collection | None, failure: str, **kwargs: bool
) -> None:
    try:
        await get_app(request).save_collection(collection, original, **kwargs)
    except ValidationErrors as exc:
        raise BadRequestError(failure, exc) from exc
    except BadRequestError:
        raise
    except Exception as exc:  # SQLite's refusal is the most useful thing to show
        raise BadRequestError(f"{failure} Raw error: \n{describe_error(exc)}.") from exc


@delete("/api/collections/{collection_id:str}", status_code=200)
async def delete_collection(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Drop a collection and its records; refused while other collections reference it."""
    require_superuser(request)
    app = get_app(request)

    async def remove(e: CollectionRequestEvent) -> None:
        try:
            await app.delete(e.collection)
        except Exception as exc:
            references = find_references(e.collection, app.collections())
            message = "Failed to delete collection"
            if references:
                message += " probably due to existing reference in " + ", ".join(c.name for c in references)
            raise BadRequestError(message) from exc
        e.no_content(204)

    event = CollectionRequestEvent(exchange_of(request), _found(request, collection_id))
    await app.on_collection_delete_request.trigger(event, remove)
    return respond(request, exchange_of(request))


@delete("/api/collections/{collection_id:str}/truncate", status_code=204)
async def truncate(request: AnyRequest, collection_id: str) -> None:
    """Delete every record of a collection, each through the normal delete path."""
    require_superuser(request)
    collection = _found(request, collection_id)
    if collection.is_view:
        raise BadRequestError(
            "View collections cannot be truncated since they don't store their own records."
        )
    try:
        await get_app(request).truncate_collection(collection)
    except Exception as exc:
        raise BadRequestError(
            "Failed to truncate collection (most likely due to required cascade delete record references)."
        ) from exc


class ImportBody(msgspec.Struct):
    """Body of `PUT /api/collections/import`."""

    collections: list[dict[str, Any]] = []
    deleteMissing: bool = False


@put("/api/collections/import", status_code=200)
async def import_collections(request: AnyRequest) -> Response[Any]:
    """Create/update many collections at once, all or nothing."""
    require_superuser(request)
    body = await read_body(request, ImportBody)
    if not body.collections:
        raise ValidationErrors({"collections": ValidationError("validation_required", "Cannot be blank.")})
    event = CollectionsImportRequestEvent(exchange_of(request), body.collections, body.deleteMissing)
    await get_app(request).on_collections_import_request.trigger(event, _import)
    return respond(request, exchange_of(request))


async def _import(e: CollectionsImportRequestEvent) -> None:
    try:
        await e.app.import_collections(e.collections_data, e.delete_missing)
    except CollectionsImportError as exc:
        message = (
            str(exc)
            if exc.validation
            else f"Failed to import the collections configuration. Raw error:\n{exc}"
        )
        error = ValidationError("validation_collections_import_failure", message)
        raise BadRequestError(
            "Failed to import collections.", ValidationErrors({"collections": error})
        ) from exc
    except ValidationErrors as exc:  # e.g. an index the table sync refused, as they are
        raise BadRequestError("Failed to import collections.", exc) from exc
    e.no_content(204)


@get("/api/collections/meta/scaffolds")
async def scaffolds(request: AnyRequest) -> Response[bytes]:
    """The default collection of each type, with empty id and name."""
    require_superuser(request)
    # The random id only names the default auth indexes, as in PocketBase.
    placeholder_id = random_string(10, DEFAULT_ID_ALPHABET)
    out = {}
    for type_ in TYPES:
        scaffold = new_collection(type_, "", placeholder_id).to_api()
        scaffold["id"] = ""
        out[type_] = scaffold
    return json_response(request, out)


@get("/api/collections/meta/oauth2-providers")
async def oauth2_providers(request: AnyRequest) -> Response[bytes]:
    """The OAuth2 providers auth collections can enable (name, display name, logo)."""
    require_superuser(request)
    return json_response(request, providers())


class DryRunBody(msgspec.Struct):
    """Body of `POST /api/collections/meta/dry-run-view`."""

    query: str = ""


@post("/api/collections/meta/dry-run-view", status_code=200)
async def dry_run_view(request: AnyRequest) -> Response[bytes]:
    """The fields a view collection over `query` would get, and up to 10 of its records."""
    require_superuser(request)
    body = await read_body(request, DryRunBody)
    error = first_error(body.query, required, length(0, 5000))
    if error is not None:
        raise ValidationErrors({"query": error})
    database = get_app(request).data
    try:
        # Discarded: nothing of the dry run (temporary views) may stay behind.
        async with database.transaction(discard=True) as tx:
            probe, rows = await view_sample(tx, body.query, 10, get_app(request).find_collection)
    except Exception as exc:
        raise BadRequestError(f"Invalid view query. Raw error: \n{describe_error(exc)}") from exc
    sample = [Record.from_row(probe, row).to_api() for row in rows]
    return json_response(request, {"fields": [f.to_dict() for f in probe.fields], "sample": sample})


ROUTES = [
    list_collections,
    view_collection,
    create_collection,
    update_collection,
    delete_collection,
    truncate,
    import_collections,
    scaffolds,
    oauth2_providers,
    dry_run_view,
]
