"""The home overview (`#/overview`, the logo's page) in a real browser: record counts equal to the
API's, the last 24 hours of requests and errors from the logs, the last backup once there is one,
the storage figures; and "copy as SDK call" on the records list putting the list's call of the JS
and Python SDKs on the clipboard."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

OTHERS = "data.auth != '_superusers'"
REQUESTS = f'data.type = "request" && {OTHERS}'
ERRORS = f"(level > 0 || data.status >= 400) && {OTHERS}"


def _create_posts(admin: Admin, records: int) -> None:
    admin.api(
        "POST",
        "/api/collections",
        json={"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]},
    ).raise_for_status()
    for at in range(records):
        admin.api("POST", "/api/collections/posts/records", json={"title": f"Post {at}"}).raise_for_status()


def _logged(admin: Admin, log_filter: str) -> int:
    listed = admin.api("GET", "/api/logs", params={"filter": log_filter, "perPage": 1})
    listed.raise_for_status()
    return int(listed.json()["totalItems"])


def test_overview(signed_in: Callable[..., Page], admin: Admin, shot: Callable[[Page, str], Path]) -> None:
    _create_posts(admin, 3)
    # Requests by a visitor: three fine, two refused (posts lists for superusers only, an
    # unknown route). Logs reach the database in batches, a few seconds later.
    for _ in range(3):
        httpx.get(f"{admin.server.url}/api/health").raise_for_status()
    assert httpx.get(f"{admin.server.url}/api/collections/posts/records").status_code == 403
    assert httpx.get(f"{admin.server.url}/api/nothing-here").status_code == 404
    deadline = time.monotonic() + 20
    while _logged(admin, REQUESTS) < 5:
        assert time.monotonic() < deadline, "the requests were not logged"
        time.sleep(0.5)
    requests, errors = _logged(admin, REQUESTS), _logged(admin, ERRORS)
    assert errors >= 2

    page = signed_in(admin, "#/")
    expect(page).to_have_url(re.compile(r"#/overview$"))
    records = page.get_by_role("region", name="Records")
    collections = admin.api("GET", "/api/collections", params={"perPage": 500}).json()["items"]
    for collection in collections:
        total = admin.api(
            "GET", f"/api/collections/{collection['id']}/records", params={"perPage": 1}
        ).json()["totalItems"]
        row = records.get_by_role("listitem").filter(has=page.get_by_text(collection["name"], exact=True))
        expect(row).to_have_text(re.compile(rf"{re.escape(collection['name'])}\s*{total}$"))
    # Non-system collections first; each links to its records.
    names = [name.strip() for name in records.locator(".name").all_inner_texts()]
    assert names[:2] == ["posts", "users"]
    total = sum(
        admin.api("GET", f"/api/collections/{c['id']}/records", params={"perPage": 1}).json()["totalItems"]
        for c in collections
    )
    expect(records).to_contain_text(f"{total} records in {len(collections)} collections")

    chart = page.get_by_role("region", name="Requests, last 24 hours")
    expect(chart.get_by_role("link", name=re.compile(r"requests$"))).to_have_text(
        re.compile(rf"^\s*{requests}\s")
    )
    expect(chart.get_by_role("link", name=re.compile(r"errors$"))).to_have_text(
        re.compile(rf"^\s*{errors}\s")
    )
    expect(chart.get_by_role("img", name="Requests per hour, last 24 hours")).to_be_visible()
    storage = page.get_by_role("region", name="Storage")
    expect(storage.get_by_role("link", name=re.compile(r"\d(\.\d+)? (KB|MB)$")).first).to_be_visible()
    expect(storage.get_by_role("link", name="Local storage")).to_have_attribute("href", "#/settings/storage")
    backup = page.get_by_role("region", name="Last backup")
    expect(backup).to_contain_text("No backups yet.")
    app = page.get_by_role("region", name="Application")
    expect(app.get_by_role("link", name=admin.server.url)).to_have_attribute("href", admin.server.url)
    shot(page, "overview")

    # Superuser requests (the dashboard's own) count when asked for.
    chart.get_by_role("checkbox", name="Include superuser requests").check()
    expect(chart.get_by_role("link", name=re.compile(r"requests$"))).not_to_have_text(
        re.compile(rf"^\s*{requests}\s")
    )
    expect(chart.get_by_role("link", name=re.compile(r"requests$"))).to_have_attribute(
        "href", "#/logs?superuserRequests=1"
    )

    admin.api("POST", "/api/backups", json={"name": "overview_test.zip"}).raise_for_status()
    page.get_by_role("button", name="Refresh").click()
    expect(backup.get_by_role("link", name=re.compile("overview_test.zip"))).to_have_attribute(
        "href", "#/settings/backups"
    )
    expect(backup).to_contain_text("now")
    expect(storage).to_contain_text(re.compile(r"1 file, \d"))
    page.emulate_media(color_scheme="dark")
    shot(page, "overview-dark")
    records.get_by_role("link", name=re.compile(r"posts")).click()
    expect(page).to_have_url(re.compile(r"#/collections\?collection=posts$"))
    expect(page.get_by_role("cell", name="Post 2")).to_be_visible()


def test_overview_api_errors(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    console.expect(r"status of (400|500)")
    page = signed_in(admin, "#/collections")
    expect(page.get_by_role("link", name="users")).to_be_visible()
    page.route(
        "**/api/logs/stats*",
        lambda route: route.fulfill(
            status=400, json={"message": "Invalid filter format.", "status": 400, "data": {}}
        ),
    )
    page.route(
        "**/api/backups",
        lambda route: route.fulfill(
            status=500, json={"message": "Failed to retrieve backup items.", "status": 500, "data": {}}
        ),
    )
    page.get_by_role("link", name="Overview").click()
    chart = page.get_by_role("region", name="Requests, last 24 hours")
    expect(chart.get_by_role("alert")).to_contain_text("Invalid filter format.")
    expect(page.get_by_role("region", name="Last backup").get_by_role("alert")).to_contain_text(
        "Failed to retrieve backup items."
    )
    shot(page, "errors")
    page.unroute("**/api/logs/stats*")
    chart.get_by_role("button", name="Retry").click()
    expect(chart.get_by_role("img", name="Requests per hour, last 24 hours")).to_be_visible()


def test_copy_as_sdk_call(
    signed_in: Callable[..., Page], admin: Admin, shot: Callable[[Page, str], Path]
) -> None:
    _create_posts(admin, 1)
    query = urlencode({"collection": "posts", "filter": 'title != "x"', "sort": "-title"})
    page = signed_in(admin, f"#/collections?{query}")
    expect(page.get_by_role("cell", name="Post 0")).to_be_visible()
    page.get_by_role("button", name="Copy as SDK call").click()
    shot(page, "menu")
    page.get_by_role("menuitem", name="Copy as JS").click()
    expect(page.get_by_text("Copied the JS SDK call.")).to_be_visible()
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == """pb.collection("posts").getList(1, 40, { filter: 'title != "x"', sort: "-title" })"""
    )

    # Both kinds of quotes in the filter: escaped in a double-quoted string.
    query = urlencode({"collection": "posts", "filter": "title != \"it's\" && title != 'a\\b'"})
    page.goto(f"{admin.server.url}/_/#/collections?{query}")
    expect(page.get_by_role("cell", name="Post 0")).to_be_visible()
    page.get_by_role("button", name="Copy as SDK call").click()
    page.get_by_role("menuitem", name="Copy as Python").click()
    expect(page.get_by_text("Copied the Python SDK call.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == (
        'client.collection("posts").get_list(1, 40, '
        '{"filter": "title != \\"it\'s\\" && title != \'a\\\\b\'", "sort": "-@rowid"})'
    )
