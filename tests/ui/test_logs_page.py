"""The logs page in a real browser: requests made as a guest and as the superuser, listed newest
first (the superuser's hidden until the switch is on), the chart's total against the stats API,
a status filter, a log's details (also by link), zooming by a drag on the chart (the list narrows
to the range, the empty state offers "Reset zoom"), the logs settings and deleting all logs."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

GUESTS = "data.auth!='_superusers'"


def _logs(admin: Admin, filter_: str) -> list[dict[str, Any]]:
    response = admin.api("GET", "/api/logs", params={"perPage": 500, "sort": "-@rowid", "filter": filter_})
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _stats_total(admin: Admin, filter_: str) -> int:
    response = admin.api("GET", "/api/logs/stats", params={"filter": filter_})
    response.raise_for_status()
    return sum(hour["total"] for hour in response.json())


def _wait_for_logs(admin: Admin, filter_: str, count: int) -> list[dict[str, Any]]:
    """Logs are written in batches a few seconds after the requests."""
    deadline = time.monotonic() + 20
    while True:
        items = _logs(admin, filter_)
        if len(items) >= count or time.monotonic() > deadline:
            return items
        time.sleep(0.5)


def _requests(admin: Admin) -> None:
    """Three 200s, a 404 and a 400 as a guest; two 200s as the superuser. The logs of starting
    the server and signing in (the last guest request before) are written first, then deleted."""
    _wait_for_logs(admin, "message~'auth-with-password'", 2)
    admin.api("DELETE", "/api/logs").raise_for_status()
    url = admin.server.url
    for _ in range(3):
        httpx.get(f"{url}/api/health").raise_for_status()
    assert httpx.get(f"{url}/api/collections/nope/records").status_code == 404
    bad = httpx.post(f"{url}/api/collections/users/auth-with-password", json={"identity": "", "password": ""})
    assert bad.status_code == 400
    admin.api("GET", "/api/collections").raise_for_status()
    admin.api("GET", "/api/settings").raise_for_status()


def _filter_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get("filter", [""])[0]


def _parse(created: str) -> datetime:
    return datetime.strptime(created, "%Y-%m-%d %H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_logs_list_chart_filter_details_zoom_settings(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin, "#/collections")
    expect(page.get_by_role("link", name="Logs")).to_be_visible()
    _requests(admin)
    guests = _wait_for_logs(admin, GUESTS, 5)
    assert [log["data"]["status"] for log in guests] == [400, 404, 200, 200, 200], guests
    assert len(_wait_for_logs(admin, "data.auth='_superusers'", 2)) >= 2

    page.get_by_role("link", name="Logs").click()
    expect(page).to_have_url(re.compile(r"#/logs\?superuserRequests=0$"))
    rows = page.locator("table.logs tbody tr.row")
    expect(rows).to_have_count(5)
    expect(page.get_by_text(f"Total: {_stats_total(admin, GUESTS)}")).to_be_visible()
    assert _stats_total(admin, GUESTS) == 5
    # Newest first; the superuser's requests are hidden.
    assert rows.locator(".message").all_inner_texts()[:3] == [
        "POST /api/collections/users/auth-with-password",
        "GET /api/collections/nope/records",
        "GET /api/health",
    ]
    expect(page.locator("table.logs").get_by_text("GET /api/settings")).to_have_count(0)
    bad = rows.first
    expect(bad.get_by_text("ERROR (8)")).to_be_visible()
    expect(bad.get_by_text("status: 400")).to_be_visible()
    expect(bad.get_by_text(re.compile(r"^execTime: [\d.]+ms$"))).to_be_visible()
    expect(bad.get_by_text("auth: N/A")).to_be_visible()
    expect(bad.locator(".chip.danger")).to_contain_text("error: ")
    expect(rows.nth(2).get_by_text("INFO (0)")).to_be_visible()
    expect(rows.nth(2).locator(".chip.danger")).to_have_count(0)
    created = guests[0]["created"]
    expect(bad.get_by_text(created.removesuffix("Z") + " UTC")).to_be_visible()
    expect(page.locator("svg[aria-label='Requests per hour'] path.line")).to_have_attribute(
        "d", re.compile(r"^M")
    )
    shot(page, "listed")

    # The chart's tooltip over the hour of the requests.
    plot = page.locator("svg rect.plot").bounding_box()
    assert plot is not None
    stats = admin.api("GET", "/api/logs/stats", params={"filter": GUESTS}).json()
    start = _parse(stats[0]["date"]).timestamp()
    end = _parse(stats[-1]["date"]).timestamp() + 3600

    def x_of(moment: datetime) -> float:
        assert plot is not None
        return float(plot["x"] + (moment.timestamp() - start) / (end - start) * plot["width"])

    newest = _parse(guests[0]["created"])
    oldest = _parse(guests[-1]["created"])
    middle_y = plot["y"] + plot["height"] / 2
    page.mouse.move(x_of(oldest) + 1, middle_y)
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_contain_text(re.compile(r"^\d+ requests?"))
    expect(tooltip).to_contain_text(re.compile(r"[A-Z][a-z]{2} \d\d \d{1,2}[ap]m-\d{1,2}[ap]m$"))
    shot(page, "tooltip")
    page.mouse.move(plot["x"] - 20, middle_y)
    expect(tooltip).to_have_count(0)

    # Superuser requests with the switch; the choice is kept in the address and localStorage.
    switch = page.get_by_role("switch", name="Include requests by superusers")
    switch.check()
    expect(page).to_have_url(re.compile(r"superuserRequests=1"))
    expect(page.locator("table.logs").get_by_text("GET /api/settings")).to_be_visible()
    expect(page.locator("table.logs").get_by_text("auth: _superusers").first).to_be_visible()
    page.goto(f"{admin.server.url}/_/#/logs")
    expect(page.get_by_role("switch", name="Include requests by superusers")).to_be_checked()
    page.get_by_role("switch", name="Include requests by superusers").uncheck()
    expect(rows).to_have_count(5)

    # A status filter: only the errors.
    search = page.get_by_label("Search term or filter")
    search.fill("data.status >= 400")
    with page.expect_request(lambda r: "/api/logs?" in r.url and "data.status" in r.url) as listed:
        search.press("Enter")
    assert _filter_of(listed.value.url).startswith(f"({GUESTS})&&(data.status >= 400)&&(created <= ")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"filter=data.status"))
    assert all(re.search(r"status: 4\d\d", row) for row in rows.all_inner_texts())
    expect(
        page.get_by_text(f"Total: {_stats_total(admin, f'({GUESTS})&&(data.status >= 400)')}")
    ).to_be_visible()
    shot(page, "errors-only")

    # A log's details (a row opens with Enter too), then the same log by link.
    missing = next(log for log in guests if log["data"]["status"] == 404)
    rows.filter(has_text="GET /api/collections/nope/records").focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Log details")
    expect(panel).to_be_visible()
    expect(page).to_have_url(re.compile(f"logId={missing['id']}"))
    details = panel.locator("table.details")
    expect(details.locator("tr", has_text="data.status")).to_contain_text("404")
    expect(details.locator("tr", has_text="data.url")).to_contain_text("/api/collections/nope/records")
    expect(details.locator("tr", has_text="data.method")).to_contain_text("GET")
    expect(details.locator("tr", has_text="data.error").locator(".note.danger")).to_be_visible()
    expect(details.locator("tr").first).to_contain_text(missing["id"])
    page.wait_for_timeout(300)  # the panel's slide-in
    shot(page, "details")
    with page.expect_download() as downloaded:
        panel.get_by_role("button", name="Download JSON").click()
    assert re.fullmatch(r"log_\d{8}T\d{9}Z\.json", downloaded.value.suggested_filename)
    assert json.loads(Path(downloaded.value.path()).read_text())["id"] == missing["id"]
    panel.get_by_role("button", name="More options").click()
    page.get_by_role("menuitem", name="Copy JSON").click()
    expect(page.get_by_text("Log copied to clipboard!")).to_be_visible()
    assert json.loads(page.evaluate("navigator.clipboard.readText()"))["id"] == missing["id"]
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(page).not_to_have_url(re.compile("logId="))
    page.get_by_role("button", name="Clear").click()
    expect(rows).to_have_count(5)
    expect(page).not_to_have_url(re.compile("filter="))

    page.goto(f"{admin.server.url}/_/#/logs?superuserRequests=0&logId={guests[-1]['id']}")
    page.reload()
    panel = page.get_by_role("dialog", name="Log details")
    expect(panel.locator("tr", has_text="data.url")).to_contain_text("/api/health")
    panel.get_by_role("button", name="Close", exact=True).last.click()
    expect(panel).to_have_count(0)

    # Zoom: a range without logs empties the list (with "Reset zoom"), a range around them
    # lists them; the list asks for the range.
    plot = page.locator("svg rect.plot").bounding_box()
    assert plot is not None
    left_room = x_of(oldest - timedelta(minutes=2)) - plot["x"]
    right_room = plot["x"] + plot["width"] - x_of(newest + timedelta(minutes=2))
    if left_room > right_room:
        empty_from, empty_to = plot["x"] + 2, x_of(oldest - timedelta(minutes=2))
    else:
        empty_from, empty_to = x_of(newest + timedelta(minutes=2)), plot["x"] + plot["width"] - 2
    with page.expect_request(lambda r: "/api/logs?" in r.url and "created >=" in _filter_of(r.url)) as zoomed:
        page.mouse.move(empty_from, middle_y)
        page.mouse.down()
        page.mouse.move(empty_to, middle_y, steps=6)
        page.mouse.up()
    assert re.search(
        r'created >= "[\d-]+ [\d:]+\.000Z" && created <= "[\d-]+ [\d:]+\.999Z"', _filter_of(zoomed.value.url)
    )
    expect(page.get_by_text("No logs found.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Reset zoom"))).to_have_count(2)
    shot(page, "zoomed-empty")
    page.locator(".empty-state").get_by_role("button", name="Reset zoom").click()
    expect(rows).to_have_count(5)
    expect(page.get_by_role("button", name=re.compile("^Reset zoom"))).to_have_count(0)

    with page.expect_request(lambda r: "/api/logs?" in r.url and "created >=" in _filter_of(r.url)) as zoomed:
        page.mouse.move(max(x_of(oldest - timedelta(seconds=90)), plot["x"] + 1), middle_y)
        page.mouse.down()
        page.mouse.move(
            min(x_of(newest + timedelta(seconds=90)), plot["x"] + plot["width"] - 1), middle_y, steps=6
        )
        page.mouse.up()
    assert len(_logs(admin, _filter_of(zoomed.value.url))) == 5
    expect(rows).to_have_count(5)
    shot(page, "zoomed")

    # Panning the zoomed chart by its time axis, towards the side with more room.
    before = _filter_of(zoomed.value.url)
    axis = page.locator("svg rect.axis").bounding_box()
    assert axis is not None
    axis_y = axis["y"] + axis["height"] / 2
    # From one end of the axis to the other: the view moves by more than its own width.
    ends = (axis["x"] + 10, axis["x"] + axis["width"] - 10)
    start_x, end_x = ends if left_room > right_room else ends[::-1]
    with page.expect_request(lambda r: "/api/logs?" in r.url and "created >=" in _filter_of(r.url)) as panned:
        page.mouse.move(start_x, axis_y)
        page.mouse.down()
        page.mouse.move(end_x, axis_y, steps=8)
        page.mouse.up()
    moved = re.findall(r'created >= "([^"]+)"', _filter_of(panned.value.url))[0]
    was = re.findall(r'created >= "([^"]+)"', before)[0]
    assert moved < was if left_room > right_room else moved > was
    page.locator("svg[aria-label='Requests per hour']").dblclick(position={"x": 200, "y": 40})
    expect(page.get_by_role("button", name=re.compile("^Reset zoom"))).to_have_count(0)

    # Bulk selection with Shift, downloaded as JSON.
    rows.nth(0).get_by_role("checkbox").click()
    rows.nth(2).get_by_role("checkbox").click(modifiers=["Shift"])
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk).to_contain_text("Selected 3 logs")
    with page.expect_download() as downloaded:
        bulk.get_by_role("button", name="JSON").click()
    assert re.fullmatch(r"3_logs_\d{8}T\d{9}Z_to_\d{8}T\d{9}Z\.json", downloaded.value.suggested_filename)
    assert len(json.loads(Path(downloaded.value.path()).read_text())) == 3
    bulk.get_by_role("button", name="Reset").click()
    expect(bulk).to_have_count(0)

    # Logs settings: saved through the API.
    page.get_by_role("button", name="Logs settings").click()
    dialog = page.get_by_role("dialog", name="Logs settings")
    max_days = dialog.get_by_label("Max days retention")
    expect(max_days).to_have_value("5")
    save = dialog.get_by_role("button", name="Save changes")
    expect(save).to_be_disabled()
    max_days.fill("9")
    dialog.get_by_role("switch", name="Enable Auth Id logging").check()
    shot(page, "settings")
    save.click()
    expect(page.get_by_text("Successfully saved logs settings.")).to_be_visible()
    expect(dialog).to_have_count(0)
    logs_settings = admin.api("GET", "/api/settings").json()["logs"]
    assert logs_settings["maxDays"] == 9
    assert logs_settings["logAuthId"] is True

    # Delete all logs.
    page.get_by_role("button", name="Logs settings").click()
    dialog = page.get_by_role("dialog", name="Logs settings")
    expect(max_days).to_have_value("9")
    dialog.get_by_role("button", name="Delete all logs").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("Successfully deleted all logs.")).to_be_visible()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("No logs found.")).to_be_visible()
    expect(page.get_by_text("Total: 0")).to_be_visible()
    assert _logs(admin, GUESTS) == []
    shot(page, "deleted")


def test_load_older_deep_link_and_suggestions(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(admin, "#/collections")
    _requests(admin)
    with httpx.Client(base_url=admin.server.url) as guest:
        for _ in range(55):
            guest.get("/api/health").raise_for_status()
    assert len(_wait_for_logs(admin, GUESTS, 60)) == 60

    # 50 at first, then the older ones.
    page.goto(f"{admin.server.url}/_/#/logs")
    rows = page.locator("table.logs tbody tr.row")
    expect(rows).to_have_count(50)
    expect(page.get_by_text("Total: 60")).to_be_visible()
    page.get_by_role("button", name="Load older").click()
    expect(rows).to_have_count(60)
    expect(page.get_by_role("button", name="Load older")).to_have_count(0)
    page.get_by_role("checkbox", name="Select all").check()
    expect(page.get_by_role("region", name="Bulk actions")).to_contain_text("Selected 60 logs")

    # A linked filter, with the superusers' requests.
    page.goto(f"{admin.server.url}/_/#/logs?filter=data.status%3D404&superuserRequests=1")
    page.reload()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GET /api/collections/nope/records")
    expect(page.get_by_role("switch", name="Include requests by superusers")).to_be_checked()
    expect(page.get_by_text("Total: 1")).to_be_visible()

    # The filter bar suggests the log fields and what request logs hold.
    search = page.get_by_label("Search term or filter")
    search.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("data.sta")
    expect(page.get_by_role("option", name=re.compile(r"^data\.status"))).to_be_visible()
    shot(page, "suggestions")
    page.keyboard.press("Escape")

    # A plain term searches level, message and data.
    search.fill("nope")
    search.press("Enter")
    expect(rows).to_have_count(1)
    search.fill("127.0.0.1")
    search.press("Enter")
    expect(rows).to_have_count(50)


def test_logs_page_in_dark_mode_and_narrow(
    signed_in: Callable[..., Page], admin: Admin, console: ConsoleErrors, shot: Callable[[Page, str], Path]
) -> None:
    _requests(admin)
    _wait_for_logs(admin, GUESTS, 5)
    page = signed_in(admin, "#/logs?superuserRequests=1")
    rows = page.locator("table.logs tbody tr.row")
    expect(rows.first).to_be_visible()
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    shot(page, "dark")
    page.set_viewport_size({"width": 560, "height": 700})
    expect(page.locator("svg[aria-label='Requests per hour']")).to_have_attribute("height", "100")
    shot(page, "narrow")


def test_copy_the_logs_list_as_an_sdk_call(signed_in: Callable[..., Page], admin: Admin) -> None:
    page = signed_in(admin, "#/logs?filter=data.status%20%3E%3D%20400")
    page.get_by_role("button", name="Copy as SDK call").click()
    page.get_by_role("menuitem", name="Copy as JS").click()
    expect(page.get_by_text("Copied the JS SDK call.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    # The list as it is loaded: the superusers preset, the filter, the first load's time bound.
    call = re.fullmatch(r'pb\.logs\.getList\(1, 50, \{ filter: "(.*)", sort: "-@rowid" \}\)', copied)
    assert call is not None, copied
    assert "data.auth!='_superusers'" in call.group(1)
    assert "data.status >= 400" in call.group(1)
    assert re.search(r'created <= \\"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', call.group(1))
    # The same filter answers through the API.
    sent = call.group(1).replace('\\"', '"')
    assert admin.api("GET", "/api/logs", params={"filter": sent}).status_code == 200
