"""Every auth flow through the official Python SDK (PyPI `pocketbase` 0.17.3), unmodified, against
a live pocketlite with a real local SMTP server and a local OAuth2 provider. Where this SDK
version has no method (OTP, impersonation), its generic `send` makes the call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from tests.servers import Server
from tests.support.oauth2_provider import OAuth2Provider
from tests.support.smtp_sink import SMTPSink

pytestmark = pytest.mark.xdist_group("python_sdk_auth")

PASSWORD = "Secret123!"
REDIRECT = "http://127.0.0.1:1/callback"


@dataclass
class Env:
    srv: Server
    sink: SMTPSink
    idp: OAuth2Provider
    admin_token: str

    def client(self) -> PocketBase:
        return PocketBase(self.srv.url)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    sink, idp = SMTPSink(), OAuth2Provider()
    sink.start()
    idp.start()
    srv = Server.pocketlite(tmp_path_factory.mktemp("py_sdk_auth") / "pb_data")
    srv.create_superuser()
    srv.start()
    token = srv.auth_token()
    admin = {"Authorization": token}
    httpx.patch(f"{srv.url}/api/settings", json={"smtp": sink.settings()}, headers=admin).raise_for_status()
    users = {
        "fields": [
            {"name": "name", "type": "text"},
            {"name": "username", "type": "text", "max": 40},
        ],
        "indexes": ["CREATE UNIQUE INDEX idx_users_username ON users (username) WHERE username != ''"],
        "passwordAuth": {"identityFields": ["email", "username"]},
        "otp": {"enabled": True},
        "mfa": {"enabled": True, "rule": "username = 'mfa'"},
        "oauth2": {"enabled": True, "providers": [idp.config()], "mappedFields": {"name": "name"}},
    }
    httpx.patch(f"{srv.url}/api/collections/users", json=users, headers=admin).raise_for_status()
    idp.add_user(
        "pat",
        {"sub": "pat-1", "name": "Pat OAuth", "email": "pat@py.test", "email_verified": True},
    )
    yield Env(srv, sink, idp, token)
    srv.stop()
    idp.stop()
    sink.stop()


def _signup(pb: PocketBase, email: str, **extra: object) -> str:
    record = pb.collection("users").create(
        {"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, **extra}
    )
    return str(record.id)


def test_sign_up_verify_and_log_in_by_email_and_username(env: Env) -> None:
    pb = env.client()
    _signup(pb, "sam@py.test", username="sam")
    assert pb.collection("users").request_verification("sam@py.test") is True
    token = env.sink.wait_for("sam@py.test").find(r"/auth/confirm-verification/([\w.-]+)")
    assert pb.collection("users").confirm_verification(token) is True
    by_email = pb.collection("users").auth_with_password("sam@py.test", PASSWORD)
    assert by_email.record.verified is True  # type: ignore[attr-defined]
    by_name = pb.collection("users").auth_with_password("sam", PASSWORD)
    assert by_name.record.id == by_email.record.id
    assert pb.auth_store.token == by_name.token
    refreshed = pb.collection("users").auth_refresh()
    assert refreshed.record.email == "sam@py.test"  # type: ignore[attr-defined]


def test_password_reset_by_mail_rejects_old_tokens(env: Env) -> None:
    pb = env.client()
    _signup(pb, "rue@py.test")
    pb.collection("users").auth_with_password("rue@py.test", PASSWORD)
    old_token = pb.auth_store.token
    assert pb.collection("users").request_password_reset("rue@py.test") is True
    token = env.sink.wait_for("rue@py.test").find(r"/auth/confirm-password-reset/([\w.-]+)")
    assert pb.collection("users").confirm_password_reset(token, "Another456!", "Another456!") is True
    stale = env.client()
    stale.auth_store.save(old_token, None)
    with pytest.raises(ClientResponseError) as refused:
        stale.collection("users").auth_refresh()
    assert refused.value.status == 401
    assert pb.collection("users").auth_with_password("rue@py.test", "Another456!").token


def test_email_change_by_mail(env: Env) -> None:
    pb = env.client()
    _signup(pb, "eve@py.test")
    pb.collection("users").auth_with_password("eve@py.test", PASSWORD)
    assert pb.collection("users").request_email_change("eve2@py.test") is True
    token = env.sink.wait_for("eve2@py.test").find(r"/auth/confirm-email-change/([\w.-]+)")
    assert pb.collection("users").confirm_email_change(token, PASSWORD) is True
    again = env.client().collection("users").auth_with_password("eve2@py.test", PASSWORD)
    assert again.record.email == "eve2@py.test"  # type: ignore[attr-defined]


def test_otp_and_mfa(env: Env) -> None:
    pb = env.client()
    _signup(pb, "mo@py.test", username="mfa")
    with pytest.raises(ClientResponseError) as first:
        pb.collection("users").auth_with_password("mo@py.test", PASSWORD)
    assert first.value.status == 401
    mfa_id = first.value.data["mfaId"]
    otp = pb.send("/api/collections/users/request-otp", {"method": "POST", "body": {"email": "mo@py.test"}})
    code = env.sink.wait_for("mo@py.test").find(r"<strong>(\d{8})</strong>")
    done = pb.send(
        "/api/collections/users/auth-with-otp",
        {"method": "POST", "body": {"otpId": otp["otpId"], "password": code, "mfaId": mfa_id}},
    )
    assert done["record"]["email"] == "mo@py.test" and done["token"]


def test_oauth2_sign_up_then_the_same_user_again(env: Env) -> None:
    pb = env.client()
    info = httpx.get(f"{env.srv.url}/api/collections/users/auth-methods").json()["oauth2"]["providers"][0]
    code, _ = env.idp.authorize(info["authURL"], REDIRECT, "pat")
    first = pb.collection("users").auth_with_oauth2("oidc", code, info["codeVerifier"], REDIRECT)
    assert first.record.name == "Pat OAuth"  # type: ignore[attr-defined]
    assert first.meta["isNew"] is True  # type: ignore[attr-defined]
    code, _ = env.idp.authorize(info["authURL"], REDIRECT, "pat")
    second = pb.collection("users").auth_with_oauth2("oidc", code, info["codeVerifier"], REDIRECT)
    assert second.record.id == first.record.id
    assert second.meta["isNew"] is False  # type: ignore[attr-defined]


def test_impersonate(env: Env) -> None:
    user_id = _signup(env.client(), "imp@py.test")
    pb = env.client()
    pb.auth_store.save(env.admin_token, None)
    auth = pb.send(
        f"/api/collections/users/impersonate/{user_id}", {"method": "POST", "body": {"duration": 60}}
    )
    as_user = env.client()
    as_user.auth_store.save(auth["token"], None)
    assert as_user.collection("users").get_one(user_id).email == "imp@py.test"  # type: ignore[attr-defined]
