"""Collection field types, one module each.

Every field type is a `msgspec.Struct` subclass of `Field` that owns its options, its column type,
and the life of its values: normalizing submitted input, validating, storing and serializing.
"""

from __future__ import annotations

from pocketlite.core.fields.autodate import AutodateField
from pocketlite.core.fields.base import FIELD_TYPES, Field, field_from_dict
from pocketlite.core.fields.boolean import BoolField
from pocketlite.core.fields.email import EmailField
from pocketlite.core.fields.file import FileField
from pocketlite.core.fields.password import PasswordField, PasswordValue
from pocketlite.core.fields.text import TextField

__all__ = [
    "FIELD_TYPES",
    "AutodateField",
    "BoolField",
    "EmailField",
    "Field",
    "FileField",
    "PasswordField",
    "PasswordValue",
    "TextField",
    "field_from_dict",
]
