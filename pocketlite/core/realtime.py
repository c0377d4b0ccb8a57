"""The realtime broker (DESIGN.md principle 8, files-and-realtime.md §3).

Clients (an SSE stream or a WebSocket, the transports live in `apis/`) hold subscriptions; the
broker hears every committed record change through the record hooks (its handlers sit in the
after-success hooks, so they only ever see committed changes) and queues, for each client and
each matching subscription, the event as that client may see it.

* Fan-out runs in one background task, in commit order, so request handlers never wait for it.
  Per event, clients that share an auth record and subscription options share one rule check
  and one rendering (a thousand guests watching `posts/*` cost one query, not a thousand).
* Each client has a bounded queue: a client too slow to take its events is disconnected (its
  SDK reconnects and resubscribes) rather than silently skipped or allowed to grow memory.
* Deletes are rendered before the row goes, on a reader outside the delete's transaction, and
  delivered after the delete commits; a rolled back delete sends nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import weakref
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import msgspec

from pocketlite.core.collection import Collection
from pocketlite.core.events import CollectionEvent, RecordEvent
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_record
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.record_view import can_access, is_superuser, present_records
from pocketlite.tools.hook import Handler
from pocketlite.tools.inflector import snakecase
from pocketlite.tools.picker import parse_fields, pick
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "MAX_PENDING",
    "Broker",
    "Client",
    "Delivery",
    "Message",
    "Options",
    "deliver",
    "parse_options",
    "same_auth",
]

_log = logging.getLogger("pocketlite")

# Events queued for one client before it counts as stalled and is disconnected.
MAX_PENDING = 1000

# Hook priorities: deliveries come first among the after-commit reactions; a delete is rendered
# last before the row goes.
_OUTER, _INNER = -99, 99


class Message(NamedTuple):
    """One event for a client: its name (the subscription as submitted) and JSON data."""

    name: str
    data: bytes


class Subscription(NamedTuple):
    """A subscription as submitted, its options, and their key (equal options, equal keys)."""

    name: str
    options: Options
    key: Hashable


class Options(msgspec.Struct, frozen=True):
    """A subscription's `?options=`: rules and filters see them as `@request.query/headers`."""

    query: dict[str, str] = {}
    headers: dict[str, str] = {}

    def key(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        return tuple(sorted(self.query.items())), tuple(sorted(self.headers.items()))


def _go_string(value: Any) -> str:
    """A JSON option value as Go's `cast.ToString` prints it ("" for objects and arrays)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e21 else repr(number)
    return ""


def parse_options(subscription: str) -> Options:
    """The options of `topic?options=<url-encoded JSON>`; anything unreadable means none."""
    try:
        raw = parse_qs(urlsplit(subscription).query).get("options", [""])[0]
        decoded = msgspec.json.decode(raw) if raw else {}
    except (ValueError, msgspec.DecodeError):
        return Options()
    if not isinstance(decoded, dict):
        return Options()
    query = decoded.get("query")
    headers = decoded.get("headers")
    query = query if isinstance(query, dict) else {}
    headers = headers if isinstance(headers, dict) else {}
    return Options(
        {str(k): _go_string(v) for k, v in query.items()},
        {snakecase(str(k)): _go_string(v) for k, v in headers.items()},
    )


class Client:
    """A realtime connection: its id, the IP it connected from, the auth record bound by its
    subscribe calls, its subscriptions and the events waiting to be written."""

    def __init__(self, ip: str = "") -> None:
        self.id = random_string(40)
        self.ip = ip
        self.auth: Record | None = None
        # topic (the subscription up to its `?`) → its subscriptions
        self._topics: dict[str, list[Subscription]] = {}
        self._pending: deque[Message] = deque()
        # What a waiting `receive()` is woken by: True for an event or the end, False when its
        # time is up. NB: a bare future, not `asyncio.wait_for` (a task per wait), and one timer
        # that moves on lazily, not one per wait: a fan-out wakes every client once per event.
        self._waiter: asyncio.Future[bool] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._wait_until = 0.0
        self.closed = False

    @property
    def subscriptions(self) -> list[str]:
        """Every subscription, as submitted."""
        return [sub.name for subs in self._topics.values() for sub in subs]

    def has_subscription(self, subscription: str) -> bool:
        """Whether exactly `subscription` is held."""
        return any(sub.name == subscription for sub in self._topics.get(subscription.split("?", 1)[0], ()))

    def subscribe(self, subscriptions: Iterable[str]) -> None:
        """Add subscriptions (empty strings are skipped, repeats kept once)."""
        for sub in subscriptions:
            if sub and not self.has_subscription(sub):
                options = parse_options(sub)
                topic = sub.split("?", 1)[0]
                self._topics.setdefault(topic, []).append(Subscription(sub, options, options.key()))

    def unsubscribe(self, subscriptions: Iterable[str] | None = None) -> None:
        """Drop the given subscriptions, or all of them."""
        if subscriptions is None:
            self._topics.clear()
            return
        for sub in subscriptions:
            topic = sub.split("?", 1)[0]
            kept = [s for s in self._topics.get(topic, ()) if s.name != sub]
            if kept:
                self._topics[topic] = kept
            else:
                self._topics.pop(topic, None)

    async def replace(self, auth: Record | None, subscriptions: Iterable[str]) -> None:
        """Bind `auth` and replace every subscription (a subscribe call's effect)."""
        self.auth = auth
        self.unsubscribe()
        self.subscribe(subscriptions)

    @property
    def topics(self) -> dict[str, list[Subscription]]:
        """Every subscription by its topic (the part before `?`); not to be changed."""
        return self._topics

    def send(self, message: Message) -> None:
        """Queue an event; a client with `MAX_PENDING` events still queued is disconnected."""
        if self.closed:
            return
        if len(self._pending) >= MAX_PENDING:
            _log.warning("realtime client %s fell %d events behind: disconnected", self.id, MAX_PENDING)
            self.close()
            return
        self._pending.append(message)
        self._wake(True)

    def _wake(self, woken: bool) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(woken)

    async def receive(self, timeout: float | None = None) -> Message | None:
        """The next event, waiting for one (`TimeoutError` after `timeout` seconds); None once
        the client is closed."""
        if not self._pending and not self.closed:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            if timeout is not None:
                self._wait_until = loop.time() + timeout
                if self._timer is not None and self._timer.when() > self._wait_until:
                    self._timer.cancel()  # a shorter wait than the last (rare)
                    self._timer = None
                if self._timer is None:
                    self._timer = loop.call_at(self._wait_until, self._time_up)
            try:
                woken = await waiter
            finally:
                self._waiter = None
            if not woken:
                raise TimeoutError
        if self.closed:
            return None
        return self._pending.popleft()

    def _time_up(self) -> None:
        # The timer was set for an earlier wait: it moves on to this one's end, if later.
        loop = asyncio.get_running_loop()
        if self._waiter is not None and loop.time() < self._wait_until:
            self._timer = loop.call_at(self._wait_until, self._time_up)
            return
        self._timer = None
        self._wake(False)

    def drain(self) -> list[Message]:
        """Every event already queued, without waiting."""
        if self.closed:
            return []
        taken = list(self._pending)
        self._pending.clear()
        return taken

    def close(self) -> None:
        """End the connection: the transport's `receive()` returns None."""
        self.closed = True
        self._pending.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._wake(True)


def same_auth(a: Record | None, b: Record | None) -> bool:
    """Whether two auth states are the same record (or both guests)."""
    if a is None or b is None:
        return a is b
    return a.id == b.id and a.collection.id == b.collection.id


def _auth_key(auth: Record | None) -> tuple[str, str] | None:
    return None if auth is None else (auth.collection.id, auth.id)


# Rendered events by (client auth, rule, options) for one record change; None = not allowed.
_Memo = dict[tuple[Any, ...], bytes | None]
Delivery = tuple[Client, Message]
_Listener = tuple[Client, Record | None]  # a client and the auth it had when the change committed


class Broker:
    """The in-process broker: realtime clients of this process and what they receive."""

    def __init__(self, app: Core) -> None:
        self._app = app
        self._clients: dict[str, Client] = {}
        self._events: asyncio.Queue[Callable[[], Any]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        # Delete events rendered before the row went, by the delete's event, until it commits.
        self._deletes: weakref.WeakKeyDictionary[RecordEvent, list[Delivery]] = weakref.WeakKeyDictionary()

    def bind(self, app: Core) -> None:
        """Bind the handlers that hear record and collection changes on `app`'s hooks."""
        # Without connected clients (most of the time) these have nothing to do.
        listened = self._listened
        app.on_record_after_create_success.bind(Handler(self._saved, "pbRealtimeCreate", _OUTER, listened))
        app.on_record_after_update_success.bind(Handler(self._saved, "pbRealtimeUpdate", _OUTER, listened))
        app.on_record_delete.bind(Handler(self._deleting, "pbRealtimeDeleting", _INNER, listened))
        app.on_record_after_delete_success.bind(
            Handler(self._deleted, "pbRealtimeDelete", _OUTER, lambda e: listened(e) or e in self._deletes)
        )
        app.on_collection_after_update_success.bind(Handler(self._collection_saved, "pbRealtimeAuth", _OUTER))
        app.on_collection_after_delete_success.bind(Handler(self._collection_gone, "pbRealtimeAuth", _OUTER))

    # --- clients ---------------------------------------------------------------------------------

    def register(self, client: Client) -> None:
        """Make a connected client reachable by its id; a closed broker ends it at once (a
        stream that opened while the server stops)."""
        if self._closed:
            client.close()
            return
        self._clients[client.id] = client

    def unregister(self, client: Client) -> None:
        """Forget a client and close it."""
        if self._clients.get(client.id) is client:
            del self._clients[client.id]
        client.close()

    def client(self, client_id: str) -> Client | None:
        """The connected client of this process with this id."""
        return self._clients.get(client_id)

    async def find(self, client_id: str) -> Client | None:
        """The connected client with this id, wherever it is connected (a subscribe call may
        reach another worker than the client's stream)."""
        return self._clients.get(client_id)

    async def start(self) -> None:
        """Begin working (the in-process broker needs nothing)."""

    def clients(self) -> list[Client]:
        """Every connected client."""
        return list(self._clients.values())

    def close(self) -> None:
        """Disconnect everyone, refuse new clients and stop fanning out (server shutdown)."""
        self._closed = True
        for client in self.clients():
            self.unregister(client)
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    def unset_auth(self, collection: Collection | str, record_id: str | None = None) -> None:
        """Make guests of the clients bound to a record of `collection` (any record when
        `record_id` is None): its secret changed, or it was deleted."""
        collection_id = collection if isinstance(collection, str) else collection.id
        for client in self.clients():
            auth = client.auth
            if auth is not None and auth.collection.id == collection_id and record_id in (None, auth.id):
                client.auth = None

    # --- changes, heard through the hooks ---------------------------------------------------------

    def _listened(self, _: RecordEvent) -> bool:
        return bool(self._clients)

    async def _saved(self, e: RecordEvent) -> None:
        self.saved(e.type, e.record.snapshot())
        await e.next()

    async def _deleting(self, e: RecordEvent) -> None:
        self._deletes[e] = await self._render_delete(e.record)
        await e.next()

    async def _deleted(self, e: RecordEvent) -> None:
        deliveries = self._deletes.pop(e, None)
        if e.record.collection.is_auth:
            self.unset_auth(e.record.collection, e.record.id)
        if deliveries:
            self._enqueue(lambda: deliver(deliveries))
        await e.next()

    async def _collection_saved(self, e: CollectionEvent) -> None:
        self.collection_saved(e.collection)
        await e.next()

    async def _collection_gone(self, e: CollectionEvent) -> None:
        self.unset_auth(e.collection)
        await e.next()

    def collection_saved(self, collection: Collection) -> None:
        """A collection changed: a new token secret signs every client of it out."""
        secret = collection.auth.authToken.secret if collection.auth else None
        for client in self.clients():
            auth = client.auth
            if auth is not None and auth.collection.id == collection.id:
                old = auth.collection.auth.authToken.secret if auth.collection.auth else None
                if old != secret:
                    client.auth = None

    def saved(self, action: str, record: Record) -> None:
        """A create or update committed: refresh bound auth records, then fan out."""
        if not self._clients:
            return
        if action == "update" and record.collection.is_auth:
            for client in self.clients():
                if same_auth(client.auth, record):
                    assert client.auth is not None
                    same_key = client.auth.get("tokenKey") == record.get("tokenKey")
                    client.auth = record if same_key else None
        # Each client is judged with the auth it has now, not whatever it has when the fan-out
        # gets to it (a later commit may unbind it).
        audience = [(client, client.auth) for client in self.clients()]
        self._enqueue(lambda: self._fan_out(action, record, audience))

    async def _render_delete(self, record: Record) -> list[Delivery]:
        """The delete events, rendered while the row is still visible outside the transaction
        (delivered once the delete commits)."""
        # NB: a fresh context has no open transaction, so these reads see the committed state.
        audience = [(client, client.auth) for client in self.clients()]
        task = asyncio.get_running_loop().create_task(
            self._deliveries("delete", record, audience), context=contextvars.Context()
        )
        return await task

    def _enqueue(self, job: Callable[[], Any]) -> None:
        self._events.put_nowait(job)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            job = await self._events.get()
            try:
                result = job()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # one bad event must not stop realtime for everyone
                _log.exception("realtime fan-out failed")

    async def _fan_out(self, action: str, record: Record, audience: list[_Listener]) -> None:
        deliver(await self._deliveries(action, record, audience))

    async def _deliveries(self, action: str, record: Record, audience: list[_Listener]) -> list[Delivery]:
        collection = record.collection
        view, list_ = collection.viewRule, collection.listRule
        topics = {
            f"{collection.name}/{record.id}": (view, "view"),
            f"{collection.id}/{record.id}": (view, "view"),
            f"{collection.name}/*": (list_, "list"),
            f"{collection.id}/*": (list_, "list"),
            # NB: the bare collection topic is PocketBase's deprecated form of `/*`.
            collection.name: (list_, "list"),
            collection.id: (list_, "list"),
        }
        memo: _Memo = {}
        out: list[Delivery] = []
        # NB: the hot loop of a fan-out (each client by its topics, typically one or two).
        for client, auth in audience:
            auth_key = _auth_key(auth)
            for topic, subs in client.topics.items():
                matched = topics.get(topic)
                if matched is None:
                    continue
                rule, kind = matched
                for sub, options, options_key in subs:
                    key = (auth_key, kind, options_key)
                    if key not in memo:
                        memo[key] = await self._render(action, record, rule, auth, options)
                    data = memo[key]
                    if data is not None:
                        out.append((client, Message(sub, data)))
        return out

    async def _render(
        self, action: str, record: Record, rule: str | None, auth: Record | None, options: Options
    ) -> bytes | None:
        """The event data for a client with `auth` and `options`, or None when it may not see it."""
        app = self._app
        info = RequestInfo("realtime", "GET", dict(options.query), dict(options.headers), {}, auth)
        if not await can_access(app, record, rule, info):
            return None
        client_filter = options.query.get("filter", "")
        if client_filter:
            if not is_superuser(auth) and any(
                prefix in options.query.get(param, "")
                for param in ("filter", "sort")
                for prefix in ("@collection.", "@request.")
            ):
                return None
            try:
                matched = await find_visible_record(
                    app, record.collection, record.id, client_filter, info, allow_hidden=False
                )
            except ValueError:
                return None
            if matched is None:
                return None
        presented: Any = (await present_records(app, [record.snapshot()], info))[0]
        fields = options.query.get("fields", "")
        if fields:
            # As PocketBase: a bad `fields` sends the whole record.
            with contextlib.suppress(ValueError):
                presented = pick(presented, parse_fields(fields))
        return msgspec.json.encode({"record": presented, "action": action})


def deliver(deliveries: list[Delivery]) -> None:
    for client, message in deliveries:
        client.send(message)
