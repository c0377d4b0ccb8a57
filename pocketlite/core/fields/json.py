"""`json`: any JSON value, kept as its encoding in a JSON column (NULL for null)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    Field,
    FindCollection,
    SettingsErrors,
    count_error,
    register,
    required_error,
)
from pocketlite.core.fields.casts import STRICT_JSON, encode_json, format_float_v

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["JSONField", "JSONRaw"]

DEFAULT_MAX_SIZE = 1 << 20
_JSON_START = tuple('0123456789-"[{')
# Encodings `required` treats as empty (after trimming white space).
_EMPTY = (b"", b"null", b'""', b"[]", b"{}")
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


class JSONRaw(bytes):
    """An encoded JSON value (empty for null); what the field holds between load and save."""


def _is_json(data: bytes) -> bool:
    """Valid JSON syntax (what decides whether string input is kept verbatim)."""
    try:
        msgspec.json.decode(data, type=msgspec.Raw)
    except msgspec.DecodeError:
        return False
    return True


def _is_valid_value(data: bytes) -> bool:
    """What the value check accepts. NB: stricter than `_is_json`, so `{"a":1,"a":2}` and `1e400`
    are kept verbatim and then refused, as in PocketBase."""
    try:
        STRICT_JSON.decode(data.decode())
    except ValueError:
        return False
    return True


def _go_quote(text: str) -> str:
    """Go's `strconv.Quote`. NB: its escapes aren't all JSON (`\\x01`, `\\v`), so such strings
    fail the field's JSON check, as in PocketBase."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _from_string(text: str) -> JSONRaw:
    """PocketBase's string input rules: `null`, `true`, `false`, and valid JSON starting like a
    number, string, array or object are kept verbatim (spaces and key order included); anything
    else is quoted into a JSON string."""
    data = text.encode()
    if text in ("null", "true", "false") or (text.startswith(_JSON_START) and _is_json(data)):
        return JSONRaw(data)
    return JSONRaw(_go_quote(text).encode())


@register
class JSONField(Field, kw_only=True):
    """Options: `maxSize` in bytes of the encoded value (0 = 1 MiB)."""

    type = "json"

    help: str = ""
    maxSize: int = 0
    required: bool = False

    def column_definition(self) -> str:
        return "JSON DEFAULT NULL"

    def zero_value(self) -> JSONRaw:
        return JSONRaw(b"")

    def normalize(self, raw: Any) -> JSONRaw:
        if isinstance(raw, JSONRaw):
            return raw
        if raw is None:
            return JSONRaw(b"")
        if isinstance(raw, str):
            return _from_string(raw)
        # NB: objects are re-encoded with sorted keys, as Go's encoding of maps does.
        return JSONRaw(encode_json(raw))

    def from_db(self, raw: Any) -> JSONRaw:
        """NB: PocketBase scans every column as a string and reads it through its input rules, so
        a view's computed text `a,b` shows as the string "a,b", text `12` as the number 12, and
        a REAL as Go formats it (`1e+06`, `+Inf` as a string)."""
        if raw is None:
            return JSONRaw(b"")
        if isinstance(raw, bytes):
            return JSONRaw(raw)
        if isinstance(raw, float):
            return _from_string(format_float_v(raw))
        return _from_string(str(raw))

    def to_db(self, value: Any) -> str | None:
        return bytes(value).decode() if value else None

    def to_api(self, value: Any) -> Any:
        if not value:
            return None
        try:
            return msgspec.json.decode(value)
        except msgspec.MsgspecError:
            # Input the value check refuses (`1e400`) can still reach `@request.body`: as text.
            return bytes(value).decode()

    def validate_value(self, value: Any) -> ValidationError | None:
        """Size first, then JSON validity, then `required` (as PocketBase orders them)."""
        limit = self.maxSize if self.maxSize > 0 else DEFAULT_MAX_SIZE
        if len(value) > limit:
            return ValidationError(
                "validation_json_size_limit",
                f"The maximum allowed JSON size is {limit} bytes",
                {"maxSize": limit},
            )
        if value and not _is_valid_value(value):
            return ValidationError("validation_invalid_json", "Must be a valid json value")
        if self.required and bytes(value).strip() in _EMPTY:
            return required_error()
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["maxSize"] = count_error(self.maxSize)
        return out
