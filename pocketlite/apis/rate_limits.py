"""The HTTP side of `settings.rateLimits` (admin-apis.md §8): the global ASGI middleware, and the
check the records routes run inline. The rules and counters are `core.rate_limits`.

As PocketBase's router does, the middleware limits every request, unmatched paths included,
except the collection routes: the auth routes and file downloads are limited by their
collection's tags here; the records CRUD routes check inline (a batch runs them too), through
`check_collection_rate_limit`."""

from __future__ import annotations

from pocketlite.apis.context import AUTH_STATE, HEAD_REQUEST, REQUEST_ERROR
from pocketlite.apis.middlewares import ASGIApp, Receive, Scope, Send
from pocketlite.apis.realip import client_ip
from pocketlite.app import App
from pocketlite.core.collection import Collection
from pocketlite.core.errors import TooManyRequestsError
from pocketlite.core.request_events import Exchange

__all__ = ["check_collection_rate_limit", "rate_limit"]

_TOO_MANY = b'{"data":{},"message":"Too Many Requests.","status":429}'
_TOO_MANY_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_TOO_MANY)).encode()),
]

# The routes `/api/collections/{collection}/<action>` with their own tags (`apis/record_auth.go`);
# the auth-with-… ones also count as `auth`.
_AUTH_ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "auth-methods"): ("listAuthMethods",),
    ("POST", "auth-refresh"): ("authRefresh",),
    ("POST", "auth-with-password"): ("authWithPassword", "auth"),
    ("POST", "auth-with-oauth2"): ("authWithOAuth2", "auth"),
    ("POST", "request-otp"): ("requestOTP",),
    ("POST", "auth-with-otp"): ("authWithOTP", "auth"),
    ("POST", "request-password-reset"): ("requestPasswordReset",),
    ("POST", "confirm-password-reset"): ("confirmPasswordReset",),
    ("POST", "request-verification"): ("requestVerification",),
    ("POST", "confirm-verification"): ("confirmVerification",),
    ("POST", "request-email-change"): ("requestEmailChange",),
    ("POST", "confirm-email-change"): ("confirmEmailChange",),
}
_FILE_TAGS = ("file",)
# The records CRUD routes, by method and whether the path ends in a record id.
_RECORDS_ROUTES = {("GET", False), ("POST", False), ("GET", True), ("PATCH", True), ("DELETE", True)}
# What `_collection_route` answers for the records CRUD routes, which check inline.
_INLINE = ("", ())


def _collection_route(method: str, path: str) -> tuple[str, tuple[str, ...]] | None:
    """(collection, tags) of a collection-limited route; `_INLINE` for the records CRUD routes;
    None for every other path (the global labels decide)."""
    if path.startswith("/api/collections/"):
        parts = path.split("/")  # "", "api", "collections", {collection}, …
        if len(parts) == 5:
            if parts[4] == "records":
                return _INLINE if (method, False) in _RECORDS_ROUTES else None
            tags = _AUTH_ROUTES.get((method, parts[4]))
            return (parts[3], tags) if tags is not None else None
        if len(parts) == 6 and parts[4] == "records" and parts[5]:
            return _INLINE if (method, True) in _RECORDS_ROUTES else None
    elif path.startswith("/api/files/") and method == "GET":
        parts = path.split("/")  # "", "api", "files", {collection}, {record}, {filename}
        if len(parts) == 6 and all(parts[3:]):
            return parts[3], _FILE_TAGS
    return None


def rate_limit(inner: ASGIApp, app: App) -> ASGIApp:
    """Answer 429 to a request over its rule's allowance; nothing to do while rate limiting is
    off. Runs after the auth token is loaded (audiences, superusers)."""
    limits = app.rate_limits

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if not limits.enabled or scope["type"] != "http":
            await inner(scope, receive, send)
            return
        auth = scope["state"].get(AUTH_STATE)
        ip = client_ip(scope, app.settings.trustedProxy)
        if limits.exempt(auth, ip):
            await inner(scope, receive, send)
            return
        path = scope["path"]
        # A GET route serves HEAD too; the labels name the method sent.
        route = _collection_route(scope["method"], path)
        method = "HEAD" if scope.get(HEAD_REQUEST) else scope["method"]
        if route is None:
            allowed = limits.allow_path(method, path, auth is not None, ip)
        elif route is _INLINE:
            allowed = True
        else:
            # An unknown collection passes: its route answers 404 before any counting.
            collection = app.find_collection(route[0])
            allowed = collection is None or limits.allow_collection(
                collection, route[1], method, path, auth is not None, ip
            )
        if allowed:
            await inner(scope, receive, send)
            return
        error = TooManyRequestsError()
        scope["state"][REQUEST_ERROR] = (error, error)  # for the request log, as a returned error
        await send({"type": "http.response.start", "status": 429, "headers": _TOO_MANY_HEADERS})
        await send({"type": "http.response.body", "body": _TOO_MANY})

    return middleware


def check_collection_rate_limit(
    exchange: Exchange, collection: Collection, action: str, method: str, path: str, *, batch: bool
) -> None:
    """Raise 429 when a records `list`, `view`, `create`, `update` or `delete` request (or a
    batch sub-request, counted apart) is over its allowance. (`method` and `path` given, not
    read from the exchange's request: building that costs more than the whole check.)"""
    limits = exchange.app.rate_limits
    if not limits.enabled:
        return
    ip = exchange.real_ip
    if limits.exempt(exchange.auth, ip):
        return
    authenticated = exchange.auth is not None
    if not limits.allow_collection(collection, (action,), method, path, authenticated, ip, batch=batch):
        raise TooManyRequestsError()
