"""`date` (data-model.md §4.6), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import DateField
from tests.unit.fields.support import REQUIRED, api_value, settings_errors, value_error


def test_definition_json_prints_the_bounds_normalized() -> None:
    assert DateField(name="d", min="2024-01-02", max="garbage").to_dict() == {
        "help": "",
        "hidden": False,
        "id": "date2564639436",
        "max": "",
        "min": "2024-01-02 00:00:00.000Z",
        "name": "d",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "date",
    }


@pytest.mark.parametrize(
    ("raw", "api"),
    [
        ("2024-05-06T07:08:09+02:00", "2024-05-06 05:08:09.000Z"),
        ("2024-05-06", "2024-05-06 00:00:00.000Z"),
        ("06 May 24 10:00 UTC", "2024-05-06 10:00:00.000Z"),
        ("2024-05-06 10:00", ""),
        ("garbage", ""),
        (1700000000, ""),
        (True, ""),
        (None, ""),
    ],
)
def test_casts_silently_empty_what_they_cant_read(raw: Any, api: str) -> None:
    assert api_value(DateField(name="d"), raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (DateField(name="d", required=True), "", REQUIRED),
        (DateField(name="d", required=True), "garbage", REQUIRED),
        (
            DateField(name="d", min="2024-01-01"),
            "2023-12-31",
            {
                "code": "validation_min_greater_equal_than_required",
                "message": "Must be no less than 2024-01-01 00:00:00 +0000 UTC.",
                "params": {"threshold": "2024-01-01T00:00:00Z"},
            },
        ),
        (
            DateField(name="d", max="2024-01-01 10:00:00.5Z"),
            "2024-01-02",
            {
                "code": "validation_max_less_equal_than_required",
                "message": "Must be no greater than 2024-01-01 10:00:00.5 +0000 UTC.",
                "params": {"threshold": "2024-01-01T10:00:00.5Z"},
            },
        ),
        (DateField(name="d", min="2024-01-01", max="2024-12-31"), "2024-01-01", None),
    ],
)
def test_value_validation(field: DateField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_a_min_after_max_is_accepted_like_pocketbase() -> None:
    assert settings_errors(DateField(name="d", min="2024-02-01", max="2024-01-01")) == {}
