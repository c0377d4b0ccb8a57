"""The HTTP core and superuser auth, request by request (spec/README.md, auth-api.md §2, §4, §5)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.api.scenarios import SUPERUSER_TOKEN, Scenario, run
from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server

AUTH = "/api/collections/_superusers/auth-with-password"
REFRESH = "/api/collections/_superusers/auth-refresh"
GOOD_LOGIN = {"identity": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD}
LOAD_ERROR = '{"data":{},"message":"An error occurred while loading the submitted data.","status":400}'
BLANK = '{"code":"validation_required","message":"Cannot be blank."}'

SCENARIOS = [
    # health
    Scenario(
        "health as guest",
        "GET",
        "/api/health",
        200,
        expected=['{"message":"API is healthy.","code":200,"data":{}}'],
    ),
    Scenario(
        "health as superuser shows diagnostics",
        "GET",
        "/api/health",
        200,
        headers={"Authorization": SUPERUSER_TOKEN},
        expected=['"data":{"canBackup":true,"realIP":"127.0.0.1","possibleProxyHeader":""}'],
    ),
    Scenario(
        "health names an untrusted proxy header",
        "GET",
        "/api/health",
        200,
        headers={"Authorization": f"Bearer {SUPERUSER_TOKEN}", "X-Forwarded-For": "1.2.3.4"},
        expected=['"possibleProxyHeader":"X-Forwarded-For"', '"realIP":"127.0.0.1"'],
    ),
    Scenario(
        "an invalid token is a guest",
        "GET",
        "/api/health",
        200,
        headers={"Authorization": "Bearer nope"},
        expected=['"data":{}'],
    ),
    Scenario(
        "fields picks keys",
        "GET",
        "/api/health?fields=message",
        200,
        expected=['{"message":"API is healthy."}'],
    ),
    Scenario(
        "a bad fields expression is a 400",
        "GET",
        "/api/health?fields=message:excerpt(",
        400,
        expected=['"message":"Something went wrong while processing your request."'],
    ),
    # global behaviour
    Scenario(
        "security headers on every response",
        "GET",
        "/api/health",
        200,
        expected_headers={
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff",
            "x-xss-protection": "1; mode=block",
            "cross-origin-opener-policy": "same-origin",
            "content-type": "application/json",
        },
    ),
    Scenario(
        "unknown GET falls through to the static files",
        "GET",
        "/api/nope",
        404,
        expected=['{"data":{},"message":"File not found.","status":404}'],
    ),
    Scenario(
        "unknown POST gets the generic 404",
        "POST",
        "/api/nope",
        404,
        expected=['{"data":{},"message":"The requested resource wasn\'t found.","status":404}'],
    ),
    Scenario(
        "a wrong method is a 404",
        "DELETE",
        AUTH,
        404,
        expected=['"message":"The requested resource wasn\'t found."'],
    ),
    Scenario("the dashboard moves under /_/", "GET", "/_", 307, expected_headers={"location": "/_/"}),
    # auth-with-password
    Scenario(
        "login with JSON",
        "POST",
        AUTH,
        200,
        json=GOOD_LOGIN,
        expected=[
            '"collectionName":"_superusers"',
            f'"email":"{SUPERUSER_EMAIL}"',
            '"verified":true',
            '"token":"ey',
        ],
        not_expected=['"password"', '"tokenKey"'],
    ),
    Scenario("login with a urlencoded form", "POST", AUTH, 200, data=GOOD_LOGIN, expected=['"token":"ey']),
    Scenario(
        "login with multipart",
        "POST",
        AUTH,
        200,
        files={k: (None, v) for k, v in GOOD_LOGIN.items()},
        expected=['"token":"ey'],
    ),
    Scenario(
        "login by collection id and any name case",
        "POST",
        "/api/collections/pbc_3142635823/auth-with-password",
        200,
        json=GOOD_LOGIN,
        expected=['"token":"ey'],
    ),
    Scenario(
        "login by upper-case name",
        "POST",
        "/api/collections/_SUPERUSERS/auth-with-password",
        200,
        json=GOOD_LOGIN,
    ),
    Scenario(
        "login with fields",
        "POST",
        f"{AUTH}?fields=record.email",
        200,
        json=GOOD_LOGIN,
        expected=[f'{{"record":{{"email":"{SUPERUSER_EMAIL}"}}}}'],
    ),
    Scenario(
        "wrong password",
        "POST",
        AUTH,
        400,
        json={"identity": SUPERUSER_EMAIL, "password": "wrong-password"},
        expected=['{"data":{},"message":"Failed to authenticate.","status":400}'],
    ),
    Scenario(
        "unknown identity",
        "POST",
        AUTH,
        400,
        json={"identity": "nobody@example.com", "password": "whatever1"},
        expected=['"message":"Failed to authenticate."'],
    ),
    Scenario(
        "blank identity and password",
        "POST",
        AUTH,
        400,
        expected=[f'"data":{{"identity":{BLANK},"password":{BLANK}}}', "An error occurred while validating"],
    ),
    Scenario(
        "password over 255 characters",
        "POST",
        AUTH,
        400,
        json={"identity": SUPERUSER_EMAIL, "password": "x" * 256},
        expected=['"password":{"code":"validation_length_out_of_range"', '"params":{"max":255,"min":1}'],
    ),
    Scenario(
        "identityField outside identityFields",
        "POST",
        AUTH,
        400,
        json={**GOOD_LOGIN, "identityField": "username"},
        expected=['"identityField":{"code":"validation_in_invalid","message":"Must be a valid value."}'],
    ),
    Scenario("identityField email", "POST", AUTH, 200, json={**GOOD_LOGIN, "identityField": "email"}),
    Scenario(
        "malformed JSON",
        "POST",
        AUTH,
        400,
        content=b"{bad",
        headers={"Content-Type": "application/json"},
        expected=[LOAD_ERROR],
    ),
    Scenario("a JSON array", "POST", AUTH, 400, json=[1], expected=[LOAD_ERROR]),
    Scenario(
        "wrong value types", "POST", AUTH, 400, json={"identity": 5, "password": True}, expected=[LOAD_ERROR]
    ),
    Scenario(
        "an unsupported content type",
        "POST",
        AUTH,
        400,
        content=b"x",
        headers={"Content-Type": "text/plain"},
        expected=['{"data":{},"message":"Unsupported Content-Type.","status":400}'],
    ),
    Scenario(
        "an unknown collection",
        "POST",
        "/api/collections/nope/auth-with-password",
        404,
        json=GOOD_LOGIN,
        expected=['"message":"Missing or invalid collection context."'],
    ),
    Scenario(
        "a base collection can't authenticate",
        "POST",
        "/api/collections/_mfas/auth-with-password",
        404,
        json=GOOD_LOGIN,
        expected=['"message":"Missing or invalid auth collection context."'],
    ),
    # auth-refresh
    Scenario(
        "refresh without a token",
        "POST",
        REFRESH,
        401,
        expected=[
            '{"data":{},"message":"The request requires valid record authorization token.","status":401}'
        ],
    ),
    Scenario("refresh with a garbage token", "POST", REFRESH, 401, headers={"Authorization": "garbage"}),
    Scenario(
        "refresh on another auth collection",
        "POST",
        "/api/collections/users/auth-refresh",
        403,
        headers={"Authorization": SUPERUSER_TOKEN},
        expected=['"message":"The request requires auth record from _superusers collection."'],
    ),
    Scenario(
        "refresh with a lower-case bearer prefix",
        "POST",
        REFRESH,
        200,
        headers={"Authorization": f"bearer {SUPERUSER_TOKEN}"},
        expected=['"token":"ey', f'"email":"{SUPERUSER_EMAIL}"'],
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_scenario(client: httpx.Client, superuser_token: str, scenario: Scenario) -> None:
    run(client, scenario, superuser_token)


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def test_auth_tokens_carry_exactly_pocketbases_claims(client: httpx.Client) -> None:
    body = client.post(AUTH, json=GOOD_LOGIN).json()
    claims = _claims(body["token"])
    assert list(claims) == ["collectionId", "exp", "id", "refreshable", "type"]
    assert claims["collectionId"] == "pbc_3142635823"
    assert claims["id"] == body["record"]["id"]
    assert claims["type"] == "auth" and claims["refreshable"] is True


def test_refresh_issues_a_new_token_that_works(client: httpx.Client) -> None:
    first = client.post(AUTH, json=GOOD_LOGIN).json()["token"]
    refreshed = client.post(REFRESH, headers={"Authorization": first}).json()["token"]
    assert _claims(refreshed)["id"] == _claims(first)["id"]
    again = client.post(REFRESH, headers={"Authorization": refreshed})
    assert again.status_code == 200


def test_head_is_answered_like_get_without_a_body(client: httpx.Client) -> None:
    get = client.get("/api/health")
    head = client.head("/api/health")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


def test_cors_preflight(client: httpx.Client) -> None:
    response = client.options(
        AUTH,
        headers={
            "Origin": "http://foo.com",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET,HEAD,PUT,PATCH,POST,DELETE"
    assert response.headers["access-control-allow-headers"] == "authorization,content-type"
    assert response.headers.get_list("vary") == [
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
    ]


def test_a_password_change_invalidates_old_tokens(server: Server, client: httpx.Client) -> None:
    email, password = "rotate@example.com", "FirstPass123"
    server.create_superuser(email, password)
    token = client.post(AUTH, json={"identity": email, "password": password}).json()["token"]
    assert client.post(REFRESH, headers={"Authorization": token}).status_code == 200
    server.create_superuser(email, "SecondPass123")  # upsert changes the password → new tokenKey
    assert client.post(REFRESH, headers={"Authorization": token}).status_code == 401
    assert client.post(AUTH, json={"identity": email, "password": password}).status_code == 400
    assert client.post(AUTH, json={"identity": email, "password": "SecondPass123"}).status_code == 200


def test_bodies_over_the_limit_are_refused(client: httpx.Client) -> None:
    response = client.post(
        AUTH, content=b"{" + b" " * (32 << 20) + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"data": {}, "message": "Request entity too large.", "status": 413}


def test_impersonation_gives_a_non_refreshable_token(client: httpx.Client, superuser_token: str) -> None:
    user = client.post(
        "/api/collections/users/records",
        json={"email": "imp@example.com", "password": "12345678", "passwordConfirm": "12345678"},
    ).json()
    response = client.post(
        f"/api/collections/users/impersonate/{user['id']}",
        headers={"Authorization": superuser_token},
        json={"duration": 100},
    )
    claims = _claims(response.json()["token"])
    assert (claims["refreshable"], claims["id"], claims["type"]) == (False, user["id"], "auth")
    as_user = {"Authorization": response.json()["token"]}
    assert client.get(f"/api/collections/users/records/{user['id']}", headers=as_user).status_code == 200
    file_token = client.post("/api/files/token", headers=as_user).json()["token"]
    assert list(_claims(file_token)) == ["collectionId", "exp", "id", "type"]
    assert client.post("/api/files/token").status_code == 401
