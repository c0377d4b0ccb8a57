"""Listing and viewing records (records-api.md §1-§2) through a live server: API rules, filters
over relations, hidden fields and email visibility."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server


@pytest.fixture(scope="module")
def shelf(server: Server, superuser_token: str) -> Iterator[None]:
    """Two collections with rules and rows written straight into the server's SQLite file."""
    admin = {"Authorization": superuser_token}
    writers = httpx.post(
        f"{server.url}/api/collections",
        headers=admin,
        json={
            "name": "shelf_writers",
            "listRule": "hidden_flag = false",
            "fields": [
                {"name": "name", "type": "text"},
                {"name": "hidden_flag", "type": "bool", "hidden": True},
            ],
        },
    ).json()
    created = httpx.post(
        f"{server.url}/api/collections",
        headers=admin,
        json={
            "name": "shelf_books",
            "listRule": "published = true",
            "viewRule": "published = true",
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "published", "type": "bool"},
                {"name": "note", "type": "text", "hidden": True},
                {"name": "writer", "type": "relation", "collectionId": writers["id"], "maxSelect": 1},
            ],
        },
    )
    assert created.status_code == 200, created.text
    with sqlite3.connect(Path(server.data_dir) / "data.db", timeout=10) as db:
        db.executemany(
            "INSERT INTO shelf_writers (id, name, hidden_flag) VALUES (?, ?, ?)",
            [("w1", "Ann", 0), ("w2", "Bob", 1)],
        )
        db.executemany(
            "INSERT INTO shelf_books (id, title, published, note, writer) VALUES (?, ?, ?, ?, ?)",
            [("b1", "Alpha", 1, "n1", "w1"), ("b2", "Beta", 1, "n2", "w2"), ("b3", "Gamma", 0, "n3", "w1")],
        )
    yield


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_guests_see_what_the_list_rule_allows(client: httpx.Client, shelf: None) -> None:
    body = client.get("/api/collections/shelf_books/records?sort=title").json()
    assert [i["id"] for i in body["items"]] == ["b1", "b2"]
    assert (body["totalItems"], body["totalPages"]) == (2, 1)
    assert "note" not in body["items"][0]


def test_superusers_see_everything(client: httpx.Client, superuser_token: str, shelf: None) -> None:
    response = client.get(
        "/api/collections/shelf_books/records?sort=title", headers={"Authorization": superuser_token}
    )
    assert ids(response) == ["b1", "b2", "b3"]
    assert response.json()["items"][2]["note"] == "n3"


def test_a_filter_through_a_relation_respects_that_collections_list_rule(
    client: httpx.Client, shelf: None
) -> None:
    # Bob's writer row is hidden from guests by the writers' list rule, so his book can't match.
    assert ids(client.get("/api/collections/shelf_books/records?filter=writer.name='Bob'")) == []
    assert ids(client.get("/api/collections/shelf_books/records?filter=writer.name='Ann'")) == ["b1"]


def test_clients_cant_filter_by_hidden_fields(client: httpx.Client, shelf: None) -> None:
    response = client.get("/api/collections/shelf_books/records?filter=note='n1'")
    assert response.json() == {
        "data": {},
        "message": "Something went wrong while processing your request.",
        "status": 400,
    }


def test_guests_cant_use_request_or_collection_in_filters(client: httpx.Client, shelf: None) -> None:
    response = client.get("/api/collections/shelf_books/records?filter=@collection.shelf_writers.name='Ann'")
    assert response.status_code == 403
    assert response.json()["message"] == "Only superusers can filter by @collection."


def test_view_applies_the_view_rule(client: httpx.Client, superuser_token: str, shelf: None) -> None:
    assert client.get("/api/collections/shelf_books/records/b1").json()["title"] == "Alpha"
    hidden = client.get("/api/collections/shelf_books/records/b3")
    assert hidden.json() == {"data": {}, "message": "The requested resource wasn't found.", "status": 404}
    as_superuser = client.get(
        "/api/collections/shelf_books/records/b3", headers={"Authorization": superuser_token}
    )
    assert as_superuser.json()["note"] == "n3"


def test_superusers_only_collections(client: httpx.Client, shelf: None) -> None:
    response = client.get("/api/collections/_superusers/records")
    assert response.json() == {
        "data": {},
        "message": "Only superusers can perform this action.",
        "status": 403,
    }
    assert client.get("/api/collections/nope/records").json()["message"] == "Missing collection context."


def test_users_sign_up_and_manage_their_own_record(client: httpx.Client) -> None:
    signup = client.post(
        "/api/collections/users/records",
        json={
            "email": "writer@example.com",
            "password": "12345678",
            "passwordConfirm": "12345678",
            "name": "W",
        },
    )
    assert signup.status_code == 200, signup.text
    user_id = signup.json()["id"]
    assert "email" not in signup.json()  # a guest made it: emailVisibility is off
    token = client.post(
        "/api/collections/users/auth-with-password",
        json={"identity": "writer@example.com", "password": "12345678"},
    ).json()["token"]
    me = {"Authorization": token}

    assert (
        client.get(f"/api/collections/users/records/{user_id}", headers=me).json()["email"]
        == "writer@example.com"
    )
    no_old = client.patch(
        f"/api/collections/users/records/{user_id}",
        headers=me,
        json={"password": "abcdefgh1", "passwordConfirm": "abcdefgh1"},
    )
    assert no_old.json()["data"] == {
        "oldPassword": {"code": "validation_required", "message": "Cannot be blank."}
    }
    verified = client.patch(f"/api/collections/users/records/{user_id}", headers=me, json={"verified": True})
    assert verified.json()["data"]["verified"]["code"] == "validation_values_mismatch"
    changed = client.patch(
        f"/api/collections/users/records/{user_id}",
        headers=me,
        json={"password": "abcdefgh1", "passwordConfirm": "abcdefgh1", "oldPassword": "12345678"},
    )
    assert changed.status_code == 200
    # The password change rotated the token key: the old token is now a guest's.
    assert client.get(f"/api/collections/users/records/{user_id}", headers=me).status_code == 404


def test_create_update_delete_with_rules_and_modifiers(client: httpx.Client, superuser_token: str) -> None:
    admin = {"Authorization": superuser_token}
    client.post(
        "/api/collections",
        headers=admin,
        json={
            "name": "counters",
            "createRule": "label != 'no'",
            "updateRule": "n < 10",
            "deleteRule": "",
            "viewRule": "",
            "fields": [{"name": "label", "type": "text"}, {"name": "n", "type": "number"}],
        },
    ).raise_for_status()
    refused = client.post("/api/collections/counters/records", json={"label": "no"})
    assert refused.json() == {"data": {}, "message": "Failed to create record.", "status": 400}
    created = client.post("/api/collections/counters/records", json={"label": "ok", "n": 5}).json()
    path = f"/api/collections/counters/records/{created['id']}"

    assert client.patch(path, json={"n+": 4}).json()["n"] == 9
    assert client.patch(path, json={"n+": 4}).json()["n"] == 13
    assert client.patch(path, json={"n": 1}).status_code == 404  # the stored row no longer matches
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404


def test_deleting_a_record_a_required_relation_needs_is_refused(
    client: httpx.Client, superuser_token: str
) -> None:
    admin = {"Authorization": superuser_token}
    target = client.post("/api/collections", headers=admin, json={"name": "anchors"}).json()
    client.post(
        "/api/collections",
        headers=admin,
        json={
            "name": "chains",
            "fields": [
                {"name": "anchor", "type": "relation", "collectionId": target["id"], "required": True}
            ],
        },
    ).raise_for_status()
    anchor = client.post("/api/collections/anchors/records", headers=admin, json={}).json()
    client.post(
        "/api/collections/chains/records", headers=admin, json={"anchor": anchor["id"]}
    ).raise_for_status()

    refused = client.delete(f"/api/collections/anchors/records/{anchor['id']}", headers=admin)

    assert refused.json() == {
        "data": {},
        "message": "Failed to delete record. "
        "Make sure that the record is not part of a required relation reference.",
        "status": 400,
    }
    assert client.get(f"/api/collections/anchors/records/{anchor['id']}", headers=admin).status_code == 200


def test_the_auth_rule_decides_who_may_sign_in(client: httpx.Client, superuser_token: str) -> None:
    admin = {"Authorization": superuser_token}
    client.post(
        "/api/collections",
        headers=admin,
        json={
            "name": "members_ar",
            "type": "auth",
            "createRule": "",
            "authRule": "name = 'Ann' && @request.context = 'password'",
            "fields": [{"name": "name", "type": "text"}],
        },
    ).raise_for_status()
    for name in ("Ann", "Bob"):
        client.post(
            "/api/collections/members_ar/records",
            json={
                "email": f"{name}@x.co",
                "password": "12345678",
                "passwordConfirm": "12345678",
                "name": name,
            },
        ).raise_for_status()

    def login(name: str) -> httpx.Response:
        return client.post(
            "/api/collections/members_ar/auth-with-password",
            json={"identity": f"{name}@x.co", "password": "12345678"},
        )

    assert login("Ann").status_code == 200
    assert login("Bob").json() == {
        "data": {},
        "message": "The request doesn't satisfy the collection requirements to authenticate.",
        "status": 403,
    }


def test_totals_follow_every_write(client: httpx.Client, superuser_token: str) -> None:
    admin = {"Authorization": superuser_token}
    client.post(
        "/api/collections",
        headers=admin,
        json={"name": "tallies", "listRule": "", "createRule": "", "deleteRule": ""},
    ).raise_for_status()

    def total() -> int:
        count: int = client.get("/api/collections/tallies/records?perPage=1").json()["totalItems"]
        return count

    assert total() == 0
    created = client.post("/api/collections/tallies/records", json={}).json()
    assert total() == 1
    client.post("/api/collections/tallies/records", json={}).raise_for_status()
    assert total() == 2
    client.delete(f"/api/collections/tallies/records/{created['id']}").raise_for_status()
    assert total() == 1
