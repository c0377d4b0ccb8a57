"""The dashboard's frame in a real browser: the collections sidebar (search, pins, the system
group), the colour scheme, the session shared between tabs and ended by a 401, and the title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")


def _collection(admin: Admin, name: str, kind: str = "base") -> None:
    admin.api("POST", "/api/collections", json={"name": name, "type": kind}).raise_for_status()


def _listed(page: Page) -> list[str]:
    links = page.get_by_role("complementary", name="Collections").get_by_role("link")
    return [text.strip() for text in links.all_inner_texts()]


def test_sidebar_search_pins_and_groups(
    admin: Admin, signed_in: Callable[[Admin], Page], shot: Callable[[Page, str], Path]
) -> None:
    for name in ["posts", "comments", "authors"]:
        _collection(admin, name)
    _collection(admin, "members", "auth")
    page = signed_in(admin)
    sidebar = page.get_by_role("complementary", name="Collections")
    sidebar.get_by_role("link", name="posts").wait_for()
    # Auth first, then base; by name; the system group folded.
    assert _listed(page) == ["members", "users", "authors", "comments", "posts"]

    # Search: any part of the name, id or type, ignoring case and spaces; system ones included.
    search = sidebar.get_by_label("Search collections")
    search.fill("AU TH")
    expect(sidebar.get_by_role("link")).to_have_count(6)
    assert _listed(page) == ["members", "users", "authors", "_superusers", "_authOrigins", "_externalAuths"]
    search.fill("nothing like it")
    sidebar.get_by_text("No collections found.").wait_for()
    sidebar.get_by_role("button", name="Clear search").click()
    expect(search).to_have_value("")

    # A pin moves the collection to its own group, and stays after a reload.
    sidebar.get_by_role("link", name="posts").hover()
    sidebar.get_by_role("button", name="Pin posts").click()
    sidebar.get_by_role("heading", name="Pinned").wait_for()
    sidebar.get_by_role("heading", name="Others").wait_for()
    assert _listed(page)[0] == "posts"
    page.reload()
    sidebar.get_by_role("heading", name="Pinned").wait_for()
    assert _listed(page)[0] == "posts"
    shot(page, "pinned")

    # A click opens the collection and the address follows (a link for a new tab too).
    sidebar.get_by_role("link", name="comments").click()
    expect(page).to_have_url(f"{admin.server.url}/_/#/collections?collection=comments")
    assert sidebar.get_by_role("link", name="comments").get_attribute("aria-current") == "page"
    assert page.title() == "Collections - Acme"


def test_colour_scheme_is_kept(
    admin: Admin, signed_in: Callable[[Admin], Page], shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    html = page.locator("html")
    # auto → light → dark, kept across reloads.
    page.get_by_role("button", name="Colour scheme: auto (switch to light)").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.get_by_role("button", name="Colour scheme: light (switch to dark)").click()
    expect(html).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    shot(page, "dark")


def test_tabs_share_the_session(admin: Admin, two_tabs: Callable[[], tuple[Page, Page]]) -> None:
    first, second = two_tabs()
    for page in (first, second):
        page.goto(f"{admin.server.url}/_/")
    first.get_by_label("Email").fill("admin@example.com")
    first.get_by_label("Password", exact=True).fill("1234567890")
    first.get_by_role("button", name="Login").click()
    # The other tab signs in by itself (the session is in localStorage), and out again.
    second.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    second.get_by_role("button", name="Account").click()
    second.get_by_role("menuitem", name="Logout").click()
    first.get_by_role("heading", name="Superuser login").wait_for()


def test_a_401_ends_the_session(
    admin: Admin, signed_in: Callable[[Admin], Page], console: ConsoleErrors
) -> None:
    page = signed_in(admin)
    page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    # Every superuser token dies when the collection's token secret changes.
    secret = {"authToken": {"secret": "n" * 50}}
    admin.api("PATCH", "/api/collections/_superusers", json=secret).raise_for_status()
    page.reload()  # the background refresh answers 401
    console.expect("status of 401")
    page.get_by_role("heading", name="Superuser login").wait_for()
    assert page.evaluate("localStorage.getItem('__pb_superusers__/_')") in (
        None,
        "",
        '{"token":"","record":null}',
    )


def test_collections_overview(
    admin: Admin, signed_in: Callable[[Admin], Page], shot: Callable[[Page, str], Path]
) -> None:
    users = admin.api("GET", "/api/collections/users").json()
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "authors", "listRule": "", "fields": [{"name": "name", "type": "text"}]},
    ).raise_for_status()
    authors = admin.api("GET", "/api/collections/authors").json()
    posts = {
        "name": "posts",
        "listRule": "author.name != ''",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "author", "type": "relation", "collectionId": authors["id"], "maxSelect": 1},
            {"name": "readers", "type": "relation", "collectionId": users["id"], "maxSelect": 5},
        ],
    }
    admin.api("POST", "/api/collections", json=posts).raise_for_status()
    page = signed_in(admin)
    page.get_by_role("button", name="Collections overview").click()
    diagram = page.get_by_label("Collections diagram")
    for name in ("users", "authors", "posts"):
        diagram.get_by_role("region", name=name).wait_for()
    # One line per relation field, drawn to its target.
    expect(diagram.locator("svg.lines path")).to_have_count(2)
    expect(diagram.get_by_role("region", name="_superusers")).to_have_count(0)
    diagram.get_by_role("region", name="posts").hover()
    expect(diagram.locator("svg.lines path.lit")).to_have_count(2)
    shot(page, "diagram")
    page.get_by_label("System collections").check()
    diagram.get_by_role("region", name="_superusers").wait_for()
    page.get_by_label("System collections").uncheck()

    page.get_by_role("tab", name="Rules").click()
    rows = page.get_by_role("dialog").locator("tbody tr")
    expect(rows).to_have_count(3)
    texts = {row.split("\t")[0].strip(): row.split("\t")[1].strip() for row in rows.all_inner_texts()}
    assert texts == {"users": "id = @request.auth.id", "authors": "Public", "posts": "author.name != ''"}
    page.get_by_role("radio", name="Auth rule").click()
    expect(rows).to_have_count(1)
    assert rows.inner_text().split("\t")[1].strip() == "Public"
    shot(page, "rules")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_tabs_share_collection_changes(admin: Admin, two_tabs: Callable[[], tuple[Page, Page]]) -> None:
    first, second = two_tabs()
    for page in (first, second):
        page.goto(f"{admin.server.url}/_/")
    first.get_by_label("Email").fill("admin@example.com")
    first.get_by_label("Password", exact=True).fill("1234567890")
    first.get_by_role("button", name="Login").click()
    for page in (first, second):
        page.get_by_role("complementary", name="Collections").get_by_role("link", name="users").wait_for()
    # A collection created in one tab shows in the other's sidebar without a reload.
    first.get_by_role("button", name="New collection").click()
    panel = first.get_by_role("dialog", name="Create collection")
    panel.get_by_role("textbox", name="Name", exact=True).fill("journal")
    panel.get_by_role("button", name="Create", exact=True).click()
    second.get_by_role("complementary", name="Collections").get_by_role("link", name="journal").wait_for()
    assert admin.api("GET", "/api/collections/journal").status_code == 200
