"""`editor` (data-model.md §4.5), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import EditorField
from tests.unit.fields.support import REQUIRED, api_value, settings_errors, value_error


def test_definition_json() -> None:
    assert EditorField(name="ed").to_dict() == {
        "convertURLs": False,
        "help": "",
        "hidden": False,
        "id": "editor327952476",
        "maxSize": 0,
        "name": "ed",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "editor",
    }


@pytest.mark.parametrize(
    ("raw", "api"),
    [(5, "5"), (1.5, "1.5"), (True, "true"), (None, ""), (["a"], ""), ("<p>x</p>", "<p>x</p>")],
)
def test_casts(raw: Any, api: str) -> None:
    assert api_value(EditorField(name="ed"), raw) == api


def size_limit(limit: int) -> dict[str, Any]:
    return {
        "code": "validation_content_size_limit",
        "message": f"The maximum allowed content size is {limit} bytes.",
        "params": {"maxSize": limit},
    }


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (EditorField(name="ed", required=True), "", REQUIRED),
        (EditorField(name="ed", maxSize=3), "abcd", size_limit(3)),
        (EditorField(name="ed", maxSize=3), "éé", size_limit(3)),  # bytes of UTF-8
        (EditorField(name="ed", maxSize=3), "abc", None),
        (EditorField(name="ed"), "x" * (5 << 20), None),
        (EditorField(name="ed"), "x" * ((5 << 20) + 1), size_limit(5242880)),
    ],
)
def test_value_validation(field: EditorField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_max_size_settings() -> None:
    assert settings_errors(EditorField(name="ed", maxSize=-1)) == {
        "maxSize": {
            "code": "validation_min_greater_equal_than_required",
            "message": "Must be no less than 0.",
            "params": {"threshold": 0},
        }
    }
