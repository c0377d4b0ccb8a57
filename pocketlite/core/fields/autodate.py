"""`autodate`: a datetime set by the server on create and/or update, never by clients."""

from __future__ import annotations

from typing import Any

from pocketlite.core.fields.base import Field, register
from pocketlite.core.fields.text import to_text

__all__ = ["AutodateField"]


@register
class AutodateField(Field, kw_only=True):
    """`onCreate`: set on insert; `onUpdate`: set on every update."""

    type = "autodate"

    onCreate: bool = False
    onUpdate: bool = False

    def normalize(self, raw: Any) -> str:
        # NB: only server-side code reaches this; the records API drops client-sent autodates.
        return to_text(raw)
