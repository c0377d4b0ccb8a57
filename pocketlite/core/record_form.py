"""The auth-record form checks that run before field validation (data-model.md §3.2 step 2):
password confirmation, the old password, and who may change `email` and `verified`."""

from __future__ import annotations

import asyncio
from typing import Any

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.record import Record
from pocketlite.tools.security import check_password

__all__ = ["auth_form_errors"]

_REQUIRED = ("validation_required", "Cannot be blank.")
_MISMATCH = ("validation_values_mismatch", "Values don't match.")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


async def auth_form_errors(record: Record, body: dict[str, Any], *, manager: bool) -> ValidationErrors | None:
    """The form's errors, or None. `manager`: a superuser or a requester the manage rule admits."""
    if not record.collection.is_auth:
        return None
    is_new = record.original is None
    original = record.original or {}
    password, confirm, old = (_text(body.get(k)) for k in ("password", "passwordConfirm", "oldPassword"))
    errors: dict[str, ValidationError | ValidationErrors] = {}
    if not is_new and not manager and record.get("email") != original.get("email"):
        errors["email"] = ValidationError(*_MISMATCH)
    if not manager and bool(record.get("verified")) != bool(original.get("verified", False)):
        errors["verified"] = ValidationError(*_MISMATCH)
    if (is_new or confirm or old) and not password:
        errors["password"] = ValidationError(*_REQUIRED)
    if (is_new or password or old) and not confirm:
        errors["passwordConfirm"] = ValidationError(*_REQUIRED)
    elif confirm != password:
        errors["passwordConfirm"] = ValidationError(*_MISMATCH)
    if not is_new and not manager and (password or confirm):
        stored = record.original.get("password") if record.original else None
        if not old:
            errors["oldPassword"] = ValidationError(*_REQUIRED)
        elif stored is None or not await asyncio.to_thread(check_password, old, getattr(stored, "hash", "")):
            errors["oldPassword"] = ValidationError(
                "validation_invalid_old_password", "Missing or invalid old password."
            )
    return ValidationErrors(errors) if errors else None
