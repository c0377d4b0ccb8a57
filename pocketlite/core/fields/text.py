"""`text`: a plain string; the record `id` and auth `tokenKey` are text fields too."""

from __future__ import annotations

import re
from typing import Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error
from pocketlite.tools.security import random_string_by_regex

__all__ = ["TextField", "to_text"]

# NB: PocketBase caps text at 5000 characters when `max` is 0.
DEFAULT_MAX = 5000

PRIMARY_KEY_COLUMN = "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"


def to_text(raw: Any) -> str:
    """Cast like PocketBase's `cast.ToString`: null → "", bools → true/false, numbers shortest."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 1e21 else repr(raw)
    return str(raw)


@register
class TextField(Field, kw_only=True):
    """Options: min/max length in characters, pattern, autogenerate pattern, primary key."""

    type = "text"

    autogeneratePattern: str = ""
    help: str = ""
    max: int = 0
    min: int = 0
    pattern: str = ""
    primaryKey: bool = False
    required: bool = False

    def column_definition(self) -> str:
        return PRIMARY_KEY_COLUMN if self.primaryKey else "TEXT DEFAULT '' NOT NULL"

    def normalize(self, raw: Any) -> str:
        return to_text(raw)

    def autogenerate(self) -> str:
        """A fresh value from `autogeneratePattern` ("" when there is none)."""
        return random_string_by_regex(self.autogeneratePattern) if self.autogeneratePattern else ""

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        length = len(value)
        if self.min > 0 and length < self.min:
            return ValidationError(
                "validation_min_text_constraint",
                f"Must be at least {self.min} character(s)",
                {"min": self.min},
            )
        limit = self.max or DEFAULT_MAX
        if length > limit:
            return ValidationError(
                "validation_max_text_constraint",
                f"Must be no more than {limit} character(s)",
                {"max": limit},
            )
        if self.pattern and not re.search(self.pattern, value):
            return ValidationError("validation_invalid_format", "Invalid value format")
        return None
