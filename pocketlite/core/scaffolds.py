"""The fields and indexes every collection of a type starts with (data-model.md §2.4)."""

from __future__ import annotations

from pocketlite.core.fields import AutodateField, BoolField, EmailField, Field, PasswordField, TextField

__all__ = ["auth_fields", "auth_indexes", "autodate_fields", "id_field"]


def id_field() -> TextField:
    """The text primary key: 15 random `[a-z0-9]` characters."""
    return TextField(
        name="id",
        system=True,
        required=True,
        primaryKey=True,
        min=15,
        max=15,
        pattern="^[a-z0-9]+$",
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
