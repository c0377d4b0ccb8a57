"""`geoPoint`: a `{"lon","lat"}` pair kept as JSON."""

from __future__ import annotations

from typing import Any

import msgspec

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error
from pocketlite.core.fields.number import json_number

__all__ = ["GeoPoint", "GeoPointField"]


class GeoPoint(msgspec.Struct, frozen=True):
    """Longitude and latitude in degrees."""

    lon: float = 0.0
    lat: float = 0.0


def _point(raw: Any) -> GeoPoint:
    if isinstance(raw, GeoPoint):
        return raw
    if isinstance(raw, str | bytes):
        if not raw:
            return GeoPoint()
        try:
            raw = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return GeoPoint()
    if isinstance(raw, dict):
        try:
            return msgspec.convert(raw, GeoPoint, strict=False)
        except msgspec.ValidationError:
            return GeoPoint()
    return GeoPoint()


@register
class GeoPointField(Field, kw_only=True):
    """(0, 0) counts as empty."""

    type = "geoPoint"

    help: str = ""
    required: bool = False

    def column_definition(self) -> str:
        return """JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"""

    def zero_value(self) -> GeoPoint:
        return GeoPoint()

    def normalize(self, raw: Any) -> GeoPoint:
        return _point(raw)

    def from_db(self, raw: Any) -> GeoPoint:
        return _point(raw)

    def to_db(self, value: Any) -> str:
        return msgspec.json.encode(value).decode()

    def to_api(self, value: Any) -> dict[str, int | float]:
        return {"lon": json_number(value.lon), "lat": json_number(value.lat)}

    def validate_value(self, value: Any) -> ValidationError | None:
        if value.lon == 0 and value.lat == 0:
            return required_error() if self.required else None
        if not -90 <= value.lat <= 90:
            return ValidationError(
                "validation_invalid_latitude", "Latitude must be between -90 and 90 degrees."
            )
        if not -180 <= value.lon <= 180:
            return ValidationError(
                "validation_invalid_longitude", "Longitude must be between -180 and 180 degrees."
            )
        return None
