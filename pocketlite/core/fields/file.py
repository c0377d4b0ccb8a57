"""`file`: names of files kept in storage; `maxSelect` > 1 makes it a JSON list."""

from __future__ import annotations

from typing import Any

import msgspec

from pocketlite.core.fields.base import Field, register

__all__ = ["FileField"]


@register
class FileField(Field, kw_only=True):
    """Options: count, size and mime type limits, thumb sizes, protected access."""

    type = "file"

    help: str = ""
    maxSelect: int = 0
    maxSize: int = 0
    mimeTypes: list[str] = []
    protected: bool = False
    required: bool = False
    thumbs: list[str] = []

    @property
    def is_multiple(self) -> bool:
        """Whether values are lists (`maxSelect` > 1)."""
        return self.maxSelect > 1

    def column_definition(self) -> str:
        return "JSON DEFAULT '[]' NOT NULL" if self.is_multiple else "TEXT DEFAULT '' NOT NULL"

    def zero_value(self) -> Any:
        return [] if self.is_multiple else ""

    def from_db(self, raw: Any) -> Any:
        if not self.is_multiple:
            return raw or ""
        names = msgspec.json.decode(raw) if isinstance(raw, str) and raw else []
        return [str(n) for n in names] if isinstance(names, list) else []

    def to_db(self, value: Any) -> Any:
        return msgspec.json.encode(value).decode() if self.is_multiple else value
