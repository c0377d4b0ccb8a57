"""OAuth2 sign-in (auth-api.md §3, §8) against a real local OAuth2/OIDC provider process: the
authorization URL from auth-methods, the code exchange with PKCE, sign-up with mapped fields,
the same account linked on the next sign-in, and the failures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.servers import Server
from tests.support.oauth2_provider import OAuth2Provider

pytestmark = pytest.mark.xdist_group("oauth2_flow")

REDIRECT = "http://127.0.0.1:1/callback"
PASSWORD = "Secret123!"


@dataclass
class Env:
    srv: Server
    idp: OAuth2Provider
    admin: dict[str, str]

    def methods(self, collection: str = "users") -> dict[str, dict[str, str]]:
        body = httpx.get(f"{self.srv.url}/api/collections/{collection}/auth-methods").json()
        return {p["name"]: p for p in body["oauth2"]["providers"]}

    def sign_in(
        self, login: str, provider: str = "oidc", collection: str = "users", **extra: object
    ) -> httpx.Response:
        info = self.methods(collection)[provider]
        code, state = self.idp.authorize(info["authURL"], REDIRECT, login)
        assert state == info["state"]
        body = {
            "provider": provider,
            "code": code,
            "codeVerifier": info["codeVerifier"],
            "redirectURL": REDIRECT,
        }
        return httpx.post(
            f"{self.srv.url}/api/collections/{collection}/auth-with-oauth2",
            json={**body, **extra},
            timeout=30,
        )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    idp = OAuth2Provider()
    idp.start()
    srv = Server.pocketlite(tmp_path_factory.mktemp("oauth2") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    users = {
        # NB: `fields` replaces the list; the system fields stay whatever is sent.
        "fields": [
            {"name": "name", "type": "text"},
            {"name": "username", "type": "text", "max": 40},
            {"name": "picture", "type": "url"},
        ],
        "oauth2": {
            "enabled": True,
            "providers": [idp.config("oidc"), idp.config("gitlab")],
            "mappedFields": {"name": "name", "username": "username", "avatarURL": "picture"},
        },
    }
    httpx.patch(f"{srv.url}/api/collections/users", json=users, headers=admin).raise_for_status()
    idp.add_user(
        "olive",
        {
            "sub": "olive-1",
            "name": "Olive Oyl",
            "preferred_username": "olive",
            "email": "olive@idp.test",
            "email_verified": True,
            "picture": "https://idp.test/olive.png",
        },
    )
    idp.add_user("nomail", {"sub": "nomail-1", "name": "No Mail", "email": "nomail@idp.test"})
    idp.add_user(
        "gil",
        {
            "id": 77,
            "name": "Gil Lab",
            "username": "gil",
            "email": "gil@idp.test",
            "confirmed_at": "2026-01-01T00:00:00Z",
        },
    )
    yield Env(srv, idp, admin)
    srv.stop()
    idp.stop()


def test_auth_methods_offer_a_pkce_flow(env: Env) -> None:
    info = env.methods()["oidc"]
    assert info["displayName"] == "OIDC"
    assert info["authURL"].startswith(f"{env.idp.url}/authorize?client_id=test-client&code_challenge=")
    assert info["authURL"].endswith(f"&state={info['state']}&redirect_uri=")
    assert len(info["codeVerifier"]) == 43 and info["codeChallengeMethod"] == "S256"


def test_first_sign_in_creates_the_user_with_mapped_fields(env: Env) -> None:
    response = env.sign_in("olive", createData={"emailVisibility": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["meta", "record", "token"]
    record, meta = body["record"], body["meta"]
    assert meta["isNew"] is True and meta["id"] == "olive-1" and meta["email"] == "olive@idp.test"
    assert meta["avatarURL"] == meta["avatarUrl"] == "https://idp.test/olive.png"
    assert meta["rawUser"]["preferred_username"] == "olive" and meta["accessToken"] and meta["expiry"]
    assert record["email"] == "olive@idp.test" and record["verified"] is True
    assert (record["name"], record["username"], record["picture"]) == (
        "Olive Oyl",
        "olive",
        "https://idp.test/olive.png",
    )
    assert record["emailVisibility"] is True

    again = env.sign_in("olive")
    assert again.status_code == 200
    assert again.json()["meta"]["isNew"] is False
    assert again.json()["record"]["id"] == record["id"]
    links = httpx.get(
        f"{env.srv.url}/api/collections/_externalAuths/records",
        params={"filter": f"recordRef='{record['id']}'"},
        headers=env.admin,
    ).json()
    assert [(i["provider"], i["providerId"]) for i in links["items"]] == [("oidc", "olive-1")]


def test_an_existing_account_with_the_same_email_is_linked(env: Env) -> None:
    created = httpx.post(
        f"{env.srv.url}/api/collections/users/records",
        json={"email": "gil@idp.test", "password": PASSWORD, "passwordConfirm": PASSWORD},
    ).json()
    response = env.sign_in("gil", provider="gitlab")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["isNew"] is False and body["meta"]["id"] == "77" and body["meta"]["username"] == "gil"
    assert body["record"]["id"] == created["id"] and body["record"]["verified"] is True
    # an unverified account taken over by OAuth2 loses its old password
    old = httpx.post(
        f"{env.srv.url}/api/collections/users/auth-with-password",
        json={"identity": "gil@idp.test", "password": PASSWORD},
    )
    assert old.status_code == 400


def test_an_unverified_provider_email_is_not_trusted(env: Env) -> None:
    # The provider doesn't vouch for the address, so it isn't used: the sign-up then needs an
    # e-mail (users require one), exactly as in PocketBase.
    response = env.sign_in("nomail")
    assert response.status_code == 400
    assert response.json()["message"] == "Failed to create record."
    assert response.json()["data"]["email"]["code"] == "validation_required"
    created = env.sign_in("nomail", createData={"email": "typed@idp.test"})
    assert created.status_code == 200, created.text
    assert created.json()["record"]["email"] == "typed@idp.test"
    assert created.json()["record"]["verified"] is False
    assert created.json()["meta"]["email"] == ""


def test_failures(env: Env) -> None:
    url = f"{env.srv.url}/api/collections/users/auth-with-oauth2"
    bad_code = httpx.post(
        url, json={"provider": "oidc", "code": "nope", "codeVerifier": "x", "redirectURL": REDIRECT}
    )
    assert bad_code.json() == {"data": {}, "message": "Failed to fetch OAuth2 token.", "status": 400}
    info = env.methods()["oidc"]
    code, _ = env.idp.authorize(info["authURL"], REDIRECT, "olive")
    wrong_verifier = httpx.post(
        url, json={"provider": "oidc", "code": code, "codeVerifier": "y" * 43, "redirectURL": REDIRECT}
    )
    assert wrong_verifier.json()["message"] == "Failed to fetch OAuth2 token."
    code, _ = env.idp.authorize(info["authURL"], REDIRECT, "ghost")  # the provider knows no such user
    no_user = httpx.post(
        url,
        json={
            "provider": "oidc",
            "code": code,
            "codeVerifier": info["codeVerifier"],
            "redirectURL": REDIRECT,
        },
    )
    assert no_user.json()["message"] == "Failed to fetch OAuth2 user."
    unknown = httpx.post(url, json={"provider": "github", "code": "x"})
    assert unknown.json()["data"]["provider"]["code"] == "validation_invalid_provider"


def test_an_avatar_on_a_private_address_is_not_fetched(env: Env) -> None:
    """A provider's avatar URL is downloaded into a file field only from public addresses; the
    local provider here is on 127.0.0.1, so the sign-up goes on without the picture."""
    members = {
        "name": "members",
        "type": "auth",
        "createRule": "",
        "fields": [{"name": "avatar", "type": "file", "maxSelect": 1}],
        "oauth2": {
            "enabled": True,
            "providers": [env.idp.config("oidc")],
            "mappedFields": {"avatarURL": "avatar"},
        },
    }
    httpx.post(f"{env.srv.url}/api/collections", json=members, headers=env.admin).raise_for_status()
    env.idp.add_user(
        "pic",
        {
            "sub": "pic-1",
            "email": "pic@idp.test",
            "email_verified": True,
            "picture": f"{env.idp.url}/users/pic",
        },
    )
    response = env.sign_in("pic", collection="members")
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["avatarURL"] == f"{env.idp.url}/users/pic"
    assert response.json()["record"]["avatar"] == ""
