"""Realtime over SSE (files-and-realtime.md §3) against PocketBase 0.40.6: the same script of
subscriptions and writes runs on both servers, and every client must receive the same events.

Events of one write may arrive in any order across subscriptions (PocketBase sends each from
its own goroutine), so each step compares the multiset of (event name, normalized data) per
client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.diff.conftest import serving_pair
from tests.diff.normalize import normalize
from tests.servers import Server
from tests.support.sse import Realtime

pytestmark = pytest.mark.xdist_group("diff")

POST_ID = "rtpost000000001"
ALICE, BOB = "rtalice00000001", "rtbob0000000001"
PASSWORD = "Secret123456"


def options(query: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    """A subscription's `?options=` as the JS SDK writes it."""
    return "?options=" + quote(json.dumps({"query": query, "headers": headers or {}}), safe="")


def _setup(server: Server, token: str) -> dict[str, str]:
    """The collections and users; returns user tokens by name."""
    admin = {"Authorization": token}

    def post(path: str, body: dict[str, Any]) -> None:
        response = httpx.post(server.url + path, json=body, headers=admin)
        assert response.status_code == 200, response.text

    post(
        "/api/collections",
        {
            "name": "rt_users",
            "type": "auth",
            "listRule": "",
            "viewRule": "",
            "fields": [{"name": "name", "type": "text"}],
        },
    )
    users = server.url + "/api/collections/rt_users"
    for user_id, email in ((ALICE, "alice@rt.co"), (BOB, "bob@rt.co")):
        post(
            "/api/collections/rt_users/records",
            {"id": user_id, "email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, "name": email},
        )
    post(
        "/api/collections",
        {
            "name": "rt_posts",
            "listRule": "author = @request.auth.id",
            "viewRule": "author = @request.auth.id",
            "fields": [
                {"name": "title", "type": "text"},
                {
                    "name": "author",
                    "type": "relation",
                    "collectionId": _collection_id(server, token, "rt_users"),
                },
                {"name": "secret", "type": "text", "hidden": True},
            ],
        },
    )
    post(
        "/api/collections",
        {
            "name": "rt_comments",
            "listRule": "",
            "viewRule": "",
            "fields": [
                {"name": "message", "type": "text"},
                {
                    "name": "post",
                    "type": "relation",
                    "collectionId": _collection_id(server, token, "rt_posts"),
                    "cascadeDelete": True,
                },
            ],
        },
    )
    post("/api/collections", {"name": "rt_locked", "fields": [{"name": "title", "type": "text"}]})
    tokens = {}
    for name, email in (("alice", "alice@rt.co"), ("bob", "bob@rt.co")):
        response = httpx.post(f"{users}/auth-with-password", json={"identity": email, "password": PASSWORD})
        tokens[name] = response.json()["token"]
    return tokens


def _collection_id(server: Server, token: str, name: str) -> str:
    response = httpx.get(f"{server.url}/api/collections/{name}", headers={"Authorization": token})
    return str(response.json()["id"])


Step = Callable[[Server, str, dict[str, str], dict[str, Realtime]], Any]


def _write(method: str, path: str, body: dict[str, Any] | None = None) -> Step:
    def run(server: Server, token: str, users: dict[str, str], clients: dict[str, Realtime]) -> Any:
        response = httpx.request(method, server.url + path, json=body, headers={"Authorization": token})
        return response.status_code

    return run


def _subscribe(client: str, subscriptions: list[str], user: str = "") -> Step:
    def run(server: Server, token: str, users: dict[str, str], clients: dict[str, Realtime]) -> Any:
        auth = token if user == "superuser" else users.get(user, "")
        response = clients[client].subscribe(subscriptions, auth)
        return response.status_code, normalize(response.json()) if response.content else None

    return run


GUEST_SUBSCRIPTIONS = [
    "rt_comments/*",
    "rt_comments/*" + options({"fields": "id,message", "expand": "post"}, {"X-Custom": "1"}),
    f"rt_posts/{POST_ID}",
    "rt_comments",
    "rt_posts/*",
    "rt_locked/*",
    "rt_comments/*" + options({"filter": "@request.auth.id != ''"}),
    "rt_comments/*" + options({"filter": "message ~ 'alice'", "fields": "message"}),
    "unknown/*",
]
ALICE_SUBSCRIPTIONS = [
    "rt_posts/*",
    f"rt_posts/{POST_ID}",
    "rt_comments/*" + options({"expand": "post", "filter": "post.author = @request.auth.id"}),
    "rt_users/*",
    "rt_locked/*",
]
SUPERUSER_SUBSCRIPTIONS = [
    "rt_posts/*" + options({"expand": "author"}),
    "rt_users/*",
    "rt_locked/*",
    "rt_comments/*" + options({"filter": "@request.headers.x_tag = 'a'"}, {"X-Tag": "a"}),
]

# (what happens, the request): after each, every client's events are compared.
SCRIPT: list[tuple[str, Step]] = [
    ("guest subscribes", _subscribe("guest", GUEST_SUBSCRIPTIONS)),
    ("alice subscribes", _subscribe("alice", ALICE_SUBSCRIPTIONS, "alice")),
    ("superuser subscribes", _subscribe("superuser", SUPERUSER_SUBSCRIPTIONS, "superuser")),
    (
        "create alice's post",
        _write(
            "POST",
            "/api/collections/rt_posts/records",
            {"id": POST_ID, "title": "t", "author": ALICE, "secret": "s"},
        ),
    ),
    (
        "comment on it",
        _write(
            "POST",
            "/api/collections/rt_comments/records",
            {"id": "rtcomment000001", "message": "hello alice", "post": POST_ID},
        ),
    ),
    (
        "a comment elsewhere",
        _write("POST", "/api/collections/rt_comments/records", {"id": "rtcomment000002", "message": "plain"}),
    ),
    ("update the post", _write("PATCH", f"/api/collections/rt_posts/records/{POST_ID}", {"title": "t2"})),
    ("update alice", _write("PATCH", f"/api/collections/rt_users/records/{ALICE}", {"name": "Alice"})),
    ("update bob", _write("PATCH", f"/api/collections/rt_users/records/{BOB}", {"name": "Bob"})),
    ("a locked collection's record", _write("POST", "/api/collections/rt_locked/records", {"title": "x"})),
    (
        "delete the post (cascades to its comment)",
        _write("DELETE", f"/api/collections/rt_posts/records/{POST_ID}"),
    ),
    ("delete the other comment", _write("DELETE", "/api/collections/rt_comments/records/rtcomment000002")),
    ("guest binds alice's auth", _subscribe("guest", ["rt_posts/*"], "alice")),
    ("guest (now alice) can't go back to guest", _subscribe("guest", ["rt_posts/*"])),
    ("alice can't switch to bob", _subscribe("alice", ALICE_SUBSCRIPTIONS, "bob")),
    (
        "alice's password changes (her clients become guests)",
        _write(
            "PATCH",
            f"/api/collections/rt_users/records/{ALICE}",
            {"password": "Changed123456", "passwordConfirm": "Changed123456"},
        ),
    ),
    (
        "a new post of alice's",
        _write(
            "POST",
            "/api/collections/rt_posts/records",
            {"id": "rtpost000000002", "title": "n", "author": ALICE},
        ),
    ),
    ("the former alice client may bind bob now", _subscribe("alice", ["rt_posts/*"], "bob")),
    ("bob's post", _write("POST", "/api/collections/rt_posts/records", {"title": "b", "author": BOB})),
    (
        "bob is deleted, his post keeps an empty author",
        _write("DELETE", f"/api/collections/rt_users/records/{BOB}"),
    ),
    ("guest unsubscribes from everything", _subscribe("guest", [])),
    (
        "a comment nobody subscribed to",
        _write("POST", "/api/collections/rt_comments/records", {"message": "late"}),
    ),
]


def _events(client: Realtime) -> list[tuple[str, str]]:
    return sorted((e.name, json.dumps(normalize(e.data), sort_keys=True)) for e in client.quiet(0.05))


def _run(server: Server, token: str) -> list[tuple[str, Any, dict[str, list[tuple[str, str]]]]]:
    users = _setup(server, token)
    clients = {name: Realtime(server.url) for name in ("guest", "alice", "superuser")}
    try:
        transcript = []
        for what, step in SCRIPT:
            result = step(server, token, users, clients)
            time.sleep(0.25)  # let the events of this step arrive
            transcript.append((what, result, {name: _events(c) for name, c in clients.items()}))
        return transcript
    finally:
        for client in clients.values():
            client.close()


@pytest.fixture(scope="module")
def transcripts(pair: tuple[Server, Server], tokens: tuple[str, str]) -> tuple[list[Any], list[Any]]:
    return _run(pair[0], tokens[0]), _run(pair[1], tokens[1])


@pytest.fixture(scope="module")
def transcripts_on_workers(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[Any]]:
    """The script against `serve --workers 3` (each call of the script opens its own
    connection, so streams, subscribe calls and writes land on different workers)."""
    with serving_pair(tmp_path_factory, "rt_workers", "--workers=3") as (ours, theirs):
        return _run(ours, ours.auth_token()), _run(theirs, theirs.auth_token())


@pytest.mark.parametrize("index", range(len(SCRIPT)), ids=[what for what, _ in SCRIPT])
def test_same_events(index: int, transcripts: tuple[list[Any], list[Any]]) -> None:
    ours, theirs = transcripts[0][index], transcripts[1][index]
    assert ours == theirs


@pytest.mark.parametrize("index", range(len(SCRIPT)), ids=[what for what, _ in SCRIPT])
def test_same_events_on_several_workers(
    index: int, transcripts_on_workers: tuple[list[Any], list[Any]]
) -> None:
    ours, theirs = transcripts_on_workers[0][index], transcripts_on_workers[1][index]
    assert ours == theirs


def test_the_script_delivers_events(transcripts: tuple[list[Any], list[Any]]) -> None:
    """The comparison is only worth something if PocketBase itself sent events."""
    received = sum(len(events) for _, _, by_client in transcripts[1] for events in by_client.values())
    assert received > 20


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("GET", {"state": "nobody", "code": "abc"}),
        ("GET", {}),
        ("POST", {"state": "nobody", "code": "abc"}),
    ],
    ids=["GET unknown client", "GET nothing", "POST unknown client"],
)
def test_oauth2_redirect_lands_on_the_dashboards_end_page(
    pair: tuple[Server, Server], method: str, params: dict[str, str]
) -> None:
    answers = []
    for server in pair:
        url = f"{server.url}/api/oauth2-redirect"
        response = httpx.get(url, params=params) if method == "GET" else httpx.post(url, data=params)
        answers.append((response.status_code, response.headers.get("location")))
    assert answers[0] == answers[1]
