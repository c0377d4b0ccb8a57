"""`text` (data-model.md §4.1), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import TextField
from tests.unit.fields.support import REQUIRED, api_value, codes, owner_of, settings_errors, value_error


def test_definition_json() -> None:
    assert TextField(name="t").to_dict() == {
        "autogeneratePattern": "",
        "help": "",
        "hidden": False,
        "id": "text2238339752",
        "max": 0,
        "min": 0,
        "name": "t",
        "pattern": "",
        "presentable": False,
        "primaryKey": False,
        "required": False,
        "system": False,
        "type": "text",
    }


def test_columns() -> None:
    assert (
        TextField(name="t").column_definition(),
        TextField(name="id", primaryKey=True).column_definition(),
    ) == (
        "TEXT DEFAULT '' NOT NULL",
        "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL",
    )


@pytest.mark.parametrize(
    ("raw", "api"),
    [(None, ""), (5, "5"), (1.5, "1.5"), (True, "true"), (-0.0, "-0"), (1e-7, "0.0000001"), ([1], "")],
)
def test_casts(raw: Any, api: str) -> None:
    assert api_value(TextField(name="t"), raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (TextField(name="t", required=True), "", REQUIRED),
        (TextField(name="t", min=5), "", None),
        (
            TextField(name="t", min=2),
            "a",
            {
                "code": "validation_min_text_constraint",
                "message": "Must be at least 2 character(s).",
                "params": {"min": 2},
            },
        ),
        (TextField(name="t", min=2), "ñ" * 2, None),  # characters, not bytes
        (
            TextField(name="t"),
            "x" * 5001,
            {
                "code": "validation_max_text_constraint",
                "message": "Must be no more than 5000 character(s).",
                "params": {"max": 5000},
            },
        ),
        (
            TextField(name="t", pattern="^[a-z]+$"),
            "ab\n",
            {"code": "validation_invalid_format", "message": "Invalid value format."},
        ),
        (TextField(name="t", pattern="^[a-z]+$"), "ab", None),
    ],
)
def test_value_validation(field: TextField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


CUSTOM_ID = TextField(name="id", primaryKey=True, required=True, pattern="^.+$")


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", REQUIRED),
        (
            "a/b",
            {
                "code": "validation_forbidden_pk_character",
                "message": "'/' is not a valid primary key character.",
                "params": {"ch": "/"},
            },
        ),
        (
            "com1",
            {
                "code": "validation_reserved_pk",
                "message": "The primary key 'COM1' is reserved and cannot be used.",
                "params": {"reserved": "COM1"},
            },
        ),
        ("com10", None),
    ],
)
def test_custom_primary_keys(raw: str, error: dict[str, Any] | None) -> None:
    assert value_error(CUSTOM_ID, raw) == error


def test_the_default_id_pattern_skips_the_primary_key_character_checks() -> None:
    assert value_error(TextField(name="id", primaryKey=True, pattern="^[a-z.]+$"), "a.b") == {
        "code": "validation_forbidden_pk_character",
        "message": "'.' is not a valid primary key character.",
        "params": {"ch": "."},
    }
    assert value_error(TextField(name="id", primaryKey=True, pattern="^[a-z0-9]+$"), "con") is None


def test_length_settings() -> None:
    assert settings_errors(TextField(name="t", min=-1, max=-2)) == {
        "max": {
            "code": "validation_min_greater_equal_than_required",
            "message": "Must be no less than -1.",
            "params": {"threshold": -1},
        },
        "min": {
            "code": "validation_min_greater_equal_than_required",
            "message": "Must be no less than 0.",
            "params": {"threshold": 0},
        },
    }
    assert settings_errors(TextField(name="t", max=2**53)) == {
        "max": {
            "code": "validation_max_less_equal_than_required",
            "message": "Must be no greater than 9007199254740991.",
            "params": {"threshold": 9007199254740991},
        }
    }


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?<=x)", "Error parsing regexp: invalid named capture: `(?<=x)`."),
        ("(a", "Error parsing regexp: missing closing ): `(a`."),
        ("a**", "Error parsing regexp: invalid nested repetition operator: `**`."),
        ("\\1", "Error parsing regexp: invalid escape sequence: `\\1`."),
    ],
)
def test_patterns_must_compile_in_go(pattern: str, message: str) -> None:
    expected = {"code": "validation_invalid_regex", "message": message}
    assert settings_errors(TextField(name="t", pattern=pattern)) == {"pattern": expected}
    assert settings_errors(TextField(name="t", autogeneratePattern=pattern)) == {
        "autogeneratePattern": expected
    }


def test_an_autogenerate_pattern_must_produce_valid_values() -> None:
    found = settings_errors(TextField(name="t", max=3, autogeneratePattern="[a-z]{5}"))["autogeneratePattern"]
    assert found["code"] == "validation_invalid_autogenerate_pattern_value"
    assert found["message"].startswith(
        "The provided autogenerate pattern could produce invalid field values, ex.: "
    )


def test_a_primary_key_is_named_id_required_visible_patterned_and_alone() -> None:
    key = TextField(name="key", primaryKey=True, hidden=True)
    assert codes(key, owner_of(key)) == {
        "name": "validation_in_invalid",
        "primaryKey": "validation_unsupported_composite_pk",
        "hidden": "validation_empty",
        "required": "validation_required",
        "pattern": "validation_required",
    }
    assert settings_errors(key, owner_of(key))["name"]["message"] == 'The primary key must be named "id".'
