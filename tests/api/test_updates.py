"""Realtime over the WebSocket at `/api/updates` (docs/realtime.md): the same topics, options,
rules and event data as over SSE, with subscribe/unsubscribe/auth as messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.servers import Server
from tests.support.sse import Realtime

PASSWORD = "12345678"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str], dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("updates") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    collection = {
        "name": "inbox",
        "listRule": "owner = @request.auth.id",
        "viewRule": "owner = @request.auth.id",
        "fields": [
            {"name": "text", "type": "text"},
            {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        ],
    }
    httpx.post(f"{srv.url}/api/collections", json=collection, headers=admin).raise_for_status()
    users: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for name in ("ann", "ben"):
        body = {"email": f"{name}@ws.test", "password": PASSWORD, "passwordConfirm": PASSWORD}
        users[name] = httpx.post(f"{srv.url}/api/collections/users/records", json=body, headers=admin).json()[
            "id"
        ]
        login = {"identity": body["email"], "password": PASSWORD}
        tokens[name] = httpx.post(f"{srv.url}/api/collections/users/auth-with-password", json=login).json()[
            "token"
        ]
    yield srv, admin, {**{f"{k}_id": v for k, v in users.items()}, **tokens}
    srv.stop()


def _socket(srv: Server, **kwargs: Any) -> ClientConnection:
    return connect(srv.url.replace("http://", "ws://") + "/api/updates", **kwargs)


def _recv(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=5))


def _call(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    ws.send(json.dumps(message))
    return _recv(ws)


def _create(srv: Server, admin: dict[str, str], owner: str, text: str) -> dict[str, Any]:
    body = {"owner": owner, "text": text}
    response = httpx.post(f"{srv.url}/api/collections/inbox/records", json=body, headers=admin)
    response.raise_for_status()
    return dict(response.json())


def test_the_socket_gets_the_same_events_as_sse(live: tuple[Server, dict[str, str], dict[str, str]]) -> None:
    srv, admin, users = live
    options = "?options=" + quote(json.dumps({"query": {"fields": "id,text"}, "headers": {}}))
    topics = ["inbox/*", "inbox/*" + options]
    with _socket(srv) as ws, Realtime(srv.url) as sse:
        hello = _recv(ws)
        assert hello["type"] == "connect" and len(hello["clientId"]) == 40
        assert _call(ws, {"type": "auth", "token": users["ann"], "id": 1}) == {"type": "ok", "id": 1}
        assert _call(ws, {"type": "subscribe", "topics": topics, "id": 2}) == {"type": "ok", "id": 2}
        assert sse.subscribe(topics, users["ann"]).status_code == 204

        record = _create(srv, admin, users["ann_id"], "hello")
        _create(srv, admin, users["ben_id"], "not for ann")
        over_ws = sorted(((m := _recv(ws))["topic"], json.dumps(m["data"])) for _ in topics)
        over_sse = sorted((e.name, json.dumps(e.data)) for e in sse.take(len(topics)))
        assert over_ws == over_sse
        assert json.loads(dict(over_ws)["inbox/*"]) == {"record": record, "action": "create"}
        assert sse.quiet() == []

        assert _call(ws, {"type": "unsubscribe", "id": 3}) == {"type": "ok", "id": 3}
        _create(srv, admin, users["ann_id"], "after unsubscribe")
        assert len(sse.take(2)) == 2  # SSE still subscribed: the event did go out
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)


def test_auth_by_header_or_query_and_its_rules(live: tuple[Server, dict[str, str], dict[str, str]]) -> None:
    srv, admin, users = live
    with (
        _socket(srv, additional_headers={"Authorization": users["ann"]}) as ann,
        _socket(srv) as guest,
    ):
        _recv(ann), _recv(guest)
        for ws in (ann, guest):
            assert _call(ws, {"type": "subscribe", "topics": ["inbox/*"]}) == {"type": "ok"}
        _create(srv, admin, users["ann_id"], "for ann")
        assert _recv(ann)["data"]["record"]["text"] == "for ann"
        with pytest.raises(TimeoutError):
            guest.recv(timeout=0.3)
        # A bound identity can't change; an unknown token is refused.
        refused = _call(ann, {"type": "auth", "token": users["ben"]})
        assert refused == {
            "type": "error",
            "status": 403,
            "message": "The current and the previous request authorization don't match.",
        }
        assert _call(guest, {"type": "auth", "token": "nope"})["status"] == 400

    url = srv.url.replace("http://", "ws://") + "/api/updates?token=" + users["ben"]
    with connect(url) as ben:
        _recv(ben)
        _call(ben, {"type": "subscribe", "topics": ["inbox/*"]})
        _create(srv, admin, users["ben_id"], "for ben")
        assert _recv(ben)["data"]["record"]["text"] == "for ben"


@pytest.mark.parametrize(
    ("message", "status", "text"),
    [
        ("not json", 400, "Invalid message."),
        (json.dumps({"type": "dance"}), 400, "Unknown message type."),
        (
            json.dumps({"type": "subscribe", "topics": ["x" * 2501]}),
            400,
            "A topic can't be longer than 2500 characters.",
        ),
        (
            json.dumps({"type": "subscribe", "topics": [f"t{i}" for i in range(1001)]}),
            400,
            "A client can't have more than 1000 subscriptions.",
        ),
    ],
    ids=["not json", "unknown type", "long topic", "too many topics"],
)
def test_bad_messages_are_answered_and_the_socket_stays(
    live: tuple[Server, dict[str, str], dict[str, str]], message: str, status: int, text: str
) -> None:
    srv, _, _ = live
    with _socket(srv) as ws:
        _recv(ws)
        ws.send(message)
        assert _recv(ws) == {"type": "error", "status": status, "message": text}
        assert _call(ws, {"type": "subscribe", "topics": ["inbox/*"]}) == {"type": "ok"}


def test_closing_the_socket_forgets_the_client(live: tuple[Server, dict[str, str], dict[str, str]]) -> None:
    srv, _, _ = live
    with _socket(srv) as ws:
        client_id = _recv(ws)["clientId"]
    body = {"clientId": client_id, "subscriptions": []}
    for _ in range(100):
        response = httpx.post(f"{srv.url}/api/realtime", json=body)
        if response.status_code == 404:
            break
    assert response.status_code == 404
