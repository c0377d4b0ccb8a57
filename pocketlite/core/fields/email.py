"""`email`: an address, optionally limited to or excluding some domains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.core.fields.casts import to_text
from pocketlite.core.fields.email_syntax import is_domain, is_email

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["EmailField", "domain_list_errors", "is_email"]


@register
class EmailField(Field, kw_only=True):
    """Options: `onlyDomains` / `exceptDomains` (at most one of them non-empty)."""

    type = "email"

    exceptDomains: list[str] = []
    help: str = ""
    onlyDomains: list[str] = []
    required: bool = False

    def normalize(self, raw: Any) -> str:
        # NB: not trimmed; PocketBase refuses " a@b.co " as an invalid address.
        return to_text(raw)

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        if not is_email(value):
            return ValidationError("validation_is_email", "Must be a valid email address.")
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
        if not is_domain(domain)
    }
    return ValidationErrors(errors) if errors else None
