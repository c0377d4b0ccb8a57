"""`email`: an address, optionally limited to or excluding some domains."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.core.fields.text import to_text

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["EmailField", "domain_list_errors", "is_email"]

_DOMAIN_RE = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z0-9-]{2,}$")

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

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        return {
            **super().settings_errors(collection, find),
            **domain_list_errors(self.onlyDomains, self.exceptDomains),
        }


def domain_list_errors(only: list[str], excepted: list[str]) -> SettingsErrors:
    """`onlyDomains`/`exceptDomains`: at most one list non-empty, every entry a domain."""
    return {"exceptDomains": _domains_error(excepted, only), "onlyDomains": _domains_error(only, excepted)}


def _domains_error(domains: list[str], other: list[str]) -> ValidationError | ValidationErrors | None:
    if domains and other:
        return ValidationError("validation_empty", "Must be blank.")
    errors: dict[str, ValidationError | ValidationErrors] = {
        str(i): ValidationError("validation_is_domain", "Must be a valid domain.")
        for i, domain in enumerate(domains)
        if not _DOMAIN_RE.match(domain) or len(domain) > 255
    }
    return ValidationErrors(errors) if errors else None
