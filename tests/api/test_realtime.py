"""Realtime over SSE through a live server (files-and-realtime.md §3) where the diff suite can't
look: the stream's headers, cleanup on disconnect, the IP binding, transactions, auth secrets,
and the OAuth2 redirect hand-over (auth-api.md §8)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.servers import Server
from tests.support.sse import Realtime

# Where the popup lands: the dashboard's end pages (307 after a GET, 303 after a form POST).
FAILURE = "../_/#/auth/oauth2-redirect-failure"
SUCCESS = "../_/#/auth/oauth2-redirect-success"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("realtime") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    settings = {"batch": {"enabled": True, "maxRequests": 10}, "trustedProxy": {"headers": ["X-Real-IP"]}}
    httpx.patch(f"{srv.url}/api/settings", json=settings, headers=admin).raise_for_status()
    collection = {
        "name": "feed",
        "listRule": "",
        "viewRule": "",
        "fields": [{"name": "text", "type": "text"}],
    }
    httpx.post(f"{srv.url}/api/collections", json=collection, headers=admin).raise_for_status()
    yield srv, admin
    srv.stop()


def _create(srv: Server, admin: dict[str, str], text: str) -> str:
    response = httpx.post(f"{srv.url}/api/collections/feed/records", json={"text": text}, headers=admin)
    response.raise_for_status()
    return str(response.json()["id"])


def test_the_stream_opens_with_pb_connect(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    with Realtime(srv.url) as rt:
        assert rt.headers["content-type"] == "text/event-stream"
        assert rt.headers["cache-control"] == "no-store"
        assert rt.headers["x-accel-buffering"] == "no"
        assert len(rt.client_id) == 40 and rt.client_id.isalnum()


def test_a_closed_stream_forgets_its_client(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    rt = Realtime(srv.url)
    client_id = rt.client_id
    assert rt.subscribe(["feed/*"]).status_code == 204
    rt.close()
    body = {"clientId": client_id, "subscriptions": ["feed/*"]}
    for _ in range(100):
        response = httpx.post(f"{srv.url}/api/realtime", json=body)
        if response.status_code == 404:
            break
        time.sleep(0.05)
    assert response.status_code == 404
    assert response.json()["message"] == "Missing or invalid client id."


def test_subscribing_from_another_ip_is_refused(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    with Realtime(srv.url, headers={"X-Real-IP": "10.0.0.1"}) as rt:
        body = {"clientId": rt.client_id, "subscriptions": ["feed/*"]}
        other = httpx.post(f"{srv.url}/api/realtime", json=body, headers={"X-Real-IP": "10.0.0.2"})
        assert other.status_code == 400
        assert other.json() == {"data": {}, "message": "Invalid realtime client.", "status": 400}
        same = httpx.post(f"{srv.url}/api/realtime", json=body, headers={"X-Real-IP": "10.0.0.1"})
        assert same.status_code == 204


def test_form_bodies_subscribe_too(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    with Realtime(srv.url) as rt:
        form = {"clientId": rt.client_id, "subscriptions": ["feed/*"]}
        assert httpx.post(f"{srv.url}/api/realtime", data=form).status_code == 204
        _create(srv, admin, "by form")
        assert rt.next().data["record"]["text"] == "by form"


def test_a_batch_delivers_after_commit_in_order_and_a_failed_one_nothing(
    live: tuple[Server, dict[str, str]],
) -> None:
    srv, admin = live
    with Realtime(srv.url) as rt:
        assert rt.subscribe(["feed/*"]).status_code == 204
        requests = [
            {"method": "POST", "url": "/api/collections/feed/records", "body": {"text": str(i)}}
            for i in range(5)
        ]
        assert (
            httpx.post(f"{srv.url}/api/batch", json={"requests": requests}, headers=admin).status_code == 200
        )
        assert [e.data["record"]["text"] for e in rt.take(5)] == ["0", "1", "2", "3", "4"]

        failing = [
            *requests[:2],
            {"method": "PATCH", "url": "/api/collections/feed/records/missing", "body": {}},
        ]
        assert (
            httpx.post(f"{srv.url}/api/batch", json={"requests": failing}, headers=admin).status_code == 400
        )
        assert rt.quiet() == []


def test_a_new_auth_token_secret_unbinds_clients(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    users = f"{srv.url}/api/collections/users"
    body = {"email": "secret@example.com", "password": "12345678", "passwordConfirm": "12345678"}
    httpx.post(f"{users}/records", json=body, headers=admin).raise_for_status()
    login = {"identity": body["email"], "password": body["password"]}
    token = httpx.post(f"{users}/auth-with-password", json=login).json()["token"]
    with Realtime(srv.url) as rt:
        assert rt.subscribe(["feed/*"], token).status_code == 204
        assert rt.subscribe(["feed/*"]).status_code == 403  # guest after auth: refused
        secret = {"authToken": {"secret": "s" * 50}}
        httpx.patch(users, json=secret, headers=admin).raise_for_status()
        assert rt.subscribe(["feed/*"]).status_code == 204  # the client is a guest again


def test_oauth2_redirect_hands_the_code_to_the_waiting_client(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    redirect = f"{srv.url}/api/oauth2-redirect"
    with Realtime(srv.url) as rt:
        assert rt.subscribe(["@oauth2"]).status_code == 204
        done = httpx.get(redirect, params={"state": rt.client_id, "code": "abc"})
        assert (done.status_code, done.headers["location"]) == (307, SUCCESS)
        event = rt.next()
        assert (event.name, event.raw) == ("@oauth2", f'{{"state":"{rt.client_id}","code":"abc"}}')
        # One redirect per subscription.
        again = httpx.get(redirect, params={"state": rt.client_id, "code": "abc"})
        assert (again.status_code, again.headers["location"]) == (307, FAILURE)

        assert rt.subscribe(["@oauth2"]).status_code == 204
        denied = httpx.get(redirect, params={"state": rt.client_id, "error": "access_denied"})
        assert (denied.status_code, denied.headers["location"]) == (307, FAILURE)
        assert rt.next().data == {"state": rt.client_id, "code": "", "error": "access_denied"}

        # Apple posts a form.
        assert rt.subscribe(["@oauth2"]).status_code == 204
        posted = httpx.post(redirect, data={"state": rt.client_id, "code": "xyz", "user": '{"name":{}}'})
        assert (posted.status_code, posted.headers["location"]) == (303, SUCCESS)
        assert rt.next().data == {"state": rt.client_id, "code": "xyz"}


@pytest.mark.parametrize(
    "params",
    [{}, {"code": "abc"}, {"state": "unknown-client", "code": "abc"}],
    ids=["nothing", "no state", "unknown client"],
)
def test_oauth2_redirect_failures(live: tuple[Server, dict[str, str]], params: dict[str, str]) -> None:
    srv, _ = live
    response = httpx.get(f"{srv.url}/api/oauth2-redirect", params=params)
    assert (response.status_code, response.headers["location"]) == (307, FAILURE)


def test_oauth2_redirect_needs_the_subscription_and_the_same_ip(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    redirect = f"{srv.url}/api/oauth2-redirect"
    with Realtime(srv.url, headers={"X-Real-IP": "10.0.0.7"}) as rt:
        params = {"state": rt.client_id, "code": "abc"}
        assert (
            httpx.get(redirect, params=params, headers={"X-Real-IP": "10.0.0.7"}).headers["location"]
            == FAILURE
        )
        body = {"clientId": rt.client_id, "subscriptions": ["@oauth2"]}
        httpx.post(f"{srv.url}/api/realtime", json=body, headers={"X-Real-IP": "10.0.0.7"}).raise_for_status()
        assert (
            httpx.get(redirect, params=params, headers={"X-Real-IP": "10.0.0.8"}).headers["location"]
            == FAILURE
        )
        assert rt.quiet() == []
