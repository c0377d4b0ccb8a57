"""Calling the route handlers straight: Litestar finds the route, and a handler that is a plain
coroutine of the request and its path values is awaited as it is, without the layers Litestar
puts around every call (its exception middleware, the kwargs and signature models, the
dependency stack). The API's routes are all of that kind, and those layers cost a record view
a fifth of its Python time (in process: 173-188 -> 139-145 µs).

Litestar stays the one route table and answers everything else the same as before: a handler
with guards, dependencies, hooks, middleware, exception handlers of its own, a cache or
parameters other than the path's; an unknown path or method; a bad Host header. Errors become
the same responses (`response_for` is Litestar's handlers' mapping)."""

from __future__ import annotations

import inspect
from typing import Any

from litestar import Litestar, Request
from litestar._asgi.utils import is_valid_host
from litestar.handlers import HTTPRouteHandler
from litestar.utils import normalize_path

from pocketlite.apis.body import close_uploads
from pocketlite.apis.errors import EXCEPTION_HANDLERS, response_for
from pocketlite.apis.middlewares import ASGIApp, Message, Receive, Scope, Send
from pocketlite.apis.response import JsonMessages

__all__ = ["dispatch"]


def dispatch(litestar: Litestar) -> ASGIApp:
    """`litestar`, with its plain route handlers called straight."""
    router = litestar.asgi_router
    # By handler and path: a handler may serve several paths, not all of them plainly.
    plain: dict[tuple[object, str], HTTPRouteHandler] = {}
    # App-wide send and exception hooks run in Litestar's own layers: then nothing is plain.
    hooked = litestar.before_send or litestar.after_exception
    for route in [] if hooked else litestar.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and _is_plain(handler, route.path_parameters):
                plain[handler, route.path_format] = handler

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await litestar(scope, receive, send)  # type: ignore[arg-type]
            return
        try:
            _, handler, path, values, template = router.handle_routing(
                path=normalize_path(scope["path"]), method=scope["method"]
            )
        except Exception:  # no route for the path or the method: Litestar answers
            await litestar(scope, receive, send)  # type: ignore[arg-type]
            return
        found = plain.get((handler, template))
        if found is None or not _host_ok(scope):
            await litestar(scope, receive, send)  # type: ignore[arg-type]
            return
        scope["app"] = scope["litestar_app"] = litestar
        scope.setdefault("state", {})
        scope["path"], scope["path_params"] = path, values
        scope["route_handler"], scope["path_template"] = handler, template
        request: Request[Any, Any, Any] = Request(scope, receive, send)  # type: ignore[arg-type]
        try:
            await _respond(found, litestar, request, scope, receive, send)
        finally:
            await close_uploads(scope)

    return app


async def _respond(
    handler: HTTPRouteHandler,
    litestar: Litestar,
    request: Request[Any, Any, Any],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Await the handler and send its response, or the error response of what failed."""
    try:
        result = await handler.fn(request, **scope["path_params"])
        response = await handler.to_response(app=litestar, data=result, request=request)
    except Exception as exc:
        response = response_for(request, exc).to_asgi_response(app=None, request=request)
    if isinstance(response, JsonMessages):  # encoded already: nothing left to fail
        await response(scope, receive, send)  # type: ignore[arg-type]
        return
    started = False

    async def sending(message: Message) -> None:
        nonlocal started
        started = True
        await send(message)

    try:
        await response(scope, receive, sending)  # type: ignore[arg-type]
    except Exception as exc:
        if started:  # nothing can be said any more: as Litestar, let the server end it
            raise
        failed = response_for(request, exc).to_asgi_response(app=None, request=request)
        await failed(scope, receive, send)  # type: ignore[arg-type]


def _host_ok(scope: Scope) -> bool:
    """Litestar's check of the Host header (a bad one is its 400)."""
    for name, value in scope["headers"]:
        if name == b"host":
            return is_valid_host(value)
    return True


def _is_plain(handler: HTTPRouteHandler, path_parameters: dict[str, Any]) -> bool:
    """Whether calling `handler.fn(request, **path_values)` is all Litestar would do: a coroutine
    taking the request and the path's text values, with no Litestar feature around it."""
    if handler.has_sync_callable or handler.resolve_guards() or handler.resolve_dependencies():
        return False
    if handler.resolve_before_request() or handler.resolve_after_response() or handler.cache:
        return False
    # Errors are answered with `response_for`: the handler must not have handlers of its own.
    if handler.resolve_middleware() or handler.resolve_exception_handlers() != EXCEPTION_HANDLERS:
        return False
    params = path_parameters.values()
    if any(p.type is not str for p in params):
        return False
    names = list(inspect.signature(handler.fn).parameters)
    return names[:1] == ["request"] and set(names[1:]) == {p.name for p in params}
