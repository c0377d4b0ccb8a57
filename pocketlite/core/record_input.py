"""Submitted record data → field values (records-api.md §6): plain keys set fields through their
casts; `name+`, `+name`, `name-` and `name:autogenerate` modify the current value."""

from __future__ import annotations

from typing import Any

from pocketlite.core.fields import (
    AutodateField,
    Field,
    FileField,
    MultiValueField,
    NumberField,
    PasswordValue,
    TextField,
)
from pocketlite.core.fields.file import Upload
from pocketlite.core.fields.number import to_number
from pocketlite.core.record import Record

__all__ = ["apply_input"]


def _modifier(key: str) -> tuple[str, str]:
    """(field name, modifier) of a submitted key; the modifier is "", "+", "^" (prepend), "-" or
    "autogenerate"."""
    if key.endswith(":autogenerate"):
        return key.removesuffix(":autogenerate"), "autogenerate"
    if key.startswith("+"):
        return key[1:], "^"
    if key.endswith("+"):
        return key[:-1], "+"
    if key.endswith("-"):
        return key[:-1], "-"
    return key, ""


def _has_upload(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(item, Upload) for item in items)


def _accepts(field: Field, modifier: str) -> bool:
    """Whether the field takes the key: every field its plain name; text `:autogenerate`;
    numbers `+`/`-`; select, relation and file fields `+`, prepend and `-`."""
    if modifier == "":
        return True
    if modifier == "autogenerate":
        return isinstance(field, TextField)
    if isinstance(field, NumberField):
        return modifier in ("+", "-")
    return isinstance(field, MultiValueField) and modifier in ("+", "^", "-")


def apply_input(record: Record, data: dict[str, Any], *, drop_hidden: bool) -> dict[str, Any]:
    """Apply `data` to `record`; returns the resolved body, which is what `@request.body` shows
    rules: each key a field takes is replaced by the field's name with the field's value after
    it (`"n": "4"` shows as 4). Keys no field takes stay as sent, and are ignored.

    NB: as PocketBase, keys are applied shortest first, so `views+` acts on a submitted `views`.
    `drop_hidden` (non-superusers) ignores hidden fields, except an auth collection's password,
    and leaves them out of the resolved body too.
    """
    collection = record.collection
    resolved: dict[str, Any] = dict(data)
    for key in sorted(data, key=len):
        name, modifier = _modifier(key)
        field = collection.field(name)
        if field is None or not _accepts(field, modifier):
            continue
        if drop_hidden and field.hidden and not (collection.is_auth and name == "password"):
            resolved.pop(key, None)
            resolved.pop(name, None)
            continue
        value = data[key]
        if isinstance(field, FileField):
            # Rules see the names of the files, uploads included.
            resolved[key] = [field.item_name(i) for i in field.items_of(value)]
        elif _has_upload(value):
            # NB: as PocketBase, files sent for other fields are ignored.
            resolved.pop(key, None)
            continue
        if isinstance(field, AutodateField):
            pass  # NB: PocketBase's autodate setter does nothing: clients can't set them
        elif modifier == "":
            record.set(name, value)
        elif isinstance(field, NumberField):
            delta = to_number(value)
            record.set(name, record.get(name) + (delta if modifier == "+" else -delta))
        elif isinstance(field, MultiValueField):
            current = field.items_of(record.get(name))
            items = field.items_of(value)
            if modifier == "+":
                record.set(name, [*current, *items])
            elif modifier == "^":
                record.set(name, [*items, *current])
            else:
                removed = {field.item_name(i) for i in items}
                record.set(name, [v for v in current if field.item_name(v) not in removed])
        elif isinstance(field, TextField):  # `:autogenerate`
            record.set(name, f"{'' if value is None else value}{field.autogenerate()}")
        if isinstance(field, FileField) and not modifier:
            continue  # the names, as above
        resolved.pop(key, None)
        after = record.get(name)
        # A password shows as the plain text set, as PocketBase's getter gives it.
        resolved[name] = after.plain if isinstance(after, PasswordValue) else field.to_api(after)
    return resolved
