"""Checks shared by the bodies of the auth endpoints, with PocketBase's codes."""

from __future__ import annotations

from typing import Any

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.email import is_email
from pocketlite.core.validators import Rule, first_error, is_empty

__all__ = ["email_format", "validate_form"]


def email_format(value: Any) -> ValidationError | None:
    """An e-mail address (syntax only)."""
    if is_empty(value) or is_email(str(value)):
        return None
    return ValidationError("validation_is_email", "Must be a valid email address.")


def validate_form(checks: dict[str, tuple[Any, tuple[Rule, ...]]]) -> None:
    """Run each key's rules on its value; `ValidationErrors` with the first failure per key."""
    errors: dict[str, ValidationError | ValidationErrors] = {}
    for key, (value, rules) in checks.items():
        error = first_error(value, *rules)
        if error is not None:
            errors[key] = error
    if errors:
        raise ValidationErrors(errors)
