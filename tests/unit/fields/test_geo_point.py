"""`geoPoint` (data-model.md §4.13), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import GeoPoint, GeoPointField
from tests.unit.fields.support import REQUIRED, api_value, value_error


def test_column_and_storage() -> None:
    field = GeoPointField(name="g")
    assert field.column_definition() == """JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"""
    assert field.to_db(GeoPoint(1.5, -2.0)) == '{"lon":1.5,"lat":-2}'
    assert field.from_db('{"lon":1.5,"lat":-2}') == GeoPoint(1.5, -2.0)


@pytest.mark.parametrize(
    ("raw", "api"),
    [
        ({"lon": 1.5, "lat": 2}, {"lon": 1.5, "lat": 2}),
        ({"lat": 5}, {"lon": 0, "lat": 5}),
        ({"lon": 1, "lat": 2, "x": 9}, {"lon": 1, "lat": 2}),
        ({"lon": None, "lat": 7}, {"lon": 0, "lat": 7}),
        ({"LON": 3, "Lat": 4}, {"lon": 0, "lat": 0}),  # names are case-sensitive
        ({"lon": "1", "lat": 2}, {"lon": 0, "lat": 0}),  # reading stops at the first bad member
        ({"lat": 2, "lon": "1"}, {"lon": 0, "lat": 2}),
        ('{"lon":3,"lat":4}', {"lon": 3, "lat": 4}),
        (' {"lon":1,"lat":1}', {"lon": 1, "lat": 1}),
        ('{"lon":1.5,"lat":2}trailing', {"lon": 1.5, "lat": 2}),
        ('{"lat":8,"lon":1,"lat":9}', {"lon": 1, "lat": 8}),
        ('{"x":1,"x":2,"lat":3}', {"lon": 0, "lat": 0}),
        ('{"lon":1, "lat":2, "x": [}', {"lon": 1, "lat": 2}),
        ('{"lat":1,"lon":NaN}', {"lon": 0, "lat": 1}),
        ('{"lon":1e400,"lat":1}', {"lon": 0, "lat": 0}),
        ("", {"lon": 0, "lat": 0}),
        ("bad", {"lon": 0, "lat": 0}),
        ("[1,2]", {"lon": 0, "lat": 0}),
        ([1, 2], {"lon": 0, "lat": 0}),
        (None, {"lon": 0, "lat": 0}),
    ],
)
def test_casts(raw: Any, api: dict[str, float]) -> None:
    assert api_value(GeoPointField(name="g"), raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (GeoPointField(name="g", required=True), {"lon": 0, "lat": 0}, REQUIRED),
        (GeoPointField(name="g", required=True), {"lon": 0, "lat": 1}, None),
        (
            GeoPointField(name="g"),
            {"lon": 200, "lat": 95},
            {
                "code": "validation_invalid_latitude",
                "message": "Latitude must be between -90 and 90 degrees.",
            },
        ),
        (
            GeoPointField(name="g"),
            {"lon": -181, "lat": 0},
            {
                "code": "validation_invalid_longitude",
                "message": "Longitude must be between -180 and 180 degrees.",
            },
        ),
    ],
)
def test_value_validation(field: GeoPointField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error
