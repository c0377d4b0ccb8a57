"""The collection panel in a real browser: a base collection with a field of every type, an index
and rules, edited (rename, remove, reorder through the change review); an auth collection with
OTP, MFA and Google; a view whose query previews its output; the API's errors shown at their
inputs; duplicate and delete. Each flow is checked through the API too; screenshots in
build/ui-screenshots/<test>/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

Shot = Callable[[Page, str], Path]


def _panel(page: Page) -> Locator:
    return page.locator("dialog.collection-panel")


def _new_collection(page: Page, name: str) -> Locator:
    page.get_by_role("complementary", name="Collections").get_by_role("button", name="New collection").click()
    panel = _panel(page)
    panel.get_by_label("Name", exact=True).fill(name)
    return panel


def _edit_collection(page: Page, admin: Admin, name: str) -> Locator:
    page.goto(f"{admin.server.url}/_/#/collections?collection={name}")
    page.get_by_role("button", name="Edit collection").click()
    return _panel(page)


def _field(panel: Locator, name: str) -> Locator:
    return panel.get_by_role("group", name=f"{name} field", exact=True)


def _add_field(panel: Locator, menu_label: str, default_name: str, name: str) -> Locator:
    panel.get_by_role("button", name="New field").click()
    panel.get_by_role("menuitem", name=menu_label, exact=True).click()
    _field(panel, default_name).get_by_label("Field name").fill(name)
    row = _field(panel, name)
    row.get_by_role("button", name=f"Options of {name}").click()
    return row


def _collection(admin: Admin, name: str) -> dict[str, Any]:
    response = admin.api("GET", f"/api/collections/{name}")
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _fields(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in collection["fields"]}


def test_base_collection_with_every_field_type_then_edited(
    admin: Admin, signed_in: Callable[..., Page], console: ConsoleErrors, shot: Shot
) -> None:
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    panel = _new_collection(page, "My Posts!")
    assert panel.get_by_label("Name", exact=True).input_value() == "My_Posts"  # slugified as typed
    panel.get_by_label("Name", exact=True).fill("posts")
    names = panel.get_by_label("Field name").evaluate_all("inputs => inputs.map(i => i.value)")
    assert names == ["id", "created", "updated"]

    row = _add_field(panel, "Plain text", "text", "title")
    row.get_by_label("Min length").fill("3")
    row.get_by_label("Max length").fill("120")
    row.get_by_label("Validation pattern").fill("^[A-Za-z ]+$")
    row.get_by_label("Required").check()
    row.get_by_label("Presentable").check()
    row = _add_field(panel, "Rich editor", "editor", "body")
    row.get_by_label("Max size").fill("100000")
    row.get_by_label("Strip URLs domain").check()
    row.get_by_label("Help text").fill("The post itself")
    row = _add_field(panel, "Number", "number", "views")
    row.get_by_label("Min", exact=True).fill("0")
    row.get_by_label("Max", exact=True).fill("1000")
    row.get_by_label("No decimals").check()
    _add_field(panel, "Bool", "bool", "published")
    row = _add_field(panel, "Email", "email", "contact")
    row.get_by_label("Only domains").fill("example.com, example.org")
    row.get_by_label("Only domains").blur()
    assert row.get_by_label("Except domains").is_disabled()
    row = _add_field(panel, "URL", "url", "website")
    row.get_by_label("Except domains").fill("spam.test")
    row.get_by_label("Except domains").blur()
    row = _add_field(panel, "Datetime", "date", "due")
    row.get_by_label("Min date").fill("2024-01-31T10:30")
    row = _add_field(panel, "Select", "select", "tags")
    row.get_by_role("button", name="Choices").click()
    choices = page.get_by_role("dialog", name="Choices of tags")
    choices.get_by_label("Choices").fill("news\nsport\n\nnews\ntech")
    choices.get_by_role("button", name="Set choices").click()
    assert row.get_by_role("button", name="Choices").inner_text() == "news • sport • tech"
    row.get_by_label("Single or multiple").select_option("Multiple")
    assert row.get_by_label("Max select").input_value() == "3"  # the number of choices
    row.get_by_label("Max select").fill("2")
    row = _add_field(panel, "File", "file", "cover")
    row.get_by_label("Single or multiple").select_option("Multiple")
    assert row.get_by_label("Max select").input_value() == "10"
    row.get_by_label("Max select").fill("3")
    row.get_by_role("button", name="Choose presets").click()
    row.get_by_role("menuitem", name=re.compile("^Images")).click()
    row.get_by_label("Allowed mime types").fill("application/pdf")
    row.get_by_label("Allowed mime types").press("Enter")
    row.get_by_label("Thumb sizes").fill("100x100, 0x300")
    row.get_by_label("Thumb sizes").blur()
    row.get_by_label("Protected").check()
    row = _add_field(panel, "Relation", "relation", "author")
    row.get_by_label("Related collection").select_option("users")
    row.get_by_label("Cascade delete").select_option("True")
    row = _add_field(panel, "JSON", "json", "meta")
    row.get_by_label("Max size").fill("2000")
    row.get_by_label("Hidden").check()
    # Presentable is refused while Hidden (with an info toast).
    row.get_by_label("Presentable").click()
    page.get_by_text("The field cannot be presentable if hidden.").wait_for()
    assert not row.get_by_label("Presentable").is_checked()
    _add_field(panel, "Geo Point", "geoPoint", "location")
    row = _add_field(panel, "Autodate", "autodate", "touched")
    row.get_by_label("Set on").select_option("Update")
    # New fields go before the trailing autodate fields (a new autodate goes last).
    names = panel.get_by_label("Field name").evaluate_all("inputs => inputs.map(i => i.value)")
    assert names == [
        "id",
        "title",
        "body",
        "views",
        "published",
        "contact",
        "website",
        "due",
        "tags",
        "cover",
        "author",
        "meta",
        "location",
        "created",
        "updated",
        "touched",
    ]
    # The id field keeps Required (PocketBase's guard).
    _field(panel, "id").get_by_role("button", name="Options of id").click()
    _field(panel, "id").get_by_label("Required").click()
    page.get_by_text('The option cannot be changed for field "id".').wait_for()
    assert _field(panel, "id").get_by_label("Required").is_checked()
    shot(page, "fields")

    # A unique index on title, from the preset chips.
    panel.get_by_role("button", name="New index").click()
    index = page.get_by_role("dialog", name="Create index")
    index.get_by_role("button", name="title", exact=True).click()
    index.get_by_label("Unique").check()
    assert re.fullmatch(
        r"CREATE UNIQUE INDEX `idx_\w+` ON `posts` \(`title`\)",
        index.get_by_label("Index statement").inner_text(),
    )
    shot(page, "index-dialog")
    index.get_by_role("button", name="Set index").click()
    expect(panel.get_by_role("button", name="Unique: title")).to_be_visible()

    # Rules typed into the rule editors; Create stays superusers only.
    panel.get_by_role("tab", name="API rules").click()
    panel.get_by_role("button", name="Unlock and set custom rule").first.click()
    panel.get_by_label("List/Search rule").fill("published = true")
    panel.get_by_role("button", name="Unlock and set custom rule").first.click()
    panel.get_by_label("View rule").fill('@request.auth.id != "" || published = true')
    panel.get_by_role("button", name="Show available fields").click()
    expect(panel.get_by_text("The following record fields are available:")).to_be_visible()
    shot(page, "rules")
    panel.get_by_role("button", name="Create", exact=True).click()
    page.get_by_text('Successfully created collection "posts".').wait_for()
    expect(panel).to_have_count(0)

    saved = _collection(admin, "posts")
    fields = _fields(saved)
    assert [f["name"] for f in saved["fields"]] == names
    assert (fields["title"]["min"], fields["title"]["max"], fields["title"]["pattern"]) == (
        3,
        120,
        "^[A-Za-z ]+$",
    )
    assert (fields["title"]["required"], fields["title"]["presentable"]) == (True, True)
    assert (fields["body"]["maxSize"], fields["body"]["convertURLs"], fields["body"]["help"]) == (
        100000,
        True,
        "The post itself",
    )
    assert (fields["views"]["min"], fields["views"]["max"], fields["views"]["onlyInt"]) == (0, 1000, True)
    assert fields["published"]["type"] == "bool"
    assert fields["contact"]["onlyDomains"] == ["example.com", "example.org"]
    assert fields["website"]["exceptDomains"] == ["spam.test"]
    assert fields["due"]["min"].endswith("Z") and fields["due"]["min"].startswith("2024-01-31")
    assert (fields["tags"]["values"], fields["tags"]["maxSelect"]) == (["news", "sport", "tech"], 2)
    assert fields["cover"]["maxSelect"] == 3
    assert fields["cover"]["mimeTypes"] == [
        "image/jpeg",
        "image/png",
        "image/svg+xml",
        "image/gif",
        "image/webp",
        "application/pdf",
    ]
    assert (fields["cover"]["thumbs"], fields["cover"]["protected"]) == (["100x100", "0x300"], True)
    users_id = _collection(admin, "users")["id"]
    assert (
        fields["author"]["collectionId"],
        fields["author"]["maxSelect"],
        fields["author"]["cascadeDelete"],
    ) == (users_id, 1, True)
    assert (fields["meta"]["maxSize"], fields["meta"]["hidden"], fields["meta"]["presentable"]) == (
        2000,
        True,
        False,
    )
    assert fields["location"]["type"] == "geoPoint"
    assert (fields["touched"]["onCreate"], fields["touched"]["onUpdate"]) == (False, True)
    assert len(saved["indexes"]) == 1 and re.fullmatch(
        r"CREATE UNIQUE INDEX `idx_\w+` ON `posts` \(`title`\)", saved["indexes"][0]
    )
    assert (saved["listRule"], saved["viewRule"], saved["createRule"]) == (
        "published = true",
        '@request.auth.id != "" || published = true',
        None,
    )

    # Edit: rename title (the index follows), remove website, move views up by keyboard and
    # location before author by drag and drop; the change review lists it all first.
    panel = _edit_collection(page, admin, "posts")
    expect(panel.get_by_role("button", name="Save changes")).to_be_disabled()
    _field(panel, "title").get_by_label("Field name").fill("headline")
    expect(panel.get_by_role("button", name="Unique: headline")).to_be_visible()
    row = _field(panel, "website")
    row.get_by_role("button", name="Options of website").click()
    row.get_by_role("button", name="More options of website").click()
    row.get_by_role("menuitem", name="Remove").click()
    expect(row.get_by_role("button", name="Restore")).to_be_visible()
    handle = _field(panel, "views").get_by_role("button", name=re.compile("^Move views"))
    handle.focus()
    handle.press("ArrowUp")
    _field(panel, "location").get_by_role("button", name=re.compile("^Move location")).drag_to(
        _field(panel, "author")
    )
    names = panel.get_by_label("Field name").evaluate_all("inputs => inputs.map(i => i.value)")
    order = [
        "id",
        "headline",
        "views",
        "body",
        "published",
        "contact",
        "due",
        "tags",
        "cover",
        "location",
        "author",
        "meta",
    ]
    assert [name for name in names if name != "website"] == [*order, "created", "updated", "touched"]
    shot(page, "edited")
    panel.get_by_role("button", name="Save changes").click()
    review = page.get_by_role("dialog", name="Confirm collection changes")
    expect(review.get_by_text("Do you really want to save the collection changes?")).to_be_visible()
    expect(review.get_by_role("listitem").filter(has_text="Renamed field")).to_have_text(
        re.compile(r"title\s*→\s*headline")
    )
    expect(review.get_by_role("listitem").filter(has_text="Deleted field")).to_have_text(
        re.compile("website")
    )
    shot(page, "change-review")
    review.get_by_role("button", name="Yes, save changes").click()
    page.get_by_text('Successfully updated collection "posts".').wait_for()

    saved = _collection(admin, "posts")
    assert [f["name"] for f in saved["fields"]] == [*order, "created", "updated", "touched"]
    assert "website" not in _fields(saved)
    assert "`headline`" in saved["indexes"][0]


def test_auth_collection_with_otp_mfa_and_google(
    admin: Admin, signed_in: Callable[..., Page], console: ConsoleErrors, shot: Shot
) -> None:
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    panel = _new_collection(page, "members")
    panel.get_by_role("button", name="Collection type").click()
    panel.get_by_role("menuitem", name="Auth collection").click()
    # The auth scaffold's system fields come in; created/updated stay.
    names = panel.get_by_label("Field name").evaluate_all("inputs => inputs.map(i => i.value)")
    assert names == [
        "id",
        "password",
        "tokenKey",
        "email",
        "emailVisibility",
        "verified",
        "created",
        "updated",
    ]
    expect(panel.get_by_role("button", name="Unique: email")).to_be_visible()

    panel.get_by_role("tab", name="Options").click()
    otp = panel.get_by_role("region", name="One-time password (OTP)")
    otp.get_by_role("button", name=re.compile("^One-time password")).click()
    otp.get_by_label("Enable").check()
    otp.get_by_label("Duration (in seconds)").fill("300")
    mfa = panel.get_by_role("region", name="Multi-factor authentication (MFA)")
    mfa.get_by_role("button", name=re.compile("Multi-factor")).click()
    mfa.get_by_label("Enable").check()
    mfa.get_by_label("MFA rule").fill("verified = true")

    oauth2 = panel.get_by_role("region", name="OAuth2")
    oauth2.get_by_role("button", name=re.compile("^OAuth2")).click()
    oauth2.get_by_label("Enable").check()
    oauth2.get_by_role("button", name="Add provider").click()
    picker = page.get_by_role("dialog", name="Add OAuth2 provider")
    picker.get_by_label("Search provider").fill("goo")
    shot(page, "provider-picker")
    picker.get_by_role("button", name=re.compile("Google")).click()
    settings = page.get_by_role("dialog", name="Google provider")
    settings.get_by_label("Client ID").fill("google-client-id")
    settings.get_by_label("Client secret").fill("google-client-secret")
    settings.get_by_role("button", name="Set provider config").click()
    expect(oauth2.get_by_role("group", name="Google provider")).to_be_visible()
    logo = oauth2.get_by_role("group", name="Google provider").locator("img")
    assert (logo.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert logo.evaluate("img => img.naturalWidth") > 0
    shot(page, "auth-options")

    panel.get_by_role("button", name="Create", exact=True).click()
    page.get_by_text('Successfully created collection "members".').wait_for()
    saved = _collection(admin, "members")
    assert saved["type"] == "auth"
    assert (saved["otp"]["enabled"], saved["otp"]["duration"]) == (True, 300)
    assert (saved["mfa"]["enabled"], saved["mfa"]["rule"]) == (True, "verified = true")
    assert saved["oauth2"]["enabled"] is True
    assert [(p["name"], p["clientId"]) for p in saved["oauth2"]["providers"]] == [
        ("google", "google-client-id")
    ]


def test_view_collection_previews_its_query(
    admin: Admin, signed_in: Callable[..., Page], console: ConsoleErrors, shot: Shot
) -> None:
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "notes", "type": "base", "fields": [{"name": "title", "type": "text"}]},
    ).raise_for_status()
    admin.api("POST", "/api/collections/notes/records", json={"title": "Hello world!"}).raise_for_status()
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="notes").wait_for()
    panel = _new_collection(page, "note_titles")
    panel.get_by_role("button", name="Collection type").click()
    panel.get_by_role("menuitem", name="View collection").click()
    expect(panel.get_by_role("tab")).to_have_text(["Query", "API rules"])
    panel.get_by_label("Select query").fill("select id, titel from notes")
    expect(panel.get_by_role("region", name="Sample output").get_by_role("alert")).to_contain_text("titel")
    console.expect("status of 400")  # the dry run of the misspelt query
    panel.get_by_label("Select query").fill("select id, title from notes")
    expect(panel.get_by_role("region", name="Sample output")).to_contain_text('"title": "Hello world!"')
    shot(page, "view-query")
    panel.get_by_role("button", name="Create", exact=True).click()
    page.get_by_text('Successfully created collection "note_titles".').wait_for()
    saved = _collection(admin, "note_titles")
    assert (saved["type"], saved["viewQuery"]) == ("view", "select id, title from notes")
    assert [f["name"] for f in saved["fields"]] == ["id", "title"]


def test_errors_at_their_inputs_then_duplicate_and_delete(
    admin: Admin, signed_in: Callable[..., Page], console: ConsoleErrors, shot: Shot
) -> None:
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]},
    ).raise_for_status()
    before = _collection(admin, "posts")
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="posts").wait_for()
    console.expect("status of 400")  # the rejected saves below

    # A new number field named like the text field "title", and a rule on a missing field.
    panel = _edit_collection(page, admin, "posts")
    panel.get_by_role("button", name="New field").click()
    panel.get_by_role("menuitem", name="Number", exact=True).click()
    _field(panel, "number").get_by_label("Field name").fill("title")
    panel.get_by_role("tab", name="API rules").click()
    panel.get_by_role("button", name="Unlock and set custom rule").first.click()
    panel.get_by_label("List/Search rule").fill("missing_field = 1")
    panel.get_by_role("button", name="Save changes").click()
    page.get_by_role("alert").filter(has_text="Failed to update collection.").wait_for()
    # The tab holding the error is marked; the field's name shows its error.
    expect(panel.get_by_role("tab", name="Fields").get_by_label("Has errors")).to_be_visible()
    panel.get_by_role("tab", name="Fields").click()
    expect(panel.get_by_role("group", name="title field").get_by_role("alert")).to_have_text(
        "Field type cannot be changed."
    )
    shot(page, "field-error")
    assert _collection(admin, "posts")["fields"] == before["fields"]

    # The name fixed, the rule is the next error, shown under the rule editor.
    panel.get_by_role("group", name="title field").last.get_by_label("Field name").fill("score")
    panel.get_by_role("button", name="Save changes").click()
    panel.get_by_role("tab", name="API rules").click()
    expect(panel.get_by_role("alert").filter(has_text="missing_field")).to_be_visible()
    shot(page, "invalid-rule")
    assert _collection(admin, "posts")["listRule"] is None

    # Reset form, then duplicate: an unsaved posts_duplicate with the same fields.
    panel.get_by_role("button", name="Save options").click()
    panel.get_by_role("menuitem", name="Reset form").click()
    expect(panel.get_by_role("button", name="Save changes")).to_be_disabled()
    panel.get_by_role("button", name="More collection options").click()
    panel.get_by_role("menuitem", name="Duplicate").click()
    expect(panel.get_by_label("Name", exact=True)).to_have_value("posts_duplicate")
    expect(page.get_by_role("heading", name="Create collection")).to_be_visible()
    panel.get_by_role("button", name="Create", exact=True).click()
    page.get_by_text('Successfully created collection "posts_duplicate".').wait_for()
    copy = _collection(admin, "posts_duplicate")
    assert [f["name"] for f in copy["fields"]] == [f["name"] for f in before["fields"]]
    assert copy["id"] != before["id"]

    # Delete asks for the name typed.
    panel = _edit_collection(page, admin, "posts_duplicate")
    panel.get_by_role("button", name="More collection options").click()
    panel.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Confirmation")
    expect(confirm.get_by_role("button", name="Delete")).to_be_disabled()
    confirm.get_by_label(re.compile("Type .* to confirm")).fill("posts_duplicate")
    shot(page, "delete-typed")
    confirm.get_by_role("button", name="Delete").click()
    page.get_by_text('Successfully deleted collection "posts_duplicate".').wait_for()
    assert admin.api("GET", "/api/collections/posts_duplicate").status_code == 404
    assert _collection(admin, "posts")["id"] == before["id"]
