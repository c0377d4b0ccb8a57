"""`json` (data-model.md §4.11), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import JSONField
from tests.unit.fields.support import REQUIRED, api_value, settings_errors, value_error

INVALID = {"code": "validation_invalid_json", "message": "Must be a valid json value."}


def test_definition_json_and_column() -> None:
    field = JSONField(name="j")
    assert field.column_definition() == "JSON DEFAULT NULL"
    assert field.to_dict() == {
        "help": "",
        "hidden": False,
        "id": "json2137352139",
        "maxSize": 0,
        "name": "j",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "json",
    }


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("", '""'),
        ('""', '""'),
        ("null", "null"),
        ("true", "true"),
        ("123", "123"),
        ("-1.50", "-1.50"),
        ("[1,  2]", "[1,  2]"),  # valid JSON text is kept verbatim
        ('{"b":1, "a":2}', '{"b":1, "a":2}'),
        ("{bad", '"{bad"'),
        ("  [1]", '"  [1]"'),
        ("01", '"01"'),
        ("a\tb\u2028", '"a\\tb\\u2028"'),
        (None, None),
        ({"b": 1, "a": "<&>"}, '{"a":"\\u003c\\u0026\\u003e","b":1}'),
        ([1.0, "é"], '[1,"é"]'),
        (1e21, "1e+21"),
        (12345678901234567890, "12345678901234567000"),
    ],
)
def test_storage(raw: Any, stored: str | None) -> None:
    field = JSONField(name="j")
    assert field.to_db(field.normalize(raw)) == stored


@pytest.mark.parametrize(
    ("raw", "api"),
    [
        ("", ""),
        ("123", 123),
        ("{bad", "{bad"),
        ("null", None),
        (None, None),
        ({"b": 1, "a": 2}, {"a": 2, "b": 1}),
    ],
)
def test_api_values(raw: Any, api: Any) -> None:
    assert api_value(JSONField(name="j"), raw) == api


def test_stored_values_load_back() -> None:
    field = JSONField(name="j")
    assert (field.to_api(field.from_db('{"a":[1]}')), field.to_api(field.from_db(None))) == ({"a": [1]}, None)


@pytest.mark.parametrize(
    ("column", "raw"),
    [
        ("a,b", b'"a,b"'),
        ("123", b"123"),
        ("", b'""'),
        (" [1]", b'" [1]"'),
        ('{"top":5}', b'{"top":5}'),
        (99999999999999999, b"99999999999999999"),
        (1.5, b"1.5"),
        (5.0, b"5"),
        (1234567.0, b"1.234567e+06"),
        (float("inf"), b'"+Inf"'),
        (b"[1]", b"[1]"),
    ],
)
def test_computed_columns_load_as_pocketbase_reads_them(column: Any, raw: bytes) -> None:
    """A view's computed column goes through the input rules as Go's database/sql prints it."""
    assert JSONField(name="j").from_db(column) == raw


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (JSONField(name="j", required=True), '""', REQUIRED),
        (JSONField(name="j", required=True), "[]", REQUIRED),
        (JSONField(name="j", required=True), {}, REQUIRED),
        (JSONField(name="j", required=True), None, REQUIRED),
        (JSONField(name="j", required=True), "null", REQUIRED),
        (JSONField(name="j", required=True), "[ ]", None),
        (JSONField(name="j", required=True), 0, None),
        (
            JSONField(name="j", maxSize=2, required=True),
            "null",  # the size is checked first
            {
                "code": "validation_json_size_limit",
                "message": "The maximum allowed JSON size is 2 bytes.",
                "params": {"maxSize": 2},
            },
        ),
        (JSONField(name="j"), "abc\x01", INVALID),  # Go's quoting writes \x01, which isn't JSON
        (JSONField(name="j"), "x\vy", INVALID),
        (JSONField(name="j"), "1e400", INVALID),
        (JSONField(name="j"), '{"a":1,"a":2}', INVALID),
        (JSONField(name="j"), "1e308", None),
    ],
)
def test_value_validation(field: JSONField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_max_size_settings() -> None:
    assert settings_errors(JSONField(name="j", maxSize=2**53)) == {
        "maxSize": {
            "code": "validation_max_less_equal_than_required",
            "message": "Must be no greater than 9007199254740991.",
            "params": {"threshold": 9007199254740991},
        }
    }
