"""Realtime over one WebSocket, `/api/updates` (docs/realtime.md): the same broker, topics,
options, rule checks and event data as the SSE transport, with subscribe/unsubscribe/auth as
messages on the socket instead of separate HTTP calls.

Client → server (JSON text frames; `id` is optional and echoed in the reply):
    {"type": "subscribe", "topics": [...], "id": 1}
    {"type": "unsubscribe", "topics": [...]}        (no `topics`: all of them)
    {"type": "auth", "token": "<auth token>"}       ("" or absent: stay a guest)
Server → client:
    {"type": "connect", "clientId": "..."}          once, first
    {"type": "event", "topic": "<subscription>", "data": {"record": ..., "action": ...}}
    {"type": "ok", "id": 1} / {"type": "error", "id": 1, "status": 403, "message": "..."}
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from pocketlite.apis.context import AUTH_STATE, get_app
from pocketlite.apis.realip import real_ip
from pocketlite.apis.realtime import IDLE_TIMEOUT, MAX_LIFETIME
from pocketlite.core.errors import ApiError, BadRequestError, ForbiddenError
from pocketlite.core.realtime import Client, same_auth
from pocketlite.core.record import Record

__all__ = ["ROUTES"]

MAX_TOPICS = 1000
MAX_TOPIC_LENGTH = 2500


class Command(msgspec.Struct, omit_defaults=True):
    """One client message."""

    type: str = ""
    id: Any = None
    topics: list[str] | None = None
    token: str = ""


def _json(data: dict[str, Any]) -> str:
    return msgspec.json.encode(data).decode()


async def _bind(socket: WebSocket[Any, Any, Any], client: Client, token: str) -> None:
    auth: Record | None = None
    if token:
        auth = await get_app(socket).find_auth_record_by_token(token)
        if auth is None:
            raise BadRequestError("Invalid or expired auth token.")
    # As over SSE: only a guest → auth upgrade; a bound identity can't change.
    if client.auth is not None and not same_auth(client.auth, auth):
        raise ForbiddenError("The current and the previous request authorization don't match.")
    client.auth = auth


async def _handle(socket: WebSocket[Any, Any, Any], client: Client, raw: str) -> None:
    try:
        command = msgspec.json.decode(raw, type=Command)
    except msgspec.DecodeError:
        await socket.send_text(_json({"type": "error", "status": 400, "message": "Invalid message."}))
        return
    reply: dict[str, Any] = {"type": "ok"}
    try:
        topics = command.topics or []
        if command.type == "subscribe":
            if any(len(t) > MAX_TOPIC_LENGTH for t in topics):
                raise BadRequestError(f"A topic can't be longer than {MAX_TOPIC_LENGTH} characters.")
            if len(set(client.subscriptions) | set(topics)) > MAX_TOPICS:
                raise BadRequestError(f"A client can't have more than {MAX_TOPICS} subscriptions.")
            client.subscribe(topics)
        elif command.type == "unsubscribe":
            client.unsubscribe(command.topics)
        elif command.type == "auth":
            await _bind(socket, client, command.token)
        else:
            raise BadRequestError("Unknown message type.")
    except ApiError as exc:
        reply = {"type": "error", "status": exc.status, "message": exc.message}
    if command.id is not None:
        reply["id"] = command.id
    await socket.send_text(_json(reply))


async def _read(socket: WebSocket[Any, Any, Any], client: Client, touched: list[float]) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await socket.receive_text()
            touched[0] = time.monotonic()
            await _handle(socket, client, raw)


async def _write(socket: WebSocket[Any, Any, Any], client: Client, touched: list[float]) -> None:
    started = time.monotonic()
    while True:
        now = time.monotonic()
        wait = min(touched[0] + IDLE_TIMEOUT, started + MAX_LIFETIME) - now
        if wait <= 0:
            return
        try:
            message = await client.receive(wait)
        except TimeoutError:
            continue  # re-check: a client message may have reset the idle timer
        if message is None:
            return
        touched[0] = time.monotonic()
        # The event data is already JSON: spliced in rather than decoded and encoded again.
        topic = msgspec.json.encode(message.name).decode()
        await socket.send_text(f'{{"type":"event","topic":{topic},"data":{message.data.decode()}}}')


@websocket("/api/updates")
async def updates(socket: WebSocket[Any, Any, Any]) -> None:
    """One realtime client per socket; auth from the Authorization header or `?token=`."""
    await socket.accept()
    client = Client(ip=real_ip(socket))
    client.auth = socket.scope["state"].get(AUTH_STATE)
    token = socket.query_params.get("token", "")
    if token and client.auth is None:
        client.auth = await get_app(socket).find_auth_record_by_token(token)
    broker = get_app(socket).realtime
    broker.register(client)
    touched = [time.monotonic()]
    reader = asyncio.create_task(_read(socket, client, touched))
    writer = asyncio.create_task(_write(socket, client, touched))
    try:
        await socket.send_text(_json({"type": "connect", "clientId": client.id}))
        await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        broker.unregister(client)
        for task in (reader, writer):
            task.cancel()
        with contextlib.suppress(Exception):
            await socket.close()


ROUTES = [updates]
