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

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["JSONField", "JSONRaw"]

DEFAULT_MAX_SIZE = 1 << 20
_JSON_START = tuple('0123456789-"[{')


class JSONRaw(bytes):
    """An encoded JSON value (empty for null); what the field holds between load and save."""


def _encode(value: Any) -> JSONRaw:
    # NB: objects are re-encoded with sorted keys, as Go's encoding of maps does.
    return JSONRaw(msgspec.json.encode(value, order="sorted"))


def _from_string(text: str) -> JSONRaw:
    """PocketBase's string input rules: JSON literals and valid JSON that starts like a number,
    string, array or object are parsed; anything else is stored as a JSON string."""
    if text in ("null", "true", "false"):
        return JSONRaw(text.encode())
    if text.startswith(_JSON_START):
        try:
            return _encode(msgspec.json.decode(text))
        except msgspec.DecodeError:
            pass
    return _encode(text)


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
        return _encode(raw)

    def from_db(self, raw: Any) -> JSONRaw:
        if raw is None:
            return JSONRaw(b"")
        return JSONRaw(raw.encode() if isinstance(raw, str) else bytes(raw))

    def to_db(self, value: Any) -> str | None:
        return bytes(value).decode() if value else None

    def to_api(self, value: Any) -> Any:
        return msgspec.json.decode(value) if value else None

    def validate_value(self, value: Any) -> ValidationError | None:
        if not value or bytes(value) in (b'""', b"[]", b"{}", b"null"):
            return required_error() if self.required else None
        limit = self.maxSize or DEFAULT_MAX_SIZE
        if len(value) > limit:
            return ValidationError(
                "validation_json_size_limit",
                f"The maximum allowed JSON size is {limit} bytes",
                {"maxSize": limit},
            )
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["maxSize"] = count_error(self.maxSize)
        return out
