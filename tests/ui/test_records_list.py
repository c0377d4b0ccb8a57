"""The records list of a collection in a real browser: the first 40 rows and "Load more" with the
total, sorting by a column head, a typed filter and a plain-text search, the column picker and its
memory, a deep link with filter, sort and record, a Shift+click range deleted in bulk (single
requests, then `/api/batch`), the empty state, and a collection of 100,000 records."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

FIELDS = [
    {"name": "title", "type": "text", "presentable": True},
    {"name": "views", "type": "number"},
    {"name": "published", "type": "bool"},
    {"name": "tags", "type": "select", "values": ["red", "green", "blue"], "maxSelect": 3},
    {"name": "meta", "type": "json"},
    {"name": "due", "type": "date"},
    {"name": "link", "type": "url"},
    {"name": "place", "type": "geoPoint"},
    {"name": "secret", "type": "text", "hidden": True},
    {"name": "created", "type": "autodate", "onCreate": True},
]


def _posts(admin: Admin) -> list[str]:
    """Creates `posts` with 60 records (Post 01 … Post 60, views = 10·n); returns their ids in order."""
    authors = admin.api(
        "POST", "/api/collections", json={"name": "authors", "fields": [{"name": "name", "type": "text"}]}
    )
    authors.raise_for_status()
    ann = admin.api("POST", "/api/collections/authors/records", json={"name": "Ann"}).json()
    relation = {"name": "author", "type": "relation", "collectionId": authors.json()["id"], "maxSelect": 1}
    admin.api(
        "POST", "/api/collections", json={"name": "posts", "fields": [*FIELDS, relation]}
    ).raise_for_status()
    ids = []
    for n in range(1, 61):
        body = {
            "title": f"Post {n:02d}" + (" alpha" if n % 7 == 0 else ""),
            "views": n * 10,
            "published": n % 2 == 0,
            "tags": ["red", "blue"] if n % 3 == 0 else [],
            "meta": {"n": n},
            "due": f"2030-01-{(n % 28) + 1:02d} 10:00:00.000Z",
            "link": "https://example.com/" + str(n),
            "place": {"lon": 2.35, "lat": 48.85},
            "secret": f"s{n}",
            "author": ann["id"] if n % 2 else "",
        }
        created = admin.api("POST", "/api/collections/posts/records", json=body)
        created.raise_for_status()
        ids.append(created.json()["id"])
    return ids


def _rows(page: Page) -> list[str]:
    return page.locator("table.records tbody tr.row").all_inner_texts()


def _column(page: Page, name: str) -> list[str]:
    heads = [head.strip() for head in page.locator("table.records thead th").all_inner_texts()]
    at = heads.index(name) + 1
    return [
        cell.strip()
        for cell in page.locator(f"table.records tbody tr.row td:nth-child({at})").all_inner_texts()
    ]


def _head(page: Page, name: str) -> Locator:
    return page.get_by_role("columnheader", name=name, exact=True).get_by_role("button")


def test_browse_sort_search_and_columns(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _posts(admin)
    page = signed_in(admin, "#/collections?collection=posts")
    rows = page.locator("table.records tbody tr.row")

    # The newest first, 40 of them, and the total.
    expect(rows).to_have_count(40)
    expect(page.get_by_text("Total: 60")).to_be_visible()
    assert _column(page, "title")[:2] == ["Post 60", "Post 59"]
    assert "secret" not in page.locator("table.records thead").inner_text()  # hidden field: off
    first = rows.first
    expect(first.get_by_text("True", exact=True)).to_be_visible()  # bool badge
    expect(first.get_by_text("red", exact=True)).to_be_visible()  # select chips
    expect(first.get_by_text("2.35, 48.85")).to_be_visible()  # geoPoint
    expect(first.get_by_text('{"n":60}')).to_be_visible()  # json on one line
    expect(rows.nth(1).get_by_role("link", name="Ann")).to_be_visible()  # expanded relation summary
    expect(first.get_by_text("N/A")).to_be_visible()  # no author
    expect(first.get_by_role("link", name="https://example.com/60")).to_have_attribute("target", "_blank")
    due = first.get_by_text("2030-01-05 10:00:00.000Z")
    expect(due).to_have_attribute("title", re.compile(r"\(.+\)$"))  # local time + zone
    shot(page, "first-page")

    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(60)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    shot(page, "all-loaded")

    # Sort by a column head: descending, then ascending; the URL follows.
    _head(page, "views").click()
    expect(page).to_have_url(re.compile(r"sort=-views"))
    expect(rows.first).to_contain_text("Post 60")
    assert _column(page, "views")[:3] == ["600", "590", "580"]
    _head(page, "views").click()
    expect(page).to_have_url(re.compile(r"sort=views(&|$)"))
    expect(rows.first).to_contain_text("Post 01")
    assert _column(page, "views")[:3] == ["10", "20", "30"]
    shot(page, "sorted-ascending")

    # A filter typed in the bar (Enter submits), then a plain-text search.
    search = page.get_by_label("Search term or filter")
    search.fill("views >= 550")
    search.press("Enter")
    expect(rows).to_have_count(6)
    expect(page.get_by_text("Total: 6")).to_be_visible()
    expect(page).to_have_url(re.compile(r"filter=views"))
    search.fill("alpha")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(8)
    expect(page.get_by_text("Total: 8")).to_be_visible()
    assert all("alpha" in title for title in _column(page, "title"))
    shot(page, "plain-text-search")

    # The history remembers both searches, newest first.
    page.get_by_role("button", name="Search history").click()
    assert [t.strip() for t in page.get_by_role("menuitem").all_inner_texts()] == ["alpha", "views >= 550"]
    page.get_by_role("menuitem", name="views >= 550").click()
    expect(rows).to_have_count(6)

    # Nothing found: the empty state offers to clear the search.
    search.fill('title = "nothing"')
    search.press("Enter")
    expect(page.get_by_text("No records found.")).to_be_visible()
    shot(page, "empty")
    page.get_by_role("button", name="Clear search").click()
    expect(rows).to_have_count(40)
    expect(search).not_to_contain_text("nothing")
    expect(page).not_to_have_url(re.compile("filter="))

    # The column picker: a hidden field on, a shown one off; kept after a reload.
    page.get_by_role("button", name="Toggle columns").click()
    page.get_by_role("menuitemcheckbox", name="secret").click()
    page.get_by_role("menuitemcheckbox", name="views").click()
    shot(page, "columns")
    page.keyboard.press("Escape")
    heads = page.locator("table.records thead")
    expect(heads).to_contain_text("secret")
    expect(heads).not_to_contain_text("views")
    page.reload()
    expect(rows).to_have_count(40)
    expect(heads).to_contain_text("secret")
    expect(heads).not_to_contain_text("views")
    assert _column(page, "secret")[0] == "s1"  # still sorted by views, ascending


def test_deep_link_and_bulk_delete(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    ids = _posts(admin)
    # A link with a filter, a sort and a record: the list as described and the record open.
    page = signed_in(
        admin, f"#/collections?collection=posts&filter=views%3C%3D100&sort=-views&record={ids[2]}"
    )
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("posts")
    rows = page.locator("table.records tbody tr.row")
    expect(rows).to_have_count(10)
    assert _column(page, "views")[:2] == ["100", "90"]
    expect(page.get_by_label("Search term or filter")).to_have_text("views<=100")
    shot(page, "deep-link")
    panel.get_by_role("button", name="Close").first.click()
    expect(panel).to_have_count(0)
    expect(page).not_to_have_url(re.compile("record="))

    # A row opens with Enter too, and sets ?record=. A saved change shows in its row; with a
    # filter on, the refresh button says the list may have changed.
    rows.nth(1).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page).to_have_url(re.compile(f"record={ids[8]}"))
    page.get_by_role("dialog").get_by_label("title", exact=True).fill("Post 09 edited")
    page.get_by_role("dialog").get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(rows.nth(1)).to_contain_text("Post 09 edited")
    refresh = page.get_by_role("button", name="Refresh")
    expect(refresh).to_contain_text("(list changed)")
    refresh.click()
    expect(refresh).not_to_contain_text("(list changed)")

    # Shift+click selects a range; the bulk bar deletes it (batch off: single requests).
    page.get_by_role("button", name="Clear").click()
    expect(rows).to_have_count(40)
    rows.nth(0).get_by_role("checkbox").click()
    rows.nth(4).get_by_role("checkbox").click(modifiers=["Shift"])
    bar = page.get_by_role("region", name="Bulk actions")
    expect(bar).to_contain_text("Selected 5 records")
    shot(page, "selected")
    doomed = [ids[59 - n] for n in range(5)]  # newest first
    bar.get_by_role("button", name="Delete").click()
    page.get_by_text("Do you really want to delete the selected records?").wait_for()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Successfully deleted 5 records.")).to_be_visible()
    expect(bar).to_have_count(0)
    expect(page.get_by_text("Total: 55")).to_be_visible()
    for gone in doomed:
        assert admin.api("GET", f"/api/collections/posts/records/{gone}").status_code == 404
    assert _column(page, "title")[0] == "Post 55"

    # With batch requests on, the same goes through /api/batch.
    admin.api(
        "PATCH", "/api/settings", json={"batch": {"enabled": True, "maxRequests": 2}}
    ).raise_for_status()
    batches: list[str] = []
    page.on(
        "request", lambda request: batches.append(request.url) if request.url.endswith("/api/batch") else None
    )
    page.get_by_role("checkbox", name="Select all").click()
    expect(bar).to_contain_text("Selected 35 records")  # the loaded rows
    rows.nth(0).get_by_role("checkbox").click()
    rows.nth(1).get_by_role("checkbox").click()
    rows.nth(2).get_by_role("checkbox").click()
    expect(bar).to_contain_text("Selected 32 records")
    bar.get_by_role("button", name="Reset").click()
    expect(bar).to_have_count(0)
    rows.nth(0).get_by_role("checkbox").click()
    rows.nth(2).get_by_role("checkbox").click(modifiers=["Shift"])
    bar.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Successfully deleted 3 records.")).to_be_visible()
    assert len(batches) == 2  # 3 deletes, at most 2 per batch
    left = admin.api("GET", "/api/collections/posts/records?perPage=1").json()
    assert left["totalItems"] == 52


def test_a_hundred_thousand_records(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    fields = [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]
    admin.api("POST", "/api/collections", json={"name": "big", "fields": fields}).raise_for_status()
    insert = (
        "INSERT INTO big (id, title, n) "
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 100000) "
        "SELECT printf('r%014d', i), 'Row ' || i, i FROM seq"
    )
    done = admin.api("POST", "/api/sql", json={"query": insert})
    assert done.status_code == 200, done.text
    assert admin.api("GET", "/api/collections/big/records?perPage=1").json()["totalItems"] == 100_000

    page = signed_in(admin, "#/collections?collection=big")
    rows = page.locator("table.records tbody tr.row")
    expect(rows).to_have_count(40)
    expect(page.get_by_text("Total: 100000")).to_be_visible()
    assert _column(page, "title")[0] == "Row 100000"
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(80)
    assert _column(page, "title")[79] == "Row 99921"
    _head(page, "n").click()
    expect(page).to_have_url(re.compile(r"sort=-n"))
    expect(rows.first).to_contain_text("Row 100000")
    _head(page, "n").click()
    expect(page).to_have_url(re.compile(r"sort=%2Bn|sort=n"))
    expect(rows.first).to_contain_text("r00000000000001")  # the id of "Row 1"
    assert _column(page, "n")[:2] == ["1", "2"]
    shot(page, "big")


def _png() -> bytes:
    """A red PNG of 2 by 2 pixels."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_protected_files_in_cells(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    fields = [
        {"name": "title", "type": "text"},
        {"name": "docs", "type": "file", "maxSelect": 9, "maxSize": 1_000_000, "protected": True},
    ]
    admin.api("POST", "/api/collections", json={"name": "gallery", "fields": fields}).raise_for_status()
    files = [("docs", ("red.png", _png(), "image/png")), ("docs", ("notes.txt", b"hello", "text/plain"))]
    created = admin.api("POST", "/api/collections/gallery/records", data={"title": "Red"}, files=files)
    created.raise_for_status()

    page = signed_in(admin, "#/collections?collection=gallery")
    row = page.locator("table.records tbody tr.row").first
    thumb = row.get_by_role("img")
    expect(thumb).to_have_attribute("src", re.compile(r"thumb=100x100.*token=|token=.*thumb=100x100"))
    page.wait_for_function("() => document.querySelector('tr.row img')?.naturalWidth > 0")  # the token works
    expect(row.get_by_role("button", name=re.compile(r"Preview notes.*\.txt"))).to_be_visible()
    shot(page, "thumbs")

    row.get_by_role("button", name=re.compile(r"Preview red.*\.png")).click()
    preview = page.get_by_role("dialog")
    expect(preview.get_by_role("img")).to_be_visible()
    expect(preview.get_by_role("link", name="Open in new tab")).to_have_attribute(
        "href", re.compile("token=")
    )
    shot(page, "preview")
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    assert "record=" not in page.url  # the row did not open
