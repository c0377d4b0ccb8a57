"""The dashboard at /_/ in a real browser (Debian's chromium driven by Playwright): the first-run
installer creates the first superuser and signs in, the collections show, sign-out and a failed
sign-in; a sign-in through MFA with a mailed one-time code. Screenshots go to the test's tmp
dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
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


def test_sign_in_through_mfa_with_a_mailed_code(browser: Browser, tmp_path: Path) -> None:
    sink = SMTPSink()
    sink.start()
    server = Server.pocketlite(tmp_path / "pb_data")
    server.create_superuser("admin@example.com", "1234567890")
    server.start()
    try:
        admin = {"Authorization": server.auth_token("admin@example.com", "1234567890")}
        httpx.patch(
            f"{server.url}/api/settings", json={"smtp": sink.settings()}, headers=admin
        ).raise_for_status()
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
    finally:
        server.stop()
        sink.stop()
