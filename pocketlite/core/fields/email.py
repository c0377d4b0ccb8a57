"""`email`: an address, optionally limited to or excluding some domains."""

from __future__ import annotations

import re
from typing import Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error
from pocketlite.core.fields.text import to_text

__all__ = ["EmailField", "is_email"]

# The HTML5 / ozzo-validation shape: local part, @, dotted domain labels.
_EMAIL_RE = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)


def is_email(value: str) -> bool:
    """Whether `value` looks like an email address (at most 254 characters)."""
    return len(value) <= 254 and _EMAIL_RE.match(value) is not None


@register
class EmailField(Field, kw_only=True):
    """Options: `onlyDomains` / `exceptDomains` (at most one of them non-empty)."""

    type = "email"

    exceptDomains: list[str] = []
    help: str = ""
    onlyDomains: list[str] = []
    required: bool = False

    def normalize(self, raw: Any) -> str:
        return to_text(raw).strip()

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        if not is_email(value):
            return ValidationError("validation_is_email", "Must be a valid email address")
        domain = value.rsplit("@", 1)[1]
        if (self.onlyDomains and domain not in self.onlyDomains) or domain in self.exceptDomains:
            return ValidationError("validation_email_domain_not_allowed", "Email domain is not allowed")
        return None
