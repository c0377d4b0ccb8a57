"""Field values (data-model.md §4): casts of submitted input, storage and JSON forms, and the
value validation codes, messages and params of each type."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.errors import ValidationError
from pocketlite.core.fields import (
    BoolField,
    DateField,
    EditorField,
    EmailField,
    Field,
    FileField,
    GeoPoint,
    GeoPointField,
    JSONField,
    NumberField,
    RelationField,
    SelectField,
    TextField,
    URLField,
)


def error(field: Field, raw: Any) -> dict[str, Any] | None:
    found: ValidationError | None = field.validate_value(field.normalize(raw))
    return found.to_dict() if found is not None else None


@pytest.mark.parametrize(
    ("field", "raw", "api"),
    [
        (TextField(name="t"), None, ""),
        (TextField(name="t"), 12.0, "12"),
        (TextField(name="t"), 1.5, "1.5"),
        (TextField(name="t"), True, "true"),
        (NumberField(name="n"), "42", 42),
        (NumberField(name="n"), "abc", 0),
        (NumberField(name="n"), True, 1),
        (NumberField(name="n"), None, 0),
        (NumberField(name="n"), 1.5, 1.5),
        (BoolField(name="b"), "true", True),
        (BoolField(name="b"), "T", True),
        (BoolField(name="b"), "yes", False),
        (BoolField(name="b"), 2, True),
        (BoolField(name="b"), None, False),
        (EmailField(name="e"), " a@b.co ", "a@b.co"),
        (DateField(name="d"), "2024-05-06T07:08:09+02:00", "2024-05-06 05:08:09.000Z"),
        (DateField(name="d"), "2024-05-06", "2024-05-06 00:00:00.000Z"),
        (DateField(name="d"), "06 May 24 10:00 UTC", "2024-05-06 10:00:00.000Z"),
        (DateField(name="d"), "garbage", ""),
        (DateField(name="d"), 1700000000, ""),
        (SelectField(name="s", values=["x", "y"]), ["x", "y"], "y"),
        (SelectField(name="s", values=["x", "y"], maxSelect=2), "x", ["x"]),
        (SelectField(name="s", values=["x", "y"], maxSelect=2), ["y", "x", "y", ""], ["y", "x"]),
        (SelectField(name="s", values=["x"], maxSelect=2), None, []),
        (RelationField(name="r", collectionId="c"), '["a","b"]', "b"),
        (RelationField(name="r", collectionId="c", maxSelect=5), ["a"], ["a"]),
        (JSONField(name="j"), "", ""),
        (JSONField(name="j"), "123", 123),
        (JSONField(name="j"), "[1,2]", [1, 2]),
        (JSONField(name="j"), "{bad", "{bad"),
        (JSONField(name="j"), "null", None),
        (JSONField(name="j"), None, None),
        (JSONField(name="j"), {"b": 1, "a": 2}, {"a": 2, "b": 1}),
        (GeoPointField(name="g"), {"lon": 1.5, "lat": 2}, {"lon": 1.5, "lat": 2}),
        (GeoPointField(name="g"), "", {"lon": 0, "lat": 0}),
        (GeoPointField(name="g"), '{"lon":3,"lat":4}', {"lon": 3, "lat": 4}),
    ],
)
def test_casts(field: Field, raw: Any, api: Any) -> None:
    assert field.to_api(field.normalize(raw)) == api


@pytest.mark.parametrize(
    ("field", "column"),
    [
        (TextField(name="t"), "TEXT DEFAULT '' NOT NULL"),
        (NumberField(name="n"), "NUMERIC DEFAULT 0 NOT NULL"),
        (BoolField(name="b"), "BOOLEAN DEFAULT FALSE NOT NULL"),
        (SelectField(name="s", values=["x"]), "TEXT DEFAULT '' NOT NULL"),
        (SelectField(name="s", values=["x", "y"], maxSelect=2), "JSON DEFAULT '[]' NOT NULL"),
        (FileField(name="f", maxSelect=2), "JSON DEFAULT '[]' NOT NULL"),
        (JSONField(name="j"), "JSON DEFAULT NULL"),
        (GeoPointField(name="g"), """JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL"""),
    ],
)
def test_columns(field: Field, column: str) -> None:
    assert field.column_definition() == column


def test_storage_round_trips() -> None:
    tags = SelectField(name="s", values=["x", "y"], maxSelect=2)
    assert tags.to_db(["x", "y"]) == '["x","y"]'
    assert tags.from_db('["x","y"]') == ["x", "y"]
    meta = JSONField(name="j")
    assert meta.to_db(meta.normalize({"k": [1]})) == '{"k":[1]}'
    assert meta.to_db(meta.normalize(None)) is None
    point = GeoPointField(name="g")
    assert point.from_db(point.to_db(GeoPoint(1.5, -2.0))) == GeoPoint(1.5, -2.0)


REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        (TextField(name="t", required=True), "", REQUIRED),
        (
            TextField(name="t", min=3),
            "ab",
            {
                "code": "validation_min_text_constraint",
                "message": "Must be at least 3 character(s).",
                "params": {"min": 3},
            },
        ),
        (
            TextField(name="t"),
            "x" * 5001,
            {
                "code": "validation_max_text_constraint",
                "message": "Must be no more than 5000 character(s).",
                "params": {"max": 5000},
            },
        ),
        (
            TextField(name="t", pattern="^a+$"),
            "ab",
            {"code": "validation_invalid_format", "message": "Invalid value format."},
        ),
        (NumberField(name="n", required=True), 0, REQUIRED),
        (NumberField(name="n", min=5), 0, None),  # 0 skips min/max
        (
            NumberField(name="n", onlyInt=True),
            1.5,
            {"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."},
        ),
        (
            NumberField(name="n", min=5),
            2,
            {
                "code": "validation_min_number_constraint",
                "message": "Must be greater or equal than 5.",
                "params": {"min": 5},
            },
        ),
        (
            NumberField(name="n", max=1.5),
            2,
            {
                "code": "validation_max_number_constraint",
                "message": "Must be less or equal than 1.5.",
                "params": {"max": 1.5},
            },
        ),
        (
            NumberField(name="n"),
            float("nan"),
            {"code": "validation_not_a_number", "message": "The submitted number is not properly formatted."},
        ),
        (BoolField(name="b", required=True), False, REQUIRED),
        (
            EmailField(name="e"),
            "nope",
            {"code": "validation_is_email", "message": "Must be a valid email address."},
        ),
        (
            EmailField(name="e", onlyDomains=["a.com"]),
            "x@b.com",
            {"code": "validation_email_domain_not_allowed", "message": "Email domain is not allowed."},
        ),
        (
            URLField(name="u"),
            "not a url",
            {"code": "validation_invalid_url", "message": "Must be a valid url."},
        ),
        (
            URLField(name="u", exceptDomains=["bad.com:8080"]),
            "http://bad.com:8080/x",
            {"code": "validation_url_domain_not_allowed", "message": "Url domain is not allowed."},
        ),
        (URLField(name="u"), "https://example.com/a?b=1", None),
        (
            EditorField(name="e", maxSize=3),
            "abcd",
            {
                "code": "validation_content_size_limit",
                "message": "The maximum allowed content size is 3 bytes.",
                "params": {"maxSize": 3},
            },
        ),
        (
            DateField(name="d", min="2024-01-01"),
            "2023-12-31",
            {
                "code": "validation_min_greater_equal_than_required",
                "message": "Must be no less than 2024-01-01 00:00:00 +0000 UTC.",
                "params": {"threshold": "2024-01-01T00:00:00Z"},
            },
        ),
        (
            SelectField(name="s", values=["x", "y"]),
            "z",
            {"code": "validation_invalid_value", "message": "Invalid value z.", "params": {"value": "z"}},
        ),
        (
            SelectField(name="s", values=["x", "y", "z"], maxSelect=2),
            ["x", "y", "z"],
            {
                "code": "validation_too_many_values",
                "message": "Select no more than 2.",
                "params": {"maxSelect": 2},
            },
        ),
        (
            RelationField(name="r", collectionId="c", minSelect=2, maxSelect=3),
            ["a"],
            {
                "code": "validation_not_enough_values",
                "message": "Select at least 2.",
                "params": {"minSelect": 2},
            },
        ),
        (
            FileField(name="f", maxSelect=1),
            ["a.png", "b.png"],
            None,  # a single file field keeps the last name
        ),
        (JSONField(name="j", required=True), "{}", REQUIRED),
        (JSONField(name="j", required=True), "[]", REQUIRED),
        (
            JSONField(name="j", maxSize=5),
            {"key": 1},
            {
                "code": "validation_json_size_limit",
                "message": "The maximum allowed JSON size is 5 bytes.",
                "params": {"maxSize": 5},
            },
        ),
        (GeoPointField(name="g", required=True), {"lon": 0, "lat": 0}, REQUIRED),
        (
            GeoPointField(name="g"),
            {"lon": 0, "lat": 91},
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
def test_value_validation(field: Field, raw: Any, expected: dict[str, Any] | None) -> None:
    assert error(field, raw) == expected
