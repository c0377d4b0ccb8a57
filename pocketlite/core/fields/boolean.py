"""`bool`: stored as 0/1, serialized as true/false."""

from __future__ import annotations

from typing import Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error

__all__ = ["BoolField"]

# Go's strconv.ParseBool true values.
_TRUE_STRINGS = frozenset({"1", "t", "T", "true", "TRUE", "True"})


@register
class BoolField(Field, kw_only=True):
    """`required` means the value must be true."""

    type = "bool"

    help: str = ""
    required: bool = False

    def column_definition(self) -> str:
        return "BOOLEAN DEFAULT FALSE NOT NULL"

    def zero_value(self) -> bool:
        return False

    def normalize(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float):
            return raw != 0
        if isinstance(raw, str):
            return raw in _TRUE_STRINGS
        return False

    def from_db(self, raw: Any) -> bool:
        return bool(raw)

    def to_db(self, value: Any) -> int:
        return 1 if value else 0

    def validate_value(self, value: Any) -> ValidationError | None:
        return required_error() if self.required and not value else None
