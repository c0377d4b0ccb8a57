"""The official Python SDK (PyPI `pocketbase`), unmodified, against the session's live server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server


@pytest.fixture()
def pb(server: Server) -> Iterator[PocketBase]:
    client = PocketBase(server.url)
    yield client
    client.http_client.close()


def test_health_check(pb: PocketBase) -> None:
    health = pb.health.check()
    assert (health.code, health.message, health.data) == (200, "API is healthy.", {})


def test_auth_with_password_stores_the_token_and_record(pb: PocketBase) -> None:
    auth = pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)

    assert auth.token.startswith("ey")
    assert auth.record.email == SUPERUSER_EMAIL  # type: ignore[attr-defined]
    assert auth.record.collection_name == "_superusers"  # type: ignore[attr-defined]
    assert pb.auth_store.token == auth.token
    assert pb.auth_store.is_valid
    assert pb.health.check().data["canBackup"] is True


def test_auth_refresh_returns_a_new_token(pb: PocketBase) -> None:
    first = pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    time.sleep(1.1)  # tokens are second-resolution; wait so the refreshed one differs
    refreshed = pb.collection("_superusers").auth_refresh()

    assert refreshed.record.id == first.record.id
    assert refreshed.token != first.token
    assert pb.auth_store.token == refreshed.token


def test_a_wrong_password_raises_with_pocketbases_body(pb: PocketBase) -> None:
    with pytest.raises(ClientResponseError) as caught:
        pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, "wrong-password")

    assert caught.value.status == 400
    assert caught.value.data == {"data": {}, "message": "Failed to authenticate.", "status": 400}
    assert pb.auth_store.token == ""


def test_refresh_without_a_token_raises_401(pb: PocketBase) -> None:
    with pytest.raises(ClientResponseError) as caught:
        pb.collection("_superusers").auth_refresh()

    assert caught.value.status == 401
    assert caught.value.data["message"] == "The request requires valid record authorization token."


def test_records_through_the_python_sdk(pb: PocketBase) -> None:
    pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    pb.collections.create({"name": "py_notes", "fields": [{"name": "text", "type": "text"}]})

    created = pb.collection("py_notes").create({"text": "hello"})
    page = pb.collection("py_notes").get_list(1, 10, {"filter": "text ~ 'ell'"})
    updated = pb.collection("py_notes").update(created.id, {"text": "bye"})

    assert page.total_items == 1 and page.items[0].id == created.id
    assert updated.text == "bye"  # type: ignore[attr-defined]
    pb.collection("py_notes").delete(created.id)
    with pytest.raises(ClientResponseError) as caught:
        pb.collection("py_notes").get_one(created.id)
    assert caught.value.status == 404
