"""PocketBase's access middlewares for routes (`apis.RequireAuth()` and siblings), with its ids,
statuses and messages, so a handler can be unbound by id as in PocketBase."""

from __future__ import annotations

from pocketlite.core.errors import BadRequestError, ForbiddenError, UnauthorizedError
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.request_events import RequestEvent
from pocketlite.tools.hook import Handler

__all__ = [
    "require_auth",
    "require_guest_only",
    "require_same_collection_context_auth",
    "require_superuser_auth",
    "require_superuser_or_owner_auth",
]

_NEEDS_TOKEN = "The request requires valid record authorization token."


def require_guest_only() -> Handler[RequestEvent]:
    """Only requests without an auth token pass (400 otherwise)."""

    async def guard(e: RequestEvent) -> None:
        if e.auth is not None:
            raise BadRequestError("The request can be accessed only by guests.")
        await e.next()

    return Handler(guard, "pbRequireGuestOnly")


def _require_auth(collections: tuple[str, ...], handler_id: str) -> Handler[RequestEvent]:
    async def guard(e: RequestEvent) -> None:
        if e.auth is None:
            raise UnauthorizedError(_NEEDS_TOKEN)
        if collections and e.auth.collection.name not in collections:
            raise ForbiddenError("The authorized record is not allowed to perform this action.")
        await e.next()

    return Handler(guard, handler_id)


def require_auth(*collections: str) -> Handler[RequestEvent]:
    """A signed-in record is required (401), of one of `collections` when given (403)."""
    return _require_auth(collections, "pbRequireAuth")


def require_superuser_auth() -> Handler[RequestEvent]:
    """A signed-in superuser is required."""
    return _require_auth((SUPERUSERS,), "pbRequireSuperuserAuth")


def require_superuser_or_owner_auth(owner_id_param: str = "id") -> Handler[RequestEvent]:
    """A superuser, or the record whose id is the path value `owner_id_param`."""

    async def guard(e: RequestEvent) -> None:
        if e.auth is None:
            raise UnauthorizedError("The request requires superuser or record authorization token.")
        if not e.has_superuser_auth() and e.auth.id != e.request.path_value(owner_id_param or "id"):
            raise ForbiddenError("You are not allowed to perform this request.")
        await e.next()

    return Handler(guard, "pbRequireSuperuserOrOwnerAuth")


def require_same_collection_context_auth(collection_param: str = "collection") -> Handler[RequestEvent]:
    """A record signed in to the collection named by the path value `collection_param`."""

    async def guard(e: RequestEvent) -> None:
        if e.auth is None:
            raise UnauthorizedError(_NEEDS_TOKEN)
        found = e.app.find_collection(e.request.path_value(collection_param or "collection"))
        if found is None or e.auth.collection.id != found.id:
            raise ForbiddenError(
                f"The request requires auth record from {e.auth.collection.name} collection."
            )
        await e.next()

    return Handler(guard, "pbRequireSameCollectionContextAuth")
