"""`url`: an absolute URL, optionally limited to or excluding some hosts."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.core.fields.email import domain_list_errors
from pocketlite.core.fields.text import to_text

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["URLField", "is_url"]

_HOST_RE = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$|^localhost$")


def is_url(value: str) -> bool:
    """ozzo's `is.URL`: a scheme-qualified (or `//`) URL with a valid host."""
    if not value or len(value) > 2083 or " " in value:
        return False
    parts = urlsplit(value if "://" in value else f"http://{value}")
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018 - raises on an invalid port
    except ValueError:
        return False
    return bool(_HOST_RE.match(host)) or _is_ip(host)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@register
class URLField(Field, kw_only=True):
    """Options: `onlyDomains` / `exceptDomains` (hosts, port included; at most one list set)."""

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
        host = urlsplit(value).netloc.rsplit("@", 1)[-1]
        if (self.onlyDomains and host not in self.onlyDomains) or host in self.exceptDomains:
            return ValidationError("validation_url_domain_not_allowed", "Url domain is not allowed")
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        return {
            **super().settings_errors(collection, find),
            **domain_list_errors(self.onlyDomains, self.exceptDomains),
        }
