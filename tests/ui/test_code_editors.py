"""The code editors where users meet them: the records filter bar suggests the collection's
fields, modifiers, relation paths, back-relations and macros (never `@request`), picked with the
keyboard; the API rule editor adds `@request.*` and `@collection.*` keys (never passwords or
`tokenKey`), Esc closes the suggestions without closing the panel and a second Esc reaches the
panel; Ctrl+L selects the line; the SQL editor of a view query suggests tables and columns."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")


def _schema(admin: Admin) -> None:
    """authors ← posts (author, tags, place) ← comments (post); users gets a `nickname`."""
    authors = admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "authors",
            "fields": [{"name": "name", "type": "text"}, {"name": "bio", "type": "editor"}],
        },
    )
    authors.raise_for_status()
    posts = admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "posts",
            "listRule": "",
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
                {"name": "author", "type": "relation", "collectionId": authors.json()["id"], "maxSelect": 1},
                {"name": "place", "type": "geoPoint"},
                {"name": "created", "type": "autodate", "onCreate": True},
            ],
        },
    )
    posts.raise_for_status()
    admin.api(
        "POST",
        "/api/collections",
        json={
            "name": "comments",
            "fields": [
                {"name": "body", "type": "text"},
                {"name": "post", "type": "relation", "collectionId": posts.json()["id"], "maxSelect": 1},
            ],
        },
    ).raise_for_status()
    users = admin.api("GET", "/api/collections/users").json()
    fields = [*users["fields"], {"name": "nickname", "type": "text"}]
    admin.api("PATCH", "/api/collections/users", json={"fields": fields}).raise_for_status()
    ann = admin.api("POST", "/api/collections/authors/records", json={"name": "Ann"}).json()
    bob = admin.api("POST", "/api/collections/authors/records", json={"name": "Bob"}).json()
    for title, author in [("By Ann", ann["id"]), ("By Bob", bob["id"])]:
        admin.api(
            "POST", "/api/collections/posts/records", json={"title": title, "author": author}
        ).raise_for_status()


def _suggestions(page: Page) -> Locator:
    return page.get_by_role("listbox").get_by_role("option")


def _labels(page: Page, *lead: str) -> list[str]:
    """The suggested keys, once the list shows and starts with `lead`. The list follows the typing
    a moment behind, so a read before it shows the whole word sees an earlier letter's list."""
    labels = page.locator(".cm-completionLabel")
    expect(labels.first).to_be_visible()
    for i, label in enumerate(lead):
        expect(labels.nth(i)).to_have_text(label)
    return labels.all_inner_texts()


def _pick(page: Page, key: str = "Enter") -> None:
    """A key for the open suggestions. CodeMirror ignores keys pressed within 75 ms of the list
    changing (a fast typist's Enter is meant for the editor); a person is never that quick."""
    page.wait_for_timeout(120)
    page.keyboard.press(key)


def test_filter_bar_suggests_fields_paths_and_macros(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    page = signed_in(admin, "#/collections?collection=posts")
    bar = page.get_by_role("textbox", name="Search term or filter")
    expect(bar).to_be_visible()
    expect(page.locator(".cm-placeholder")).to_have_text("Search term or filter…")
    bar.click()

    # Fields, modifiers and relation paths; shortest first.
    page.keyboard.type("auth")
    labels = _labels(page, "author", "author.id", "author.bio")
    assert {"author.name", "author.name:lower", "author.bio:lower", "comments_via_post.post.author"} <= set(
        labels
    )
    assert not [label for label in labels if label.startswith("@")]
    shot(page, "relation-paths")

    # ↓ moves, Enter inserts the whole key in place of the typed word.
    page.keyboard.type("or.na")
    assert _labels(page, "author.name") == ["author.name", "author.name:lower"]
    _pick(page, "ArrowDown")
    expect(_suggestions(page).nth(1)).to_have_attribute("aria-selected", "true")
    _pick(page)
    expect(_suggestions(page)).to_have_count(0)
    expect(bar).to_have_text("author.name:lower")

    # Multi-value modifiers, geo coordinates, back-relations and macros.
    page.keyboard.type(' = "ann" && tags:')
    assert _labels(page, "tags:each")[:2] == ["tags:each", "tags:length"]
    page.keyboard.press("Escape")
    expect(_suggestions(page)).to_have_count(0)
    page.keyboard.type("each ?= 'a' || place.l")
    assert _labels(page, "place.lon")[:2] == ["place.lon", "place.lat"]
    page.keyboard.press("Escape")
    page.keyboard.type("on > 0 || comments_via_post.bo")
    assert _labels(page, "comments_via_post.body") == [
        "comments_via_post.body",
        "comments_via_post.body:lower",
    ]
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Backspace")
    page.keyboard.type("id != '' && created < @tod")
    assert _labels(page, "@todayEnd") == ["@todayEnd", "@todayStart"]
    _pick(page, "ArrowDown")
    _pick(page, "Tab")
    expect(bar).to_have_text(
        "author.name:lower = \"ann\" && tags:each ?= 'a' || place.lon > 0 || "
        "comments_via_post.id != '' && created < @todayStart"
    )

    # Filters do not offer @request or @collection, and nothing inside a quoted text.
    page.keyboard.type(" && @req")
    page.wait_for_timeout(300)
    expect(_suggestions(page)).to_have_count(0)
    for _ in range(len(" && @req")):
        page.keyboard.press("Backspace")
    page.keyboard.type(" && title = 'auth")
    page.wait_for_timeout(300)
    expect(_suggestions(page)).to_have_count(0)
    shot(page, "typed-filter")

    # Enter (with no suggestions open) submits: the list is filtered by the typed expression and
    # the editor keeps one line.
    page.keyboard.press("Control+a")
    page.keyboard.type("tit")
    assert _labels(page, "title")[:2] == ["title", "title:lower"]
    _pick(page)
    page.keyboard.type(' ~ "bob"')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"filter=title"))
    expect(page.locator("table.records tbody tr.row")).to_have_count(1)
    expect(page.locator("table.records tbody tr.row")).to_contain_text("By Bob")
    assert page.locator(".cm-line").count() == 1
    shot(page, "filtered")


def test_rule_editor_suggests_request_and_collection_keys(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    page = signed_in(admin, "#/collections?collection=posts")
    page.get_by_role("button", name="Edit collection").click()
    panel = page.get_by_role("dialog")
    panel.get_by_role("tab", name="API rules").click()
    rule = panel.get_by_role("textbox", name="List/Search rule")
    rule.click()

    # @request.auth.<field> of the non-system auth collections, never passwords or tokenKey.
    page.keyboard.type("@request.auth.")
    labels = _labels(page, "@request.auth.id")
    assert "@request.auth.nickname" in labels
    assert "@request.auth.email" in labels
    assert "@request.auth.collectionName" in labels
    assert not [label for label in labels if "password" in label or "tokenKey" in label]
    page.keyboard.type("nick")
    assert _labels(page, "@request.auth.nickname")[1] == "@request.auth.nickname:lower"
    shot(page, "request-auth")
    _pick(page)
    expect(rule).to_have_text("@request.auth.nickname")

    page.keyboard.type(" != '' && @request.body.title:c")
    assert _labels(page, "@request.body.title:changed") == ["@request.body.title:changed"]
    _pick(page)
    page.keyboard.type(" = false && @collection.auth")
    labels = _labels(page, "@collection.authors.id")
    assert "@collection.authors.name" in labels
    assert "@collection.authors.bio:lower" in labels
    assert not [label for label in labels if label.startswith("@collection.users.password")]
    assert len(labels) <= 30
    shot(page, "collection-keys")

    # Esc closes the suggestions only; the panel stays.
    page.keyboard.press("Escape")
    expect(_suggestions(page)).to_have_count(0)
    expect(panel).to_be_visible()
    expect(rule).to_be_focused()
    page.keyboard.type("ors.name ?= 'Ann'")
    expect(rule).to_have_text(
        "@request.auth.nickname != '' && @request.body.title:changed = false"
        " && @collection.authors.name ?= 'Ann'"
    )

    # Multi-line: Tab indents (the focus stays); Ctrl+L selects the line.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("|| id = ''")
    expect(rule).to_be_focused()
    assert rule.inner_text().splitlines()[-1] == "    || id = ''"
    page.keyboard.press("Control+l")
    assert page.evaluate("getSelection().toString()").strip() == "|| id = ''"
    shot(page, "rule-typed")

    # A second Esc leaves the editor and reaches the panel: the unsaved rule is guarded.
    page.keyboard.press("Escape")
    discard = page.get_by_role("button", name="Yes, discard")
    expect(discard).to_be_visible()
    shot(page, "discard-prompt")
    discard.click()
    expect(panel).to_be_hidden()
    assert admin.api("GET", "/api/collections/posts").json()["listRule"] == ""


def test_rule_saved_from_the_editor(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    page = signed_in(admin, "#/collections?collection=posts")
    page.get_by_role("button", name="Edit collection").click()
    panel = page.get_by_role("dialog")
    panel.get_by_role("tab", name="API rules").click()
    rule = panel.get_by_role("textbox", name="List/Search rule")
    rule.click()
    page.keyboard.type("author.na")
    _labels(page, "author.name")
    _pick(page)
    page.keyboard.type(" = 'Ann'")
    shot(page, "rule")
    # Ctrl+S in the editor reaches the panel: saved, and the panel stays open.
    page.keyboard.press("Control+s")
    for _ in range(50):
        if admin.api("GET", "/api/collections/posts").json()["listRule"] == "author.name = 'Ann'":
            break
        page.wait_for_timeout(100)
    assert admin.api("GET", "/api/collections/posts").json()["listRule"] == "author.name = 'Ann'"
    expect(panel).to_be_visible()
    expect(rule).to_have_text("author.name = 'Ann'")


def test_sql_editor_suggests_tables_and_columns(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _schema(admin)
    # The live preview tries each half-typed query (dry-run 400s, shown in the tab).
    console.expect(r"status of 400")
    page = signed_in(admin, "#/collections?collection=posts")
    page.evaluate("localStorage.setItem('pbColorScheme', 'dark')")
    page.reload()
    page.get_by_role("button", name=re.compile("New collection")).click()
    panel = page.get_by_role("dialog")
    panel.get_by_role("button", name="Collection type").click()
    page.get_by_role("menuitem", name=re.compile("View")).click()
    query = panel.get_by_role("textbox", name="Select query")
    query.click()
    page.keyboard.type("select id, title from pos")
    assert "posts" in _labels(page, "posts")
    _pick(page)
    page.keyboard.type(" where posts.ti")
    assert "title" in _labels(page, "title")
    _pick(page)
    expect(query).to_have_text("select id, title from posts where posts.title")
    expect(query.locator(".tok-keyword").first).to_have_text("select")
    shot(page, "sql-dark")
