"""The `Field` base type and the registry of field types by their `type` name."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.casts import encode_json, unique_strings
from pocketlite.core.fields.go_regexp import RegexSyntaxError, compile_go
from pocketlite.core.validators import first_error, length, match, max_value, min_value, not_in, required
from pocketlite.tools import gojson

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = [
    "FIELD_TYPES",
    "MAX_SAFE_INT",
    "Field",
    "FindCollection",
    "MultiValueField",
    "SettingsErrors",
    "count_error",
    "default_field_id",
    "field_from_dict",
    "is_regex",
    "register",
    "required_error",
    "unique_strings",
]

# The largest integer a JSON number (a float64) holds exactly.
MAX_SAFE_INT = (1 << 53) - 1

FindCollection = Callable[[str], "Collection | None"]
SettingsErrors = dict[str, ValidationError | ValidationErrors | None]

# NB: Go's `\w` is ASCII-only and its `$` doesn't match before a final newline.
_NAME_RE = compile_go(r"^\w+$")
_RESERVED_NAMES = ("null", "true", "false", "_rowid_", "collectionId", "collectionName", "expand")

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

    # --- settings -----------------------------------------------------------------------------

    def validate_settings(self, collection: Collection, find: FindCollection) -> ValidationErrors | None:
        """The field definition's own errors, keyed by option name (PocketBase's
        `ValidateSettings`); `collection` is the one being saved, `find` looks up stored ones."""
        errors = {k: v for k, v in self.settings_errors(collection, find).items() if v is not None}
        return ValidationErrors(errors) if errors else None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        """Option name → error or None; subclasses extend the common checks."""
        out: SettingsErrors = {
            "id": first_error(self.id, required, length(1, 100)),
            "name": _name_error(self.name),
        }
        if "help" in self.__struct_fields__:
            out["help"] = length(1, 300)(getattr(self, "help", ""))
        return out


def field_from_dict(data: dict[str, Any]) -> Field:
    """A field definition from its JSON; unknown types raise `ValueError`."""
    cls = FIELD_TYPES.get(str(data.get("type", "")))
    if cls is None:
        raise ValueError("missing or unknown field type")
    return gojson.convert({k: v for k, v in data.items() if k != "type"}, cls)


def required_error() -> ValidationError:
    """PocketBase's `validation_required`."""
    return ValidationError("validation_required", "Cannot be blank.")


class MultiValueField(Field, kw_only=True):
    """A field holding one string or, when `maxSelect` > 1, a list (a JSON column): select,
    relation and file. Values are cast by `unique_strings`."""

    maxSelect: int = 0

    @property
    def is_multiple(self) -> bool:
        """Whether values are lists."""
        return self.maxSelect > 1

    def column_definition(self) -> str:
        return "JSON DEFAULT '[]' NOT NULL" if self.is_multiple else "TEXT DEFAULT '' NOT NULL"

    def zero_value(self) -> Any:
        return [] if self.is_multiple else ""

    def normalize(self, raw: Any) -> Any:
        items = unique_strings(raw)
        if self.is_multiple:
            return items
        return items[-1] if items else ""  # NB: a single value keeps the last item, as PocketBase

    def from_db(self, raw: Any) -> Any:
        # Stored values are normalized already: a JSON list of strings (multiple) or a string.
        if type(raw) is str:
            if not self.is_multiple:
                return raw
            if raw.startswith("["):
                try:
                    items = msgspec.json.decode(raw)
                except msgspec.DecodeError:
                    items = None
                if isinstance(items, list) and all(type(i) is str and i for i in items):
                    return items
        return self.normalize(raw)

    def to_db(self, value: Any) -> Any:
        return encode_json(value).decode() if self.is_multiple else value

    def items_of(self, value: Any) -> list[Any]:
        """The items of a submitted or stored value, for `+`/`-` modifiers to work on."""
        return unique_strings(value)

    def item_name(self, item: Any) -> str:
        """What identifies an item (file fields hold uploads besides names)."""
        return str(item)

    def values_of(self, value: Any) -> list[str]:
        """The value as a list, whatever the multiplicity. NB: cast again with `unique_strings`, as
        PocketBase validates it, so a single value `'["a", 1]'` counts as two items."""
        return unique_strings(value)


def count_error(value: int) -> ValidationError | None:
    """A size or count option: 0 (the default) up to the largest exact JSON integer."""
    return first_error(value, min_value(0), max_value(MAX_SAFE_INT))


def _name_error(name: str) -> ValidationError | None:
    error = first_error(name, required, length(1, 100), match(_NAME_RE), not_in(_RESERVED_NAMES))
    if error is None and "_via_" in name.lower():
        error = ValidationError("validation_found_via", 'The value cannot contain "_via_".')
    return error


def is_regex(pattern: str) -> ValidationError | None:
    """PocketBase's `validators.IsRegex`: the pattern compiles with Go's regexp (see `go_regexp`),
    the error message being Go's."""
    if not pattern:
        return None
    try:
        compile_go(pattern)
    except RegexSyntaxError as exc:
        return ValidationError("validation_invalid_regex", str(exc))
    return None
