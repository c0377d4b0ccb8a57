"""The HTTP side of request events: a Litestar request becomes a core `Exchange` that hook
handlers and routes read and write, and what they wrote becomes the response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Response
from litestar.response import Stream

from pocketlite.apis.context import AnyRequest, get_app, get_auth, request_info
from pocketlite.apis.realip import real_ip
from pocketlite.apis.record_body import read_record_body
from pocketlite.apis.response import json_response
from pocketlite.core.request_events import Exchange, Request

__all__ = ["EXCHANGE_STATE", "exchange_of", "respond"]

# Scope-state key of the request's exchange (routes and request hooks share one).
EXCHANGE_STATE = "pocketlite.exchange"


def exchange_of(request: AnyRequest) -> Exchange:
    """The request's exchange, made on first use."""
    state = request.scope["state"]
    found: Exchange | None = state.get(EXCHANGE_STATE)
    if found is not None:
        return found

    def http() -> Request:
        client = request.client
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
        return Request(
            request.method.upper(),
            str(request.url),
            request.url.path,
            headers=headers,
            query=dict(request.query_params.items()),
            path_values={k: str(v) for k, v in request.path_params.items()},
            remote_ip=client.host if client is not None else "",
            scheme=request.url.scheme,
        )

    async def info() -> Any:
        return request_info(request, await read_record_body(request))

    async def body() -> dict[str, Any]:
        return await read_record_body(request)

    exchange = Exchange(
        get_app(request), http, get_auth(request), info=info, body=body, real_ip=lambda: real_ip(request)
    )
    state[EXCHANGE_STATE] = exchange
    return exchange


def respond(request: AnyRequest, exchange: Exchange) -> Response[Any]:
    """The response a chain wrote (with `?fields=` for JSON); an empty 200 when nothing was."""
    written = exchange.response
    if written is None:
        response: Response[Any] = Response(b"", status_code=200)
    elif written.stream is not None:
        response = Stream(
            _chunks(written.stream), status_code=written.status, media_type=written.content_type
        )
    elif written.is_json:
        page = isinstance(written.data, dict) and "items" in written.data and "totalItems" in written.data
        response = json_response(request, written.data, written.status, page=page)
    else:
        response = Response(written.body, status_code=written.status, media_type=written.content_type or None)
    for name, value in [*exchange.headers, *(written.headers if written is not None else [])]:
        response.headers[name] = value
    for cookie in exchange.cookies:
        response.set_cookie(**cookie)
    return response


async def _chunks(stream: Any) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk if isinstance(chunk, bytes) else str(chunk).encode()
