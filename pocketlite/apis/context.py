"""What every handler reads from a request: the App and the authenticated record."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from pocketlite.app import App
from pocketlite.core.collection import Collection
from pocketlite.core.errors import ForbiddenError, NotFoundError, UnauthorizedError
from pocketlite.core.record import Record
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.record_view import is_superuser

__all__ = [
    "AUTH_STATE",
    "HEAD_REQUEST",
    "NO_FRAME_OPTIONS",
    "NO_SECURITY_HEADERS",
    "RAW_QUERY",
    "REQUEST_ERROR",
    "SERVER_SEND",
    "SKIP_SUCCESS_LOG",
    "AnyRequest",
    "auth_collection",
    "collection",
    "get_app",
    "get_auth",
    "is_superuser",
    "request_info",
    "require_collection_auth",
    "require_superuser",
    "skip_success_log",
]

AnyRequest = Request[Any, Any, Any]

# Key in the ASGI scope state where the auth middleware leaves the record (or None).
AUTH_STATE = "pocketlite.auth"
# Scope-state flag of responses that must go without X-Frame-Options (files carry their own
# sandboxing CSP, and PocketBase sends none with them).
NO_FRAME_OPTIONS = "pocketlite.no_frame_options"
# Scope-state flag of responses sent before PocketBase's security headers middleware would run
# (the superuser IPs check): they go with the CORS headers only.
NO_SECURITY_HEADERS = "pocketlite.no_security_headers"
# Scope-state flag of routes whose successful requests are not logged (the logs API itself, the
# realtime stream, OAuth2 redirects whose URL carries codes, static files), as PocketBase's
# `SkipSuccessActivityLog`.
SKIP_SUCCESS_LOG = "pocketlite.skip_success_log"
# Scope-state key where the error handlers leave `(error, cause)` of a failed request for its log.
REQUEST_ERROR = "pocketlite.request_error"
# Scope flag of a HEAD request (which the middleware hands on as a GET, for the GET handlers):
# what PocketBase's rate-limit labels see is its own method.
HEAD_REQUEST = "pocketlite.head"
# Scope key of the query string as the client sent it, when the middleware replaced it with its
# well-formed pairs (see `middlewares.cors_and_headers`).
RAW_QUERY = "pocketlite.raw_query_string"
# Scope key of the server's own `send`, set by the outermost middleware: a response writing many
# chunks (the realtime stream) sends its start through the middlewares, then its chunks straight.
SERVER_SEND = "pocketlite.server_send"


def skip_success_log(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Log this request only if it fails."""
    request.scope["state"][SKIP_SUCCESS_LOG] = True


def get_app(request: ASGIConnection[Any, Any, Any, Any]) -> App:
    """The App this server runs."""
    app: App = request.app.state["app"]
    return app


def get_auth(request: AnyRequest) -> Record | None:
    """The record authenticated by the request's token, or None for guests."""
    record: Record | None = request.scope["state"].get(AUTH_STATE)
    return record


def request_info(request: AnyRequest, body: dict[str, Any] | None = None) -> RequestInfo:
    """The request as rules see it (`@request.*`)."""
    # Straight from the ASGI scope: Litestar's header object costs more than the whole lookup.
    headers = {
        k.decode("latin-1").lower().replace("-", "_"): v.decode("latin-1")
        for k, v in request.scope["headers"]
    }
    query = dict(request.query_params.items())
    return RequestInfo(
        method=request.method.upper(), query=query, headers=headers, body=body or {}, auth=get_auth(request)
    )


def require_superuser(request: AnyRequest) -> Record:
    """The superuser making the request: 401 for guests, 403 for other auth records."""
    auth = get_auth(request)
    if auth is None:
        raise UnauthorizedError("The request requires valid record authorization token.")
    if not is_superuser(auth):
        raise ForbiddenError("The authorized record is not allowed to perform this action.")
    return auth


def collection(request: AnyRequest, id_or_name: str) -> Collection:
    """The collection named in the path, else 404."""
    found = get_app(request).find_collection(id_or_name)
    if found is None:
        raise NotFoundError("Missing or invalid collection context.")
    return found


def require_collection_auth(request: AnyRequest, id_or_name: str) -> tuple[Collection, Record]:
    """The path's collection and the record signed in to it: 404 for an unknown collection,
    401 for guests, 403 for a record of any other collection (named in the message), as
    PocketBase's `RequireSameCollectionContextAuth` after its collection rate limiter."""
    found = collection(request, id_or_name)
    auth = get_auth(request)
    if auth is None:
        raise UnauthorizedError("The request requires valid record authorization token.")
    if auth.collection.id != found.id:
        raise ForbiddenError(f"The request requires auth record from {auth.collection.name} collection.")
    return found, auth


def auth_collection(request: AnyRequest, id_or_name: str) -> Collection:
    """The auth collection named in the path, else 404."""
    found = collection(request, id_or_name)
    if not found.is_auth:
        raise NotFoundError("Missing or invalid auth collection context.")
    return found
