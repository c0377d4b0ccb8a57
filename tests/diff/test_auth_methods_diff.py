"""`auth-methods` and the `auth-with-oauth2` refusals (auth-api.md §3, §8) against PocketBase
0.40.6, with every provider PocketBase ships configured. The random state and PKCE pair are
masked; everything else, authorization URLs included, must match."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pocketlite.core.oauth2.specs import SPECS
from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

_RANDOM_PARAMS = re.compile(r"(state|code_challenge)=[\w-]+")
ALL = [{"name": n, "clientId": "CID", "clientSecret": "S"} for n in SPECS]
CUSTOM_OIDC = {
    "name": "oidc",
    "clientId": "CID",
    "clientSecret": "S",
    "authURL": "https://idp.example.com/auth?tenant=1",
    "tokenURL": "https://idp.example.com/token",
    "displayName": "Corp login",
}
COLLECTIONS = [
    {"name": "everything", "type": "auth", "oauth2": {"enabled": True, "providers": ALL}},
    {
        "name": "mixed",
        "type": "auth",
        "fields": [{"name": "username", "type": "text"}],
        "indexes": ["CREATE UNIQUE INDEX idx_mixed_username ON mixed (username)"],
        "passwordAuth": {"identityFields": ["username", "email"]},
        "otp": {"enabled": True, "duration": 120},
        "mfa": {"enabled": True, "duration": 900},
        "oauth2": {
            "enabled": True,
            "providers": [CUSTOM_OIDC, {**ALL[0], "pkce": False}, {**ALL[6], "pkce": False}],
        },
    },
    {"name": "nopassword", "type": "auth", "passwordAuth": {"enabled": False}},
    {"name": "offline", "type": "auth", "oauth2": {"enabled": False, "providers": ALL[:2]}},
    {"name": "notauth", "type": "base"},
]


@pytest.fixture(scope="module")
def collections(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[None]:
    for server, token in zip(pair, tokens, strict=True):
        for collection in COLLECTIONS:
            response = httpx.post(
                f"{server.url}/api/collections", json=collection, headers={"Authorization": token}
            )
            assert response.status_code == 200, response.text
    yield


def _masked(response: httpx.Response) -> httpx.Response:
    """The response with the random parts of each provider replaced."""
    if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
        return response
    body: Any = response.json()

    def mask(provider: dict[str, Any]) -> None:
        for key in ("state", "codeVerifier", "codeChallenge"):
            if provider.get(key):
                provider[key] = f"<{key}>"
        for key in ("authURL", "authUrl"):
            if key in provider:
                provider[key] = _RANDOM_PARAMS.sub(r"\1=<random>", provider[key])

    for item in (body.get("oauth2") or {}).get("providers") or []:
        mask(item)
    for item in body.get("authProviders") or []:
        mask(item)
    return httpx.Response(200, json=body, headers={"content-type": response.headers["content-type"]})


def methods(name: str, collection: str, query: str = "") -> Case:
    return Case(f"auth-methods: {name}", "GET", f"/api/collections/{collection}/auth-methods{query}")


def oauth2(name: str, collection: str, body: object) -> Case:
    return Case(
        f"auth-with-oauth2: {name}", "POST", f"/api/collections/{collection}/auth-with-oauth2", json=body
    )


CASES = [
    methods("the default users", "users"),
    methods("every provider", "everything"),
    methods("custom oidc, pkce off, otp and mfa", "mixed"),
    methods("password disabled", "nopassword"),
    methods("oauth2 disabled", "offline"),
    methods("fields=", "mixed", "?fields=mfa,otp,password"),
    methods("superusers", "_superusers"),
    methods("not an auth collection", "notauth"),
    methods("unknown collection", "nope"),
    oauth2("disabled", "users", {"provider": "github", "code": "x"}),
    oauth2("blank", "everything", {}),
    oauth2("unknown provider", "mixed", {"provider": "github", "code": "x"}),
    oauth2("provider name too long", "mixed", {"provider": "x" * 101, "code": "x"}),
    oauth2("no code", "mixed", {"provider": "oidc"}),
    oauth2("not an auth collection", "notauth", {"provider": "oidc", "code": "x"}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(
    case: Case, pair: tuple[Server, Server], tokens: tuple[str, str], collections: None
) -> None:
    compare(case, _masked(case.send(pair[0], tokens[0])), _masked(case.send(pair[1], tokens[1])))
