"""`date`: a UTC datetime string `YYYY-MM-DD HH:MM:SS.mmmZ`, or "" for none."""

from __future__ import annotations

from typing import Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error
from pocketlite.core.fields.go_time import format_datetime, go_time_string, parse_datetime, rfc3339

__all__ = ["DateField", "to_datetime_string"]


def to_datetime_string(raw: Any) -> str:
    """PocketBase's `types.ParseDateTime` printed: the accepted layouts of `go_time` → the UTC
    string; anything else → "" (NB: no error, and JSON numbers aren't timestamps)."""
    instant = parse_datetime(raw) if isinstance(raw, str) else None
    return format_datetime(instant) if instant is not None else ""


@register
class DateField(Field, kw_only=True):
    """Options: `min` / `max` bounds (datetime strings, "" for none).

    NB: PocketBase's settings check of `max` against `min` is a no-op (ozzo's `DateRule.Min()`
    returns a copy that is dropped), so a `min` after `max` is accepted; only the common checks run.
    """

    type = "date"

    help: str = ""
    max: str = ""
    min: str = ""
    required: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self.min, self.max = to_datetime_string(self.min), to_datetime_string(self.max)

    def normalize(self, raw: Any) -> str:
        return to_datetime_string(raw)

    def validate_value(self, value: Any) -> ValidationError | None:
        instant = parse_datetime(value) if value else None
        if instant is None:
            return required_error() if self.required else None
        low = parse_datetime(self.min) if self.min else None
        if low is not None and instant < low:
            return ValidationError(
                "validation_min_greater_equal_than_required",
                f"Must be no less than {go_time_string(low)}",
                {"threshold": rfc3339(low)},
            )
        high = parse_datetime(self.max) if self.max else None
        if high is not None and instant > high:
            return ValidationError(
                "validation_max_less_equal_than_required",
                f"Must be no greater than {go_time_string(high)}",
                {"threshold": rfc3339(high)},
            )
        return None
