"""`text`: a plain string; the record `id` and auth `tokenKey` are text fields too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    MAX_SAFE_INT,
    Field,
    FindCollection,
    SettingsErrors,
    is_regex,
    register,
    required_error,
)
from pocketlite.core.fields.casts import to_text
from pocketlite.core.fields.go_regexp import compile_go
from pocketlite.core.validators import first_error, max_value, min_value, required
from pocketlite.tools.security import random_string_by_regex

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["DEFAULT_ID_PATTERN", "TextField"]

# NB: PocketBase caps text at 5000 characters when `max` is 0.
DEFAULT_MAX = 5000

PRIMARY_KEY_COLUMN = "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"

# The record id pattern; ids matching it can't hold the characters checked below.
DEFAULT_ID_PATTERN = "^[a-z0-9]+$"

# Characters and (case-insensitive) names a custom primary key may not use: the id becomes a
# storage directory name.
_FORBIDDEN_PK_CHARACTERS: tuple[str, ...] = (".", "/", "\\", "|", '"', "'", "`", "<", ">", ":", "?", "*")
_FORBIDDEN_PK_CHARACTERS += ("%", "$", "\x00", "\t", "\n", "\r", " ")
_RESERVED_PKS = (
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
)


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
        """PocketBase's `ValidatePlainValue`. Whether a new primary key is already taken (compared
        case-insensitively unless the pattern is the default one) is left to the save path."""
        if value == "":
            return required_error() if self.required or self.primaryKey else None
        length = len(value)
        if self.min > 0 and length < self.min:
            return ValidationError(
                "validation_min_text_constraint",
                f"Must be at least {self.min} character(s).",
                {"min": self.min},
            )
        limit = self.max or DEFAULT_MAX
        if length > limit:
            return ValidationError(
                "validation_max_text_constraint",
                f"Must be no more than {limit} character(s).",
                {"max": limit},
            )
        if self.pattern and compile_go(self.pattern).search(value) is None:
            return ValidationError("validation_invalid_format", "Invalid value format.")
        if self.primaryKey and self.pattern != DEFAULT_ID_PATTERN:
            return _primary_key_error(value)
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        if self.primaryKey:
            out["name"] = out["name"] or (
                ValidationError("validation_in_invalid", 'The primary key must be named "id".')
                if self.name != "id"
                else None
            )
            keys = sum(1 for f in collection.fields if isinstance(f, TextField) and f.primaryKey)
            if keys > 1:
                out["primaryKey"] = ValidationError(
                    "validation_unsupported_composite_pk",
                    "Composite PKs are not supported and the collection must have only 1 PK.",
                )
            if self.hidden:
                out["hidden"] = ValidationError("validation_empty", "Must be blank.")
            out["required"] = required(self.required)
        out["min"] = first_error(self.min, min_value(0), max_value(MAX_SAFE_INT))
        out["max"] = first_error(self.max, min_value(self.min), max_value(MAX_SAFE_INT))
        out["pattern"] = (required(self.pattern) if self.primaryKey else None) or is_regex(self.pattern)
        out["autogeneratePattern"] = is_regex(self.autogeneratePattern) or self._check_autogenerate()
        return out

    def _check_autogenerate(self) -> ValidationError | None:
        """Generated values must pass the field's own checks (10 samples, as PocketBase)."""
        if not self.autogeneratePattern:
            return None
        for _ in range(10):
            try:
                generated = self.autogenerate()
            except ValueError as exc:
                return ValidationError("validation_invalid_autogenerate_pattern", str(exc))
            if self.validate_value(generated) is not None:
                return ValidationError(
                    "validation_invalid_autogenerate_pattern_value",
                    "The provided autogenerate pattern could produce invalid field values, "
                    f'ex.: "{generated}"',
                )
        return None


def _primary_key_error(value: str) -> ValidationError | None:
    for ch in _FORBIDDEN_PK_CHARACTERS:
        if ch in value:
            return ValidationError(
                "validation_forbidden_pk_character",
                f"'{ch}' is not a valid primary key character.",
                {"ch": ch},
            )
    if len(value) <= 4 and value.upper() in _RESERVED_PKS:
        reserved = value.upper()
        return ValidationError(
            "validation_reserved_pk",
            f"The primary key '{reserved}' is reserved and cannot be used.",
            {"reserved": reserved},
        )
    return None
