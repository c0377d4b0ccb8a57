"""Every auth flow of auth-api.md through a real server, with the mails received by a real
local SMTP server: sign-up and verification, login by email and username, password reset,
e-mail change, OTP, MFA and login alerts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

pytestmark = pytest.mark.xdist_group("auth_flows")

PASSWORD = "Secret123!"
TOKEN = r"/auth/{route}/([\w.-]+)"


@dataclass
class Env:
    srv: Server
    sink: SMTPSink
    admin: dict[str, str]

    def post(self, path: str, body: object = None, token: str = "", **headers: str) -> httpx.Response:
        if token:
            headers["Authorization"] = token
        return httpx.post(f"{self.srv.url}{path}", json=body, headers=headers, timeout=30)

    def signup(self, email: str, collection: str = "users", **extra: object) -> str:
        body = {"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, **extra}
        # NB: new auth collections (like "guarded") only let superusers create records.
        headers = self.admin if collection != "users" else {}
        response = self.post(f"/api/collections/{collection}/records", body, **headers)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    sink = SMTPSink()
    sink.start()
    srv = Server.pocketlite(tmp_path_factory.mktemp("auth_flows") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    settings = {"smtp": sink.settings(), "meta": {"appName": "Flows", "appURL": "http://flows.test"}}
    httpx.patch(f"{srv.url}/api/settings", json=settings, headers=admin).raise_for_status()
    users = {
        "fields": [{"name": "username", "type": "text", "max": 40}],
        "indexes": ["CREATE UNIQUE INDEX idx_users_username ON users (username) WHERE username != ''"],
        "passwordAuth": {"identityFields": ["email", "username"]},
        "otp": {"enabled": True, "length": 6},
    }
    httpx.patch(f"{srv.url}/api/collections/users", json=users, headers=admin).raise_for_status()
    httpx.post(
        f"{srv.url}/api/collections",
        json={"name": "guarded", "type": "auth", "otp": {"enabled": True}, "mfa": {"enabled": True}},
        headers=admin,
    ).raise_for_status()
    yield Env(srv, sink, admin)
    srv.stop()
    sink.stop()


def test_sign_up_then_verify_by_the_mailed_link(env: Env) -> None:
    env.signup("vera@flows.test")
    assert (
        env.post("/api/collections/users/request-verification", {"email": "vera@flows.test"}).status_code
        == 204
    )
    mail = env.sink.wait_for("vera@flows.test")
    assert mail.subject == "Verify your Flows email"
    assert "http://flows.test/_/#/auth/confirm-verification/" in mail.html
    assert "[Verify](http://flows.test/_/#/auth/confirm-verification/" in mail.text
    token = mail.find(TOKEN.format(route="confirm-verification"))
    # a second request within 2 minutes sends nothing
    assert (
        env.post("/api/collections/users/request-verification", {"email": "vera@flows.test"}).status_code
        == 204
    )
    assert env.post("/api/collections/users/confirm-verification", {"token": token}).status_code == 204
    login = env.post(
        "/api/collections/users/auth-with-password", {"identity": "vera@flows.test", "password": PASSWORD}
    )
    assert login.json()["record"]["verified"] is True
    assert env.sink.count("vera@flows.test") == 1
    # confirming again is fine; verified records get no more mails
    assert env.post("/api/collections/users/confirm-verification", {"token": token}).status_code == 204
    assert (
        env.post("/api/collections/users/request-verification", {"email": "vera@flows.test"}).status_code
        == 204
    )


def test_unknown_addresses_get_the_same_answers_and_no_mail(env: Env) -> None:
    for path in ("request-verification", "request-password-reset"):
        assert env.post(f"/api/collections/users/{path}", {"email": "ghost@flows.test"}).status_code == 204
    otp = env.post("/api/collections/users/request-otp", {"email": "ghost@flows.test"})
    assert otp.status_code == 200 and len(otp.json()["otpId"]) == 15
    assert env.sink.count("ghost@flows.test") == 0


def test_login_by_email_or_username_and_refresh(env: Env) -> None:
    env.signup("uma@flows.test", username="uma")
    by_email = env.post(
        "/api/collections/users/auth-with-password", {"identity": "uma@flows.test", "password": PASSWORD}
    )
    by_name = env.post("/api/collections/users/auth-with-password", {"identity": "uma", "password": PASSWORD})
    assert by_email.status_code == by_name.status_code == 200
    assert by_email.json()["record"]["id"] == by_name.json()["record"]["id"]
    refreshed = env.post("/api/collections/users/auth-refresh", token=by_name.json()["token"])
    assert refreshed.status_code == 200 and refreshed.json()["record"]["email"] == "uma@flows.test"


def test_password_reset_by_mail_kills_old_tokens(env: Env) -> None:
    env.signup("rita@flows.test")
    old = env.post(
        "/api/collections/users/auth-with-password", {"identity": "rita@flows.test", "password": PASSWORD}
    )
    old_token = old.json()["token"]
    assert (
        env.post("/api/collections/users/request-password-reset", {"email": "rita@flows.test"}).status_code
        == 204
    )
    mail = env.sink.wait_for("rita@flows.test")
    assert mail.subject == "Reset your Flows password"
    token = mail.find(TOKEN.format(route="confirm-password-reset"))
    body = {"token": token, "password": "NewSecret456!", "passwordConfirm": "NewSecret456!"}
    assert env.post("/api/collections/users/confirm-password-reset", body).status_code == 204
    assert env.post("/api/collections/users/auth-refresh", token=old_token).status_code == 401
    again = env.post("/api/collections/users/confirm-password-reset", body)
    assert again.status_code == 400 and again.json()["data"]["token"]["code"] == "validation_invalid_token"
    wrong = env.post(
        "/api/collections/users/auth-with-password", {"identity": "rita@flows.test", "password": PASSWORD}
    )
    assert wrong.status_code == 400
    new = env.post(
        "/api/collections/users/auth-with-password",
        {"identity": "rita@flows.test", "password": "NewSecret456!"},
    )
    assert new.status_code == 200
    # the reset link proved the address
    assert new.json()["record"]["verified"] is True


def test_email_change_by_mail(env: Env) -> None:
    env.signup("ed@flows.test")
    token = env.post(
        "/api/collections/users/auth-with-password", {"identity": "ed@flows.test", "password": PASSWORD}
    ).json()["token"]
    assert (
        env.post(
            "/api/collections/users/request-email-change", {"newEmail": "eddie@flows.test"}, token
        ).status_code
        == 204
    )
    mail = env.sink.wait_for("eddie@flows.test")
    assert mail.subject == "Confirm your Flows new email address"
    change = mail.find(TOKEN.format(route="confirm-email-change"))
    wrong = env.post(
        "/api/collections/users/confirm-email-change", {"token": change, "password": "nope-nope"}
    )
    assert wrong.json()["data"]["password"]["code"] == "validation_invalid_password"
    assert (
        env.post(
            "/api/collections/users/confirm-email-change", {"token": change, "password": PASSWORD}
        ).status_code
        == 204
    )
    assert env.post("/api/collections/users/auth-refresh", token=token).status_code == 401
    login = env.post(
        "/api/collections/users/auth-with-password", {"identity": "eddie@flows.test", "password": PASSWORD}
    )
    assert login.status_code == 200 and login.json()["record"]["verified"] is True


def test_login_by_otp_verifies_and_cannot_be_replayed(env: Env) -> None:
    env.signup("otto@flows.test")
    otp_id = env.post("/api/collections/users/request-otp", {"email": "otto@flows.test"}).json()["otpId"]
    mail = env.sink.wait_for("otto@flows.test")
    assert mail.subject == "OTP for Flows"
    code = mail.find(r"<strong>(\d{6})</strong>")
    wrong = env.post(
        "/api/collections/users/auth-with-otp",
        {"otpId": otp_id, "password": "000000" if code != "000000" else "111111"},
    )
    assert wrong.status_code == 400 and wrong.json()["message"] == "Invalid or expired OTP."
    login = env.post("/api/collections/users/auth-with-otp", {"otpId": otp_id, "password": code})
    assert login.status_code == 200, login.text
    assert login.json()["record"]["verified"] is True
    replay = env.post("/api/collections/users/auth-with-otp", {"otpId": otp_id, "password": code})
    assert replay.status_code == 400


def test_otp_guesses_are_limited(env: Env) -> None:
    env.signup("gail@flows.test")
    otp_id = env.post("/api/collections/users/request-otp", {"email": "gail@flows.test"}).json()["otpId"]
    env.sink.wait_for("gail@flows.test")
    codes = [
        env.post("/api/collections/users/auth-with-otp", {"otpId": otp_id, "password": "x"}).status_code
        for _ in range(6)
    ]
    assert codes == [400] * 5 + [429]


def test_mfa_password_then_otp(env: Env) -> None:
    env.signup("mia@flows.test", collection="guarded")
    first = env.post(
        "/api/collections/guarded/auth-with-password", {"identity": "mia@flows.test", "password": PASSWORD}
    )
    assert first.status_code == 401 and list(first.json()) == ["mfaId"]
    mfa_id = first.json()["mfaId"]
    otp_id = env.post("/api/collections/guarded/request-otp", {"email": "mia@flows.test"}).json()["otpId"]
    code = env.sink.wait_for("mia@flows.test").find(r"<strong>(\d{8})</strong>")
    done = env.post(
        f"/api/collections/guarded/auth-with-otp?mfaId={mfa_id}", {"otpId": otp_id, "password": code}
    )
    assert done.status_code == 200 and done.json()["record"]["email"] == "mia@flows.test"
    # the session was used up
    again = env.post(
        f"/api/collections/guarded/auth-with-password?mfaId={mfa_id}",
        {"identity": "mia@flows.test", "password": PASSWORD},
    )
    assert again.json()["message"] == "Invalid or expired MFA session."


def test_a_login_from_a_new_device_sends_an_alert(env: Env) -> None:
    env.signup("al@flows.test")
    body = {"identity": "al@flows.test", "password": PASSWORD}
    assert (
        env.post(
            "/api/collections/users/auth-with-password", body, **{"User-Agent": "FirstDevice/1.0"}
        ).status_code
        == 200
    )
    assert (
        env.post(
            "/api/collections/users/auth-with-password", body, **{"User-Agent": "FirstDevice/1.0"}
        ).status_code
        == 200
    )
    assert env.sink.count("al@flows.test") == 0  # the first device is remembered, not announced
    assert (
        env.post(
            "/api/collections/users/auth-with-password", body, **{"User-Agent": "OtherDevice/2.0"}
        ).status_code
        == 200
    )
    mail = env.sink.wait_for("al@flows.test")
    assert mail.subject == "Login from a new location"
    assert "127.0.0.1 OtherDevice/2.0" in mail.html


def test_settings_hide_secrets_and_send_test_mails(env: Env) -> None:
    patched = httpx.patch(
        f"{env.srv.url}/api/settings",
        json={"smtp": {"password": "s3cret", "username": ""}},
        headers=env.admin,
    )
    assert patched.status_code == 200 and "password" not in patched.json()["smtp"]
    listed = httpx.get(f"{env.srv.url}/api/settings", headers=env.admin).json()
    assert listed["smtp"]["port"] == env.sink.port and "password" not in listed["smtp"]
    # the stored secret is kept until replaced; the sink takes no auth on a plain connection
    kept = httpx.patch(f"{env.srv.url}/api/settings", json={"meta": {"appName": "Flows"}}, headers=env.admin)
    assert kept.status_code == 200
    failing = env.post("/api/settings/test/email", {"email": "x@test.flows", "template": "otp"}, **env.admin)
    assert failing.status_code == 400 and "Raw error" in failing.json()["message"]
    cleared = httpx.patch(f"{env.srv.url}/api/settings", json={"smtp": {"password": ""}}, headers=env.admin)
    assert cleared.status_code == 200
    for template in ("verification", "password-reset", "email-change", "otp", "login-alert"):
        sent = env.post(
            "/api/settings/test/email", {"email": f"{template}@test.flows", "template": template}, **env.admin
        )
        assert sent.status_code == 204, sent.text
        assert env.sink.wait_for(f"{template}@test.flows").html
    bad = env.post(
        "/api/settings/test/email", {"email": "x", "template": "nope", "collection": "posts"}, **env.admin
    )
    assert bad.status_code == 400
    assert {k: v["code"] for k, v in bad.json()["data"].items()} == {
        "collection": "validation_invalid_auth_collection",
        "email": "validation_is_email",
        "template": "validation_in_invalid",
    }
    guest = httpx.get(f"{env.srv.url}/api/settings")
    assert guest.status_code == 401
