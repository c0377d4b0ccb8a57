"""`number`: a float64 stored as NUMERIC; `min`/`max` are nullable."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, FindCollection, SettingsErrors, register, required_error
from pocketlite.core.fields.casts import format_float_v, to_number

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["NumberField", "json_number", "to_number"]


def json_number(value: float) -> int | float:
    """A float as Go encodes a float64 in JSON: integral values without a fraction (`17`)."""
    return int(value) if float(value).is_integer() and abs(value) < 1e21 else float(value)


def _only_int_error() -> ValidationError:
    return ValidationError("validation_only_int_constraint", "Decimal numbers are not allowed")


def _min_error(bound: float) -> ValidationError:
    return ValidationError(
        "validation_min_number_constraint",
        f"Must be greater or equal than {format_float_v(bound)}",
        {"min": json_number(bound)},
    )


def _max_error(bound: float) -> ValidationError:
    return ValidationError(
        "validation_max_number_constraint",
        f"Must be less or equal than {format_float_v(bound)}",
        {"max": json_number(bound)},
    )


@register
class NumberField(Field, kw_only=True):
    """Options: `min`, `max` (null for unbounded), `onlyInt`."""

    type = "number"

    help: str = ""
    max: float | None = None
    min: float | None = None
    onlyInt: bool = False
    required: bool = False

    def column_definition(self) -> str:
        return "NUMERIC DEFAULT 0 NOT NULL"

    def zero_value(self) -> float:
        return 0.0

    def normalize(self, raw: Any) -> float:
        return to_number(raw)

    def from_db(self, raw: Any) -> float:
        if type(raw) is float:  # the common case, without the general cast
            return raw
        if type(raw) is int:
            return float(raw)
        return to_number(raw)

    def to_api(self, value: Any) -> int | float:
        return json_number(value)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for bound in ("min", "max"):
            if out[bound] is not None:
                out[bound] = json_number(out[bound])
        return out

    def validate_value(self, value: Any) -> ValidationError | None:
        if math.isinf(value) or math.isnan(value):
            return ValidationError(
                "validation_not_a_number", "The submitted number is not properly formatted"
            )
        if value == 0:
            # NB: PocketBase skips min/max/onlyInt for 0, even with min > 0.
            return required_error() if self.required else None
        if self.onlyInt and not float(value).is_integer():
            return _only_int_error()
        if self.min is not None and value < self.min:
            return _min_error(self.min)
        if self.max is not None and value > self.max:
            return _max_error(self.max)
        return None

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["min"] = self._int_error(self.min)
        out["max"] = self._int_error(self.max) or (
            _min_error(self.min)
            if self.min is not None and self.max is not None and self.max < self.min
            else None
        )
        return out

    def _int_error(self, bound: float | None) -> ValidationError | None:
        if bound is not None and self.onlyInt and not float(bound).is_integer():
            return _only_int_error()
        return None
