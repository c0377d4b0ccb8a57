"""Collection field types, one module each.

Every field type is a `msgspec.Struct` subclass of `Field` that owns its options, its column type,
and the life of its values: normalizing submitted input, validating, storing and serializing.
"""

from __future__ import annotations

from pocketlite.core.fields.autodate import AutodateField
from pocketlite.core.fields.base import FIELD_TYPES, Field, MultiValueField, field_from_dict
from pocketlite.core.fields.boolean import BoolField
from pocketlite.core.fields.date import DateField
from pocketlite.core.fields.editor import EditorField
from pocketlite.core.fields.email import EmailField
from pocketlite.core.fields.file import FileField
from pocketlite.core.fields.geo_point import GeoPoint, GeoPointField
from pocketlite.core.fields.json import JSONField, JSONRaw
from pocketlite.core.fields.number import NumberField
from pocketlite.core.fields.password import PasswordField, PasswordValue
from pocketlite.core.fields.relation import RelationField
from pocketlite.core.fields.select import SelectField
from pocketlite.core.fields.text import TextField
from pocketlite.core.fields.url import URLField

__all__ = [
    "FIELD_TYPES",
    "AutodateField",
    "BoolField",
    "DateField",
    "EditorField",
    "EmailField",
    "Field",
    "FileField",
    "GeoPoint",
    "GeoPointField",
    "JSONField",
    "JSONRaw",
    "MultiValueField",
    "NumberField",
    "PasswordField",
    "PasswordValue",
    "RelationField",
    "SelectField",
    "TextField",
    "URLField",
    "field_from_dict",
]
