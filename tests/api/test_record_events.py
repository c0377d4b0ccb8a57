"""Which hooks the records API fires (spec/hooks.md §2.2-2.3), counted per request as
PocketBase's own API tests count them: the request hook after the rule check, then the save or
delete hooks of every record the request touches."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.scenarios import SUPERUSER_TOKEN, Scenario, run
from tests.servers import Server

RECORDS = "/api/collections/ev_posts/records"
AS_SUPERUSER = {"Authorization": SUPERUSER_TOKEN}
PASSWORD = "events-pass-1"


def _save(action: str) -> dict[str, int]:
    """The hooks of one record saved through the API (with validation)."""
    return {
        f"on_record_{action}": 1,
        f"on_model_{action}": 1,
        "on_record_validate": 1,
        "on_model_validate": 1,
        f"on_record_{action}_execute": 1,
        f"on_model_{action}_execute": 1,
        f"on_record_after_{action}_success": 1,
        f"on_model_after_{action}_success": 1,
    }


_DELETE = {
    "on_record_delete": 1,
    "on_model_delete": 1,
    "on_record_delete_execute": 1,
    "on_model_delete_execute": 1,
    "on_record_after_delete_success": 1,
    "on_model_after_delete_success": 1,
}


@pytest.fixture(scope="module", autouse=True)
def collections(server: Server, superuser_token: str) -> Iterator[None]:
    admin = {"Authorization": superuser_token}
    settings = httpx.patch(f"{server.url}/api/settings", headers=admin, json={"batch": {"enabled": True}})
    assert settings.status_code == 200, settings.text
    posts = httpx.post(
        f"{server.url}/api/collections",
        headers=admin,
        json={
            "name": "ev_posts",
            "listRule": "",
            "viewRule": "",
            "createRule": "",
            "updateRule": "",
            "deleteRule": "",
            "fields": [{"name": "title", "type": "text", "max": 10}],
        },
    )
    assert posts.status_code == 200, posts.text
    comments = httpx.post(
        f"{server.url}/api/collections",
        headers=admin,
        json={
            "name": "ev_comments",
            "fields": [
                {
                    "name": "post",
                    "type": "relation",
                    "collectionId": posts.json()["id"],
                    "cascadeDelete": True,
                }
            ],
        },
    )
    assert comments.status_code == 200, comments.text
    signed_up = httpx.post(
        f"{server.url}/api/collections/users/records",
        json={"email": "events@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD},
    )
    assert signed_up.status_code == 200, signed_up.text
    for record_id in ("evpost000000001", "evpost000000002"):
        created = httpx.post(f"{server.url}{RECORDS}", json={"id": record_id, "title": "seed"})
        assert created.status_code == 200, created.text
    for i, post in enumerate(("evpost000000002", "evpost000000002")):
        created = httpx.post(
            f"{server.url}/api/collections/ev_comments/records",
            headers=admin,
            json={"id": f"evcomment00000{i}", "post": post},
        )
        assert created.status_code == 200, created.text
    yield
    httpx.patch(f"{server.url}/api/settings", headers=admin, json={"batch": {"enabled": False}})


SCENARIOS = [
    Scenario(
        "a list fires its request hook, then enriches each record answered",
        "GET",
        f"{RECORDS}?perPage=1",
        200,
        expected_events={"on_records_list_request": 1, "on_record_enrich": 1},
    ),
    Scenario(
        "a view fires its request hook",
        "GET",
        f"{RECORDS}/evpost000000001",
        200,
        expected_events={"on_record_view_request": 1, "on_record_enrich": 1},
    ),
    Scenario(
        "a view of a missing record fires nothing",
        "GET",
        f"{RECORDS}/missing",
        404,
        expected_events={},
    ),
    Scenario(
        "a create fires the request hook and the save hooks",
        "POST",
        RECORDS,
        200,
        json={"title": "new"},
        expected_events={"on_record_create_request": 1, **_save("create"), "on_record_enrich": 1},
    ),
    Scenario(
        "an invalid create fails validation and fires the error hooks",
        "POST",
        RECORDS,
        400,
        json={"title": "far too long a title"},
        expected=['"message":"Failed to create record."'],
        expected_events={
            "on_record_create_request": 1,
            "on_record_create": 1,
            "on_model_create": 1,
            "on_record_validate": 1,
            "on_model_validate": 1,
            "on_record_after_create_error": 1,
            "on_model_after_create_error": 1,
        },
    ),
    Scenario(
        "an update fires the update hooks",
        "PATCH",
        f"{RECORDS}/evpost000000001",
        200,
        json={"title": "changed"},
        expected_events={"on_record_update_request": 1, **_save("update"), "on_record_enrich": 1},
    ),
    Scenario(
        "a delete cascades: the request hook once, the delete hooks per record",
        "DELETE",
        f"{RECORDS}/evpost000000002",
        204,
        expected_events={"on_record_delete_request": 1, **{k: 3 for k in _DELETE}},
    ),
    Scenario(
        "a batch fires its hook, then each sub-request's hooks",
        "POST",
        "/api/batch",
        200,
        headers=AS_SUPERUSER,
        json={
            "requests": [
                {"method": "POST", "url": RECORDS, "body": {"title": "one"}},
                {"method": "POST", "url": RECORDS, "body": {"title": "two"}},
            ]
        },
        expected_events={
            "on_batch_request": 1,
            "on_record_create_request": 2,
            **{k: 2 for k in _save("create")},
            "on_record_enrich": 2,
        },
    ),
]


AUTH_SCENARIOS = [
    Scenario(
        "a wrong password fires the password hook only",
        "POST",
        "/api/collections/users/auth-with-password",
        400,
        json={"identity": "events@example.com", "password": "wrong-password"},
        expected_events={"on_record_auth_with_password_request": 1},
    ),
    Scenario(
        "a first sign-in fires the password and auth hooks and remembers the device",
        "POST",
        "/api/collections/users/auth-with-password",
        200,
        json={"identity": "events@example.com", "password": PASSWORD},
        expected_events={
            "on_record_auth_with_password_request": 1,
            "on_record_auth_request": 1,
            **_save("create"),  # the `_authOrigins` row of the new device
            "on_record_enrich": 1,
        },
    ),
    Scenario(
        "a sign-in from a known device touches its row",
        "POST",
        "/api/collections/users/auth-with-password",
        200,
        json={"identity": "events@example.com", "password": PASSWORD},
        expected_events={
            "on_record_auth_with_password_request": 1,
            "on_record_auth_request": 1,
            **_save("update"),
            "on_record_enrich": 1,
        },
    ),
    Scenario(
        "a password reset request fires its hook",
        "POST",
        "/api/collections/users/request-password-reset",
        204,
        json={"email": "events@example.com"},
        expected_events={"on_record_request_password_reset_request": 1},
    ),
    Scenario(
        "a reset request for an unknown address fires nothing",
        "POST",
        "/api/collections/users/request-password-reset",
        204,
        json={"email": "nobody@example.com"},
        expected_events={},
    ),
]


def test_sign_ins_fire_the_auth_hooks(client: httpx.Client, superuser_token: str) -> None:
    for scenario in AUTH_SCENARIOS:  # in order: the second sign-in knows the first's device
        run(client, scenario, superuser_token)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_scenario(client: httpx.Client, superuser_token: str, scenario: Scenario) -> None:
    run(client, scenario, superuser_token)
