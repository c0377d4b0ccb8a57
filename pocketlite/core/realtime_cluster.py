"""The cross-process realtime broker: `serve --workers N` (DESIGN.md principle 8).

Each worker keeps its own clients and renders their events, as the in-process `Broker` does;
what crosses processes goes over a publish/subscribe bus (`tools/pubsub.py`) on which every
worker sees every message, its own included, in one order. The rules built on that:

* A transaction's record changes are published right before its COMMIT, while it still holds
  SQLite's write lock, and it commits only once the bus has forwarded them back (publishing
  only queues a message); a second message says whether it committed. Publications thus come
  in commit order, whichever worker wrote; every worker (the writer too) fans a transaction out
  to its clients once its commit is known, strictly in that order. A single save outside a
  transaction gets one of its own for this.
* A delete is rendered while its row still exists: before the delete runs, the writer publishes
  it and waits until every worker has rendered it for its clients; the events go out with the
  rest of the transaction (a rollback discards them).
* A subscribe call may reach another worker than the client's stream. That worker asks the
  others for the client (its IP, auth and subscriptions), runs the hooks with a stand-in, and
  sends the outcome to the client's worker, answering only once that worker applied it: an
  event published after the answer is rendered with the new subscriptions.
* Workers know each other from a hello on start and a goodbye on stop; waits on a worker that
  died without one end after `PEER_TIMEOUT` and forget it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.collection import Collection
from pocketlite.core.errors import NotFoundError
from pocketlite.core.events import CollectionEvent, RecordEvent
from pocketlite.core.realtime import Broker, Client, Delivery, Message, deliver
from pocketlite.core.record import Record
from pocketlite.tools.hook import Handler
from pocketlite.tools.pubsub import Member
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["COMMIT_TIMEOUT", "PEER_TIMEOUT", "ClusterBroker"]

_log = logging.getLogger("pocketlite")

# Seconds to wait for another worker's answer before taking it for gone.
# Generous: a busy worker must not be taken for dead (a subscribe call would answer 404, a
# delete's rendering would go on without it); a dead one costs this wait once.
PEER_TIMEOUT = 10.0
# Seconds to wait for a transaction's outcome before taking its writer for dead (between its
# COMMIT and saying so); all realtime waits meanwhile, but dropping events of a slow writer that
# did commit would be worse.
COMMIT_TIMEOUT = 30.0
# Hook priorities: staging wraps every other execute handler; a delete is rendered last before
# it runs.
_FIRST, _LAST = -99, 99
# Seconds a starting worker waits for the bus to forward its hello.
_JOIN_TIMEOUT = 10.0
# A delete rendered for a writer that never said whether it committed is dropped after this.
_PREPARED_TTL = 60.0

# Where a transaction keeps its staged changes (`Transaction.state`).
_STAGED = "realtime"


# --- the messages on the bus ----------------------------------------------------------------------


class _Msg(msgspec.Struct, tag_field="t", array_like=True):
    pass


class Hello(_Msg, tag="hello"):
    worker: str


class Here(_Msg, tag="here"):
    worker: str


class Bye(_Msg, tag="bye"):
    worker: str


class Change(msgspec.Struct, array_like=True):
    """One record change of a transaction; a delete names its rendering (`Deleting.token`)."""

    action: str
    collection: str
    row: dict[str, Any]
    rendered: str = ""


class Changes(_Msg, tag="changes"):
    """A transaction's record changes, published right before its COMMIT."""

    token: str
    changes: list[Change]


class Deleting(_Msg, tag="deleting"):
    worker: str
    token: str
    collection: str
    row: dict[str, Any]


class Rendered(_Msg, tag="rendered"):
    token: str
    worker: str


class Committed(_Msg, tag="committed"):
    token: str


class RolledBack(_Msg, tag="rolledback"):
    token: str


class CollectionChanged(_Msg, tag="collection"):
    collection: str
    gone: bool


class Ask(_Msg, tag="ask"):
    token: str
    client: str


class Answer(_Msg, tag="answer"):
    token: str
    worker: str
    found: bool
    ip: str = ""
    auth: list[str] | None = None
    subscriptions: list[str] = []


class Replace(_Msg, tag="replace"):
    token: str
    client: str
    auth: list[str] | None
    subscriptions: list[str]


class Replaced(_Msg, tag="replaced"):
    token: str
    worker: str
    found: bool


class Send(_Msg, tag="send"):
    client: str
    name: str
    data: bytes


_Any = (
    Hello
    | Here
    | Bye
    | Changes
    | Committed
    | RolledBack
    | Deleting
    | Rendered
    | CollectionChanged
    | Ask
    | Answer
    | Replace
    | Replaced
    | Send
)
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(_Any).decode


def _row(record: Record) -> dict[str, Any]:
    """The record as stored: what `Record.from_row` loads back on the other side."""
    return {f.name: f.to_db(record.data.get(f.name)) for f in record.collection.fields}


def _key(auth: Record | None) -> list[str] | None:
    return None if auth is None else [auth.collection.id, auth.id]


class _Replies:
    """Answers to one request, from the workers expected to answer."""

    def __init__(self, expected: set[str], enough: Callable[[Any], bool]) -> None:
        self.expected = expected
        self.enough = enough
        self.answers: dict[str, Any] = {}
        self.done = asyncio.Event()

    def add(self, worker: str, answer: Any) -> None:
        self.answers[worker] = answer
        if self.enough(answer) or self.expected <= self.answers.keys():
            self.done.set()

    def forget(self, worker: str) -> None:
        self.expected.discard(worker)
        if self.expected <= self.answers.keys():
            self.done.set()


class RemoteClient(Client):
    """A client connected to another worker, as a subscribe call there sees it: changes go to
    that worker."""

    def __init__(self, broker: ClusterBroker, client_id: str, ip: str) -> None:
        super().__init__(ip)
        self.id = client_id
        self._broker = broker

    async def replace(self, auth: Record | None, subscriptions: Iterable[str]) -> None:
        await self._broker.replace(self, auth, list(subscriptions))

    def send(self, message: Message) -> None:
        self._broker.publish(Send(self.id, message.name, message.data))


class ClusterBroker(Broker):
    """The broker of one worker among several."""

    def __init__(self, app: Core, endpoints: str, sync: Callable[[], Awaitable[None]]) -> None:
        super().__init__(app)
        self._endpoints = endpoints
        self._sync = sync
        self.worker = random_string(12)
        self._member: Member | None = None
        self._reader: asyncio.Task[None] | None = None
        self._joined = asyncio.Event()
        self._roster = {self.worker}
        self._waits: dict[str, _Replies] = {}
        # Deletes rendered for this worker's clients, by token, until their writer says more.
        self._prepared: dict[str, tuple[float, list[Delivery]]] = {}
        # The rendering of each delete this worker runs, by (collection id, record id).
        self._tokens: dict[tuple[str, str], str] = {}
        # Published transactions, in commit order, each waiting to hear whether it committed:
        # token → [changes, committed (None: not known yet), when it arrived].
        self._transactions: dict[str, list[Any]] = {}
        # This worker's published transactions, by token, until the bus forwards them back.
        self._echoes: dict[str, asyncio.Future[None]] = {}

    def bind(self, app: Core) -> None:
        # NB: not the in-process broker's after-success handlers: changes are staged inside the
        # transaction instead, to be published in commit order.
        for action in ("create", "update", "delete"):
            app.hook(f"on_record_{action}_execute").bind(Handler(self._executing, "pbRealtimeStage", _FIRST))
        app.on_record_delete.bind(Handler(self._deleting, "pbRealtimeDeleting", _LAST))
        app.on_collection_after_update_success.bind(Handler(self._collection_saved, "pbRealtimeAuth", _FIRST))
        app.on_collection_after_delete_success.bind(Handler(self._collection_gone, "pbRealtimeAuth", _FIRST))

    # --- the bus ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Join the bus: the hub forwards to a new member only once its subscription arrived,
        so say hello until the hello comes back."""
        self._member = Member(self._endpoints)
        self._reader = asyncio.get_running_loop().create_task(self._listen())
        deadline = time.monotonic() + _JOIN_TIMEOUT
        while not self._joined.is_set():
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"the realtime bus ({self._endpoints}) does not answer")
            self.publish(Hello(self.worker))
            try:
                await asyncio.wait_for(self._joined.wait(), 0.05)
            except TimeoutError:
                continue

    def close(self) -> None:
        super().close()
        if self._member is not None:
            self.publish(Bye(self.worker))
            if self._reader is not None:
                self._reader.cancel()
            self._member.close()
            self._member = None

    def publish(self, message: _Msg) -> None:
        if self._member is not None:
            self._member.publish(_encode(message))

    async def _listen(self) -> None:
        assert self._member is not None
        incoming: asyncio.Future[bytes] | None = None
        try:
            while True:
                if incoming is None:
                    incoming = asyncio.ensure_future(self._member.receive())
                # NB: while a transaction waits for its outcome, wake up now and then to give up
                # on a writer that died between its COMMIT and saying so. (The receive goes on:
                # cancelling it could lose a message.)
                wait = COMMIT_TIMEOUT if self._transactions else None
                done, _ = await asyncio.wait({incoming}, timeout=wait)
                if not done:
                    await self._fan_out_decided()
                    continue
                raw, incoming = incoming.result(), None
                try:
                    await self._handle(_decode(raw))
                except Exception:  # one bad message must not stop realtime for everyone
                    _log.exception("realtime bus message failed")
        finally:
            if incoming is not None:
                incoming.cancel()

    async def _ask(self, message: _Msg, token: str, enough: Callable[[Any], bool]) -> dict[str, Any]:
        """Publish a request and wait for every known worker's answer (or a sufficient one)."""
        replies = _Replies(set(self._roster), enough)
        self._waits[token] = replies
        try:
            self.publish(message)
            try:
                await asyncio.wait_for(replies.done.wait(), PEER_TIMEOUT)
            except TimeoutError:
                silent = replies.expected - replies.answers.keys()
                _log.warning("realtime: workers %s did not answer; taken for gone", sorted(silent))
                self._roster -= silent
            return replies.answers
        finally:
            del self._waits[token]

    def _answer(self, token: str, worker: str, answer: Any) -> None:
        self._roster.add(worker)  # back, if a wait had given up on it
        replies = self._waits.get(token)
        if replies is not None:
            replies.add(worker, answer)

    async def _handle(self, message: _Msg) -> None:
        match message:
            case Changes(token, changes):
                self._transactions[token] = [changes, None, time.monotonic()]
                echoed = self._echoes.get(token)
                if echoed is not None and not echoed.done():
                    echoed.set_result(None)
            case Committed(token) | RolledBack(token) if token in self._transactions:
                self._transactions[token][1] = isinstance(message, Committed)
                await self._fan_out_decided()
            case Deleting(worker, token, collection_id, row):
                await self._render_for_writer(worker, token, collection_id, row)
            case Rendered(token, worker):
                self._answer(token, worker, True)
            case CollectionChanged(collection_id, gone):
                if gone:
                    self.unset_auth(collection_id)
                else:
                    await self._sync()
                    collection = self._app.find_collection(collection_id)
                    if collection is not None:
                        self.collection_saved(collection)
            case Ask(token, client_id):
                self.publish(self._describe(token, client_id))
            case Answer(token, worker):
                self._answer(token, worker, message)
            case Replace(token, client_id, auth, subscriptions):
                await self._apply(token, client_id, auth, subscriptions)
            case Replaced(token, worker):
                self._answer(token, worker, message)
            case Send(client_id, name, data):
                client = self.client(client_id)
                if client is not None:
                    client.send(Message(name, data))
            case Hello(worker):
                self._roster.add(worker)
                if worker == self.worker:
                    self._joined.set()
                else:
                    self.publish(Here(self.worker))
            case Here(worker):
                self._roster.add(worker)
            case Bye(worker):
                self._roster.discard(worker)
                for replies in self._waits.values():
                    replies.forget(worker)

    async def _collection(self, collection_id: str) -> Collection | None:
        # NB: the writer may have changed the schema first; the event must be read with it.
        await self._sync()
        return self._app.find_collection(collection_id)

    # --- changes: staged in their transaction, fanned out in commit order ------------------------

    async def _executing(self, e: RecordEvent) -> None:
        db = self._app.data
        if db.current_transaction() is None:
            async with db.transaction():
                await self._executing(e)
            return
        await e.next()
        tx = db.current_transaction()
        assert tx is not None
        staged: list[Change] | None = tx.state.get(_STAGED)
        if staged is None:
            staged = tx.state[_STAGED] = []
            token = random_string(20)
            db.before_commit(lambda: self._publish_in_order(Changes(token, staged)))
            await db.after_commit(lambda: self._decided(Committed(token)))
            db.after_rollback(lambda _: self._decided(RolledBack(token)))
        rendered = self._tokens.pop((e.record.collection.id, e.record.id), "") if e.type == "delete" else ""
        staged.append(Change(e.type, e.record.collection.id, _row(e.record), rendered))

    async def _publish_in_order(self, changes: Changes) -> None:
        """Publish a transaction's changes and wait until the hub forwards them back: the bus's
        order is commit order only if they are in it before the next writer can commit (a
        message published is only queued; another worker's could reach the hub first). Off the
        bus (closing), nothing is published, so nothing is waited for."""
        if self._member is None:
            return
        echoed = asyncio.get_running_loop().create_future()
        self._echoes[changes.token] = echoed
        try:
            self.publish(changes)
            await asyncio.wait_for(echoed, PEER_TIMEOUT)
        except TimeoutError:
            _log.warning("realtime: the bus did not forward a transaction in time; its order may differ")
        finally:
            del self._echoes[changes.token]

    async def _decided(self, outcome: Committed | RolledBack) -> None:
        self.publish(outcome)

    async def _deleting(self, e: RecordEvent) -> None:
        token = random_string(20)
        self._tokens[(e.record.collection.id, e.record.id)] = token
        message = Deleting(self.worker, token, e.record.collection.id, _row(e.record))
        await self._ask(message, token, lambda _: False)
        await e.next()

    async def _fan_out_decided(self) -> None:
        """Fan out the transactions whose outcome is known, in commit order, up to the first
        that is still waiting (given up on after `COMMIT_TIMEOUT`: its writer died)."""
        while self._transactions:
            token, (changes, committed, arrived) = next(iter(self._transactions.items()))
            if committed is None:
                if time.monotonic() - arrived < COMMIT_TIMEOUT:
                    return
                _log.warning("realtime: a transaction's writer never said whether it committed; dropped")
                committed = False
            del self._transactions[token]
            for change in changes:
                prepared = self._prepared.pop(change.rendered, None) if change.rendered else None
                if committed:
                    await self._fan_out_change(change, prepared[1] if prepared else [])

    async def _fan_out_change(self, change: Change, rendered: list[Delivery]) -> None:
        collection = await self._collection(change.collection)
        if collection is None:
            return
        if change.action == "delete":
            self.unset_auth(collection, change.row.get("id"))
            if rendered:
                self._enqueue(lambda: deliver(rendered))
        else:
            self.saved(change.action, Record.from_row(collection, change.row))

    async def _collection_saved(self, e: CollectionEvent) -> None:
        self.publish(CollectionChanged(e.collection.id, False))
        await e.next()

    async def _collection_gone(self, e: CollectionEvent) -> None:
        self.publish(CollectionChanged(e.collection.id, True))
        await e.next()

    async def _render_for_writer(
        self, writer: str, token: str, collection_id: str, row: dict[str, Any]
    ) -> None:
        """Render a coming delete for this worker's clients now, while the row exists (outside
        any transaction), and tell the writer it may go on."""
        now = time.monotonic()
        for stale in [t for t, (at, _) in self._prepared.items() if now - at > _PREPARED_TTL]:
            del self._prepared[stale]
        collection = await self._collection(collection_id)
        audience = [(client, client.auth) for client in self.clients()]
        if collection is not None and audience:
            # NB: this runs in the bus reader's task, outside the delete's transaction: the
            # reads see the row as committed.
            deliveries = await self._deliveries("delete", Record.from_row(collection, row), audience)
            self._prepared[token] = (now, deliveries)
        self.publish(Rendered(token, self.worker))

    # --- clients of other workers ------------------------------------------------------------------

    async def find(self, client_id: str) -> Client | None:
        local = self.client(client_id)
        if local is not None:
            return local
        token = random_string(20)
        answers = await self._ask(Ask(token, client_id), token, lambda a: bool(a.found))
        found = next((a for a in answers.values() if a.found), None)
        if found is None:
            return None
        client = RemoteClient(self, client_id, found.ip)
        client.auth = await self._load_auth(found.auth)
        client.subscribe(found.subscriptions)
        return client

    def _describe(self, token: str, client_id: str) -> Answer:
        client = self.client(client_id)
        if client is None or client.closed:
            return Answer(token, self.worker, False)
        return Answer(token, self.worker, True, client.ip, _key(client.auth), client.subscriptions)

    async def replace(self, client: RemoteClient, auth: Record | None, subscriptions: list[str]) -> None:
        """Apply a subscribe call to a client of another worker, returning once it did."""
        token = random_string(20)
        answers = await self._ask(
            Replace(token, client.id, _key(auth), subscriptions), token, lambda a: bool(a.found)
        )
        if not any(a.found for a in answers.values()):
            raise NotFoundError("Missing or invalid client id.")
        client.auth = auth
        client.unsubscribe()
        client.subscribe(subscriptions)

    async def _apply(
        self, token: str, client_id: str, auth: list[str] | None, subscriptions: list[str]
    ) -> None:
        client = self.client(client_id)
        if client is not None and not client.closed:
            await Client.replace(client, await self._load_auth(auth), subscriptions)
        self.publish(Replaced(token, self.worker, client is not None))

    async def _load_auth(self, key: list[str] | None) -> Record | None:
        if key is None:
            return None
        collection = await self._collection(key[0])
        return None if collection is None else await self._app.find_record_by_id(collection, key[1])
