"""`geoPoint`: a `{"lon","lat"}` pair kept as JSON."""

from __future__ import annotations

from typing import Any

import msgspec

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields.base import Field, register, required_error
from pocketlite.core.fields.casts import STRICT_JSON, encode_json
from pocketlite.core.fields.number import json_number

__all__ = ["GeoPoint", "GeoPointField"]

_WHITESPACE = " \t\n\r"


class GeoPoint(msgspec.Struct, frozen=True):
    """Longitude and latitude in degrees."""

    lon: float = 0.0
    lat: float = 0.0


class _Stop(Exception):
    """Decoding stops here; what was read so far is kept."""


def _point(raw: Any) -> GeoPoint:
    """PocketBase's `GeoPoint.Scan`. NB: it reads members in order and stops at the first bad one
    (a non-number `lon`/`lat`, a duplicated name, a syntax error), keeping what it already read;
    names are case-sensitive and others are ignored. (For a request body PocketBase holds the
    object in a Go map, whose order is random; here it is the submitted order.)"""
    if isinstance(raw, GeoPoint):
        return raw
    if isinstance(raw, dict):
        return _from_members(iter(raw.items()))
    if isinstance(raw, str) and raw:
        return _from_members(_members(raw))
    return GeoPoint()


def _from_members(members: Any) -> GeoPoint:
    coordinates = {"lon": 0.0, "lat": 0.0}
    try:
        for key, value in members:
            if key not in coordinates or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                break
            coordinates[key] = float(value)
    except (_Stop, OverflowError):
        pass
    return GeoPoint(coordinates["lon"], coordinates["lat"])


def _members(text: str) -> Any:
    """The members of a JSON object text, decoded one by one (trailing text is ignored)."""
    pos = len(text) - len(text.lstrip(_WHITESPACE))
    if not text.startswith("{", pos):
        return
    pos += 1
    seen: set[str] = set()
    while True:
        pos = _skip(text, pos)
        if text.startswith("}", pos):
            return
        try:
            key, pos = STRICT_JSON.raw_decode(text, pos)
            pos = _skip(text, pos)
            if not isinstance(key, str) or not text.startswith(":", pos) or key in seen:
                raise _Stop
            value, pos = STRICT_JSON.raw_decode(text, _skip(text, pos + 1))
        except ValueError:
            raise _Stop from None
        seen.add(key)
        yield key, value
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("}", pos):
            raise _Stop


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


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
        return f'{{"lon":{encode_json(value.lon).decode()},"lat":{encode_json(value.lat).decode()}}}'

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
