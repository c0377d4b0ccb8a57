"""Serving the routes hook code added (spec/hooks.md §3.1): an ASGI layer in front of the
built-in API, inside the global middlewares (CORS, auth token), so a route's handler sees
`e.auth`. A request one of them matches never reaches the built-in routes."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request

from pocketlite.apis.body import close_uploads
from pocketlite.apis.errors import response_for
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.middlewares import ASGIApp, Receive, Scope, Send
from pocketlite.app import App
from pocketlite.core.request_events import RequestEvent

__all__ = ["user_routes"]


def user_routes(inner: ASGIApp, app: App, litestar: Litestar) -> ASGIApp:
    """Dispatch to `app.router` (the current hooks generation's) before `inner`."""
    size = litestar.request_max_body_size
    handler = _RouteHandler(size if isinstance(size, int) else None)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        router = app.router  # one generation for the whole request, even across a reload
        found = router.match(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if found is None:
            await inner(scope, receive, send)
            return
        route, values = found
        scope["litestar_app"] = litestar
        scope["route_handler"] = handler
        scope["path_params"] = values
        request: Request[Any, Any, Any] = Request(scope, receive)  # type: ignore[arg-type]
        exchange = exchange_of(request)
        try:
            try:
                await router.chain(route).trigger(RequestEvent(exchange), route.action)
                response = respond(request, exchange)
            except Exception as exc:
                response = response_for(request, exc)
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)  # type: ignore[arg-type]
        finally:
            await close_uploads(scope)

    return middleware


class _RouteHandler:
    """What Litestar's `Request` asks of the route handler while reading a body: the app's body
    limit, and no custom decoders."""

    def __init__(self, max_body_size: int | None) -> None:
        self._max_body_size = max_body_size

    def resolve_request_max_body_size(self) -> int | None:
        return self._max_body_size

    def resolve_type_decoders(self) -> list[Any]:
        return []
