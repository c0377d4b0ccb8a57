"""`file` (data-model.md §4.10): what can be checked without storage, against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import FileField
from tests.unit.fields.support import REQUIRED, api_value, codes, value_error


def test_definition_json() -> None:
    assert FileField(name="f").to_dict() == {
        "help": "",
        "hidden": False,
        "id": "file1993550816",
        "maxSelect": 0,
        "maxSize": 0,
        "mimeTypes": [],
        "name": "f",
        "presentable": False,
        "protected": False,
        "required": False,
        "system": False,
        "thumbs": [],
        "type": "file",
    }


@pytest.mark.parametrize(
    ("field", "raw", "api"),
    [
        (FileField(name="f"), ["a.png", "b.png"], "b.png"),
        (FileField(name="f"), None, ""),
        (FileField(name="f", maxSelect=2), ["a.png", "a.png"], ["a.png"]),
        (FileField(name="f", maxSelect=2), "", []),
    ],
)
def test_casts(field: FileField, raw: Any, api: Any) -> None:
    assert api_value(field, raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (FileField(name="f", required=True), [], REQUIRED),
        (FileField(name="f", maxSelect=1), ["a.png", "b.png"], None),  # a single field keeps the last
        (
            FileField(name="f", maxSelect=2),
            '["a.png", "b.png", "c.png"]',
            {
                "code": "validation_too_many_files",
                "message": "The maximum allowed files is 2.",
                "params": {"maxSelect": 2},
            },
        ),
    ],
)
def test_value_validation(field: FileField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_settings() -> None:
    field = FileField(
        name="f",
        maxSelect=-1,
        maxSize=-1,
        thumbs=["0x0", "abc", "100x50t", "0x0f", "10x", "100x50\n", "0x10"],
    )
    assert codes(field) == {
        "maxSelect": "validation_min_greater_equal_than_required",
        "maxSize": "validation_min_greater_equal_than_required",
        "thumbs": {
            "0": "validation_not_in_invalid",
            "1": "validation_match_invalid",
            "3": "validation_not_in_invalid",
            "4": "validation_match_invalid",
            "5": "validation_match_invalid",
        },
    }
