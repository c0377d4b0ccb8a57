"""The `Field` base type and the registry of field types by their `type` name."""

from __future__ import annotations

import zlib
from typing import Any, ClassVar, TypeVar

import msgspec

from pocketlite.core.errors import ValidationError

__all__ = ["FIELD_TYPES", "Field", "default_field_id", "field_from_dict", "register"]

FIELD_TYPES: dict[str, type[Field]] = {}

_F = TypeVar("_F", bound="type[Field]")


def register(cls: _F) -> _F:
    """Class decorator adding a field type to `FIELD_TYPES` under its `type` name."""
    FIELD_TYPES[cls.type] = cls
    return cls


def default_field_id(type_: str, name: str) -> str:
    """PocketBase's deterministic field id: type + crc32(name), e.g. `text3208210256`."""
    return f"{type_}{zlib.crc32(name.encode())}"


class Field(msgspec.Struct, kw_only=True):
    """Options common to every field type; subclasses add theirs and the value behaviour."""

    type: ClassVar[str]

    id: str = ""
    name: str = ""
    system: bool = False
    hidden: bool = False
    presentable: bool = False

    def __post_init__(self) -> None:
        if not self.id and self.name:
            self.id = default_field_id(self.type, self.name)

    def to_dict(self) -> dict[str, Any]:
        """The API/storage JSON of the field definition, keys sorted as PocketBase emits them."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        out["type"] = self.type
        return dict(sorted(out.items()))

    # --- values -------------------------------------------------------------------------------

    def column_definition(self) -> str:
        """The SQLite column type and constraints."""
        return "TEXT DEFAULT '' NOT NULL"

    def zero_value(self) -> Any:
        """The value of a new record before anything is set."""
        return ""

    def normalize(self, raw: Any) -> Any:
        """Submitted input → the field's value (PocketBase's setter casts)."""
        return raw

    def from_db(self, raw: Any) -> Any:
        """A column value → the field's value."""
        return self.zero_value() if raw is None else raw

    def to_db(self, value: Any) -> Any:
        """The field's value → the column value."""
        return value

    def to_api(self, value: Any) -> Any:
        """The field's value → its JSON value."""
        return value

    def validate_value(self, value: Any) -> ValidationError | None:
        """Check a value before save; None when it is fine."""
        return None


def field_from_dict(data: dict[str, Any]) -> Field:
    """A field definition from its JSON; unknown types raise `ValueError`."""
    cls = FIELD_TYPES.get(str(data.get("type", "")))
    if cls is None:
        raise ValueError("missing or unknown field type")
    return msgspec.convert({k: v for k, v in data.items() if k != "type"}, cls)


def required_error() -> ValidationError:
    """PocketBase's `validation_required`."""
    return ValidationError("validation_required", "Cannot be blank.")
