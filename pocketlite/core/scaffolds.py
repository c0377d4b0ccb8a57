"""The fields and indexes every collection of a type starts with (data-model.md §2.4)."""

from __future__ import annotations

from pocketlite.core.auth_options import AuthOptions
from pocketlite.core.collection import AUTH, BASE, VIEW, Collection, normalize_fields
from pocketlite.core.fields import AutodateField, BoolField, EmailField, Field, PasswordField, TextField
from pocketlite.core.indexes import find_single_column_unique_index

__all__ = [
    "apply_type_defaults",
    "auth_fields",
    "auth_indexes",
    "autodate_fields",
    "id_field",
    "new_collection",
]

# NB: PocketBase's default id pattern, also forced onto a submitted `id` field without one.
ID_PATTERN = "^[a-z0-9]+$"


def id_field() -> TextField:
    """The text primary key: 15 random `[a-z0-9]` characters."""
    return TextField(
        name="id",
        system=True,
        required=True,
        primaryKey=True,
        min=15,
        max=15,
        pattern=ID_PATTERN,
        autogeneratePattern="[a-z0-9]{15}",
    )


def auth_fields() -> list[Field]:
    """The system fields of auth collections, after `id`."""
    return [
        PasswordField(name="password", system=True, hidden=True, required=True, min=8),
        TextField(
            name="tokenKey",
            system=True,
            hidden=True,
            required=True,
            min=30,
            max=60,
            autogeneratePattern="[a-zA-Z0-9]{50}",
        ),
        EmailField(name="email", system=True, required=True),
        BoolField(name="emailVisibility", system=True),
        BoolField(name="verified", system=True),
    ]


def auth_indexes(collection_id: str, table: str) -> list[str]:
    """The unique indexes auth collections need on `tokenKey` and `email`."""
    return [
        f"CREATE UNIQUE INDEX `idx_tokenKey_{collection_id}` ON `{table}` (`tokenKey`)",
        f"CREATE UNIQUE INDEX `idx_email_{collection_id}` ON `{table}` (`email`) WHERE `email` != ''",
    ]


def autodate_fields(*, system: bool = False) -> list[Field]:
    """`created` (set on insert) and `updated` (set on every save)."""
    return [
        AutodateField(name="created", system=system, onCreate=True),
        AutodateField(name="updated", system=system, onCreate=True, onUpdate=True),
    ]


def new_collection(type_: str, name: str = "", id_: str = "") -> Collection:
    """A collection of `type_` (unknown types make a base one) with its default fields,
    indexes and options: what submitted JSON is merged onto on create."""
    type_ = type_ if type_ in (AUTH, VIEW) else BASE
    collection = Collection(name=name, type=type_, id=id_)
    if type_ == AUTH:
        collection.auth = AuthOptions()
    apply_type_defaults(collection)
    return collection


def apply_type_defaults(collection: Collection) -> None:
    """Insert missing system fields and indexes and re-impose their system flags (PocketBase
    does this on every save, so omitting them from a payload is not an error)."""
    if collection.type == VIEW:
        return
    fields = collection.fields
    existing_id = collection.field("id")
    if isinstance(existing_id, TextField):
        existing_id.system = existing_id.required = existing_id.primaryKey = True
        existing_id.hidden = False
        existing_id.pattern = existing_id.pattern or ID_PATTERN
    else:
        fields.insert(0, id_field())
    if collection.type != AUTH:
        return
    for default in auth_fields():
        current = collection.field(default.name)
        if not isinstance(current, type(default)):
            # NB: as PocketBase's FieldsList.Add: a same-named field of another type is replaced
            # in place and its id kept, so the validator then reports a system field change.
            default.id = ""
            collection.fields = fields = normalize_fields([*fields, default])
            continue
        current.system = True
        if isinstance(current, PasswordField | TextField):  # password, tokenKey
            current.hidden = current.required = True
        elif default.name == "email":
            current.hidden = False  # emailVisibility decides
    for column, statement in zip(
        ("tokenKey", "email"), auth_indexes(collection.id, collection.name), strict=True
    ):
        if find_single_column_unique_index(collection.indexes, column) is None:
            collection.indexes.append(statement)
