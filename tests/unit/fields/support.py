"""Helpers for the field tables: a value's journey (cast → validate → JSON) and a definition's
settings errors, as the API reports them."""

from __future__ import annotations

from typing import Any

from pocketlite.core.collection import Collection
from pocketlite.core.fields import Field, TextField

REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}

USERS = Collection(name="users", id="_pb_users_auth_", type="auth")
POSTS_VIEW = Collection(name="posts_view", id="pbc_view", type="view")
STORED = {c.id: c for c in (USERS, POSTS_VIEW)}


def api_value(field: Field, raw: Any) -> Any:
    """The JSON value a record shows after `raw` was submitted."""
    return field.to_api(field.normalize(raw))


def value_error(field: Field, raw: Any) -> dict[str, Any] | None:
    """The error of submitting `raw`, as `data.<field>` of the response."""
    error = field.validate_value(field.normalize(raw))
    return error.to_dict() if error is not None else None


def owner_of(*fields: Field, type: str = "base") -> Collection:
    """A collection holding the record id field and `fields`."""
    pk = TextField(name="id", primaryKey=True, required=True, pattern="^[a-z0-9]+$", min=15, max=15)
    return Collection(name="owner", type=type, fields=[pk, *fields])


def settings_errors(field: Field, owner: Collection | None = None) -> dict[str, Any]:
    """`data.fields.<index>` of a collection save with this field definition."""
    errors = field.validate_settings(owner or owner_of(field), STORED.get)
    return errors.to_dict() if errors else {}


def codes(field: Field, owner: Collection | None = None) -> dict[str, Any]:
    """The settings error codes by option (nested for list options)."""
    return _codes(settings_errors(field, owner))


def _codes(errors: dict[str, Any]) -> dict[str, Any]:
    return {k: v["code"] if "code" in v else _codes(v) for k, v in errors.items()}
