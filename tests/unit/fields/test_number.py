"""`number` (data-model.md §4.2), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import NumberField
from tests.unit.fields.support import REQUIRED, api_value, settings_errors, value_error


def test_definition_json_has_null_bounds() -> None:
    assert NumberField(name="n").to_dict() == {
        "help": "",
        "hidden": False,
        "id": "number2013832146",
        "max": None,
        "min": None,
        "name": "n",
        "onlyInt": False,
        "presentable": False,
        "required": False,
        "system": False,
        "type": "number",
    }
    assert NumberField(name="n", min=5.0, max=1.5).to_dict()["min"] == 5
    assert NumberField(name="n", min=5.0, max=1.5).to_dict()["max"] == 1.5


def test_column_and_storage() -> None:
    field = NumberField(name="n")
    assert (field.column_definition(), field.zero_value(), field.from_db("2.5"), field.from_db(None)) == (
        "NUMERIC DEFAULT 0 NOT NULL",
        0.0,
        2.5,
        0.0,
    )


@pytest.mark.parametrize(
    ("raw", "api"),
    [
        ("42", 42),
        ("abc", 0),
        (" 42 ", 0),
        ("1_000", 1000),
        (True, 1),
        (None, 0),
        (1.5, 1.5),
        (9007199254740993, 9007199254740992),
    ],
)
def test_casts(raw: Any, api: float) -> None:
    assert api_value(NumberField(name="n"), raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (NumberField(name="n", required=True), 0, REQUIRED),
        (NumberField(name="n", min=5, onlyInt=True), 0, None),  # NB: 0 skips min, max and onlyInt
        (
            NumberField(name="n"),
            "NaN",
            {"code": "validation_not_a_number", "message": "The submitted number is not properly formatted."},
        ),
        (
            NumberField(name="n"),
            "-Inf",
            {"code": "validation_not_a_number", "message": "The submitted number is not properly formatted."},
        ),
        (
            NumberField(name="n", onlyInt=True),
            1.5,
            {"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."},
        ),
        (
            NumberField(name="n", min=1000000),
            5,
            {
                "code": "validation_min_number_constraint",
                "message": "Must be greater or equal than 1e+06.",
                "params": {"min": 1000000},
            },
        ),
        (
            NumberField(name="n", max=1.5e-7),
            1,
            {
                "code": "validation_max_number_constraint",
                "message": "Must be less or equal than 1.5e-07.",
                "params": {"max": 1.5e-7},
            },
        ),
        (
            NumberField(name="n", min=123456),
            5,
            {
                "code": "validation_min_number_constraint",
                "message": "Must be greater or equal than 123456.",
                "params": {"min": 123456},
            },
        ),
        (NumberField(name="n", min=-1, max=1), -1, None),
    ],
)
def test_value_validation(field: NumberField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_settings_bounds() -> None:
    only_int = {"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."}
    assert settings_errors(NumberField(name="n", min=1.5, onlyInt=True)) == {"min": only_int}
    assert settings_errors(NumberField(name="n", min=5, max=1.5, onlyInt=True)) == {"max": only_int}
    assert settings_errors(NumberField(name="n", min=5, max=1)) == {
        "max": {
            "code": "validation_min_number_constraint",
            "message": "Must be greater or equal than 5.",
            "params": {"min": 5},
        }
    }
    assert settings_errors(NumberField(name="n", min=1.5, max=1.5)) == {}
