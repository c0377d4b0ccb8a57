"""The dashboard at /_/ in a real browser (Debian's chromium driven by Playwright): the first-run
installer creates the first superuser and signs in, the collections show, sign-out and a failed
sign-in; a sign-in through MFA with a mailed one-time code. Screenshots go to the test's tmp
dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Mailing:
    """A server of its own that mails to a sink, with the superuser admin@example.com."""

    server: Server
    sink: SMTPSink
    admin: dict[str, str]


@pytest.fixture()
def mailing(tmp_path: Path) -> Iterator[Mailing]:
    sink = SMTPSink()
    sink.start()
    server = Server.pocketlite(tmp_path / "pb_data")
    server.create_superuser("admin@example.com", "1234567890")
    server.start()
    try:
        admin = {"Authorization": server.auth_token("admin@example.com", "1234567890")}
        settings = {"smtp": sink.settings(), "meta": {"appURL": server.url}}
        httpx.patch(f"{server.url}/api/settings", json=settings, headers=admin).raise_for_status()
        yield Mailing(server, sink, admin)
    finally:
        server.stop()
        sink.stop()


def test_install_sign_in_and_out(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    server = Server.pocketlite(tmp_path / "site" / "pb_data")
    server.start()
    errors: list[str] = []
    try:
        link = re.search(r"(http://\S+/_/#/pbinstall/\S+)", server.log_path.read_text())
        assert link is not None
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

        page.goto(link.group(1))
        page.get_by_label("Email").fill("first@example.com")
        page.get_by_label("Password", exact=True).fill("1234567890")
        page.get_by_label("Password again").fill("1234567890")
        page.get_by_role("button", name="Create and sign in").click()
        page.get_by_role("heading", name="Collections").wait_for()
        page.get_by_role("cell", name="users", exact=True).wait_for()
        page.screenshot(path=tmp_path / "collections.png")
        names = page.locator("tbody tr td:first-child").all_inner_texts()
        assert names == ["_authOrigins", "_externalAuths", "_mfas", "_otps", "_superusers", "users"]
        assert page.locator(".who").inner_text() == "first@example.com"

        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Superuser sign-in").wait_for()
        page.get_by_label("Email").fill("first@example.com")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text() == "Failed to authenticate."
        page.screenshot(path=tmp_path / "sign-in-failed.png")

        # A reload keeps the session (the SDK's auth store), and the installer link is spent.
        page.get_by_label("Password").fill("1234567890")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Collections").wait_for()
        page.reload()
        page.get_by_role("heading", name="Collections").wait_for()
    finally:
        server.stop()
    # The one expected failure: the wrong password's 400.
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]


def test_sign_in_through_mfa_with_a_mailed_code(browser: Browser, mailing: Mailing, tmp_path: Path) -> None:
    server, sink, admin = mailing.server, mailing.sink, mailing.admin
    otp = {"otp": {"enabled": True}}  # for superusers, OTP turns MFA on too
    httpx.patch(f"{server.url}/api/collections/_superusers", json=otp, headers=admin).raise_for_status()

    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.goto(f"{server.url}/_/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill("1234567890")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("A one-time code was sent to admin@example.com.").wait_for()
    page.screenshot(path=tmp_path / "mfa-code.png")
    code = sink.wait_for("admin@example.com").find(r"<strong>(\d{8})</strong>")
    page.get_by_label("Code").fill("00000000" if code != "00000000" else "11111111")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("alert").wait_for()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Collections").wait_for()
    assert page.locator(".who").inner_text() == "admin@example.com"


def test_the_pages_auth_emails_link_to(browser: Browser, mailing: Mailing, tmp_path: Path) -> None:
    server, sink = mailing.server, mailing.sink
    users = f"{server.url}/api/collections/users"
    body = {"email": "ann@example.com", "password": "old-password1", "passwordConfirm": "old-password1"}
    httpx.post(f"{users}/records", json=body).raise_for_status()
    page = browser.new_page(viewport={"width": 1100, "height": 700})

    def link(count: int) -> str:
        return sink.wait_for("ann@example.com", count=count).find(r'href="([^"]*/_/#/auth/[^"]+)"')

    # Verification: confirmed on arrival.
    httpx.post(f"{users}/request-verification", json={"email": "ann@example.com"}).raise_for_status()
    page.goto(link(1))
    page.get_by_text("Successfully verified ann@example.com.").wait_for()

    # Password reset: a new password, typed twice.
    httpx.post(f"{users}/request-password-reset", json={"email": "ann@example.com"}).raise_for_status()
    page.goto(link(2))
    page.get_by_label("New password", exact=True).fill("new-password1")
    page.get_by_label("New password again").fill("something else")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_role("alert").wait_for()  # the API's validation error
    page.get_by_label("New password again").fill("new-password1")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_text("The password was successfully changed.").wait_for()
    page.screenshot(path=tmp_path / "password-reset.png")
    signed_in = httpx.post(
        f"{users}/auth-with-password", json={"identity": "ann@example.com", "password": "new-password1"}
    )
    assert signed_in.status_code == 200, signed_in.text

    # E-mail change: confirmed with the password.
    user = {"Authorization": signed_in.json()["token"]}
    httpx.post(
        f"{users}/request-email-change", json={"newEmail": "ann@new.example"}, headers=user
    ).raise_for_status()
    page.goto(sink.wait_for("ann@new.example").find(r'href="([^"]*/_/#/auth/[^"]+)"'))
    page.get_by_text("ann@new.example").wait_for()
    page.get_by_label("Password").fill("new-password1")
    page.get_by_role("button", name="Confirm new email").click()
    page.get_by_text("The email was successfully changed.").wait_for()
    moved = httpx.post(
        f"{users}/auth-with-password", json={"identity": "ann@new.example", "password": "new-password1"}
    )
    assert moved.status_code == 200, moved.text

    page.goto(f"{server.url}/_/#/auth/confirm-password-reset/not-a-token")
    page.get_by_text("The link is invalid or has expired.").wait_for()


def test_a_forgotten_superuser_password(browser: Browser, mailing: Mailing) -> None:
    server, sink = mailing.server, mailing.sink
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.goto(f"{server.url}/_/")
    page.get_by_role("link", name="Forgotten password?").click()
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_role("button", name="Send recovery link").click()
    page.get_by_text("for the recovery link.").wait_for()
    page.goto(sink.wait_for("admin@example.com").find(r'href="([^"]*/_/#/auth/[^"]+)"'))
    page.get_by_label("New password", exact=True).fill("a-new-password")
    page.get_by_label("New password again").fill("a-new-password")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_text("The password was successfully changed.").wait_for()
    page.goto(f"{server.url}/_/#/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill("a-new-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Collections").wait_for()
