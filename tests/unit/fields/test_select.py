"""`select` (data-model.md §4.8), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import SelectField
from tests.unit.fields.support import REQUIRED, api_value, settings_errors, value_error

ONE = SelectField(name="s", values=["a", "b", "c", "1", "true"])
MANY = SelectField(name="s", values=["a", "b", "c", "1"], maxSelect=3)


def test_definition_json() -> None:
    assert SelectField(name="s", values=["x"]).to_dict() == {
        "help": "",
        "hidden": False,
        "id": "select453955339",
        "maxSelect": 0,
        "name": "s",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "select",
        "values": ["x"],
    }


@pytest.mark.parametrize(
    ("field", "raw", "api"),
    [
        (ONE, ["a", "b"], "b"),  # a single value keeps the last item
        (ONE, '["a","b"]', "b"),
        (ONE, [1], "1"),
        (ONE, True, "true"),
        (ONE, ["a", None, ""], "a"),
        (ONE, [["a"]], ""),
        (ONE, None, ""),
        (MANY, "a", ["a"]),
        (MANY, ["a", "b", "a"], ["a", "b"]),
        (MANY, '["b","a"]', ["b", "a"]),
        (MANY, [1, "a"], ["1", "a"]),
        (MANY, "[]", []),
        (MANY, None, []),
    ],
)
def test_casts(field: SelectField, raw: Any, api: Any) -> None:
    assert api_value(field, raw) == api


def invalid(value: str) -> dict[str, Any]:
    return {
        "code": "validation_invalid_value",
        "message": f"Invalid value {value}.",
        "params": {"value": value},
    }


def too_many(limit: int) -> dict[str, Any]:
    return {
        "code": "validation_too_many_values",
        "message": f"Select no more than {limit}.",
        "params": {"maxSelect": limit},
    }


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (SelectField(name="s", values=["a"], required=True), [], REQUIRED),
        (ONE, "z", invalid("z")),
        (ONE, "[a]", invalid("[a]")),
        (ONE, 1.5, invalid("1.5")),
        (ONE, '["a", 1]', too_many(1)),
        (MANY, "a,b", invalid("a,b")),
        (MANY, "[1,2]", invalid("[1,2]")),
        (MANY, ["a", "b", "c", "1"], too_many(3)),
        (MANY, ["a", "b", "c"], None),
    ],
)
def test_value_validation(field: SelectField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_settings() -> None:
    assert settings_errors(SelectField(name="s", values=[], maxSelect=2)) == {
        "maxSelect": {
            "code": "validation_max_less_equal_than_required",
            "message": "Must be no greater than 1.",
            "params": {"threshold": 1},
        },
        "values": REQUIRED,
    }
    assert settings_errors(SelectField(name="s", values=["a", "b"], maxSelect=-1)) == {
        "maxSelect": {
            "code": "validation_min_greater_equal_than_required",
            "message": "Must be no less than 0.",
            "params": {"threshold": 0},
        }
    }


def test_duplicate_and_empty_values_are_accepted_like_pocketbase() -> None:
    assert settings_errors(SelectField(name="s", values=["a", "a", ""], maxSelect=3)) == {}
