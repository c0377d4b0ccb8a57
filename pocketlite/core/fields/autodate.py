"""`autodate`: a datetime set by the server on create and/or update, never by clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register
from pocketlite.core.fields.date import to_datetime_string

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["AutodateField"]


@register
class AutodateField(Field, kw_only=True):
    """`onCreate`: set on insert; `onUpdate`: set on every update."""

    type = "autodate"

    onCreate: bool = False
    onUpdate: bool = False

    def normalize(self, raw: Any) -> str:
        # NB: only server-side code reaches this; the records API drops client-sent autodates.
        return to_datetime_string(raw)

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        stored = find(collection.id) if collection.id else None
        old = next((f for f in stored.fields if f.id == self.id), None) if stored is not None else None
        old_create, old_update = (
            (old.onCreate, old.onUpdate) if isinstance(old, AutodateField) else (False, False)
        )
        neither = ValidationError("validation_required", "either onCreate or onUpdate must be enabled")
        out["onCreate"] = (
            _changed(self.onCreate, old_create) if self.system and old is not None else None
        ) or (neither if not self.onCreate and not self.onUpdate else None)
        out["onUpdate"] = (
            _changed(self.onUpdate, old_update) if self.system and old is not None else None
        ) or (neither if not self.onUpdate and not self.onCreate else None)
        return out


def _changed(value: bool, old: bool) -> ValidationError | None:
    return ValidationError("validation_values_mismatch", "Values don't match.") if value != old else None
