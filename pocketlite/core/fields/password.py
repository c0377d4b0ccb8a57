"""`password`: stored as a bcrypt hash, never serialized; the plain value lives only during a save."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import (
    Field,
    FindCollection,
    SettingsErrors,
    is_regex,
    register,
    required_error,
)
from pocketlite.core.fields.casts import to_text
from pocketlite.core.fields.go_regexp import compile_go
from pocketlite.core.validators import first_error, max_value, min_value
from pocketlite.tools.security import DEFAULT_BCRYPT_COST, check_password, hash_password

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["PasswordField", "PasswordValue"]

DEFAULT_MAX = 71  # bcrypt ignores input past 72 bytes


class PasswordValue:
    """A password being set (`plain`) or loaded (`hash`)."""

    __slots__ = ("hash", "plain")

    def __init__(self, hash: str = "", plain: str = "") -> None:
        self.hash = hash
        self.plain = plain

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PasswordValue) and (self.hash, self.plain) == (other.hash, other.plain)

    def __hash__(self) -> int:
        return hash((self.hash, self.plain))

    def __repr__(self) -> str:
        return f"PasswordValue(hash={'set' if self.hash else ''}, plain={'set' if self.plain else ''})"


@register
class PasswordField(Field, kw_only=True):
    """Options: `min`/`max` length of the plain value, `pattern`, bcrypt `cost`."""

    type = "password"

    cost: int = 0
    help: str = ""
    max: int = 0
    min: int = 0
    pattern: str = ""
    required: bool = False

    def zero_value(self) -> PasswordValue:
        return PasswordValue()

    def normalize(self, raw: Any) -> PasswordValue:
        if isinstance(raw, PasswordValue):
            return raw
        return PasswordValue(plain=to_text(raw))

    def from_db(self, raw: Any) -> PasswordValue:
        return PasswordValue(hash=raw or "")

    def to_db(self, value: PasswordValue) -> str:
        return value.hash

    def to_api(self, value: Any) -> str:
        return ""

    async def hash_plain(self, value: PasswordValue) -> None:
        """Hash a newly set plain value in a thread (bcrypt is CPU-heavy)."""
        if value.plain and not value.hash:
            value.hash = await asyncio.to_thread(hash_password, value.plain, self.cost or DEFAULT_BCRYPT_COST)

    async def verify(self, value: PasswordValue, plain: str) -> bool:
        """Compare `plain` with the stored hash, in a thread."""
        return bool(plain) and await asyncio.to_thread(check_password, plain, value.hash)

    def validate_value(self, value: Any) -> ValidationError | None:
        """Checks of the plain value being set. NB: unlike text, the length errors carry no
        params, and `required` looks at the hash."""
        if not value.plain:
            return required_error() if self.required and not value.hash else None
        length = len(value.plain)
        if length < self.min:
            return ValidationError(
                "validation_min_text_constraint", f"Must be at least {self.min} character(s)"
            )
        limit = self.max if self.max > 0 else DEFAULT_MAX
        if length > limit:
            return ValidationError(
                "validation_max_text_constraint", f"Must be less than {limit} character(s)"
            )
        if self.pattern and compile_go(self.pattern).search(value.plain) is None:
            return ValidationError("validation_invalid_format", "Invalid value format")
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["min"] = first_error(self.min, min_value(1), max_value(DEFAULT_MAX))
        out["max"] = first_error(self.max, min_value(self.min), max_value(DEFAULT_MAX))
        out["cost"] = first_error(self.cost, min_value(4), max_value(31))
        out["pattern"] = is_regex(self.pattern)
        return out
