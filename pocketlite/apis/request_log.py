"""One log entry per request (admin-apis.md §3), as PocketBase's activity logger writes it:
`"<METHOD> <unescaped url>"`, INFO when the handler succeeded and ERROR with the error and its
details when it failed, the timing, the auth collection and the client IPs.

An ASGI middleware around the routes: it only notes what passed and hands the entry to the app
logger, which writes it to `auxiliary.db` later, in a batch.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote_to_bytes

from pocketlite.apis.context import AUTH_STATE, REQUEST_ERROR, SERVER_SEND, SKIP_SUCCESS_LOG
from pocketlite.apis.middlewares import ASGIApp, Message, Receive, Scope, Send
from pocketlite.apis.realip import client_ip
from pocketlite.app import App
from pocketlite.core.errors import ApiError, ValidationErrors
from pocketlite.core.logs import ERROR, INFO
from pocketlite.core.settings import TrustedProxyConfig

__all__ = ["request_log"]

_MAX_URL = 3000
_MAX_HEADER = 2000
_MALFORMED_ESCAPE = b"%"
_NO_PROXY = TrustedProxyConfig()  # the TCP peer's address: `remoteIP`


def request_log(app: ASGIApp, pocketlite: App) -> ASGIApp:
    """Log every HTTP request but CORS preflights (every OPTIONS is one, see `middlewares`);
    not WebSockets. The outermost layer: it sees the method and query as the client sent them."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        scope[SERVER_SEND] = send
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or pocketlite.settings.logs.maxDays <= 0:
            await app(scope, receive, send)
            return
        if "state" not in scope:  # shared with the inner layers' copies of the scope
            scope["state"] = {}
        started = time.perf_counter()
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_status)
        finally:
            _log(pocketlite, scope, status, (time.perf_counter() - started) * 1000)

    return middleware


def _cut(text: str, limit: int) -> str:
    return text[:limit] + "..." if len(text) > limit else text


def _referer_and_agent(scope: Scope) -> tuple[str, str]:
    referer = agent = b""
    for key, value in scope["headers"]:
        if key == b"referer":
            referer = value
        elif key == b"user-agent":
            agent = value
    return bytes(referer).decode("latin-1"), bytes(agent).decode("latin-1")


def _unescape(uri: str) -> str:
    """Go's `url.PathUnescape`, falling back to the raw text where an escape is malformed."""
    if "%" not in uri:
        return uri
    raw = uri.encode("latin-1", "replace")
    index = raw.find(_MALFORMED_ESCAPE)
    while index != -1:
        digits = raw[index + 1 : index + 3]
        if len(digits) != 2 or not all(c in b"0123456789abcdefABCDEF" for c in digits):
            return uri
        index = raw.find(_MALFORMED_ESCAPE, index + 3)
    return unquote_to_bytes(raw).decode("utf-8", "replace")


def _details(error: ApiError, cause: BaseException) -> Any:
    """What PocketBase logs as the error's raw data: field errors as `{field: message}`, another
    cause as its text, else nothing."""
    if error.validation is not None:
        return error.validation.raw_messages()
    if isinstance(cause, ValidationErrors):
        return cause.raw_messages()
    if cause is error or isinstance(cause, ApiError):
        return None
    return str(cause) or None


def _log(pocketlite: App, scope: Scope, status: int, exec_ms: float) -> None:
    state = scope.get("state", {})
    failure: tuple[ApiError, BaseException] | None = state.get(REQUEST_ERROR)
    if failure is None and state.get(SKIP_SUCCESS_LOG):
        return
    settings = pocketlite.settings
    query = scope.get("query_string", b"")
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    uri = path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    uri = _cut(uri, _MAX_URL)
    method = _cut(scope["method"].upper(), 50)
    data: dict[str, Any] = {"type": "request", "execTime": exec_ms}
    if failure is not None:
        error, cause = failure
        data["error"] = error.message
        data["details"] = _details(error, cause)
    data |= {
        "url": uri,
        "method": method,
        "status": status or (failure[0].status if failure else 0),
    }
    referer, agent = _referer_and_agent(scope)
    data["referer"] = _cut(referer, _MAX_HEADER)
    data["userAgent"] = _cut(agent, _MAX_HEADER)
    auth = state.get(AUTH_STATE)
    data["auth"] = auth.collection.name if auth is not None else ""
    if auth is not None and settings.logs.logAuthId:
        data["authId"] = auth.id
    if settings.logs.logIP:
        data["remoteIP"] = client_ip(scope, _NO_PROXY)
        proxy = settings.trustedProxy
        data["userIP"] = client_ip(scope, proxy) if proxy.headers else data["remoteIP"]
    pocketlite.logger.log(ERROR if failure is not None else INFO, f"{method} {_unescape(uri)}", data)
