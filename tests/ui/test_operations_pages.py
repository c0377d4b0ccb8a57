"""The operations pages of the dashboard's settings in a real browser, checked through the API:
backups (create, download, restore — the server restarts in place and the page comes back on the
restored data — upload, delete, the auto-backup options), the cron jobs (run one now) and the SQL
console (rows, sorting, errors, the confirmation of writes, the history)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

# What the browser logs while the server restarts under a restore (the health checks meanwhile).
RESTARTING = "ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED"


def _notes(admin: Admin, *titles: str) -> None:
    admin.api(
        "POST", "/api/collections", json={"name": "notes", "fields": [{"name": "title", "type": "text"}]}
    ).raise_for_status()
    for title in titles:
        admin.api("POST", "/api/collections/notes/records", json={"title": title}).raise_for_status()


def _titles(admin: Admin) -> list[str]:
    items = admin.api("GET", "/api/collections/notes/records", params={"sort": "title"}).json()["items"]
    return [item["title"] for item in items]


def _backups(admin: Admin) -> list[str]:
    return sorted(item["key"] for item in admin.api("GET", "/api/backups").json())


def _toast(page: Page, text: str) -> None:
    page.get_by_role("status").filter(has_text=text).wait_for()


def test_backup_download_restore_upload_delete(
    signed_in: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    _notes(admin, "before")
    page = signed_in(admin, "#/settings/backups")
    backups = page.get_by_role("region", name="Backups")
    backups.get_by_text("No backups found.").wait_for()
    shot(page, "empty")

    # A new backup, named.
    backups.get_by_role("button", name="Initialize new backup").click()
    dialog = page.get_by_role("dialog", name="Initialize new backup")
    dialog.get_by_label("Backup name").fill("first.zip")
    shot(page, "new-backup")
    dialog.get_by_role("button", name="Start backup").click()
    _toast(page, "Successfully generated new backup.")
    expect(dialog).to_be_hidden()
    expect(backups.get_by_role("listitem")).to_have_count(1)
    expect(backups.get_by_role("listitem")).to_contain_text("first.zip")
    assert _backups(admin) == ["first.zip"]
    expect(backups.get_by_role("button", name="Initialize new backup")).to_be_enabled()
    shot(page, "listed")

    # Download: a zip of pb_data with the database.
    with page.expect_download() as got:
        backups.get_by_role("button", name="Download first.zip").click()
    assert got.value.suggested_filename == "first.zip"
    archive = tmp_path / "uploaded.zip"
    got.value.save_as(archive)
    assert "data.db" in zipfile.ZipFile(io.BytesIO(archive.read_bytes())).namelist()

    # A record added after the backup is gone once the backup is restored.
    admin.api("POST", "/api/collections/notes/records", json={"title": "after"}).raise_for_status()
    assert _titles(admin) == ["after", "before"]
    backups.get_by_role("button", name="Restore first.zip").click()
    dialog = page.get_by_role("dialog", name="Restore first.zip")
    expect(dialog).to_contain_text("Please proceed with extreme caution")
    restore = dialog.get_by_role("button", name="Restore backup")
    expect(restore).to_be_disabled()
    dialog.get_by_label("Backup name").fill("first")
    expect(restore).to_be_disabled()
    dialog.get_by_label("Backup name").fill("first.zip")
    shot(page, "restore-confirm")
    # Health checks that happen to hit the restart fail in the browser's console.
    console.expect(RESTARTING)
    with page.expect_event("load", timeout=60_000):  # the page reloads once the server is back
        restore.click()
        dialog.get_by_text("Restoring first.zip…").wait_for()
        shot(page, "restoring")
    backups.get_by_role("listitem").filter(has_text="first.zip").wait_for()
    expect(backups.get_by_role("button", name="Initialize new backup")).to_be_enabled()
    assert _titles(admin) == ["before"]
    shot(page, "restored")

    # Upload the downloaded zip under another name (a confirmation first).
    page.locator("input[type=file]").set_input_files(archive)
    confirm = page.get_by_role("dialog", name="Confirmation")
    expect(confirm).to_contain_text('Do you really want to upload "uploaded.zip"?')
    shot(page, "upload-confirm")
    confirm.get_by_role("button", name="Upload").click()
    _toast(page, "Successfully uploaded a new backup.")
    expect(backups.get_by_role("listitem").filter(has_text="uploaded.zip")).to_be_visible()
    assert _backups(admin) == ["first.zip", "uploaded.zip"]

    # Delete it again (confirmed).
    backups.get_by_role("button", name="Delete uploaded.zip").click()
    expect(confirm).to_contain_text("Do you really want to delete uploaded.zip?")
    confirm.get_by_role("button", name="Delete").click()
    _toast(page, "Successfully deleted uploaded.zip.")
    expect(backups.get_by_role("listitem")).to_have_count(1)
    assert _backups(admin) == ["first.zip"]


def test_a_taken_backup_name(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    admin.api("POST", "/api/backups", json={"name": "taken.zip"}).raise_for_status()
    page = signed_in(admin, "#/settings/backups")
    backups = page.get_by_role("region", name="Backups")
    backups.get_by_role("listitem").filter(has_text="taken.zip").wait_for()
    backups.get_by_role("button", name="Initialize new backup").click()
    dialog = page.get_by_role("dialog", name="Initialize new backup")
    dialog.get_by_label("Backup name").fill("taken.zip")
    console.expect("status of 400")
    dialog.get_by_role("button", name="Start backup").click()
    expect(dialog.get_by_role("alert")).to_have_text(re.compile(r"\S"))  # the API's error under the name
    expect(dialog).to_be_visible()
    shot(page, "name-taken")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert _backups(admin) == ["taken.zip"]


def test_backup_options(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin, "#/settings/backups")
    page.get_by_role("button", name="Backup options").click()
    form = page.get_by_role("form", name="Backup options")
    save = form.get_by_role("button", name="Save changes")
    expect(save).to_be_disabled()
    form.get_by_label("Enable auto backups").check()
    cron = form.get_by_label("Cron expression")
    expect(cron).to_have_value("0 0 * * *")
    form.get_by_role("button", name="Cron presets").click()
    form.get_by_role("menuitem", name="Every sunday at 00:00h").click()
    expect(cron).to_have_value("0 0 * * 0")
    form.get_by_label("Max @auto backups to keep").fill("5")
    form.get_by_label("Store backups in S3 storage").check()
    expect(form.get_by_label("Endpoint")).to_be_visible()
    shot(page, "options")
    form.get_by_label("Store backups in S3 storage").uncheck()
    save.click()
    _toast(page, "Successfully saved backups settings.")
    expect(save).to_be_disabled()
    settings: dict[str, Any] = admin.api("GET", "/api/settings").json()["backups"]
    assert (settings["cron"], settings["cronMaxKeep"]) == ("0 0 * * 0", 5)

    # The auto-backup job is registered now.
    jobs = {job["id"]: job["expression"] for job in admin.api("GET", "/api/crons").json()}
    assert jobs["__pbAutoBackup__"] == "0 0 * * 0"

    # Cancel puts the saved values back; turning auto backups off clears the schedule.
    form.get_by_label("Enable auto backups").uncheck()
    expect(cron).to_be_hidden()
    form.get_by_role("button", name="Cancel").click()
    expect(cron).to_have_value("0 0 * * 0")
    form.get_by_label("Enable auto backups").uncheck()
    save.click()
    _toast(page, "Successfully saved backups settings.")
    assert admin.api("GET", "/api/settings").json()["backups"]["cron"] == ""


def test_run_a_cron_job(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin, "#/settings/crons")
    jobs = page.get_by_role("region", name="Cron jobs")
    row = jobs.get_by_role("listitem").filter(has_text="__pbLogsCleanup__")
    row.wait_for()
    listed = [re.sub(r"\s+", " ", text).strip() for text in jobs.get_by_role("listitem").all_inner_texts()]
    assert listed == [f"{job['id']} {job['expression']}" for job in admin.api("GET", "/api/crons").json()]
    row.get_by_role("button", name="Run __pbLogsCleanup__").click()
    _toast(page, 'Successfully triggered "__pbLogsCleanup__".')
    expect(jobs).to_contain_text("pb_hooks/*.py")
    shot(page, "crons")


def _sql(page: Page, query: str) -> None:
    editor = page.get_by_label("SQL query")
    editor.fill(query)
    editor.press("Control+Enter")


def test_sql_console(
    signed_in: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    _notes(admin, "beta", "alpha", "gamma")
    admin.api("POST", "/api/collections/notes/records", json={}).raise_for_status()
    page = signed_in(admin, "#/settings/sql")

    # Rows in a table; a header click sorts them here, again to reverse.
    first = "SELECT title, length(title) AS size FROM notes ORDER BY rowid"
    _sql(page, first)
    table = page.get_by_role("table", name="Query results")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_text(re.compile(r"beta\s*4"))
    expect(rows.nth(3)).to_have_text(re.compile(r"\s*0"))
    table.get_by_role("button", name="title").click()
    expect(rows.locator("td:first-child")).to_have_text(["", "alpha", "beta", "gamma"])
    table.get_by_role("button", name="title").click()
    expect(rows.locator("td:first-child")).to_have_text(["gamma", "beta", "alpha", ""])
    expect(page.get_by_text("Rows: 4")).to_be_visible()
    shot(page, "rows")
    with page.expect_download() as got:
        page.get_by_role("button", name="Export as CSV").click()
    assert got.value.path().read_text().splitlines() == ["title,size", "gamma,5", "beta,4", "alpha,5", ",0"]

    _sql(page, "SELECT NULL AS empty")
    expect(table.locator("tbody td")).to_have_text("NULL")

    # 250 rows first, the rest on demand.
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) SELECT i FROM n"
    _sql(page, numbers)
    expect(rows).to_have_count(250)
    page.get_by_role("button", name="Load remaining (50)").click()
    expect(rows).to_have_count(300)
    expect(page.get_by_text("Rows: 300")).to_be_visible()

    # A failing query shows SQLite's error.
    console.expect("status of 400")
    _sql(page, "SELECT * FROM missing")
    expect(page.get_by_role("alert").filter(has_text="Failed to execute query")).to_contain_text(
        "no such table: missing"
    )
    shot(page, "error")

    # A write asks first: Cancel runs nothing, Execute runs it.
    _sql(page, "UPDATE notes SET title = 'delta' WHERE title = 'gamma'")
    confirm = page.get_by_role("dialog", name="Confirmation")
    expect(confirm).to_contain_text("Be careful and continue only if you really know what you are doing")
    shot(page, "confirm-write")
    confirm.get_by_role("button", name="Cancel").click()
    assert _titles(admin) == ["", "alpha", "beta", "gamma"]
    page.get_by_role("button", name="Execute", exact=True).click()
    confirm.get_by_role("button", name="Execute").click()
    success = page.get_by_role("status").filter(has_text="Query executed successfully!")
    expect(success).to_contain_text("Affected rows: 1")
    assert _titles(admin) == ["", "alpha", "beta", "delta"]
    shot(page, "write-done")

    # The history keeps the executed queries, newest first (not the failed one); one is removed,
    # another is picked back into the editor.
    page.get_by_role("button", name="Recently executed queries").click()
    items = page.get_by_role("menuitem").filter(has_text=re.compile(r"\w"))
    expect(items).to_have_text(
        [
            "UPDATE notes SET title = 'delta' WHERE title = 'gamma'",
            numbers,
            "SELECT NULL AS empty",
            first,
        ]
    )
    shot(page, "history")
    page.get_by_role("menuitem", name="Remove from history").nth(1).click()
    expect(items).to_have_count(3)
    items.nth(2).click()
    expect(page.get_by_label("SQL query")).to_have_text(first)

    # With the controls hidden, the first query is confirmed whatever it is; the next ones not.
    admin.api("PATCH", "/api/settings", json={"meta": {"hideControls": True}}).raise_for_status()
    page.reload()
    page.get_by_role("link", name="SQL console").wait_for()
    expect(page.get_by_role("link", name="Export collections")).to_be_hidden()  # the settings loaded
    _sql(page, "SELECT count(*) AS total FROM notes")
    confirm.get_by_role("button", name="Execute").click()
    expect(table.locator("tbody td")).to_have_text("4")
    _sql(page, "SELECT count(*) AS total FROM notes WHERE title != ''")
    expect(table.locator("tbody td")).to_have_text("3")
    expect(confirm).to_be_hidden()
