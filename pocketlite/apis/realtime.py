"""Realtime over Server-Sent Events, PocketBase's protocol (files-and-realtime.md §3).

`GET /api/realtime` opens the stream and names the client in `PB_CONNECT`; `POST /api/realtime`
replaces that client's subscriptions and binds the request's auth to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import msgspec
from litestar import get, post
from litestar.response import Stream

from pocketlite.apis.auth_forms import validate_form
from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, get_app, get_auth
from pocketlite.apis.realip import real_ip
from pocketlite.core.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.realtime import Client, Message, same_auth
from pocketlite.core.validators import length, required

__all__ = ["IDLE_TIMEOUT", "MAX_LIFETIME", "ROUTES", "sse"]

# A stream that sent nothing for this long is closed; none lives longer than MAX_LIFETIME
# (seconds). Both SDKs reconnect and resubscribe.
IDLE_TIMEOUT = 5 * 60.0
MAX_LIFETIME = 30 * 60.0

# NB: set here, since Litestar would add a charset to a `text/` media type.
_SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def sse(client_id: str, message: Message) -> bytes:
    """The wire form of an event: the `id` is always the client id, no spaces, no `retry`."""
    return b"id:%s\nevent:%s\ndata:%s\n\n" % (client_id.encode(), message.name.encode(), message.data)


async def _stream(request: AnyRequest, client: Client) -> AsyncIterator[bytes]:
    broker = get_app(request).realtime
    broker.register(client)
    try:
        connect = msgspec.json.encode({"clientId": client.id})
        yield sse(client.id, Message("PB_CONNECT", connect))
        deadline = time.monotonic() + MAX_LIFETIME
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(client.receive(), min(IDLE_TIMEOUT, remaining))
            except TimeoutError:
                return
            if message is None:
                return
            yield sse(client.id, message)
    finally:
        # Runs on a normal end and when the transport cancels us on disconnect.
        broker.unregister(client)


@get("/api/realtime")
async def connect(request: AnyRequest) -> Stream:
    """Open the event stream; the Authorization header is not used here (auth comes with the
    subscribe calls)."""
    client = Client(ip=real_ip(request))
    # NB: Litestar's stream watches for the disconnect with a single `receive()`; consuming the
    # (empty) request body first makes that one call the disconnect, so a hang-up ends the
    # stream and unregisters the client at once.
    await request.body()
    return Stream(_stream(request, client), media_type="text/event-stream", headers=_SSE_HEADERS)


class SubscribeForm(msgspec.Struct):
    """The subscribe body."""

    clientId: str = ""
    subscriptions: list[str] = []


def _validate(form: SubscribeForm) -> None:
    items: dict[str, ValidationError | ValidationErrors] = {
        str(i): error
        for i, sub in enumerate(form.subscriptions)
        if (error := length(0, 2500)(sub)) is not None
    }
    try:
        validate_form(
            {
                "clientId": (form.clientId, (required, length(1, 255))),
                "subscriptions": (form.subscriptions, (length(0, 1000),)),
            }
        )
    except ValidationErrors as exc:
        errors = exc
    else:
        errors = ValidationErrors()
    if items and "subscriptions" not in errors.errors:
        errors.errors["subscriptions"] = ValidationErrors(
            dict[str, ValidationError | ValidationErrors](items)
        )
    if errors:
        raise BadRequestError("", errors)


@post("/api/realtime", status_code=204)
async def subscribe(request: AnyRequest) -> None:
    """Replace the client's subscriptions (an empty list unsubscribes from everything)."""
    form = await read_body(request, SubscribeForm, "", wrap_unsupported=True)  # "" = the generic message
    _validate(form)
    client = get_app(request).realtime.client(form.clientId)
    if client is None:
        raise NotFoundError("Missing or invalid client id.")
    # NB: a client id is a bearer secret; tying it to the IP that connected makes a leaked one
    # useless elsewhere.
    if client.ip and client.ip != real_ip(request):
        raise BadRequestError("Invalid realtime client.")
    auth = get_auth(request)
    # Only a guest → auth upgrade is allowed; any other change of identity is refused.
    if client.auth is not None and not same_auth(client.auth, auth):
        raise ForbiddenError("The current and the previous request authorization don't match.")
    client.auth = auth
    client.unsubscribe()
    client.subscribe(form.subscriptions)


ROUTES = [connect, subscribe]
