"""`url`: a URL as govalidator reads one, optionally limited to or excluding some hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.core.fields.casts import to_text
from pocketlite.core.fields.email import domain_list_errors
from pocketlite.core.fields.url_syntax import is_url, parse_url

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["URLField", "is_url"]


@register
class URLField(Field, kw_only=True):
    """Options: `onlyDomains` / `exceptDomains` (at most one list set), compared with the URL's
    host as written, port included: the entries are plain domains, so a URL with a port never
    passes `onlyDomains`."""

    type = "url"

    exceptDomains: list[str] = []
    help: str = ""
    onlyDomains: list[str] = []
    required: bool = False

    def normalize(self, raw: Any) -> str:
        return to_text(raw)

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        if not is_url(value):
            return ValidationError("validation_invalid_url", "Must be a valid url")
        if self.onlyDomains or self.exceptDomains:
            # NB: a URL without "//" (`example.com`, `mailto:x@y.z`) has no host for Go's url.Parse,
            # so it never passes `onlyDomains`.
            parsed = parse_url(value)
            host = parsed.host if parsed is not None else ""
            if (self.onlyDomains and host not in self.onlyDomains) or host in self.exceptDomains:
                return ValidationError("validation_url_domain_not_allowed", "Url domain is not allowed")
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        return {
            **super().settings_errors(collection, find),
            **domain_list_errors(self.onlyDomains, self.exceptDomains),
        }
