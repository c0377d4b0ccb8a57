"""Realtime across `serve --workers N` (DESIGN.md principle 8): a stream and its subscribe call
may reach different workers, and writes may go through any of them; every subscriber still gets
every event it may see, exactly once, in one order shared by all.

Each stream and each subscribe call opens its own connection, and the kernel spreads connections
over the workers (SO_REUSEPORT): with a dozen streams, calls land on other workers than their
stream nearly always, and the assertions hold whichever worker took which."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.servers import Server
from tests.support.sse import Realtime

STREAMS = 12


@pytest.fixture(scope="module", params=[2, 4], ids=["2 workers", "4 workers"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Any]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("workers") / "pb_data")
    srv.create_superuser()
    srv.start(f"--workers={request.param}")
    admin = {"Authorization": srv.auth_token()}
    settings = {"trustedProxy": {"headers": ["X-Real-IP"]}}
    httpx.patch(f"{srv.url}/api/settings", json=settings, headers=admin).raise_for_status()
    users = {
        "name": "members",
        "type": "auth",
        "listRule": "",
        "viewRule": "",
        "fields": [{"name": "name", "type": "text"}],
    }
    httpx.post(f"{srv.url}/api/collections", json=users, headers=admin).raise_for_status()
    items = {"name": "items", "listRule": "", "viewRule": "", "fields": [{"name": "n", "type": "number"}]}
    httpx.post(f"{srv.url}/api/collections", json=items, headers=admin).raise_for_status()
    members_id = httpx.get(f"{srv.url}/api/collections/members", headers=admin).json()["id"]
    owner = "@request.auth.id != '' && owner = @request.auth.id"
    notes = {
        "name": "notes",
        "listRule": owner,
        "viewRule": owner,
        "fields": [
            {"name": "text", "type": "text"},
            {"name": "owner", "type": "relation", "collectionId": members_id, "maxSelect": 1},
        ],
    }
    httpx.post(f"{srv.url}/api/collections", json=notes, headers=admin).raise_for_status()
    yield srv, admin
    srv.stop()


def _subscribe(stream: Realtime, subscriptions: list[str], token: str = "", **headers: str) -> httpx.Response:
    """A subscribe call on a connection of its own (so, often, another worker)."""
    if token:
        headers["Authorization"] = token
    body = {"clientId": stream.client_id, "subscriptions": subscriptions}
    return httpx.post(f"{stream.base_url}/api/realtime", json=body, headers=headers)


def _member(srv: Server, admin: dict[str, str], email: str) -> tuple[str, str]:
    """A new `members` user: (id, token)."""
    body = {"email": email, "password": "Secret12345", "passwordConfirm": "Secret12345"}
    created = httpx.post(f"{srv.url}/api/collections/members/records", json=body, headers=admin).json()
    login = {"identity": email, "password": "Secret12345"}
    token = httpx.post(f"{srv.url}/api/collections/members/auth-with-password", json=login).json()["token"]
    return created["id"], token


def test_every_stream_gets_every_write_once_in_order(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    streams = [Realtime(srv.url) for _ in range(STREAMS)]
    try:
        for stream in streams:
            assert _subscribe(stream, ["items/*"]).status_code == 204
        # Three keep-alive connections: writes go through (usually) different workers.
        writers = [httpx.Client(base_url=srv.url, headers=admin) for _ in range(3)]
        ids = []
        for n in range(10):
            ids.append(writers[n % 3].post("/api/collections/items/records", json={"n": n}).json()["id"])
        for n, record_id in enumerate(ids):
            writers[(n + 1) % 3].patch(f"/api/collections/items/records/{record_id}", json={"n": n + 100})
        for n, record_id in enumerate(ids):
            writers[(n + 2) % 3].delete(f"/api/collections/items/records/{record_id}")
        expected = (
            [("create", n) for n in range(10)]
            + [("update", n + 100) for n in range(10)]
            + [("delete", n + 100) for n in range(10)]
        )
        for stream in streams:
            events = [e.data for e in stream.take(len(expected))]
            assert [(e["action"], e["record"]["n"]) for e in events] == expected
            assert not stream.quiet(0.2)  # nothing twice, nothing more
        for writer in writers:
            writer.close()
    finally:
        for stream in streams:
            stream.close()


def test_concurrent_writes_reach_everyone_in_one_order(live: tuple[Server, dict[str, str]]) -> None:
    """Writers on several connections at once: each stream gets each event exactly once, and all
    streams get them in the same order, with each record's create before its update."""
    srv, admin = live
    streams = [Realtime(srv.url) for _ in range(6)]
    try:
        for stream in streams:
            assert _subscribe(stream, ["items/*"]).status_code == 204

        def write(worker: int) -> None:
            with httpx.Client(base_url=srv.url, headers=admin) as client:
                for n in range(8):
                    value = worker * 100 + n
                    created = client.post("/api/collections/items/records", json={"n": value}).json()
                    client.patch(f"/api/collections/items/records/{created['id']}", json={"n": -value})

        threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        orders = []
        for stream in streams:
            events = [
                (e.data["action"], e.data["record"]["id"], e.data["record"]["n"]) for e in stream.take(64)
            ]
            assert not stream.quiet(0.2)
            assert len(set(events)) == 64  # nothing twice
            seen = [record_id for action, record_id, _ in events if action == "create"]
            for action, record_id, _ in events:
                if action == "update":
                    assert record_id in seen
            orders.append(events)
        assert all(order == orders[0] for order in orders)
    finally:
        for stream in streams:
            stream.close()


def test_the_last_event_of_a_record_is_its_last_committed_state(live: tuple[Server, dict[str, str]]) -> None:
    """Writers on several workers race to update one record: events go out in commit order, so
    every stream's last event for it shows what the database holds."""
    srv, admin = live
    record = httpx.post(f"{srv.url}/api/collections/items/records", json={"n": 0}, headers=admin).json()
    streams = [Realtime(srv.url) for _ in range(4)]
    try:
        for stream in streams:
            assert _subscribe(stream, [f"items/{record['id']}"]).status_code == 204

        def write(worker: int) -> None:
            with httpx.Client(base_url=srv.url, headers=admin) as client:
                for n in range(15):
                    client.patch(
                        f"/api/collections/items/records/{record['id']}", json={"n": worker * 100 + n}
                    )

        threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        final = httpx.get(f"{srv.url}/api/collections/items/records/{record['id']}").json()["n"]
        orders = [[e.data["record"]["n"] for e in stream.take(60)] for stream in streams]
        assert all(order == orders[0] for order in orders)
        assert orders[0][-1] == final
        for worker in range(4):  # each writer's updates in the order it made them
            own = [n for n in orders[0] if n // 100 == worker]
            assert own == [worker * 100 + n for n in range(15)]
    finally:
        for stream in streams:
            stream.close()


def test_rules_auth_and_deletes_across_workers(live: tuple[Server, dict[str, str]]) -> None:
    """An owner-only collection: the owner's stream sees its notes created, changed and deleted
    through other workers; a guest and another user see nothing."""
    srv, admin = live
    alice, alice_token = _member(srv, admin, f"alice{id(live)}@w.co")
    _, bob_token = _member(srv, admin, f"bob{id(live)}@w.co")
    streams = {"alice": Realtime(srv.url), "bob": Realtime(srv.url), "guest": Realtime(srv.url)}
    try:
        assert _subscribe(streams["alice"], ["notes/*"], alice_token).status_code == 204
        assert _subscribe(streams["bob"], ["notes/*"], bob_token).status_code == 204
        assert _subscribe(streams["guest"], ["notes/*"]).status_code == 204
        note = httpx.post(
            f"{srv.url}/api/collections/notes/records", json={"text": "a", "owner": alice}, headers=admin
        ).json()
        httpx.patch(
            f"{srv.url}/api/collections/notes/records/{note['id']}", json={"text": "b"}, headers=admin
        )
        httpx.delete(f"{srv.url}/api/collections/notes/records/{note['id']}", headers=admin)
        got = [(e.data["action"], e.data["record"]["text"]) for e in streams["alice"].take(3)]
        assert got == [("create", "a"), ("update", "b"), ("delete", "b")]
        assert not streams["bob"].quiet(0.3)
        assert not streams["guest"].quiet(0.1)
        # A bound identity can't change, whichever worker is asked.
        refused = _subscribe(streams["alice"], ["notes/*"], bob_token)
        assert refused.status_code == 403
        assert refused.json()["message"] == "The current and the previous request authorization don't match."
    finally:
        for stream in streams.values():
            stream.close()


def test_unknown_clients_and_other_ips_are_refused(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    missing = httpx.post(f"{srv.url}/api/realtime", json={"clientId": "nobody", "subscriptions": ["items/*"]})
    assert missing.status_code == 404
    assert missing.json()["message"] == "Missing or invalid client id."
    with Realtime(srv.url) as stream:
        moved = _subscribe(stream, ["items/*"], **{"X-Real-IP": "10.9.8.7"})
        assert moved.status_code == 400
        assert moved.json()["message"] == "Invalid realtime client."


def test_a_password_change_signs_out_its_streams_everywhere(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    carol, carol_token = _member(srv, admin, f"carol{id(live)}@w.co")
    streams = [Realtime(srv.url) for _ in range(4)]
    try:
        for stream in streams:
            assert _subscribe(stream, ["notes/*"], carol_token).status_code == 204
        notes = f"{srv.url}/api/collections/notes/records"
        httpx.post(notes, json={"text": "before", "owner": carol}, headers=admin)
        for stream in streams:  # signed in as carol: her note arrives
            assert stream.next().data["record"]["text"] == "before"
        body = {"password": "Changed12345", "passwordConfirm": "Changed12345"}
        httpx.patch(f"{srv.url}/api/collections/members/records/{carol}", json=body, headers=admin)
        httpx.post(notes, json={"text": "after", "owner": carol}, headers=admin)
        for stream in streams:
            assert not stream.quiet(0.3)  # guests now: the owner rule fails
    finally:
        for stream in streams:
            stream.close()


def test_schema_changes_reach_the_other_workers(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    with Realtime(srv.url) as stream:
        assert _subscribe(stream, ["items/*"]).status_code == 204
        fields = [{"name": "n", "type": "number"}, {"name": "label", "type": "text"}]
        httpx.patch(
            f"{srv.url}/api/collections/items", json={"fields": fields}, headers=admin
        ).raise_for_status()
        for n in range(4):  # through fresh connections: several workers write the new field
            httpx.post(
                f"{srv.url}/api/collections/items/records", json={"n": n, "label": f"l{n}"}, headers=admin
            )
        assert [e.data["record"]["label"] for e in stream.take(4)] == ["l0", "l1", "l2", "l3"]


def test_the_oauth2_redirect_reaches_a_client_on_another_worker(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    streams = [Realtime(srv.url) for _ in range(4)]
    try:
        for stream in streams:
            assert _subscribe(stream, ["@oauth2"]).status_code == 204
            redirect = httpx.get(
                f"{srv.url}/api/oauth2-redirect", params={"state": stream.client_id, "code": "abc"}
            )
            assert redirect.headers["location"] == "../_/#/auth/oauth2-redirect-success"
            event = stream.next()
            assert (event.name, event.data) == ("@oauth2", {"state": stream.client_id, "code": "abc"})
            # One redirect per subscription.
            again = httpx.get(
                f"{srv.url}/api/oauth2-redirect", params={"state": stream.client_id, "code": "x"}
            )
            assert again.headers["location"] == "../_/#/auth/oauth2-redirect-failure"
    finally:
        for stream in streams:
            stream.close()


def test_websocket_clients_hear_writes_on_every_worker(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(connect(f"ws://127.0.0.1:{srv.port}/api/updates")) for _ in range(4)]
        for ws in sockets:
            assert json.loads(ws.recv(timeout=5))["type"] == "connect"
            ws.send(json.dumps({"type": "subscribe", "topics": ["items/*"], "id": 1}))
            assert json.loads(ws.recv(timeout=5)) == {"type": "ok", "id": 1}
        for n in range(5):
            httpx.post(f"{srv.url}/api/collections/items/records", json={"n": 1000 + n}, headers=admin)
        for ws in sockets:
            got = [json.loads(ws.recv(timeout=5))["data"]["record"]["n"] for _ in range(5)]
            assert got == [1000, 1001, 1002, 1003, 1004]
