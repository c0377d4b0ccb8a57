"""Go's casts of submitted values (spf13/cast, strconv, encoding/json), checked against
PocketBase 0.40.6 with records of each field type."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pocketlite.core.fields.casts import (
    encode_json,
    format_float,
    format_float_v,
    to_number,
    to_text,
    unique_strings,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, ""),
        ("as is", "as is"),
        (True, "true"),
        (False, "false"),
        (5, "5"),
        (12.0, "12"),
        (1.5, "1.5"),
        (-0.0, "-0"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (123456789.123, "123456789.123"),
        (9007199254740993, "9007199254740992"),  # a JSON number is a float64
        ([1], ""),
        ({"a": 1}, ""),
    ],
)
def test_to_text(raw: Any, text: str) -> None:
    assert to_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("42", 42.0),
        ("1e3", 1000.0),
        ("1_000", 1000.0),
        ("+5", 5.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("0x1p-2", 0.25),
        ("0X1P2", 4.0),
        (" 42 ", 0.0),
        ("0x10", 0.0),
        ("1__000", 0.0),
        ("abc", 0.0),
        ("", 0.0),
        ("١٢", 0.0),
        ("+nan", 0.0),
        ("1e400", 0.0),
        ("1e-400", 0.0),
        (True, 1.0),
        (False, 0.0),
        (None, 0.0),
        ([5], 0.0),
        (1.5, 1.5),
    ],
)
def test_to_number(raw: Any, number: float) -> None:
    assert to_number(raw) == number


@pytest.mark.parametrize("raw", ["NaN", "nan", "Inf", "-inf", "infinity", "-Infinity"])
def test_go_parses_nan_and_infinities(raw: str) -> None:
    assert not math.isfinite(to_number(raw))


@pytest.mark.parametrize(
    ("raw", "items"),
    [
        (None, []),
        ("", []),
        ("a", ["a"]),
        (["a", "b", "a", "", None], ["a", "b"]),
        ([1, 1.5, True], ["1", "1.5", "true"]),
        ([["a"], {"a": 1}], []),
        (1, ["1"]),
        ({"a": 1}, []),
        ('["b","a"]', ["b", "a"]),
        (' ["a"]', ["a"]),
        ("[a]", ["[a]"]),
        ("a,b", ["a,b"]),
        ("[]", []),
        ("[null]", []),
        ('["a", 1]', ["a", '["a", 1]']),
        ('[1, "a"]', ['[1, "a"]']),
        ('["a", null, "b"]', ["a", "b"]),
        ("[1,2]", ["[1,2]"]),
        ('"["', ['"["']),
    ],
)
def test_unique_strings(raw: Any, items: list[str]) -> None:
    assert unique_strings(raw) == items


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ({"b": 1, "a": [1.0, "é"]}, b'{"a":[1,"\xc3\xa9"],"b":1}'),
        ("<&>\u2028", b'"\\u003c\\u0026\\u003e\\u2028"'),
        (1e21, b"1e+21"),
        (1.5e-7, b"1.5e-7"),
        (12345678901234567890, b"12345678901234567000"),
        (None, b"null"),
        ([True, False], b"[true,false]"),
    ],
)
def test_encode_json_as_go(value: Any, encoded: bytes) -> None:
    assert encode_json(value) == encoded


@pytest.mark.parametrize(
    ("value", "f", "v"),
    [
        (5.0, "5", "5"),
        (123456.0, "123456", "123456"),
        (1e6, "1000000", "1e+06"),
        (0.0001, "0.0001", "0.0001"),
        (1e-5, "0.00001", "1e-05"),
        (1.5e-7, "0.00000015", "1.5e-07"),
        (-1e21, "-1000000000000000000000", "-1e+21"),
    ],
)
def test_float_formats(value: float, f: str, v: str) -> None:
    assert (format_float(value), format_float_v(value)) == (f, v)
