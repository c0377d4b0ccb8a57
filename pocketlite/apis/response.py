"""JSON responses: msgspec-encoded bytes, with `?fields=` applied to every 2xx body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response

from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.tools.picker import parse_fields, pick

__all__ = ["JSON", "json_bytes", "json_response", "no_content", "project"]

JSON = "application/json"

_encoder = msgspec.json.Encoder()


def json_bytes(data: Any) -> bytes:
    """Encode `data` as compact JSON."""
    return _encoder.encode(data)


def project(data: Any, fields: str, *, page: bool = False) -> Any:
    """`data` trimmed to `fields` ("" keeps everything); a bad expression raises `BadRequestError`.
    NB: for a list `page` envelope PocketBase projects each item and keeps the envelope."""
    if not fields:
        return data
    try:
        tree = parse_fields(fields)
        if page:
            return {**data, "items": [pick(msgspec.to_builtins(i), tree) for i in data["items"]]}
        return pick(msgspec.to_builtins(data), tree)
    except ValueError as exc:
        raise BadRequestError() from exc


def json_response(
    request: AnyRequest, data: Any, status: int = 200, *, page: bool = False, fields: bool = True
) -> Response[bytes]:
    """A JSON response with `?fields=` applied (unless `fields` is False)."""
    if fields:
        data = project(data, request.query_params.get("fields", ""), page=page)
    return Response(json_bytes(data), status_code=status, media_type=JSON)


def no_content() -> Response[bytes]:
    """204 without a body."""
    return Response(b"", status_code=204)
