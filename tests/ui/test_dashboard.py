"""The dashboard at /_/ in a real browser (Debian's chromium driven by Playwright): the first-run
installer creates the first superuser and signs in, the collections show, sign-out and a failed
sign-in. Screenshots go to the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.servers import Server

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
