"""The dashboard at /_/ in a real browser (Debian's chromium driven by Playwright): the first-run
installer (a first superuser, or a backup), signing in and out, OTP+MFA turned on for superusers
in the dashboard and then a sign-in through MFA with a mailed one-time password, the pages the
auth e-mails link to, a forgotten password, the OAuth2 popup's end pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.servers import Server
from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")


def test_install_sign_in_and_out(
    new_page: Callable[..., Page], console: ConsoleErrors, shot: Callable[[Page, str], Path], tmp_path: Path
) -> None:
    (tmp_path / "site").mkdir()
    server = Server.pocketlite(tmp_path / "site" / "pb_data")
    server.start()
    try:
        link = re.search(r"(http://\S+/_/#/pbinstall/\S+)", server.log_path.read_text())
        assert link is not None
        page = new_page()
        page.goto(link.group(1))
        page.get_by_label("Email").fill("first@example.com")
        page.get_by_label("Password", exact=True).fill("1234567890")
        page.get_by_label("Password confirm").fill("1234567890")
        page.get_by_role("button", name="Create superuser and login").click()

        # The frame: the sidebar lists the collections (system ones folded), the account menu
        # names the superuser; the first non-system collection is open.
        sidebar = page.get_by_role("complementary", name="Collections")
        sidebar.get_by_role("link", name="users").wait_for()
        page.get_by_role("button", name="System").click()
        names = sidebar.get_by_role("link").all_inner_texts()
        assert [name.strip() for name in names] == [
            "users",
            "_superusers",
            "_authOrigins",
            "_externalAuths",
            "_mfas",
            "_otps",
        ]
        assert page.get_by_role("button", name="Account").inner_text().strip() == "first@example.com"
        assert "collection=users" in page.url
        shot(page, "collections")

        page.get_by_role("button", name="Account").click()
        page.get_by_role("menuitem", name="Logout").click()
        page.get_by_role("heading", name="Superuser login").wait_for()
        page.get_by_label("Email").fill("first@example.com")
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Login").click()
        assert page.get_by_role("alert").inner_text() == "Invalid login credentials."
        console.expect("status of 400")  # the wrong password's answer
        shot(page, "sign-in-failed")

        # A reload keeps the session (the SDK's auth store), and the installer link is spent.
        page.get_by_label("Password", exact=True).fill("1234567890")
        page.get_by_role("button", name="Login").click()
        sidebar.get_by_role("link", name="users").wait_for()
        page.reload()
        sidebar.get_by_role("link", name="users").wait_for()
        assert page.title() == "Collections - Acme"
    finally:
        server.stop()


def test_sign_in_through_mfa_with_a_mailed_code(
    signed_in: Callable[..., Page], mailing: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    sink = mailing.sink
    assert sink is not None
    # OTP and MFA turned on for superusers in the dashboard (they switch together there)...
    page = signed_in(mailing, "#/collections?collection=_superusers")
    page.get_by_role("button", name="Edit collection").click()
    panel = page.get_by_role("dialog", name="Edit _superusers collection")
    panel.get_by_role("tab", name="Options").click()
    otp = panel.get_by_role("region", name="One-time password (OTP)")
    otp.get_by_role("button", name=re.compile("^One-time password")).click()
    otp.get_by_label("Enable").check()
    panel.get_by_role("button", name="Save changes").click()
    page.get_by_text('Successfully updated collection "_superusers".').wait_for()
    options = mailing.api("GET", "/api/collections/_superusers").json()
    assert (options["otp"]["enabled"], options["mfa"]["enabled"]) == (True, True)

    # ...then signing in takes the password and a mailed one-time password.
    page.get_by_role("button", name="Account").click()
    page.get_by_role("menuitem", name="Logout").click()
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("1234567890")
    page.get_by_role("heading", name="Superuser login (1/3)").wait_for()
    page.get_by_role("button", name="Next").click()
    # The e-mail is the only identity field: the code is requested at once.
    page.get_by_text("Check your admin@example.com inbox").wait_for()
    page.get_by_role("heading", name="Superuser login (3/3)").wait_for()
    shot(page, "mfa-code")
    code = sink.wait_for("admin@example.com").find(r"<strong>(\d{8})</strong>")
    page.get_by_label("One-time password").fill("00000000" if code != "00000000" else "11111111")
    page.get_by_role("button", name="Login").click()
    page.get_by_role("alert").wait_for()
    console.expect("status of 400")  # the wrong code
    console.expect("status of 401")  # the password step answers "MFA required"
    page.get_by_label("One-time password").fill(code)
    page.get_by_role("button", name="Login").click()
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    assert page.get_by_role("button", name="Account").inner_text().strip() == "admin@example.com"


def test_the_pages_auth_emails_link_to(
    new_page: Callable[..., Page], mailing: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    server, sink = mailing.server, mailing.sink
    assert sink is not None
    users = f"{server.url}/api/collections/users"
    body = {"email": "ann@example.com", "password": "old-password1", "passwordConfirm": "old-password1"}
    httpx.post(f"{users}/records", json=body).raise_for_status()
    page = new_page()

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
    page.get_by_label("New password confirm").fill("something else")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_role("alert").wait_for()  # the API's validation error
    console.expect("status of 400")
    page.get_by_label("New password confirm").fill("new-password1")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_text("The password was successfully changed.").wait_for()
    shot(page, "password-reset")
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
    page.get_by_label("Password", exact=True).fill("new-password1")
    page.get_by_role("button", name="Confirm new email").click()
    page.get_by_text("The email was successfully changed.").wait_for()
    moved = httpx.post(
        f"{users}/auth-with-password", json={"identity": "ann@new.example", "password": "new-password1"}
    )
    assert moved.status_code == 200, moved.text

    page.goto(f"{server.url}/_/#/auth/confirm-password-reset/not-a-token")
    page.get_by_text("The link is invalid or has expired.").wait_for()


def test_a_forgotten_superuser_password(new_page: Callable[..., Page], mailing: Admin) -> None:
    server, sink = mailing.server, mailing.sink
    assert sink is not None
    page = new_page()
    page.goto(f"{server.url}/_/")
    page.get_by_role("link", name="Forgotten password").click()
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_role("button", name="Send recovery link").click()
    page.get_by_text("for the recovery link.").wait_for()
    page.goto(sink.wait_for("admin@example.com").find(r'href="([^"]*/_/#/auth/[^"]+)"'))
    page.get_by_label("New password", exact=True).fill("a-new-password")
    page.get_by_label("New password confirm").fill("a-new-password")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_text("The password was successfully changed.").wait_for()
    page.goto(f"{server.url}/_/#/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("a-new-password")
    page.get_by_role("button", name="Login").click()
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()


def test_the_oauth2_popup_end_pages(new_page: Callable[..., Page], admin: Admin) -> None:
    # The provider sends the popup back to /api/oauth2-redirect, which redirects here: a state
    # no realtime client waits for ends on the failure page.
    page = new_page()
    page.goto(f"{admin.server.url}/api/oauth2-redirect?state=nobody&code=abc")
    page.get_by_role("heading", name="Auth failed.").wait_for()
    assert page.url.endswith("/_/#/auth/oauth2-redirect-failure")
    page.goto(f"{admin.server.url}/_/#/auth/oauth2-redirect-success")
    page.get_by_role("heading", name="Auth completed.").wait_for()


def test_install_from_a_backup(
    new_page: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    # A backup of an instance with a collection and a record...
    admin.api(
        "POST", "/api/collections", json={"name": "notes", "fields": [{"name": "title", "type": "text"}]}
    )
    admin.api("POST", "/api/collections/notes/records", json={"title": "kept"}).raise_for_status()
    admin.api("POST", "/api/backups", json={"name": "start.zip"}).raise_for_status()
    file_token = admin.api("POST", "/api/files/token").json()["token"]
    archive = tmp_path / "start.zip"
    archive.write_bytes(
        httpx.get(f"{admin.server.url}/api/backups/start.zip", params={"token": file_token}).content
    )

    # ...initializes a fresh server from its installer page.
    (tmp_path / "fresh").mkdir()
    server = Server.pocketlite(tmp_path / "fresh" / "pb_data")
    server.start()
    try:
        link = re.search(r"(http://\S+/_/#/pbinstall/\S+)", server.log_path.read_text())
        assert link is not None
        page = new_page()
        page.goto(link.group(1))
        page.locator("#backup_file").set_input_files(archive)
        page.get_by_text('Do you really want to upload and initialize "start.zip"?').wait_for()
        shot(page, "confirm-backup")
        page.get_by_role("button", name="Yes").click()
        page.get_by_text("Please wait while extracting the uploaded archive!").wait_for()
        # The server restarts on the restored data; its superuser signs in and finds the data.
        console.expect("ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET")
        page.get_by_role("heading", name="Superuser login").wait_for(timeout=30_000)
        page.get_by_label("Email").fill("admin@example.com")
        page.get_by_label("Password", exact=True).fill("1234567890")
        page.get_by_role("button", name="Login").click()
        page.get_by_role("complementary", name="Collections").get_by_role("link", name="notes").wait_for()
        shot(page, "restored")
        token = server.auth_token("admin@example.com", "1234567890")
        notes = httpx.get(
            f"{server.url}/api/collections/notes/records", headers={"Authorization": token}
        ).json()
        assert [item["title"] for item in notes["items"]] == ["kept"]
    finally:
        server.stop()
