"""`file`: names of files kept in storage; `maxSelect` > 1 makes it a JSON list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.base import (
    FindCollection,
    MultiValueField,
    SettingsErrors,
    count_error,
    register,
    required_error,
)
from pocketlite.core.fields.go_regexp import compile_go
from pocketlite.core.validators import first_error, match, not_in

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["FileField"]

THUMB_SIZE_RE = compile_go(r"^(\d+)x(\d+)(t|b|f)?$")
DEFAULT_MAX_SIZE = 5 << 20


@register
class FileField(MultiValueField, kw_only=True):
    """Options: `maxSelect` (> 1 makes it multiple), `maxSize` per file in bytes (0 = 5 MiB),
    `mimeTypes`, `thumbs` sizes such as `100x50t`, `protected` (downloads need a file token).

    The value holds file names. What needs storage or the stored value (uploads' sizes, mime
    types and names; names that aren't already stored) is checked by the files layer.
    """

    type = "file"

    help: str = ""
    maxSize: int = 0
    mimeTypes: list[str] = []
    protected: bool = False
    required: bool = False
    thumbs: list[str] = []

    def validate_value(self, value: Any) -> ValidationError | None:
        names = self.values_of(value)
        if not names:
            return required_error() if self.required else None
        limit = max(self.maxSelect, 1)
        if len(names) > limit:
            return ValidationError(
                "validation_too_many_files", f"The maximum allowed files is {limit}", {"maxSelect": limit}
            )
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["maxSelect"] = count_error(self.maxSelect)
        out["maxSize"] = count_error(self.maxSize)
        thumb_errors: dict[str, ValidationError | ValidationErrors] = {}
        for i, thumb in enumerate(self.thumbs):
            error = first_error(thumb, not_in(("0x0", "0x0t", "0x0b", "0x0f")), match(THUMB_SIZE_RE))
            if error is not None:
                thumb_errors[str(i)] = error
        out["thumbs"] = ValidationErrors(thumb_errors) if thumb_errors else None
        return out
