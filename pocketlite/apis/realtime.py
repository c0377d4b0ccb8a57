"""Realtime over Server-Sent Events, PocketBase's protocol (files-and-realtime.md §3).

`GET /api/realtime` opens the stream and names the client in `PB_CONNECT`; `POST /api/realtime`
replaces that client's subscriptions and binds the request's auth to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Litestar, Response, get, post
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Send

from pocketlite.apis.auth_forms import validate_form
from pocketlite.apis.body import read_body
from pocketlite.apis.context import (
    HEAD_REQUEST,
    SERVER_SEND,
    AnyRequest,
    get_app,
    get_auth,
    skip_success_log,
)
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.realip import real_ip
from pocketlite.app import App
from pocketlite.core.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.realtime import Client, Message, same_auth
from pocketlite.core.request_events import (
    RealtimeConnectRequestEvent,
    RealtimeMessageEvent,
    RealtimeSubscribeRequestEvent,
)
from pocketlite.core.validators import length, required
from pocketlite.tools.tasks import fire_and_forget

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


async def _send(app: App, client: Client, message: Message) -> bytes | None:
    """The wire form of `message` after `on_realtime_message_send` (None: a handler dropped it)."""
    if not len(app.on_realtime_message_send):
        return sse(client.id, message)
    sent: list[bytes] = []

    async def write(e: RealtimeMessageEvent) -> None:
        sent.append(sse(client.id, e.message))

    await app.on_realtime_message_send.trigger(RealtimeMessageEvent(app, client, message), write)
    return sent[0] if sent else None


async def _stream(app: App, client: Client, idle_timeout: float, gone: asyncio.Event) -> AsyncIterator[bytes]:
    broker = app.realtime
    broker.register(client)
    try:
        connect = msgspec.json.encode({"clientId": client.id})
        first = await _send(app, client, Message("PB_CONNECT", connect))
        if first is not None:
            yield first
        deadline = time.monotonic() + MAX_LIFETIME
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = await client.receive(min(idle_timeout, remaining))
            except TimeoutError:
                return
            if message is None:
                return
            # Whatever else is queued goes out in the same write.
            chunks = [await _send(app, client, m) for m in (message, *client.drain())]
            data = b"".join(chunk for chunk in chunks if chunk is not None)
            if data:
                yield data
    finally:
        # Runs on a normal end, on a disconnect and when the transport fails.
        broker.unregister(client)
        gone.set()


class _EventStream(Response[bytes]):
    """The SSE response: its chunks written as they come, the stream ended on a disconnect.

    NB: not Litestar's `Stream`, which runs each stream in an anyio task group and each chunk
    through its iterator wrapping; a fan-out writes to every stream once per event."""

    def __init__(self, chunks: AsyncIterator[bytes], client: Client) -> None:
        super().__init__(b"", headers=_SSE_HEADERS)
        self.chunks = chunks
        self.client = client

    def to_asgi_response(self, app: Litestar | None, request: AnyRequest, **kwargs: Any) -> ASGIResponse:
        # NB: once the start went through the middlewares (headers, status for the log), none of
        # them looks at the chunks: they go to the server directly (a HEAD's are dropped).
        scope = request.scope
        direct: Send | None = None if scope.get(HEAD_REQUEST) else scope.get(SERVER_SEND)  # type: ignore[assignment]
        return _EventStreamASGI(self.chunks, self.client, self.headers, direct)


class _EventStreamASGI(ASGIResponse):
    _should_set_content_length = False

    def __init__(
        self, chunks: AsyncIterator[bytes], client: Client, headers: dict[str, Any], direct: Send | None
    ) -> None:
        super().__init__(headers=headers, media_type="text/event-stream")
        self.chunks = chunks
        self.client = client
        self.direct = direct

    async def send_body(self, send: Send, receive: Receive) -> None:
        send = self.direct or send

        async def hang_up() -> None:
            # NB: the (empty) request body was read by the handler: the next message is the
            # disconnect.
            while (await receive())["type"] != "http.disconnect":
                pass
            self.client.close()

        watcher = asyncio.ensure_future(hang_up())
        try:
            async for chunk in self.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            await self.chunks.aclose()  # type: ignore[attr-defined]


@get("/api/realtime")
async def connect(request: AnyRequest) -> Response[Any]:
    """Open the event stream through `on_realtime_connect_request` (whose handlers' code after
    `next` runs once the client is gone); the Authorization header is not used here (auth
    comes with the subscribe calls)."""
    skip_success_log(request)
    app = get_app(request)
    client = Client(ip=real_ip(request))
    # NB: the stream watches for the disconnect with `receive()`; consuming the (empty) request
    # body first makes the next message the disconnect, so a hang-up ends the stream and
    # unregisters the client at once.
    await request.body()
    gone = asyncio.Event()
    event = RealtimeConnectRequestEvent(exchange_of(request), client, IDLE_TIMEOUT)
    if not len(app.on_realtime_connect_request):
        return _EventStream(_stream(app, client, IDLE_TIMEOUT, gone), client)
    # The chain runs for the connection's whole life, in its own task: its last link waits for
    # the disconnect. The stream starts once the chain reaches that link; a handler that
    # refuses (or answers instead) is what the client gets.
    reached = asyncio.Event()

    async def live(e: RealtimeConnectRequestEvent) -> None:
        reached.set()
        await gone.wait()

    chain = fire_and_forget(
        app.on_realtime_connect_request.trigger(event, live), "the realtime connect hooks"
    )
    waiting = asyncio.ensure_future(reached.wait())
    await asyncio.wait({chain, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not reached.is_set():
        waiting.cancel()
        chain.result()  # a handler's error answers the request
        return respond(request, exchange_of(request))
    return _EventStream(_stream(app, client, event.idle_timeout, gone), client)


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


@post("/api/realtime", status_code=200)
async def subscribe(request: AnyRequest) -> Response[Any]:
    """Replace the client's subscriptions (an empty list unsubscribes from everything)."""
    form = await read_body(request, SubscribeForm, "", wrap_unsupported=True)  # "" = the generic message
    _validate(form)
    client = await get_app(request).realtime.find(form.clientId)
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

    async def apply(e: RealtimeSubscribeRequestEvent) -> None:
        await client.replace(auth, e.subscriptions)
        e.no_content()

    event = RealtimeSubscribeRequestEvent(exchange_of(request), client, list(form.subscriptions))
    await get_app(request).on_realtime_subscribe_request.trigger(event, apply)
    return respond(request, exchange_of(request))


ROUTES = [connect, subscribe]
