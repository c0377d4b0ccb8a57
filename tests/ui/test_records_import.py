"""Records in and out of a collection through the dashboard: a 1,000-row CSV imported through
`/api/batch` (columns matched by name, one skipped), a CSV with invalid rows (each error listed
with its row, the valid rows imported, also with batch requests off), and the filtered list
exported as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Admin, ConsoleErrors

pytestmark = pytest.mark.xdist_group("browser")

FIELDS = [
    {"name": "name", "type": "text", "required": True},
    {"name": "age", "type": "number"},
    {"name": "active", "type": "bool"},
    {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
    {"name": "email", "type": "email"},
    {"name": "meta", "type": "json"},
]


def _people(admin: Admin, batch: bool = True) -> None:
    admin.api("POST", "/api/collections", json={"name": "people", "fields": FIELDS}).raise_for_status()
    settings = {"batch": {"enabled": batch, "maxRequests": 50, "timeout": 10}}
    admin.api("PATCH", "/api/settings", json=settings).raise_for_status()


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _records(admin: Admin, query: str = "") -> list[dict[str, object]]:
    found = admin.api("GET", f"/api/collections/people/records?perPage=1000&sort=age,name{query}")
    found.raise_for_status()
    items: list[dict[str, object]] = found.json()["items"]
    return items


def _import(page: Page, path: Path) -> Page:
    page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.get_by_role("dialog", name="Import people records")
    dialog.get_by_label("CSV or JSON file").set_input_files(path)
    return page


def test_import_a_thousand_rows(
    signed_in: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    _people(admin)
    rows: list[list[object]] = [
        [
            f"Person {i:04d}",
            i % 100,
            "true" if i % 2 else "false",
            '["a","c"]' if i % 5 == 0 else "b",
            f"p{i}@example.com",
            json.dumps({"i": i}),
            "x",
        ]
        for i in range(1, 1001)
    ]
    path = _csv(tmp_path / "people.csv", ["name", "Age", "active", "tags", "email", "meta", "notes"], rows)
    page = signed_in(admin, "#/collections?collection=people")
    page.get_by_text("No records found.").wait_for()
    _import(page, path)
    dialog = page.get_by_role("dialog", name="Import people records")
    expect(dialog).to_contain_text("people.csv · 1000 rows, 7 columns")
    # Matched by name (ignoring case); a column with no field is skipped.
    expect(dialog.get_by_label("Field for column Age")).to_have_value("age")
    expect(dialog.get_by_label("Field for column notes")).to_have_value("")
    preview = dialog.locator("table.preview tbody tr")
    expect(preview).to_have_count(5)
    expect(preview.first).to_contain_text("Person 0001")
    shot(page, "mapping")

    dialog.get_by_role("button", name="Import 1000 records").click()
    expect(dialog.get_by_text("Imported 1000 of 1000 records.")).to_be_visible(timeout=60_000)
    shot(page, "imported")
    dialog.get_by_role("button", name="Close", exact=True).last.click()
    expect(page.get_by_text("Total: 1000")).to_be_visible()

    # A JSON array imports the same way, its values typed already.
    objects = [
        {"name": "Json 1", "age": 7, "active": True, "tags": ["a", "b"], "meta": {"k": [1, 2]}},
        {"name": "Json 2"},
    ]
    (tmp_path / "more.json").write_text(json.dumps(objects))
    _import(page, tmp_path / "more.json")
    expect(dialog).to_contain_text("more.json · 2 rows, 5 columns")
    dialog.get_by_role("button", name="Import 2 records").click()
    expect(dialog.get_by_text("Imported 2 of 2 records.")).to_be_visible()
    dialog.get_by_role("button", name="Close", exact=True).last.click()
    expect(page.get_by_text("Total: 1002")).to_be_visible()
    imported = _records(admin, "&filter=name~'Json'")
    assert [(r["name"], r["age"], r["active"], r["tags"], r["meta"]) for r in imported] == [
        ("Json 2", 0, False, [], None),
        ("Json 1", 7, True, ["a", "b"], {"k": [1, 2]}),
    ]

    records = _records(admin, "&filter=name~'Person'")
    assert len(records) == 1000
    by_name = {record["name"]: record for record in records}
    first, fifth = by_name["Person 0001"], by_name["Person 0005"]
    assert (first["age"], first["active"], first["tags"], first["email"], first["meta"]) == (
        1,
        True,
        ["b"],
        "p1@example.com",
        {"i": 1},
    )
    assert (fifth["active"], fifth["tags"]) == (True, ["a", "c"])
    assert by_name["Person 1000"]["age"] == 0
    assert "notes" not in first


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_import_with_invalid_rows(
    signed_in: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
    batch: bool,
) -> None:
    _people(admin, batch=batch)
    rows: list[list[object]] = [[f"Row {i}", i, "yes", "a", f"r{i}@example.com"] for i in range(1, 11)]
    rows[2][1] = "abc"  # row 3: not a number (caught before sending)
    rows[4][0] = ""  # row 5: the name is required
    rows[7][4] = "not-an-email"  # row 8
    rows[8][3] = "z"  # row 9: not one of the values
    path = _csv(tmp_path / "bad.csv", ["name", "age", "active", "tags", "email"], rows)
    page = signed_in(admin, "#/collections?collection=people")
    page.get_by_text("No records found.").wait_for()
    _import(page, path)
    dialog = page.get_by_role("dialog", name="Import people records")
    expect(dialog.locator("table.preview td.invalid")).to_have_text(["Must be a number."])
    dialog.get_by_role("button", name="Import 10 records").click()
    expect(dialog.get_by_text("Imported 6 of 10 records. 4 rows failed.")).to_be_visible()
    errors = dialog.locator("section", has=page.get_by_role("heading", name="Errors")).locator("tbody tr")
    assert [re.sub(r"\s+", " ", text).strip() for text in errors.all_inner_texts()] == [
        "3 age Must be a number.",
        "5 name Cannot be blank.",
        "8 email Must be a valid email address.",
        "9 tags Invalid value z.",
    ]
    if not batch:
        expect(dialog).to_contain_text("Batch requests are disabled")
    console.expect("status of 400")
    shot(page, "errors")
    with page.expect_download() as got:
        dialog.get_by_role("button", name="Download errors (CSV)").click()
    assert got.value.suggested_filename == "people_import_errors.csv"
    assert got.value.path().read_text().splitlines()[1] == "3,age,Must be a number."
    dialog.get_by_role("button", name="Close", exact=True).last.click()
    expect(page.locator("table.records tbody tr.row")).to_have_count(6)
    assert sorted(str(record["name"]) for record in _records(admin)) == [
        f"Row {i}" for i in (1, 10, 2, 4, 6, 7)
    ]


def test_export_the_filtered_list(
    signed_in: Callable[..., Page],
    admin: Admin,
    console: ConsoleErrors,
    shot: Callable[[Page, str], Path],
) -> None:
    _people(admin)
    batch = [
        {
            "method": "POST",
            "url": "/api/collections/people/records",
            "body": {
                "name": f"P{i:04d}",
                "age": i % 100,
                "tags": ["a", "b"] if i % 2 else [],
                "meta": {"i": i},
            },
        }
        for i in range(1, 1201)
    ]
    admin.api("PATCH", "/api/settings", json={"batch": {"enabled": True, "maxRequests": 400, "timeout": 30}})
    for at in range(0, 1200, 400):
        admin.api("POST", "/api/batch", json={"requests": batch[at : at + 400]}).raise_for_status()

    page = signed_in(admin, "#/collections?collection=people&filter=age%20%3D%2042&sort=name")
    expect(page.get_by_text("Total: 12")).to_be_visible()

    page.get_by_role("button", name="Export").click()
    with page.expect_download() as got:
        page.get_by_role("menuitem", name="Export as CSV").click()
    download = got.value
    assert download.suggested_filename == "people_records.csv"
    exported = list(csv.DictReader(io.StringIO(download.path().read_text())))
    assert [row["name"] for row in exported] == [f"P{i:04d}" for i in range(42, 1201, 100)]
    assert exported[0]["age"] == "42"
    assert exported[0]["tags"] == ""
    assert json.loads(exported[1]["meta"]) == {"i": 142}
    assert set(exported[0]) == {"id", "name", "age", "active", "tags", "email", "meta"}
    expect(page.get_by_text("Exported 12 records.")).to_be_visible()

    # All 1,200 as JSON: more than one request of 1,000.
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.get_by_text("Total: 1200")).to_be_visible()
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as got:
        page.get_by_role("menuitem", name="Export as JSON").click()
    records = json.loads(got.value.path().read_text())
    assert len(records) == 1200
    assert [record["name"] for record in records[:2]] == ["P0001", "P0002"]  # sorted by name
    assert records[0]["tags"] == ["a", "b"]
    assert records[0]["meta"] == {"i": 1}
    assert "expand" not in records[0] and "collectionId" not in records[0]
