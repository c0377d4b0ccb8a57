"""Collection JSON input: merging onto the stored state and building the field list."""

from __future__ import annotations

import pytest

from pocketlite.core.collection import InvalidFormatError, collection_from_dict, merge_input, normalize_fields
from pocketlite.core.fields import BoolField, TextField


def test_objects_merge_key_by_key_and_lists_are_replaced() -> None:
    current = {"otp": {"enabled": False, "duration": 180}, "indexes": ["a", "b"], "name": "x"}
    merged = merge_input(current, {"otp": {"enabled": True}, "indexes": ["c"]})
    assert merged == {"otp": {"enabled": True, "duration": 180}, "indexes": ["c"], "name": "x"}


def test_null_clears_rules_but_leaves_other_keys() -> None:
    current = {"listRule": "", "name": "x", "mfa": {"rule": "a"}}
    assert merge_input(current, {"listRule": None, "name": None, "mfa": None}) == {
        "listRule": None,
        "name": "x",
        "mfa": {"rule": "a"},
    }


def test_fields_without_id_get_pocketbases_default_ids() -> None:
    collection = collection_from_dict({"name": "t", "fields": [{"name": "title", "type": "text"}]})
    assert [f.id for f in collection.fields] == ["text724990059"]


def test_a_later_id_less_field_replaces_a_same_named_one_in_place() -> None:
    first, second = TextField(name="a"), BoolField(name="a")
    first.id, second.id = "custom", ""
    assert normalize_fields([first, TextField(name="b"), second]) == [
        BoolField(id="custom", name="a"),
        TextField(name="b"),
    ]


def test_a_field_with_a_known_id_replaces_that_field() -> None:
    assert normalize_fields([TextField(id="x", name="a"), TextField(id="x", name="b")]) == [
        TextField(id="x", name="b")
    ]


def test_clashing_default_ids_are_numbered() -> None:
    taken = TextField(id="text724990059", name="other")
    clash = TextField(name="title")
    clash.id = ""
    assert [f.id for f in normalize_fields([taken, clash])] == ["text724990059", "text7249900592"]


@pytest.mark.parametrize(
    "data",
    [
        {"name": "t", "fields": "x"},
        {"name": "t", "fields": [{"name": "a", "type": "zzz"}]},
        {"name": 5},
        {"name": "t", "type": "auth", "otp": {"duration": "long"}},
    ],
)
def test_badly_shaped_input_is_a_format_error(data: dict[str, object]) -> None:
    with pytest.raises(InvalidFormatError):
        collection_from_dict(data)
