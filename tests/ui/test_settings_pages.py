"""The settings pages Application, Mail settings and Files storage in a real browser, checked
through the API: the application name in the top bar, the accent colour on the frame (and a
colour too light refused), rate limit rules (an invalid label's error at its input), Cancel,
SMTP against a local sink with a test e-mail that arrives, and S3 storage against a local S3
server (moto) with the live connection badge and an upload that lands in the bucket."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from moto.server import ThreadedMotoServer
from playwright.sync_api import Locator, Page, expect

from tests.servers import free_port
from tests.ui.conftest import ADMIN_EMAIL, Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

SignedIn = Callable[[Admin, str], Page]
Shot = Callable[[Page, str], Path]
BUCKET = "dashboard-files"


def _settings(admin: Admin) -> dict[str, Any]:
    data: dict[str, Any] = admin.api("GET", "/api/settings").json()
    return data


def _save(page: Page, toast: str) -> None:
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(toast)).to_be_visible()


def _background(locator: Locator) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).backgroundColor"))


def test_application_name_accent_and_cancel(admin: Admin, signed_in: SignedIn, shot: Shot) -> None:
    page = signed_in(admin, "#/settings")
    name = page.get_by_label("Application name")
    expect(name).to_have_value("Acme")
    save = page.get_by_role("button", name="Save changes")
    expect(save).to_be_disabled()
    expect(page.get_by_role("button", name="Cancel")).to_be_hidden()

    # Cancel puts the form back as loaded.
    name.fill("Something else")
    page.get_by_label("Application URL").fill("http://elsewhere.test")
    page.get_by_role("button", name="Cancel").click()
    expect(name).to_have_value("Acme")
    expect(page.get_by_label("Application URL")).to_have_value(admin.server.url)
    expect(save).to_be_disabled()

    # A new name shows in the top bar once saved.
    name.fill("Acme CMS")
    _save(page, "Successfully saved application settings.")
    expect(page.get_by_role("link", name="Home")).to_have_text("Acme CMS")
    assert _settings(admin)["meta"]["appName"] == "Acme CMS"

    # An accent preset recolours the frame at once and is kept when saved.
    topbar = page.locator("header.topbar")
    assert _background(topbar) == "rgb(16, 85, 201)"  # the default #1055c9
    page.get_by_role("button", name="Predefined colors").click()
    page.get_by_role("menuitem", name="#a3142a").click()
    assert _background(topbar) == "rgb(163, 20, 42)"
    expect(page.locator("#meta\\.accentColor")).to_have_value("#a3142a")

    # A colour too light for white text is refused: the draft keeps the last good one.
    page.locator("#meta\\.accentColor").fill("#f2f2f2")
    expect(page.get_by_role("alert").filter(has_text="Invalid - color is too light")).to_be_visible()
    assert _background(topbar) == "rgb(163, 20, 42)"
    shot(page, "accent-too-light")
    _save(page, "Successfully saved application settings.")
    assert _settings(admin)["meta"]["accentColor"] == "#a3142a"
    expect(page.locator('meta[name="theme-color"]')).to_have_attribute("content", "#a3142a")

    # Other pages (and a reload) keep the saved accent.
    page.reload()
    page.get_by_role("link", name="Collections", exact=True).click()
    expect(page.get_by_role("link", name="Home")).to_have_text("Acme CMS")
    assert _background(page.locator("header.topbar")) == "rgb(163, 20, 42)"
    shot(page, "accent-applied")

    # The dark scheme gets a lighter tint of the accent (readable links on the dark background).
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name=re.compile("^Colour scheme")).click()
    page.get_by_role("button", name=re.compile("^Colour scheme: light")).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert _background(page.locator("header.topbar")) not in ("rgb(163, 20, 42)", "rgba(0, 0, 0, 0)")
    page.get_by_role("button", name=re.compile("^Batch Web API")).click()
    page.get_by_role("button", name=re.compile("^Rate limiting")).click()
    batch = page.get_by_role("region", name="Batch Web API")
    expect(batch.get_by_label("Max requests in a batch")).to_be_disabled()
    batch.get_by_role("checkbox", name="Enable").check()
    expect(batch.get_by_text("Enabled", exact=True)).to_be_visible()
    body_size = batch.get_by_label("Max body size (in bytes)")
    expect(body_size).to_have_attribute("placeholder", "Default to 128MB")
    shot(page, "dark")


def test_rate_limit_rules(admin: Admin, signed_in: SignedIn, shot: Shot, console: ConsoleErrors) -> None:
    console.expect("status of 400")
    page = signed_in(admin, "#/settings")
    section = page.get_by_role("region", name="Rate limiting")
    section.get_by_role("button", name=re.compile("^Rate limiting")).click()
    labels = section.get_by_role("combobox", name=re.compile(r"^Rate limit label \d+$"))
    before = labels.count()
    assert before > 0  # the server's default rules

    # The label suggestions come from the collections (auth actions for auth ones only).
    suggestions = page.locator("#rate-limit-labels option")
    values = suggestions.evaluate_all("options => options.map(o => o.value)")
    assert "users:authWithPassword" in values and "*:create" in values and "/api/" in values
    assert not any(value.startswith("_superusers:") for value in values)

    # Two new rules: one good, one with a label the server refuses.
    section.get_by_role("button", name="Add rate limit rule").click()
    section.get_by_label(f"Rate limit label {before + 1}").fill("users:create")
    section.get_by_label(f"Max requests {before + 1}").fill("7")
    section.get_by_label(f"Interval {before + 1}").fill("60")
    section.get_by_label(f"Targeted users {before + 1}").select_option(label="Guest only")
    section.get_by_role("button", name="Add rate limit rule").click()
    section.get_by_label(f"Rate limit label {before + 2}").fill("not a label!")
    page.get_by_role("button", name="Save changes").click()

    # The error is shown at the input of that rule (rules are sorted before saving).
    error = section.get_by_role("alert")
    expect(error).to_be_visible()
    cell = section.locator("td", has=page.get_by_role("alert"))
    expect(cell.get_by_role("combobox")).to_have_value("not a label!")
    expect(page.get_by_role("region", name="Rate limiting").locator(".error-mark")).to_be_visible()
    shot(page, "rate-limit-error")

    # Fixing the label clears its error; the saved rules are sorted most specific first.
    cell.get_by_role("combobox").fill("/api/files/")
    expect(error).to_be_hidden()
    _save(page, "Successfully saved application settings.")
    rules = _settings(admin)["rateLimits"]["rules"]
    saved_labels = [rule["label"] for rule in rules]
    assert {"label": "users:create", "maxRequests": 7, "duration": 60, "audience": "@guest"} in rules
    assert saved_labels[0] == "users:create"
    assert saved_labels.index("*:auth") < saved_labels.index("/api/files/")
    assert labels.count() == before + 2

    # Removing a rule, then Cancel, keeps the saved ones.
    section.get_by_role("button", name="Remove rule 1").click()
    assert labels.count() == before + 1
    page.get_by_role("button", name="Cancel").click()
    assert labels.count() == before + 2
    expect(section.get_by_label("Rate limit label 1")).to_have_value("users:create")

    # The format help.
    section.get_by_role("button", name="Learn more about the rate limit rules").click()
    dialog = page.get_by_role("dialog", name="Rate limit label format")
    expect(dialog.get_by_text("exact tag (e.g. users:create)")).to_be_visible()
    shot(page, "rate-limit-info")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_proxy_info_and_superuser_ips(
    admin: Admin, signed_in: SignedIn, shot: Shot, console: ConsoleErrors
) -> None:
    console.expect("status of 400")
    page = signed_in(admin, "#/settings")
    proxy = page.get_by_role("region", name="IP proxy headers")
    proxy.get_by_role("button", name=re.compile("^IP proxy headers")).click()
    expect(proxy.get_by_test_id("resolved-ip")).to_have_text("127.0.0.1")
    expect(proxy.get_by_test_id("detected-header")).to_have_text("N/A")
    proxy.get_by_role("button", name="CF-Connecting-IP").click()
    expect(proxy.get_by_label("Trusted IP proxy headers")).to_have_value("CF-Connecting-IP")
    expect(proxy.get_by_text("Enabled")).to_be_visible()

    ips = page.get_by_role("region", name="Superuser IPs")
    ips.get_by_role("button", name=re.compile("^Superuser IPs")).click()
    ips.get_by_role("button", name="127.0.0.1 (you)").click()
    field = ips.get_by_label("Superuser IPs and subnets")
    expect(field).to_have_value("127.0.0.1")
    field.press("End")
    field.type(", 10.0.0.0/8, nope")

    # A changed list is confirmed first, naming the command that resets it; an invalid item's
    # error names it under the input.
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("dialog", name="Confirmation").get_by_role("button", name="Yes, save changes").click()
    expect(ips.get_by_role("alert")).to_have_text(re.compile("^nope: .+"))
    shot(page, "superuser-ips")
    field.press("End")
    for _ in ", nope":
        field.press("Backspace")
    expect(ips.get_by_role("alert")).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    confirm = page.get_by_role("dialog", name="Confirmation")
    question = "The ONLY allowed superuser IPs will change to: 127.0.0.1, 10.0.0.0/8"
    expect(confirm.get_by_text(question)).to_be_visible()
    expect(confirm.get_by_text("pocketlite superuser ips")).to_be_visible()
    confirm.get_by_role("button", name="Yes, save changes").click()
    expect(page.get_by_text("Successfully saved application settings.")).to_be_visible()
    settings = _settings(admin)
    assert settings["superuserIPs"] == ["127.0.0.1", "10.0.0.0/8"]
    assert settings["trustedProxy"]["headers"] == ["CF-Connecting-IP"]
    # Still signed in: the refreshed session is allowed from here.
    expect(page.get_by_role("button", name="Account")).to_have_text(ADMIN_EMAIL)


def test_mail_settings_and_test_email(mailing: Admin, signed_in: SignedIn, shot: Shot) -> None:
    assert mailing.sink is not None
    mailing.api("PATCH", "/api/settings", json={"smtp": {"enabled": False, "host": "smtp.example.com"}})
    page = signed_in(mailing, "#/settings/mail")
    expect(page.get_by_label("Sender name")).to_have_value("Support")
    page.get_by_label("Sender name").fill("Acme Support")
    page.get_by_label("Sender address").fill("support@acme.test")
    page.get_by_label("Use SMTP mail server (recommended)").check()
    sink = mailing.sink.settings()
    page.get_by_label("SMTP server host").fill(sink["host"])
    page.get_by_label("Port").fill(str(sink["port"]))
    page.get_by_label("Username").fill("mailer")
    page.get_by_label("Password").fill("s3cret")
    page.get_by_role("button", name="Show more options").click()
    expect(page.get_by_label("TLS encryption")).to_have_value(re.compile("false"))
    page.get_by_label("EHLO/HELO domain").fill("acme.test")
    shot(page, "smtp")
    # No test e-mail while there are unsaved changes.
    expect(page.get_by_role("button", name="Send test email")).to_be_hidden()
    _save(page, "Successfully saved mail settings.")

    smtp = _settings(mailing)["smtp"]
    assert {k: smtp[k] for k in ("enabled", "host", "port", "username", "localName")} == {
        "enabled": True,
        "host": sink["host"],
        "port": sink["port"],
        "username": "mailer",
        "localName": "acme.test",
    }
    assert "password" not in smtp
    # The sink takes no AUTH: drop the username, and the stored password with Backspace in its
    # empty input (the mask placeholder goes: the secret will be cleared).
    page.get_by_label("Username").fill("")
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("placeholder", "* * * * * *")
    password.press("Backspace")
    expect(password).to_have_attribute("placeholder", "")
    _save(page, "Successfully saved mail settings.")

    page.get_by_role("button", name="Send test email").click()
    dialog = page.get_by_role("dialog", name="Send test email")
    expect(dialog.get_by_label("Auth collection")).to_have_value(re.compile(".+"))
    expect(dialog.get_by_label("Auth collection").locator("option:checked")).to_have_text("_superusers")
    expect(dialog.get_by_label("To email address")).to_have_value(ADMIN_EMAIL)
    dialog.get_by_label("Password reset").check()
    dialog.get_by_label("To email address").fill("tester@example.com")
    shot(page, "test-email")
    dialog.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Successfully sent test email.")).to_be_visible()
    expect(dialog).to_be_hidden()
    mail = mailing.sink.wait_for("tester@example.com")
    assert "Acme Support" in mail.sender and "support@acme.test" in mail.sender
    assert "password" in mail.subject.lower()


@pytest.fixture()
def s3_url() -> Iterator[str]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{port}"
    httpx.put(f"{url}/{BUCKET}").raise_for_status()
    yield url
    moto.stop()


def test_files_storage_on_s3(
    admin: Admin, signed_in: SignedIn, shot: Shot, s3_url: str, console: ConsoleErrors
) -> None:
    console.expect("status of 400")  # the failing connection test at the end
    page = signed_in(admin, "#/settings/storage")
    switch = page.get_by_label("Use S3 storage")
    expect(switch).not_to_be_checked()
    switch.check()
    expect(page.get_by_role("note")).to_contain_text(
        "you'll have to migrate them manually from the local file system to the S3 storage"
    )
    page.get_by_label("Endpoint").fill(s3_url)
    page.get_by_label("Bucket").fill(BUCKET)
    page.get_by_label("Region").fill("us-east-1")
    page.get_by_label("Access key").fill("test-key")
    page.get_by_label("Secret").fill("test-secret")
    page.get_by_label("Force path-style addressing").check()

    # Cancel: back to local files, nothing saved.
    page.get_by_role("button", name="Cancel").click()
    expect(switch).not_to_be_checked()
    expect(page.get_by_label("Endpoint")).to_be_hidden()
    assert _settings(admin)["s3"]["enabled"] is False

    switch.check()
    page.get_by_label("Endpoint").fill(s3_url)
    page.get_by_label("Bucket").fill(BUCKET)
    page.get_by_label("Region").fill("us-east-1")
    page.get_by_label("Access key").fill("test-key")
    page.get_by_label("Secret").fill("test-secret")
    page.get_by_label("Force path-style addressing").check()
    # The badge tests saved settings only.
    expect(page.get_by_text("S3 connected successfully")).to_be_hidden()
    _save(page, "Successfully saved storage settings.")
    expect(page.get_by_text("S3 connected successfully")).to_be_visible()
    expect(page.get_by_role("note")).to_be_hidden()
    shot(page, "s3-connected")
    s3 = _settings(admin)["s3"]
    assert s3 == {  # the secret is never returned
        "enabled": True,
        "bucket": BUCKET,
        "region": "us-east-1",
        "endpoint": s3_url,
        "accessKey": "test-key",
        "forcePathStyle": True,
    }

    # Uploads now land in the bucket.
    field = {"name": "file", "type": "file", "maxSelect": 1}
    admin.api("POST", "/api/collections", json={"name": "docs", "fields": [field]}).raise_for_status()
    upload = {"file": ("hello.txt", b"hello")}
    record = admin.api("POST", "/api/collections/docs/records", files=upload).json()
    keys = re.findall(r"<Key>(.*?)</Key>", httpx.get(f"{s3_url}/{BUCKET}?list-type=2").text)
    assert keys == [f"{record['collectionId']}/{record['id']}/{record['file']}"]

    # A bucket that does not exist: the badge says so (the reason in its tooltip).
    page.get_by_label("Bucket").fill("no-such-bucket")
    expect(page.get_by_role("status")).to_be_hidden()
    _save(page, "Successfully saved storage settings.")
    badge = page.get_by_role("status").filter(has_text="Failed to establish S3 connection")
    expect(badge).to_be_visible()
    assert badge.get_attribute("title")
    shot(page, "s3-failed")
