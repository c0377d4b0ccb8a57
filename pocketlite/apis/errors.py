"""Every failure leaves the server as PocketBase's error envelope `{"data","message","status"}`."""

from __future__ import annotations

import logging

from litestar import Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException

from pocketlite.apis.context import REQUEST_ERROR, AnyRequest
from pocketlite.apis.response import JSON, json_bytes
from pocketlite.core.errors import DEFAULT_MESSAGES, ApiError, NotFoundError, ValidationErrors
from pocketlite.core.logs import CONSOLE_ONLY

__all__ = ["EXCEPTION_HANDLERS", "log_if_generic", "response_for"]

log = logging.getLogger("pocketlite")

_VALIDATION_MESSAGE = "An error occurred while validating the submitted data."


def error_response(error: ApiError) -> Response[bytes]:
    """The envelope of `error`; `data` keys sorted as PocketBase's maps are."""
    body = {"data": _sorted(error.data), "message": error.message, "status": error.status}
    return Response(json_bytes(body), status_code=error.status, media_type=JSON)


def _sorted(value: object) -> object:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    return value


def log_if_generic(what: str, error: ApiError, cause: BaseException) -> None:
    """PocketBase's generic message tells the client nothing, so the console says what happened,
    with the traceback. (Not the app's logs: the request's entry has the cause as its details.)"""
    if error.message == DEFAULT_MESSAGES[500] and not error.data:
        log.error("%s failed: %r", what, cause, exc_info=cause, extra={CONSOLE_ONLY: True})


def _answer(request: AnyRequest, error: ApiError, cause: BaseException) -> Response[bytes]:
    log_if_generic(f"{request.method} {request.url.path}", error, cause)
    request.scope["state"][REQUEST_ERROR] = (error, cause)
    return error_response(error)


def _api_error(request: AnyRequest, exc: ApiError) -> Response[bytes]:
    return _answer(request, exc, exc.__cause__ or exc)


def _validation(request: AnyRequest, exc: ValidationErrors) -> Response[bytes]:
    return _answer(request, ApiError(_VALIDATION_MESSAGE, exc), exc)


def _http(request: AnyRequest, exc: HTTPException) -> Response[bytes]:
    # No route for the path, or not for this method: GET falls through to the static files
    # handler ("File not found."), other methods get the router's generic 404.
    if isinstance(exc, NotFoundException | MethodNotAllowedException):
        if request.method in ("GET", "HEAD"):
            return error_response(NotFoundError("File not found."))
        return error_response(NotFoundError())
    return _answer(request, ApiError(status=exc.status_code), exc)


def _unexpected(request: AnyRequest, exc: Exception) -> Response[bytes]:
    # PocketBase answers errors that aren't API errors with a generic 400 and logs the cause.
    return _answer(request, ApiError(), exc)


EXCEPTION_HANDLERS = {
    ApiError: _api_error,
    ValidationErrors: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}


def response_for(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """The error response Litestar's handlers give `exc`, for code answering outside Litestar's
    routing (the routes hook code adds)."""
    for kind in type(exc).__mro__:
        handler = EXCEPTION_HANDLERS.get(kind)
        if handler is not None:
            response: Response[bytes] = handler(request, exc)  # type: ignore[operator]
            return response
    return _unexpected(request, exc)
