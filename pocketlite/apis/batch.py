"""`POST /api/batch` (records-api.md §9): several record writes in one transaction, all or none."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
from litestar import Response, post

from pocketlite.apis.context import AnyRequest
from pocketlite.apis.errors import log_if_generic
from pocketlite.apis.exchange import respond
from pocketlite.apis.record_body import read_record_body
from pocketlite.apis.records import Call, delete_one, insert_record, update_record, upsert_record
from pocketlite.apis.response import JSON, json_bytes, project
from pocketlite.core.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.fields.file import Upload
from pocketlite.core.request_events import BatchRequestEvent, Exchange, Request
from pocketlite.core.validators import length

__all__ = ["ROUTES"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# (method, has a record id) → action; nothing else may run in a batch.
_ACTIONS = {
    ("POST", False): "create",
    ("PUT", False): "upsert",
    ("PATCH", True): "update",
    ("DELETE", True): "delete",
}


class SubRequest(msgspec.Struct):
    """One request of a batch."""

    method: str = ""
    url: str = ""
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}


class BatchBody(msgspec.Struct):
    """The batch body."""

    requests: list[SubRequest] = []


_FILE_KEY_RE = re.compile(r"^requests(?:\.(\d+)\.|\[(\d+)\]\.)(.+)$")


def _has_upload(value: Any) -> bool:
    return any(isinstance(v, Upload) for v in (value if isinstance(value, list) else [value]))


def _resubmitted(value: Any) -> Any:
    """NB: PocketBase hands each sub-request a new multipart whose files carry their stored
    names, so a batch upload's name is normalized twice (`pass_wd_<random>_<random>.TXT`)."""
    if isinstance(value, list):
        return [_resubmitted(v) for v in value]
    return Upload(value.name, value.content) if isinstance(value, Upload) else value


def _route(method: str, url: str) -> tuple[str, str, str] | None:
    """(action, collection, record id) of a supported sub-request."""
    parts = urlsplit(url).path.strip("/").split("/")
    if len(parts) < 4 or parts[:2] != ["api", "collections"] or parts[3] != "records" or len(parts) > 5:
        return None
    record_id = parts[4] if len(parts) == 5 else ""
    action = {
        ("POST", False): "create",
        ("PUT", False): "upsert",
        ("PATCH", True): "update",
        ("DELETE", True): "delete",
    }
    found = action.get((method, bool(record_id)))
    return (found, parts[2], record_id) if found else None


def _validate(body: BatchBody, max_requests: int) -> None:
    errors: dict[str, ValidationError | ValidationErrors] = {}
    if not body.requests:
        errors["requests"] = ValidationError("validation_required", "Cannot be blank.")
    elif (too_many := length(0, max_requests)(body.requests)) is not None:
        errors["requests"] = too_many
    else:
        items: dict[str, ValidationError | ValidationErrors] = {}
        for i, sub in enumerate(body.requests):
            sub_errors: dict[str, ValidationError | ValidationErrors] = {}
            if not sub.method:
                sub_errors["method"] = ValidationError("validation_required", "Cannot be blank.")
            elif sub.method.upper() not in _METHODS:
                sub_errors["method"] = ValidationError("validation_in_invalid", "Must be a valid value.")
            if not sub.url:
                sub_errors["url"] = ValidationError("validation_required", "Cannot be blank.")
            elif (too_long := length(0, 2000)(sub.url)) is not None:
                sub_errors["url"] = too_long
            if sub_errors:
                items[str(i)] = ValidationErrors(sub_errors)
        if items:
            errors["requests"] = ValidationErrors(items)
    if errors:
        raise BadRequestError("Invalid batch request data.", ValidationErrors(errors))


async def _run(parent: Call, index: int, sub: SubRequest) -> dict[str, Any]:
    method = sub.method.upper()
    route = _route(method, sub.url)
    query = dict(parse_qsl(urlsplit(sub.url).query))
    headers = {**parent.headers, **{k.lower().replace("-", "_"): v for k, v in sub.headers.items()}}
    headers.pop("authorization", None)
    # Each sub-request is a request of its own to its hooks, answered into its own exchange.
    path = urlsplit(sub.url).path
    request = Request(method, sub.url, path, headers=headers, query=query)
    exchange = Exchange(parent.app, request, parent.auth, real_ip=parent.exchange.real_ip)
    call = Call(
        parent.app, parent.auth, method, query, headers, context="batch", exchange=exchange, path=path
    )
    try:
        if route is None:
            raise BadRequestError()
        action, collection, record_id = route
        if action == "delete":
            await delete_one(call, collection, record_id)
        elif action == "create":
            await insert_record(call, collection, dict(sub.body))
        elif action == "upsert":
            await upsert_record(call, collection, dict(sub.body))
        else:
            await update_record(call, collection, record_id, dict(sub.body))
        written = exchange.response
        if written is None:
            return {"body": None, "status": 200}
        body = written.data if written.is_json else (written.body.decode() or None)
        return {"body": project(body, query.get("fields", "")), "status": written.status}
    except ApiError as exc:
        log_if_generic(f"batch request {index} ({method} {sub.url})", exc, exc.__cause__ or exc)
        failure = {
            "code": "batch_request_failed",
            "message": "Batch request failed.",
            "response": exc.to_dict(),
        }
        raise BadRequestError("Batch transaction failed.", {"requests": {str(index): failure}}) from exc


_READ_FAILURE = "Failed to read the submitted batch data."


@post("/api/batch", status_code=200)
async def batch(request: AnyRequest) -> Response[bytes]:
    """Run the sub-requests in order inside one transaction; the first failure undoes all."""
    call = Call.of(request)
    config = call.app.settings.batch
    if not config.enabled or config.maxRequests <= 0:
        raise ForbiddenError("Batch requests are not allowed.")
    data = await read_record_body(request, _READ_FAILURE)
    uploads = {k: v for k, v in data.items() if k.startswith("requests") and _has_upload(v)}
    try:
        body = msgspec.convert({k: v for k, v in data.items() if k not in uploads}, BatchBody)
    except msgspec.ValidationError as exc:
        raise BadRequestError(_READ_FAILURE) from exc
    # Files come as `requests.N.field` or `requests[N].field` parts (the requests themselves in
    # `@jsonPayload`).
    for key, value in uploads.items():
        match = _FILE_KEY_RE.match(key)
        index = int(match[1] or match[2]) if match is not None else len(body.requests)
        if match is not None and index < len(body.requests):
            body.requests[index].body[match[3]] = _resubmitted(value)
    _validate(body, config.maxRequests)
    timeout = config.timeout if config.timeout > 0 else 3

    async def run_all(e: BatchRequestEvent) -> None:
        try:
            async with asyncio.timeout(timeout), e.app.data.transaction():
                results = [await _run(call, i, sub) for i, sub in enumerate(e.batch)]
        except TimeoutError as exc:
            raise BadRequestError("Batch transaction failed. Raw error: batch transaction timeout") from exc
        # Each sub-response carries its own `?fields=`; the envelope none.
        e.blob(200, JSON, json_bytes(results))

    await call.app.on_batch_request.trigger(BatchRequestEvent(call.exchange, body.requests), run_all)
    return respond(request, call.exchange)


ROUTES = [batch]
