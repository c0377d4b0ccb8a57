"""`select`: one or several values out of a fixed list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    FindCollection,
    MultiValueField,
    SettingsErrors,
    register,
    required_error,
)
from pocketlite.core.validators import first_error, max_value, min_value, required

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["SelectField", "too_many_values"]


def too_many_values(limit: int) -> ValidationError:
    """More items than `maxSelect` allows."""
    return ValidationError("validation_too_many_values", f"Select no more than {limit}", {"maxSelect": limit})


@register
class SelectField(MultiValueField, kw_only=True):
    """Options: `values` (the choices; NB: duplicates and "" are accepted, as in PocketBase),
    `maxSelect` (> 1 makes it multiple, at most the number of values)."""

    type = "select"

    help: str = ""
    required: bool = False
    values: list[str] = []

    def validate_value(self, value: Any) -> ValidationError | None:
        items = self.values_of(value)
        if not items:
            return required_error() if self.required else None
        limit = max(self.maxSelect, 1)
        if len(items) > limit:
            return too_many_values(limit)
        for item in items:
            if item not in self.values:
                return ValidationError("validation_invalid_value", f"Invalid value {item}", {"value": item})
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["values"] = required(self.values)
        out["maxSelect"] = first_error(self.maxSelect, min_value(0), max_value(len(self.values) or 1))
        return out
