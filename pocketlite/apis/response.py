"""JSON responses: msgspec-encoded bytes, with `?fields=` applied to every 2xx body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.types import ASGIApp, Receive, Scope, Send

from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.tools.picker import parse_fields, pick

__all__ = ["JSON", "JsonMessages", "JsonResponse", "json_bytes", "json_response", "no_content", "project"]

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


class JsonResponse(Response[bytes]):
    """A JSON body, encoded already. Without headers, cookies or background work of its own it
    goes out as its two ASGI messages: Litestar's general way there (a header object built and
    read back, an `ASGIResponse`) costs more than the rest of a small response. Status, headers
    and body are the same either way."""

    def to_asgi_response(self, request: AnyRequest, **kwargs: Any) -> ASGIApp:  # type: ignore[override]
        status = self.status_code or 200
        extras = self.headers or self.cookies or self.background or any(kwargs.get(k) for k in _EXTRAS)
        if extras or status < 200 or status in (204, 304):
            return super().to_asgi_response(request=request, **kwargs)
        return JsonMessages(status, self.content)


# What a `to_asgi_response` caller may add to a response (the route's own headers, cookies, tasks).
_EXTRAS = ("headers", "cookies", "background", "encoded_headers", "is_head_response")


class JsonMessages:
    """The ASGI app sending one JSON body, with the headers Litestar gives it."""

    __slots__ = ("_body", "_status")

    def __init__(self, status: int, body: bytes) -> None:
        self._status = status
        self._body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self._body))]
        await send({"type": "http.response.start", "status": self._status, "headers": headers})
        await send({"type": "http.response.body", "body": self._body, "more_body": False})


def json_response(
    request: AnyRequest, data: Any, status: int = 200, *, page: bool = False, fields: bool = True
) -> Response[bytes]:
    """A JSON response with `?fields=` applied (unless `fields` is False)."""
    if fields:
        data = project(data, request.query_params.get("fields", ""), page=page)
    return JsonResponse(json_bytes(data), status_code=status, media_type=JSON)


def no_content() -> Response[bytes]:
    """204 without a body."""
    return Response(b"", status_code=204)
