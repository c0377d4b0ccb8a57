"""`editor`: rich text (HTML) limited in bytes of UTF-8."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    Field,
    FindCollection,
    SettingsErrors,
    count_error,
    register,
    required_error,
)
from pocketlite.core.fields.casts import to_text

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["EditorField"]

DEFAULT_MAX_SIZE = 5 << 20


@register
class EditorField(Field, kw_only=True):
    """Options: `maxSize` in bytes (0 = 5 MiB), `convertURLs` (only used by the admin UI)."""

    type = "editor"

    convertURLs: bool = False
    help: str = ""
    maxSize: int = 0
    required: bool = False

    def normalize(self, raw: Any) -> str:
        return to_text(raw)

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        limit = self.maxSize if self.maxSize > 0 else DEFAULT_MAX_SIZE
        if len(value.encode()) > limit:
            return ValidationError(
                "validation_content_size_limit",
                f"The maximum allowed content size is {limit} bytes",
                {"maxSize": limit},
            )
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["maxSize"] = count_error(self.maxSize)
        return out
