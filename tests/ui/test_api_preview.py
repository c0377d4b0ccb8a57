"""The API preview of a collection, opened from the records header: a base collection's pages
show its own fields, types and rules (the superuser-only note where a rule is locked), SDK
examples in JS, Dart and Python, and example responses; an auth collection adds its auth pages,
with the methods that are off disabled; `_superusers` has no OAuth2 or verification page. The
dialog makes no API calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

SUPERUSER_NOTE = "Requires superuser Authorization:TOKEN header"


def _schema(admin: Admin) -> None:
    authors = admin.api(
        "POST", "/api/collections", json={"name": "authors", "fields": [{"name": "name", "type": "text"}]}
    )
    authors.raise_for_status()
    admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "posts",
            "listRule": "",
            "viewRule": None,
            "createRule": "@request.auth.id != ''",
            "updateRule": None,
            "deleteRule": None,
            "fields": [
                {"name": "title", "type": "text", "required": True},
                {"name": "views", "type": "number"},
                {"name": "tags", "type": "select", "values": ["news", "tech"], "maxSelect": 2},
                {"name": "cover", "type": "file", "maxSelect": 1},
                {"name": "author", "type": "relation", "collectionId": authors.json()["id"], "maxSelect": 1},
                {"name": "secret", "type": "text", "hidden": True},
            ],
        },
    ).raise_for_status()
    users = admin.api("GET", "/api/collections/users").json()
    admin.api(
        "PATCH",
        "/api/collections/users",
        json={"fields": [*users["fields"], {"name": "nickname", "type": "text"}], "otp": {"enabled": True}},
    ).raise_for_status()


def test_base_collection_pages(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    page = signed_in(admin, "#/collections?collection=posts")
    expect(page.get_by_role("button", name="API preview")).to_be_visible()
    calls: list[str] = []

    def watch(request: Request) -> None:
        if "/api/" in request.url:
            calls.append(request.url)

    page.on("request", watch)
    page.get_by_role("button", name="API preview").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("List/Search (posts)")
    expect(dialog).to_be_visible()
    nav = dialog.get_by_role("navigation", name="API endpoints")
    assert [name.strip() for name in nav.get_by_role("button").all_inner_texts()] == [
        "List/Search",
        "View",
        "Create",
        "Update",
        "Delete",
        "Realtime",
        "Batch",
    ]

    # List: public (empty rule), so no superuser note; query params and a 200 list response.
    article = dialog.get_by_role("article")
    expect(article).to_contain_text("Fetch a paginated posts records list, supporting sorting and filtering.")
    expect(article).to_contain_text("GET")
    expect(article).to_contain_text("/api/collections/posts/records")
    expect(article.get_by_text(SUPERUSER_NOTE)).to_have_count(0)
    query = article.get_by_role("table", name="?query params")
    for name in ["page", "perPage", "sort", "filter", "expand", "fields", "skipTotal"]:
        expect(query.get_by_role("cell", name=name, exact=True)).to_be_visible()
    examples = article.get_by_role("tablist", name="SDK examples")
    expect(examples.get_by_role("tab")).to_have_text(["JS SDK", "Dart SDK", "Python SDK"])
    expect(article.get_by_label("SDK examples: JS SDK", exact=True)).to_contain_text(
        "pb.collection('posts').getList(1, 50"
    )
    response = article.get_by_label("Responses: 200", exact=True)
    expect(response).to_contain_text('"totalItems": 2')
    expect(response).to_contain_text('"title": "example text"')
    expect(response).not_to_contain_text("secret")
    shot(page, "list")

    # View: the rule is locked → the superuser note and a 403 example.
    nav.get_by_role("button", name="View").click()
    expect(dialog).to_have_accessible_name("View (posts)")
    expect(article.get_by_text(SUPERUSER_NOTE)).to_be_visible()
    expect(article.get_by_role("table", name="Path params")).to_contain_text("id")
    article.get_by_role("tab", name="403").click()
    expect(article.get_by_label("Responses: 403", exact=True)).to_contain_text(
        "Only superusers can access this action."
    )

    # Create: a rule that is not null (no note); the body lists the collection's own fields with
    # their types, required ones marked; the Python example is remembered for the next pages.
    nav.get_by_role("button", name="Create").click()
    expect(article.get_by_text(SUPERUSER_NOTE)).to_have_count(0)
    body = article.get_by_role("table", name="Body params")
    expect(body.get_by_role("row", name="title (required)")).to_contain_text("String")
    expect(body.get_by_role("row", name="views (optional)")).to_contain_text("Number")
    expect(body.get_by_role("row", name="tags (optional)")).to_contain_text("Array<String>")
    expect(body.get_by_role("row", name="cover (optional)")).to_contain_text("File")
    expect(body.get_by_role("row", name="author (optional)")).to_contain_text("String")
    expect(body.get_by_role("row", name="secret (optional) hidden")).to_be_visible()
    expect(article.get_by_label("SDK examples: JS SDK", exact=True)).to_contain_text(
        "\"cover\": new File([...], 'file.txt')"
    )
    examples.get_by_role("tab", name="Python SDK").click()
    python = article.get_by_label("SDK examples: Python SDK", exact=True)
    expect(python).to_contain_text("from pocketbase import PocketBase")
    expect(python).to_contain_text('"tags": [')
    expect(python).to_contain_text("record = pb.collection('posts').create(body)")
    article.get_by_role("tab", name="400").click()
    expect(article.get_by_label("Responses: 400", exact=True)).to_contain_text('"title": {')
    shot(page, "create-python")

    nav.get_by_role("button", name="Delete").click()
    expect(article.get_by_text(SUPERUSER_NOTE)).to_be_visible()
    expect(article.get_by_label("SDK examples: Python SDK", exact=True)).to_contain_text(
        "pb.collection('posts').delete('RECORD_ID')"
    )
    expect(article.get_by_role("tablist", name="Responses").get_by_role("tab")).to_have_text(
        ["204", "400", "403", "404"]
    )

    nav.get_by_role("button", name="Realtime").click()
    expect(article).to_contain_text("/api/realtime")
    nav.get_by_role("button", name="Batch").click()
    expect(article).to_contain_text("/api/batch")
    shot(page, "batch")

    # Esc closes it; it never called the API.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert calls == []


def test_auth_collection_pages(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    page = signed_in(admin, "#/collections?collection=users")
    page.get_by_role("button", name="API preview").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("List/Search (users)")
    nav = dialog.get_by_role("navigation", name="API endpoints")
    assert [name.strip() for name in nav.get_by_role("button").all_inner_texts()][7:] == [
        "List auth methods",
        "Auth with password",
        "Auth with OAuth2",
        "Auth with OTP",
        "Auth refresh",
        "Verification",
        "Password reset",
        "Email change",
    ]
    oauth2 = nav.get_by_role("button", name="Auth with OAuth2")
    expect(oauth2).to_be_disabled()
    expect(oauth2).to_have_attribute("title", "Not enabled for the collection")
    expect(nav.get_by_role("button", name="Auth with OTP")).to_be_enabled()
    expect(nav.get_by_role("button", name="Auth with password")).to_be_enabled()

    # The record pages follow the collection's rules: users' list rule is `id = @request.auth.id`.
    article = dialog.get_by_role("article")
    expect(article.get_by_text(SUPERUSER_NOTE)).to_have_count(0)

    # Create: the auth fields apart (verified only for managers), then the collection's own.
    nav.get_by_role("button", name="Create").click()
    body = article.get_by_role("table", name="Body params")
    expect(body.get_by_role("row", name="Auth specific fields")).to_be_visible()
    expect(body.get_by_role("row", name="password (required) auth")).to_be_visible()
    expect(body.get_by_role("row", name="verified (optional) auth manager only")).to_be_visible()
    expect(body.get_by_role("row", name="nickname (optional)")).to_contain_text("String")
    expect(body).not_to_contain_text("tokenKey")
    body.scroll_into_view_if_needed()
    shot(page, "auth-create")

    nav.get_by_role("button", name="Update").click()
    expect(
        article.get_by_role("table", name="Body params").get_by_role(
            "row", name="oldPassword (optional) auth"
        )
    ).to_be_visible()

    nav.get_by_role("button", name="Auth with password").click()
    expect(dialog).to_have_accessible_name("Auth with password (users)")
    expect(article).to_contain_text("/api/collections/users/auth-with-password")
    expect(article.get_by_role("table", name="Body params")).to_contain_text("identity")
    expect(article.get_by_label("Responses: 200", exact=True)).to_contain_text('"token": "JWT_TOKEN"')
    expect(article.get_by_label("Responses: 200", exact=True)).to_contain_text('"nickname": "example text"')

    nav.get_by_role("button", name="Auth with OTP").click()
    expect(article).to_contain_text("/api/collections/users/request-otp")
    expect(article).to_contain_text("/api/collections/users/auth-with-otp")
    expect(article.get_by_label("SDK examples: JS SDK", exact=True)).to_contain_text(
        "requestOTP('test@example.com')"
    )

    nav.get_by_role("button", name="List auth methods").click()
    methods = article.get_by_label("Responses: 200", exact=True)
    expect(methods).to_contain_text('"identityFields": [')
    expect(methods).to_contain_text('"otp": {')
    shot(page, "auth-methods")

    nav.get_by_role("button", name="Email change").click()
    expect(article).to_contain_text("/api/collections/users/request-email-change")
    expect(article).to_contain_text("Requires record Authorization:TOKEN header")
    expect(article).to_contain_text("/api/collections/users/confirm-email-change")
    page.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # _superusers: no OAuth2 or verification, every record action is superusers only.
    page.goto(f"{admin.server.url}/_/#/collections?collection=_superusers")
    page.get_by_role("button", name="API preview").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("List/Search (_superusers)")
    nav = dialog.get_by_role("navigation", name="API endpoints")
    names = [name.strip() for name in nav.get_by_role("button").all_inner_texts()]
    assert "Auth with OAuth2" not in names
    assert "Verification" not in names
    expect(dialog.get_by_role("article").get_by_text(SUPERUSER_NOTE)).to_be_visible()
    shot(page, "superusers")


def test_view_collection_pages(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "titles", "type": "view", "listRule": "", "viewQuery": "SELECT id, title FROM posts"},
    ).raise_for_status()
    # (in the dark scheme, for the screenshot)
    page = signed_in(admin, "#/collections?collection=titles")
    page.evaluate("localStorage.setItem('pbColorScheme', 'dark')")
    page.reload()
    page.get_by_role("button", name="API preview").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("List/Search (titles)")
    nav = dialog.get_by_role("navigation", name="API endpoints")
    assert [name.strip() for name in nav.get_by_role("button").all_inner_texts()] == ["List/Search", "View"]
    expect(dialog.get_by_label("Responses: 200", exact=True)).to_contain_text('"title": "example text"')
    dialog.get_by_role("table", name="?query params").scroll_into_view_if_needed()
    shot(page, "view-dark")
