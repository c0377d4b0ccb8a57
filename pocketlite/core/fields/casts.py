"""Go's value casts as PocketBase applies them to submitted field values.

PocketBase decodes request bodies with Go's `encoding/json` (every JSON number is a float64) and
casts with `spf13/cast`; these functions reproduce the results for the values a decoded JSON body
(or a multipart form) can hold: None, bool, int, float, str, list and dict.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

import msgspec

__all__ = [
    "STRICT_JSON",
    "JSONValueError",
    "encode_json",
    "format_float",
    "format_float_v",
    "to_number",
    "to_text",
    "unique_strings",
]

# Go's `strconv.ParseFloat` hexadecimal form: the `p` exponent is mandatory.
_HEX_FLOAT_RE = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")

# Characters Go's JSON encoder escapes and msgspec writes as they are.
_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_GO_JSON_ESCAPES_RE = re.compile("[<>&\u2028\u2029]")


def format_float(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits, never an exponent
    (`1e21` → `1000000000000000000000`, `1e-7` → `0.0000001`, `-0.0` → `-0`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_float_v(value: float) -> str:
    """Go's `%v` of a float64, as message templates print numbers: the shortest digits, in
    exponent form below 1e-4 and from 1e6 on (`123456`, `1e+06`, `1.5e-07`)."""
    if math.isnan(value) or math.isinf(value) or value == 0:
        return format_float(value)
    _, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    power = len(digits) + exponent - 1
    if -4 <= power < 6:
        return format_float(value)
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return f"{'-' if value < 0 else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def to_text(raw: Any) -> str:
    """`cast.ToString`: null → "", bools → `true`/`false`, numbers as Go prints a float64;
    lists and objects can't be cast and become ""."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return format_float(_as_float64(raw))
    return ""


def to_number(raw: Any) -> float:
    """`cast.ToFloat64`: bools are 0/1, strings are parsed like Go's `strconv.ParseFloat`
    (anything it refuses, or that overflows, is 0), everything else is 0."""
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, int | float):
        return _as_float64(raw)
    if isinstance(raw, str):
        return _parse_float(raw)
    return 0.0


def _as_float64(value: int | float) -> float:
    # NB: a JSON integer is a float64 in PocketBase, so integers past 2^53 lose precision.
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _parse_float(text: str) -> float:
    if not text.isascii() or text != text.strip():
        return 0.0  # Python's float() would accept Unicode digits and surrounding spaces
    if _HEX_FLOAT_RE.fullmatch(text):
        try:
            return float.fromhex(text)
        except OverflowError:
            return 0.0
    lowered = text.lower()
    if lowered.lstrip("+-") == "nan" and lowered != "nan":
        return 0.0  # Go accepts only an unsigned NaN
    try:
        value = float(text)
    except ValueError:
        return 0.0
    if math.isinf(value) and "inf" not in lowered:
        return 0.0  # an overflow is ParseFloat's range error, which cast turns into 0
    return value


def unique_strings(raw: Any) -> list[str]:
    """PocketBase's `list.ToUniqueStringSlice`: the values of select, relation and file fields.

    A string containing `[` is decoded as a JSON array of strings; when that fails the string
    itself is kept as one more item (NB: so `'["a", 1]'` yields `["a", '["a", 1]']` and
    `'[1, "a"]'` yields `['[1, "a"]']`, as in PocketBase). Lists are cast item by item. Empty
    strings and duplicates are dropped.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        items = _string_list(raw) if "[" in raw else [raw]
    elif isinstance(raw, list | tuple):
        items = [to_text(item) for item in raw]
    else:
        items = [to_text(raw)]
    return list(dict.fromkeys(item for item in items if item))


def _string_list(text: str) -> list[str]:
    """Go's `json.Unmarshal` into `[]string` as PocketBase 0.40 runs it: decoding stops at the
    first item that isn't a string (null is ""), keeping the items before it, and the failure
    appends the raw text; a syntax error leaves only the raw text."""
    try:
        decoded = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return [text]
    if not isinstance(decoded, list):
        return [text]
    items: list[str] = []
    for item in decoded:
        if item is not None and not isinstance(item, str):
            return [*items, text]
        items.append(item or "")
    return items


def encode_json(value: Any) -> bytes:
    """Go's `json.Marshal` of a decoded JSON value: object keys sorted, numbers as float64
    (`1.0` → `1`, `1e21` → `1e+21`), and `<`, `>`, `&`, U+2028, U+2029 escaped."""
    return _encode(value).encode()


def _encode(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _json_float(_as_float64(value))
    if isinstance(value, str):
        encoded = msgspec.json.encode(value).decode()
        return _GO_JSON_ESCAPES_RE.sub(lambda m: _GO_JSON_ESCAPES[m.group(0)], encoded)
    if isinstance(value, dict):
        members = (f"{_encode(str(k))}:{_encode(v)}" for k, v in sorted(value.items()))
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    return _encode(msgspec.to_builtins(value))


def _json_float(value: float) -> str:
    """Go's JSON float64: `%f`-style digits, exponent form below 1e-6 and from 1e21 on, with
    the exponent's leading zero dropped (`1e-7`, not `1e-07`)."""
    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"json: unsupported value: {format_float(value)}")
    magnitude = abs(value)
    if magnitude == 0 or 1e-6 <= magnitude < 1e21:
        return format_float(value)
    return re.sub(r"e([+-])0(\d)$", r"e\1\2", repr(value))


class JSONValueError(ValueError):
    """JSON that Go's decoder (as PocketBase 0.40 runs it) refuses beyond syntax errors."""


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise JSONValueError("duplicate object member name")
    return dict(pairs)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONValueError(f"number {text} out of range")
    return value


def _finite_int(text: str) -> int:
    value = int(text)
    _finite_float(str(_as_float64(value)))
    return value


def _no_constant(name: str) -> Any:
    raise JSONValueError(f"invalid character {name!r}")


# NB: stricter than syntax: PocketBase's decoder refuses duplicated object member names and
# numbers beyond a float64 (`1e400`); NaN/Infinity aren't JSON.
STRICT_JSON = json.JSONDecoder(
    object_pairs_hook=_unique_members,
    parse_float=_finite_float,
    parse_int=_finite_int,
    parse_constant=_no_constant,
)
