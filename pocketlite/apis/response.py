"""JSON responses: msgspec-encoded bytes, with `?fields=` applied to every 2xx body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response

from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.tools.picker import parse_fields, pick

__all__ = ["JSON", "json_bytes", "json_response", "no_content"]

JSON = "application/json"

_encoder = msgspec.json.Encoder()


def json_bytes(data: Any) -> bytes:
    """Encode `data` as compact JSON."""
    return _encoder.encode(data)


def json_response(
    request: AnyRequest, data: Any, status: int = 200, *, page: bool = False
) -> Response[bytes]:
    """A JSON response; `?fields=` projects it (a bad expression is a 400, as in PocketBase).
    NB: for a list `page` envelope PocketBase projects each item and keeps the envelope."""
    fields = request.query_params.get("fields", "")
    if fields:
        try:
            tree = parse_fields(fields)
            if page:
                data = {**data, "items": [pick(msgspec.to_builtins(i), tree) for i in data["items"]]}
            else:
                data = pick(msgspec.to_builtins(data), tree)
        except ValueError as exc:
            raise BadRequestError() from exc
    return Response(json_bytes(data), status_code=status, media_type=JSON)


def no_content() -> Response[bytes]:
    """204 without a body."""
    return Response(b"", status_code=204)
