"""`password` (data-model.md §4.12), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import PasswordField, PasswordValue
from tests.unit.fields.support import REQUIRED, settings_errors, value_error

RULES = PasswordField(name="p", min=5, max=8, pattern="^[a-z]+$")


def test_definition_json() -> None:
    assert PasswordField(name="p").to_dict() == {
        "cost": 0,
        "help": "",
        "hidden": False,
        "id": "password2181537457",
        "max": 0,
        "min": 0,
        "name": "p",
        "pattern": "",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "password",
    }


def test_the_plain_value_is_cast_and_never_serialized() -> None:
    field = PasswordField(name="p")
    assert (field.normalize(True).plain, field.normalize(None).plain, field.to_api(field.normalize("x"))) == (
        "true",
        "",
        "",
    )


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (PasswordField(name="p", required=True), "", REQUIRED),
        (PasswordField(name="p", required=True), PasswordValue(hash="$2a$10$x"), None),
        # NB: unlike text, the length errors have no params
        (
            RULES,
            "abc",
            {"code": "validation_min_text_constraint", "message": "Must be at least 5 character(s)."},
        ),
        (RULES, 5, {"code": "validation_min_text_constraint", "message": "Must be at least 5 character(s)."}),
        (
            RULES,
            "abcdefghij",
            {"code": "validation_max_text_constraint", "message": "Must be less than 8 character(s)."},
        ),
        (RULES, "ABCDEF", {"code": "validation_invalid_format", "message": "Invalid value format."}),
        (RULES, "abcdef", None),
        (
            PasswordField(name="p"),
            "x" * 72,
            {"code": "validation_max_text_constraint", "message": "Must be less than 71 character(s)."},
        ),
    ],
)
def test_value_validation(field: PasswordField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def threshold(code: str, word: str, value: int) -> dict[str, Any]:
    return {"code": code, "message": f"Must be no {word} than {value}.", "params": {"threshold": value}}


def test_settings_ranges() -> None:
    less, greater = "validation_min_greater_equal_than_required", "validation_max_less_equal_than_required"
    assert settings_errors(PasswordField(name="p", min=0, max=99, cost=50)) == {
        "cost": threshold(greater, "greater", 31),
        "max": threshold(greater, "greater", 71),
    }
    assert settings_errors(PasswordField(name="p", min=72, max=5, cost=3)) == {
        "cost": threshold(less, "less", 4),
        "max": threshold(less, "less", 72),
        "min": threshold(greater, "greater", 71),
    }
    assert settings_errors(PasswordField(name="p", min=-1, pattern="(a")) == {
        "min": threshold(less, "less", 1),
        "pattern": {
            "code": "validation_invalid_regex",
            "message": "Error parsing regexp: missing closing ): `(a`.",
        },
    }
