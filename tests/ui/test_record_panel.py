"""The record panel in a real browser, checked through the API: a record of a collection with a
field of every type is created by filling every input (two PNGs uploaded into a protected file
field, a relation picked in the records picker, a local date stored as UTC), then edited (a file
removed, Ctrl+S); a required field left empty shows the API's error under it and saves nothing;
an invalid JSON blocks the save; a user is created with a password, impersonated (the copied token
works against the API) and deleted."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")


def png(path: Path, rgb: tuple[int, int, int], size: int = 24) -> Path:
    """A real (tiny, one-colour) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def make_collections(admin: Admin) -> list[str]:
    """`tags` (three records) and `things`, with a field of every type; returns the tag ids."""
    admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "tags",
            "type": "base",
            "fields": [{"name": "name", "type": "text", "presentable": True}],
        },
    ).raise_for_status()
    tags = [
        admin.api("POST", "/api/collections/tags/records", json={"name": n}).json()["id"]
        for n in ("alpha", "beta", "gamma")
    ]
    fields: list[dict[str, object]] = [
        {"name": "title", "type": "text", "required": True, "help": "A short name."},
        {"name": "body", "type": "editor"},
        {"name": "count", "type": "number"},
        {"name": "active", "type": "bool"},
        {"name": "contact", "type": "email"},
        {"name": "site", "type": "url"},
        {"name": "when", "type": "date"},
        {"name": "kind", "type": "select", "values": ["small", "medium", "large"], "maxSelect": 1},
        {"name": "labels", "type": "select", "values": [f"l{i}" for i in range(1, 9)], "maxSelect": 3},
        {"name": "meta", "type": "json"},
        {"name": "docs", "type": "file", "maxSelect": 3, "protected": True, "mimeTypes": ["image/png"]},
        {"name": "tags", "type": "relation", "collectionId": "tags", "maxSelect": 2},
        {"name": "place", "type": "geoPoint"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ]
    tags_id = admin.api("GET", "/api/collections/tags").json()["id"]
    fields[11]["collectionId"] = tags_id
    admin.api(
        "POST", "/api/collections", json={"name": "things", "type": "base", "fields": fields}
    ).raise_for_status()
    return tags


def toast(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def settle(page: Page) -> None:
    """Waits for the panels' slide-in to end (for screenshots)."""
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished)).then(() => true)")


def paris(page: Page) -> None:
    """Runs the page in Paris time, so local and UTC differ."""
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    page.reload()


def test_create_and_edit_a_record_with_every_field_type(
    admin: Admin,
    signed_in: Callable[..., Page],
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    tags = make_collections(admin)
    red, blue = png(tmp_path / "red.png", (220, 30, 30)), png(tmp_path / "blue.png", (30, 60, 220))
    page = signed_in(admin, "#/collections?collection=things")
    paris(page)

    page.get_by_role("button", name="New record").first.click()
    panel = page.get_by_role("dialog", name="Create things record")
    expect(panel.get_by_role("button", name="Create")).to_be_enabled()
    expect(panel.get_by_text("when (Europe/Paris)")).to_be_visible()
    expect(panel.get_by_text("A short name.")).to_be_visible()
    settle(page)
    shot(page, "create-empty")

    panel.get_by_label("title").fill("Widget\nsecond line")
    editor = panel.get_by_role("textbox", name="body")
    editor.click()
    page.keyboard.type("Hello ")
    page.keyboard.press("Control+B")
    page.keyboard.type("world")
    page.keyboard.press("Control+B")
    page.keyboard.press("Enter")
    panel.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("first item, see ")
    page.keyboard.press("Control+k")
    panel.get_by_label("Link URL").fill("https://pocketbase.io")
    page.keyboard.press("Enter")
    panel.get_by_role("button", name="Source code").click()
    expect(panel.get_by_role("textbox", name="body HTML source")).to_contain_text("<strong>world</strong>")
    panel.get_by_role("button", name="Source code").click()
    expect(editor.get_by_role("link", name="https://pocketbase.io")).to_be_visible()
    panel.get_by_label("count").fill("42")
    panel.get_by_role("switch", name="active").click()
    panel.get_by_label("contact").fill("someone@example.com")
    panel.get_by_label("site").fill("https://example.com/page")
    panel.get_by_label("when").fill("2024-07-15T14:30:45")

    panel.get_by_label("kind", exact=True).click()
    panel.get_by_role("option", name="medium").click()
    panel.get_by_label("labels").click()
    panel.get_by_role("searchbox", name="Search options").fill("l7")
    panel.get_by_role("option", name="l7").click()
    panel.get_by_role("searchbox", name="Search options").fill("")
    panel.get_by_role("option", name="l2").click()
    page.keyboard.press("Escape")
    expect(panel).to_be_visible()  # Esc closed the options, not the panel

    meta = panel.get_by_role("textbox", name="meta")
    meta.click()
    page.keyboard.insert_text('{"size": [1, 2], "ok": true}')
    panel.get_by_label("count").click()  # the JSON is checked when it loses focus
    expect(panel.get_by_text("Valid JSON")).to_be_visible()

    panel.locator("input[type=file]").set_input_files([red, blue])
    docs = panel.get_by_role("group", name="docs files")
    expect(docs.get_by_text("New", exact=True)).to_have_count(2)

    panel.get_by_role("button", name="Open records picker").click()
    picker = page.get_by_role("dialog", name="Select tags records")
    expect(picker.get_by_role("listitem").filter(has_text="gamma")).to_be_visible()
    picker.get_by_text("beta").click()
    picker.get_by_text("alpha").click()
    expect(picker.get_by_text("Selected (2 of max 2)")).to_be_visible()
    shot(page, "records-picker")
    picker.get_by_role("button", name="Set selection").click()
    expect(picker).to_be_hidden()
    relation = panel.get_by_role("list", name="tags records")
    expect(relation.get_by_role("listitem")).to_have_text(["beta", "alpha"])

    panel.get_by_label("Longitude").fill("2.3522")
    panel.get_by_label("Latitude").fill("48.8566")
    shot(page, "create-filled")
    panel.get_by_role("button", name="Create").click()

    expect(panel).to_be_hidden()
    items = admin.api("GET", "/api/collections/things/records").json()["items"]
    assert len(items) == 1
    thing = items[0]
    toast(page, f'Successfully created things "{thing["id"]}".')
    assert thing["title"] == "Widget\nsecond line"
    assert thing["body"].startswith("<p>Hello <strong>world</strong></p><ul><li>first item, see")
    assert thing["body"].endswith('<a href="https://pocketbase.io">https://pocketbase.io</a></li></ul>')
    assert thing["count"] == 42
    assert thing["active"] is True
    assert thing["contact"] == "someone@example.com"
    assert thing["site"] == "https://example.com/page"
    assert thing["when"] == "2024-07-15 12:30:45.000Z"  # 14:30:45 in Paris (summer time)
    assert thing["kind"] == "medium"
    assert thing["labels"] == ["l7", "l2"]
    assert thing["meta"] == {"size": [1, 2], "ok": True}
    assert thing["tags"] == [tags[1], tags[0]]
    assert thing["place"] == {"lon": 2.3522, "lat": 48.8566}
    assert len(thing["docs"]) == 2
    assert thing["docs"][0].startswith("red") and thing["docs"][1].startswith("blue")
    token = admin.api("POST", "/api/files/token").json()["token"]
    for name in thing["docs"]:
        url = f"{admin.server.url}/api/files/things/{thing['id']}/{name}"
        assert httpx.get(url).status_code == 404  # protected
        assert httpx.get(url, params={"token": token}).content.startswith(b"\x89PNG")

    # Edit through the list: a saved file gone, values changed, Ctrl+S keeps the panel open.
    page.get_by_role("row").filter(has_text="Widget").get_by_text("Widget").first.click()
    panel = page.get_by_role("dialog", name="Edit things record")
    expect(panel.get_by_label("id", exact=True)).to_have_value(thing["id"])
    expect(panel.get_by_label("id", exact=True)).to_have_attribute("readonly", "")
    expect(panel.get_by_role("button", name="Save changes")).to_be_disabled()
    expect(panel.get_by_label("when")).to_have_value("2024-07-15T14:30:45")
    docs = panel.get_by_role("group", name="docs files")
    expect(docs.locator("img")).to_have_count(2)
    expect(docs.locator("img").first).to_have_attribute(
        "src", re.compile(r"thumb=100x100.*token=|token=.*thumb=100x100")
    )
    docs.get_by_role("link", name=f"Preview {thing['docs'][0]}").click()
    preview = page.get_by_role("dialog", name=thing["docs"][0])
    expect(preview.get_by_role("img", name=f"Preview {thing['docs'][0]}")).to_be_visible()
    shot(page, "file-preview")
    preview.get_by_role("button", name="Close").last.click()
    expect(preview).to_be_hidden()

    docs.get_by_role("button", name=f"Remove {thing['docs'][1]}").click()
    expect(docs.get_by_role("button", name="Restore")).to_be_visible()
    panel.get_by_label("title").fill("Widget v2")
    panel.get_by_label("count").fill("7")
    relation = panel.get_by_role("list", name="tags records")
    relation.get_by_role("button", name=f"Remove {tags[1]}").click()
    shot(page, "edit-changed")
    page.keyboard.press("Control+s")
    toast(page, f'Successfully updated things "{thing["id"]}".')
    expect(panel.get_by_role("button", name="Save changes")).to_be_disabled()
    edited = admin.api("GET", f"/api/collections/things/records/{thing['id']}").json()
    assert edited["title"] == "Widget v2"
    assert edited["count"] == 7
    assert edited["docs"] == [thing["docs"][0]]
    assert edited["tags"] == [tags[0]]
    assert edited["meta"] == {"size": [1, 2], "ok": True}
    assert edited["body"] == thing["body"]
    expect(page.get_by_role("row").filter(has_text="Widget v2")).to_be_visible()

    # A required field left empty: the API's error under it, nothing saved.
    panel.get_by_label("title").fill("")
    panel.get_by_role("button", name="Save changes").click()
    console.expect("status of 400")  # the API's answer to the empty title
    expect(panel.get_by_role("alert").filter(has_text="Cannot be blank")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Failed to update record")).to_be_visible()
    shot(page, "validation-error")
    panel.get_by_label("title").fill("Widget v3")
    expect(panel.get_by_role("alert").filter(has_text="Cannot be blank")).to_be_hidden()

    # An invalid JSON blocks the save.
    meta = panel.get_by_role("textbox", name="meta")
    meta.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text('{"broken": ')
    panel.get_by_label("count").click()
    expect(panel.get_by_text("Invalid JSON", exact=True)).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.get_by_role("alert").filter(has_text="Invalid JSON data")).to_be_visible()
    assert admin.api("GET", f"/api/collections/things/records/{thing['id']}").json()["title"] == "Widget v2"

    # Closing asks before the changes are lost; they stay as a draft until then.
    panel.get_by_role("button", name="Close").last.click()
    page.get_by_role("dialog", name="Confirmation").get_by_role("button", name="Yes, discard").click()
    expect(panel).to_be_hidden()
    assert admin.api("GET", f"/api/collections/things/records/{thing['id']}").json()["title"] == "Widget v2"


def test_draft_is_offered_again(
    admin: Admin, signed_in: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    make_collections(admin)
    page = signed_in(admin, "#/collections?collection=tags")
    page.get_by_role("row").filter(has_text="alpha").get_by_text("alpha").click()
    panel = page.get_by_role("dialog", name="Edit tags record")
    panel.get_by_label("name").fill("alpha (draft)")
    page.reload()  # the draft survives the reload (and `?record=` reopens the panel)
    expect(panel.get_by_text("The record has previous unsaved changes.")).to_be_visible()
    expect(panel.get_by_label("name")).to_have_value("alpha")
    settle(page)
    shot(page, "draft")
    panel.get_by_role("button", name="Restore draft").click()
    expect(panel.get_by_label("name")).to_have_value("alpha (draft)")
    panel.get_by_role("button", name="Save options").click()
    panel.get_by_role("menuitem", name="Reset form").click()
    expect(panel.get_by_label("name")).to_have_value("alpha")
    expect(panel.get_by_role("button", name="Save changes")).to_be_disabled()

    # Duplicate: a new record with the same values but no id.
    menu(panel, "Duplicate")
    copy = page.get_by_role("dialog", name="Create tags record")
    expect(copy.get_by_label("id", exact=True)).to_have_value("")
    expect(copy.get_by_label("name")).to_have_value("alpha")
    copy.get_by_role("button", name="Create").click()
    expect(copy).to_be_hidden()
    names = [r["name"] for r in admin.api("GET", "/api/collections/tags/records").json()["items"]]
    assert sorted(names) == ["alpha", "alpha", "beta", "gamma"]


def test_view_record_preview(
    admin: Admin, signed_in: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    make_collections(admin)
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "tag_names", "type": "view", "viewQuery": "SELECT id, name FROM tags"},
    ).raise_for_status()
    page = signed_in(admin, "#/collections?collection=tag_names")
    expect(page.get_by_role("button", name="New record")).to_have_count(0)
    page.get_by_role("row").filter(has_text="beta").get_by_text("beta").click()
    preview = page.get_by_role("dialog", name="tag_names record preview")
    expect(preview.get_by_role("row").filter(has_text="name")).to_contain_text("beta")
    settle(page)
    shot(page, "view-preview")
    with page.expect_download() as download:
        preview.get_by_role("button", name="Download JSON").click()
    assert download.value.suggested_filename.startswith("tag_names_")
    preview.get_by_role("button", name="Close").last.click()
    expect(preview).to_be_hidden()


def menu(panel: Locator, item: str) -> None:
    panel.get_by_role("button", name="More record options").click()
    panel.get_by_role("menuitem", name=item).click()


def test_auth_record_impersonate_and_delete(
    admin: Admin, signed_in: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin, "#/collections?collection=users")
    page.get_by_role("button", name="New record").first.click()
    panel = page.get_by_role("dialog", name="Create users record")
    panel.get_by_label("email").fill("ann@example.com")
    panel.get_by_role("button", name="Public: Off").click()
    expect(panel.get_by_role("button", name="Public: On")).to_be_visible()
    panel.get_by_role("textbox", name="Password", exact=True).fill("secret-pass-1")
    panel.get_by_role("textbox", name="Password confirm").fill("secret-pass-1")
    panel.get_by_label("name").fill("Ann")
    shot(page, "create-user")
    panel.get_by_role("button", name="Create").click()
    expect(panel).to_be_hidden()
    user = admin.api(
        "GET", "/api/collections/users/records", params={"filter": 'email="ann@example.com"'}
    ).json()["items"][0]
    assert user["emailVisibility"] is True and user["name"] == "Ann" and user["verified"] is False
    signed = httpx.post(
        f"{admin.server.url}/api/collections/users/auth-with-password",
        json={"identity": "ann@example.com", "password": "secret-pass-1"},
    )
    assert signed.status_code == 200

    page.get_by_role("row").filter(has_text="ann@example.com").get_by_text("ann@example.com").click()
    panel = page.get_by_role("dialog", name="Edit users record")
    expect(panel.get_by_role("tab", name="Account")).to_be_visible()
    panel.get_by_role("tab", name="Auth providers").click()
    expect(panel.get_by_text("No external auth providers found.")).to_be_visible()
    panel.get_by_role("tab", name="Account").click()

    # verified: asked first
    panel.get_by_role("switch", name="Verified").click()
    confirm = page.get_by_role("dialog", name="Confirmation")
    expect(confirm.get_by_text('from "false" to "true"')).to_be_visible()
    confirm.get_by_role("button", name="Yes, verify").click()
    expect(panel.get_by_role("switch", name="Verified")).to_be_checked()
    page.keyboard.press("Control+s")
    toast(page, f'Successfully updated users "{user["id"]}".')
    assert admin.api("GET", f"/api/collections/users/records/{user['id']}").json()["verified"] is True

    panel.get_by_role("button", name="More record options").click()
    shot(page, "record-menu")
    panel.get_by_role("menuitem", name="Impersonate").click()
    dialog = page.get_by_role("dialog", name="Impersonate users record")
    dialog.get_by_label("Token duration (in seconds)").fill("600")
    dialog.get_by_role("button", name="Generate token").click()
    token = dialog.get_by_label("Impersonation token").inner_text()
    dialog.get_by_role("button", name="Copy token").click()
    assert page.evaluate("navigator.clipboard.readText()") == token
    shot(page, "impersonate")
    seen = httpx.get(
        f"{admin.server.url}/api/collections/users/records/{user['id']}", headers={"Authorization": token}
    )
    assert seen.status_code == 200 and seen.json()["email"] == "ann@example.com"
    dialog.get_by_role("button", name="Close").last.click()

    menu(panel, "Delete")
    page.get_by_role("dialog", name="Confirmation").get_by_role("button", name="Delete record").click()
    expect(panel).to_be_hidden()
    toast(page, f'Successfully deleted record "{user["id"]}".')
    assert admin.api("GET", f"/api/collections/users/records/{user['id']}").status_code == 404
    expect(page.get_by_role("row").filter(has_text="ann@example.com")).to_have_count(0)


def test_records_picker_pages_and_searches(
    admin: Admin, signed_in: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    make_collections(admin)
    for i in range(57):
        admin.api("POST", "/api/collections/tags/records", json={"name": f"tag {i:02}"}).raise_for_status()
    page = signed_in(admin, "#/collections?collection=things")
    page.get_by_role("button", name="New record").first.click()
    panel = page.get_by_role("dialog", name="Create things record")
    panel.get_by_role("button", name="Open records picker").click()
    picker = page.get_by_role("dialog", name="Select tags records")
    records = picker.get_by_role("list", name="Records")
    expect(records.get_by_role("listitem")).to_have_count(50)
    records.evaluate("(list) => list.scrollTo(0, list.scrollHeight)")
    expect(records.get_by_role("listitem")).to_have_count(60)

    search = picker.get_by_role("textbox", name="Search records")
    search.click()
    page.keyboard.type("gamma")
    page.keyboard.press("Enter")
    expect(records.get_by_role("listitem")).to_have_count(1)
    records.get_by_text("gamma").click()
    expect(picker.get_by_text("Selected (1 of max 2)")).to_be_visible()
    picker.get_by_role("button", name="Clear").click()
    expect(records.get_by_role("listitem").first).to_contain_text("gamma")  # the selected come first
    shot(page, "picker-selected-first")

    # "+" creates a record in a nested panel; it comes back picked.
    picker.get_by_role("button", name="New record").click()
    nested = page.get_by_role("dialog", name="Create tags record")
    nested.get_by_label("name").fill("delta")
    nested.get_by_role("button", name="Create").click()
    expect(nested).to_be_hidden()
    expect(picker.get_by_text("Selected (2 of max 2)")).to_be_visible()
    picker.get_by_role("button", name="Set selection").click()
    expect(panel.get_by_role("list", name="tags records").get_by_role("listitem")).to_have_text(
        ["gamma", "delta"]
    )


def test_hide_controls_locks_existing_records(admin: Admin, signed_in: Callable[..., Page]) -> None:
    tags = make_collections(admin)
    admin.api("PATCH", "/api/settings", json={"meta": {"hideControls": True}}).raise_for_status()
    page = signed_in(admin, f"#/collections?collection=tags&record={tags[0]}")
    panel = page.get_by_role("dialog", name="Edit tags record")
    unlock = panel.get_by_role("button", name="Unlock to save")
    expect(unlock).to_be_visible()  # once the settings are loaded
    panel.get_by_label("name").fill("alpha 2")
    page.keyboard.press("Control+s")
    expect(panel.get_by_role("button", name="Save changes")).to_have_count(0)
    assert admin.api("GET", f"/api/collections/tags/records/{tags[0]}").json()["name"] == "alpha"
    unlock.click()
    panel.get_by_role("button", name="Save changes").click()
    expect(panel).to_be_hidden()
    assert admin.api("GET", f"/api/collections/tags/records/{tags[0]}").json()["name"] == "alpha 2"
