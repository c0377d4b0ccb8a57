"""`relation`: ids of records of another collection."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    FindCollection,
    MultiValueField,
    SettingsErrors,
    register,
    required_error,
)
from pocketlite.core.fields.select import too_many_values
from pocketlite.core.validators import first_error, min_value, required

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["RelationField"]


@register
class RelationField(MultiValueField, kw_only=True):
    """Options: `collectionId` (the target), `cascadeDelete`, `minSelect`, `maxSelect`.

    `validate_value` checks the count of ids; whether they exist needs the database, so the save
    path looks them up in the target collection and asks `existence_error` about them.
    """

    type = "relation"

    cascadeDelete: bool = False
    collectionId: str = ""
    help: str = ""
    minSelect: int = 0
    required: bool = False

    def validate_value(self, value: Any) -> ValidationError | None:
        ids = self.values_of(value)
        if not ids:
            return required_error() if self.required else None
        if self.minSelect > 0 and len(ids) < self.minSelect:
            return ValidationError(
                "validation_not_enough_values",
                f"Select at least {self.minSelect}",
                {"minSelect": self.minSelect},
            )
        limit = max(self.maxSelect, 1)
        return too_many_values(limit) if len(ids) > limit else None

    def existence_error(self, value: Any, found: Container[str] | None) -> ValidationError | None:
        """The error for the ids of `value` of which only `found` exist in the target collection
        (None: the target collection itself is missing)."""
        ids = self.values_of(value)
        if not ids:
            return None
        if found is None:
            return ValidationError(
                "validation_missing_rel_collection", "Relation connection is missing or cannot be accessed"
            )
        if any(record_id not in found for record_id in ids):
            return ValidationError(
                "validation_missing_rel_records", "Failed to find all relation records with the provided ids"
            )
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["collectionId"] = required(self.collectionId) or self._target_error(collection, find)
        out["minSelect"] = min_value(0)(self.minSelect)
        out["maxSelect"] = first_error(
            self.maxSelect, *((required,) if self.minSelect > 0 else ()), min_value(self.minSelect)
        )
        return out

    def _target_error(self, collection: Collection, find: FindCollection) -> ValidationError | None:
        stored = find(collection.id) if collection.id else None
        if stored is not None and stored.id == collection.id:
            old = next((f for f in stored.fields if f.id == self.id), None)
            if isinstance(old, RelationField) and old.collectionId != self.collectionId:
                return ValidationError(
                    "validation_field_relation_change", "The relation collection cannot be changed."
                )
        target = find(self.collectionId)
        if target is None or target.id != self.collectionId:
            return ValidationError(
                "validation_field_relation_missing_collection", "The relation collection doesn't exist."
            )
        if not collection.is_view and target.is_view:
            return ValidationError(
                "validation_relation_field_non_view_base_collection",
                "Only view collections are allowed to have relations to other views.",
            )
        return None
