"""Settings → Sync in a real browser: exporting the collections configuration (Shift-range
selection, the JSON preview, `pb_schema.json` equal to the API's collections without timestamps
and OAuth2 providers), and importing one: validation, detected changes, merging, original ids,
the side-by-side diff with its Added/Changed/Deleted marks and data-loss warning, the last
confirmation, and the API state afterwards."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin

pytestmark = pytest.mark.xdist_group("browser")


def _create_posts(admin: Admin) -> dict[str, Any]:
    created = admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "posts",
            "type": "base",
            "fields": [{"name": "title", "type": "text"}, {"name": "body", "type": "text"}],
        },
    )
    created.raise_for_status()
    collection: dict[str, Any] = created.json()
    return collection


def _configuration(admin: Admin) -> list[dict[str, Any]]:
    """What the export should hold: every collection without created/updated/oauth2.providers."""
    listed = admin.api("GET", "/api/collections", params={"perPage": 500})
    items: list[dict[str, Any]] = listed.json()["items"]
    for item in items:
        item.pop("created", None)
        item.pop("updated", None)
        if isinstance(item.get("oauth2"), dict):
            item["oauth2"].pop("providers", None)
    return items


def test_export_collections(
    signed_in: Callable[..., Page], admin: Admin, shot: Callable[[Page, str], Path]
) -> None:
    _create_posts(admin)
    expected = _configuration(admin)
    page = signed_in(admin, "#/settings/export-collections")
    group = page.get_by_role("group", name="Collections to export")
    expect(group.get_by_role("checkbox", name="posts")).to_be_checked()
    expect(page.get_by_text(f"Selected {len(expected)} of {len(expected)}")).to_be_visible()
    shot(page, "export")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download as JSON").click()
    download = info.value
    assert download.suggested_filename == "pb_schema.json"
    exported = json.loads(Path(download.path()).read_text())
    assert {item["id"]: item for item in exported} == {item["id"]: item for item in expected}
    # Auth collections first, then base ones, then views (PocketBase's export order).
    order = {"auth": 0, "base": 1, "view": 2}
    types = [order[item["type"]] for item in exported]
    assert types == sorted(types)

    # Select all off, then a Shift+click range: the preview follows the selection.
    group.get_by_role("checkbox", name="Select all").uncheck()
    preview = page.get_by_label("Collections JSON")
    expect(preview).to_have_text("[]")
    boxes = group.get_by_role("checkbox")
    boxes.nth(1).click()
    boxes.nth(4).click(modifiers=["Shift"])
    assert [boxes.nth(at).is_checked() for at in range(6)] == [False, True, True, True, True, False]
    shown = json.loads(preview.inner_text())
    assert [item["id"] for item in shown] == [item["id"] for item in exported[:4]]
    # A click on a label text with Shift works as well (a range unticked).
    group.locator("label").nth(3).click(modifiers=["Shift"])
    assert [boxes.nth(at).is_checked() for at in range(5)] == [False, True, True, False, False]
    shot(page, "export-range")


def test_import_collections(
    signed_in: Callable[..., Page], admin: Admin, shot: Callable[[Page, str], Path]
) -> None:
    posts = _create_posts(admin)
    record = admin.api("POST", "/api/collections/posts/records", json={"title": "Hi", "body": "hello"}).json()
    current = _configuration(admin)
    page = signed_in(admin, "#/settings/import-collections")
    editor = page.get_by_role("textbox", name="Collections")
    review = page.get_by_role("button", name="Review")

    # Not a list of collections.
    editor.fill('{"name": "posts"}')
    expect(page.get_by_text("Invalid collections configuration.")).to_be_visible()
    expect(review).to_be_disabled()
    editor.fill("[1, 2")
    expect(page.get_by_text("Invalid collections configuration.")).to_be_visible()
    shot(page, "invalid")

    # A file that is no configuration is refused; the current configuration changes nothing.
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("Invalid collections configuration.")).to_be_hidden()
    files = page.locator("input[type=file]")
    files.set_input_files({"name": "notes.json", "mimeType": "application/json", "buffer": b'{"a": 1}'})
    # A toast only: the editor stays empty.
    expect(page.get_by_text("Invalid collections configuration.")).to_be_visible()
    expect(page.get_by_role("button", name="Clear")).to_be_hidden()
    schema = json.dumps(current, indent=2).encode()
    files.set_input_files({"name": "pb_schema.json", "mimeType": "application/json", "buffer": schema})
    expect(page.get_by_text("Your collections configuration is already up-to-date!")).to_be_visible()
    expect(review).to_be_disabled()

    # Only posts, changed: a field added, one renamed, one removed. Unmerged, the other
    # collections would be deleted; merged, they stay.
    changed = copy.deepcopy(next(item for item in current if item["name"] == "posts"))
    title = next(field for field in changed["fields"] if field["name"] == "title")
    body = next(field for field in changed["fields"] if field["name"] == "body")
    body["name"] = "content"
    changed["fields"] = [field for field in changed["fields"] if field is not title]
    changed["fields"].append({"name": "summary", "type": "text", "max": 300})
    editor.fill(json.dumps([changed]))
    changes = page.get_by_role("region", name="Detected changes")
    expect(changes.get_by_role("listitem").filter(has_text="posts")).to_contain_text("Changed")
    expect(changes.get_by_role("listitem").filter(has_text="users")).to_contain_text("Deleted")
    page.get_by_role("checkbox", name="Merge with the existing collections").check()
    expect(changes.get_by_role("listitem")).to_have_count(1)
    shot(page, "detected")

    review.click()
    dialog = page.get_by_role("dialog", name="Side-by-side diff")
    diff = dialog.get_by_role("region", name="Changes of posts")
    expect(diff.get_by_role("row", name="field: summary Added")).to_be_visible()
    expect(diff.get_by_role("row", name="field: content Changed")).to_be_visible()
    expect(diff.get_by_role("row", name="name body content")).to_be_visible()
    expect(diff.get_by_role("row", name="field: title Deleted")).to_contain_text(
        "All stored data related to 'title' will be deleted!"
    )
    shot(page, "diff")
    dialog.get_by_role("button", name="Confirm and import").click()

    # The last confirmation names the fields that lose their data.
    confirm = page.get_by_role("dialog", name="Confirmation")
    expect(confirm).to_contain_text(f"posts.title ({title['id']})")
    shot(page, "data-loss")
    confirm.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Successfully imported collections configuration.")).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("region", name="Detected changes")).to_be_hidden()

    saved = admin.api("GET", f"/api/collections/{posts['id']}").json()
    names = [field["name"] for field in saved["fields"]]
    assert "content" in names and "summary" in names
    assert "title" not in names and "body" not in names
    assert next(field for field in saved["fields"] if field["name"] == "summary")["max"] == 300
    assert admin.api("GET", "/api/collections/users").status_code == 200
    stored = admin.api("GET", f"/api/collections/posts/records/{record['id']}").json()
    assert stored["content"] == "hello"
    assert "title" not in stored
    # The sidebar's collections were reloaded.
    page.goto(f"{admin.server.url}/_/#/collections?collection=posts")
    expect(page.get_by_role("columnheader", name="summary")).to_be_visible()


def test_import_replaces_ids(
    signed_in: Callable[..., Page], admin: Admin, shot: Callable[[Page, str], Path]
) -> None:
    posts = _create_posts(admin)
    current = _configuration(admin)
    # The same collection as created elsewhere: other collection and field ids, an index named
    # after the collection id.
    other = copy.deepcopy(next(item for item in current if item["name"] == "posts"))
    other["id"] = "pbc_elsewhere1"
    for at, field in enumerate(other["fields"]):
        field["id"] = f"other{at}"
    other["indexes"] = ["CREATE INDEX `idx_pbc_elsewhere1_title` ON `posts` (`title`)"]
    page = signed_in(admin, "#/settings/import-collections")
    editor = page.get_by_role("textbox", name="Collections")
    editor.fill(json.dumps([other]))
    page.get_by_role("checkbox", name="Merge with the existing collections").check()
    expect(page.get_by_text("imported with different IDs")).to_be_visible()
    shot(page, "different-ids")
    page.get_by_role("button", name="Replace with original IDs").click()
    expect(page.get_by_text("imported with different IDs")).to_be_hidden()
    expect(editor).to_contain_text(f'"id": "{posts["id"]}"')
    expect(editor).to_contain_text(f"idx_{posts['id']}_title")
    expect(editor).not_to_contain_text("elsewhere")
    for field in posts["fields"]:
        expect(editor).to_contain_text(f'"id": "{field["id"]}"')
    # Now the same collection: only the index is new.
    item = page.get_by_role("region", name="Detected changes").get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Changed")
    expect(item).to_contain_text(posts["id"])
