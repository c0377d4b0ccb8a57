"""`bool` (data-model.md §4.3), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import BoolField
from tests.unit.fields.support import REQUIRED, api_value, value_error


def test_column_and_storage() -> None:
    field = BoolField(name="b")
    assert (field.column_definition(), field.to_db(True), field.from_db(0), field.zero_value()) == (
        "BOOLEAN DEFAULT FALSE NOT NULL",
        1,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("raw", "api"),
    [
        ("1", True),
        ("t", True),
        ("T", True),
        ("TRUE", True),
        ("True", True),
        ("tRUE", False),
        ("yes", False),
        ("0", False),
        ("", False),
        (2, True),
        (0.5, True),
        (-1, True),
        (0, False),
        (None, False),
        ([1], False),
        ({}, False),
    ],
)
def test_casts(raw: Any, api: bool) -> None:
    assert api_value(BoolField(name="b"), raw) is api


def test_required_means_true() -> None:
    assert (
        value_error(BoolField(name="b", required=True), False),
        value_error(BoolField(name="b", required=True), 1),
    ) == (
        REQUIRED,
        None,
    )
