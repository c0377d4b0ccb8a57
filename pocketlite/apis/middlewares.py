"""Global ASGI middlewares, in PocketBase's order: CORS, auth token loading, security headers.

They are plain ASGI callables (no per-request objects) since every request passes through them.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode

from pocketlite.apis.context import AUTH_STATE, HEAD_REQUEST, NO_FRAME_OPTIONS, NO_SECURITY_HEADERS, RAW_QUERY
from pocketlite.app import App
from pocketlite.tools.goquery import is_malformed, parse_query

__all__ = ["cors_and_headers", "load_auth"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SECURITY_HEADERS = [
    (b"x-xss-protection", b"1; mode=block"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_ALLOW_METHODS = b"GET,HEAD,PUT,PATCH,POST,DELETE"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _origin_matcher(origins: tuple[str, ...]) -> Callable[[str], str | None]:
    """The `Access-Control-Allow-Origin` value for a request origin, or None when not allowed."""
    if "*" in origins:
        return lambda origin: "*"
    patterns = [o.lower() for o in origins]

    def match(origin: str) -> str | None:
        lowered = origin.lower()
        return origin if any(fnmatch.fnmatchcase(lowered, p) for p in patterns) else None

    return match


def cors_and_headers(app: ASGIApp, origins: tuple[str, ...]) -> ASGIApp:
    """CORS (admin-apis.md §10), security headers, and HEAD served by the GET handlers."""
    allow_origin = _origin_matcher(origins)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        cors: list[tuple[bytes, bytes]] = []
        origin = _header(scope, b"origin")
        allowed = allow_origin(origin.decode("latin-1")) if origin is not None else None
        if allowed is not None:
            cors.append((b"access-control-allow-origin", allowed.encode("latin-1")))
        if scope["method"] == "OPTIONS":
            # NB: as PocketBase (echo's CORS), every OPTIONS is a preflight, answered here.
            headers = [(b"vary", b"Origin")]
            if origin is not None:
                if allowed is not None:
                    requested = _header(scope, b"access-control-request-headers")
                    headers += [(b"access-control-allow-methods", _ALLOW_METHODS), *cors]
                    if requested is not None:
                        headers.append((b"access-control-allow-headers", requested))
                headers += [
                    (b"vary", b"Access-Control-Request-Method"),
                    (b"vary", b"Access-Control-Request-Headers"),
                ]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
            scope[HEAD_REQUEST] = True
        query = scope.get("query_string", b"")
        if query and is_malformed(query):
            # NB: PocketBase reads queries with Go's url.ParseQuery, which drops a pair with a bad
            # `%` escape or a `;` (`?filter=%ZZ` lists everything): every handler sees the rest.
            pairs, _ = parse_query(query)
            scope = dict(scope, query_string=urlencode(pairs).encode("ascii"))
            scope[RAW_QUERY] = query
        extra = [*_SECURITY_HEADERS, (b"vary", b"Origin"), *cors]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                added = extra
                state = scope.get("state", {})
                if state.get(NO_SECURITY_HEADERS):
                    added = extra[len(_SECURITY_HEADERS) :]
                elif state.get(NO_FRAME_OPTIONS):
                    added = [h for h in extra if h[0] != b"x-frame-options"]
                message["headers"] = [*message.get("headers", []), *added]
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware


def load_auth(app: ASGIApp, pocketlite: App) -> ASGIApp:
    """Resolve `Authorization: [Bearer ]<token>` to an auth record; invalid tokens mean guest.
    Runs `App.sync()` first so every request sees the current schema and settings.

    Requests that start in the same turn of the event loop share one `sync()`: a turn runs
    only what was ready when it began, so each of them arrived before the first one asked, and
    that answer is as fresh for them as their own would be (under load a turn starts many)."""
    synced = False

    def next_turn() -> None:
        nonlocal synced
        synced = False

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal synced
        if scope["type"] in ("http", "websocket"):
            if not synced:
                synced = True
                asyncio.get_running_loop().call_soon(next_turn)
                await pocketlite.sync()
            # NB: not `setdefault`: granian's scope is a mapping whose setdefault is
            # collections.abc's pure-Python one.
            state = scope.get("state")
            if state is None:
                state = scope["state"] = {}
            state[AUTH_STATE] = None
            raw = _header(scope, b"authorization")
            if raw:
                token = raw.decode("latin-1").strip()
                if token[:7].lower() == "bearer ":
                    token = token[7:].strip()
                state[AUTH_STATE] = await pocketlite.find_auth_record_by_token(token)
        await app(scope, receive, send)

    return middleware
