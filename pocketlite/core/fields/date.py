"""`date`: a UTC datetime string `YYYY-MM-DD HH:MM:SS.mmmZ`, or "" for none."""

from __future__ import annotations

import datetime as _dt
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.tools.types import format_datetime

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["DateField", "parse_datetime"]

_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d %b %y %H:%M %Z",
    "%d %b %Y %H:%M %Z",
)


def parse_datetime(raw: Any) -> _dt.datetime | None:
    """A datetime from the layouts PocketBase accepts (its own, RFC 3339, dates, RFC 822/1123);
    None for anything else (NB: numbers too, as in PocketBase)."""
    if isinstance(raw, _dt.datetime):
        parsed = raw
    elif not isinstance(raw, str) or not raw.strip():
        return None
    else:
        text = raw.strip()
        parsed_or_none = _parse_text(text)
        if parsed_or_none is None:
            return None
        parsed = parsed_or_none
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.UTC)
    return parsed.astimezone(_dt.UTC)


def _parse_text(text: str) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    for layout in _FORMATS:
        try:
            return _dt.datetime.strptime(text, layout)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _to_string(raw: Any) -> str:
    parsed = parse_datetime(raw)
    return format_datetime(parsed) if parsed is not None else ""


def _threshold(value: str) -> str:
    """The bound as Go's RFC 3339 (`2024-01-01T00:00:00Z`), the `threshold` param."""
    parsed = parse_datetime(value)
    assert parsed is not None
    return (
        parsed.strftime("%Y-%m-%dT%H:%M:%S")
        + ("." + f"{parsed.microsecond:06d}".rstrip("0") if parsed.microsecond else "")
        + "Z"
    )


def _go_time(value: str) -> str:
    """Go's `time.Time` String() of a UTC bound, as the range messages print it."""
    parsed = parse_datetime(value)
    assert parsed is not None
    fraction = f".{parsed.microsecond:06d}".rstrip("0") if parsed.microsecond else ""
    return parsed.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


@register
class DateField(Field, kw_only=True):
    """Options: `min` / `max` bounds (datetime strings, "" for none)."""

    type = "date"

    help: str = ""
    max: str = ""
    min: str = ""
    required: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self.min, self.max = _to_string(self.min), _to_string(self.max)

    def normalize(self, raw: Any) -> str:
        return _to_string(raw)

    def validate_value(self, value: Any) -> ValidationError | None:
        if value == "":
            return required_error() if self.required else None
        return self._range_error(value)

    def _range_error(self, value: str) -> ValidationError | None:
        if self.min and value < self.min:
            return ValidationError(
                "validation_min_greater_equal_than_required",
                f"Must be no less than {_go_time(self.min)}",
                {"threshold": _threshold(self.min)},
            )
        if self.max and value > self.max:
            return ValidationError(
                "validation_max_less_equal_than_required",
                f"Must be no greater than {_go_time(self.max)}",
                {"threshold": _threshold(self.max)},
            )
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["max"] = self._range_error(self.max) if self.max else None
        return out
