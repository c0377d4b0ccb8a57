"""What every field shares (data-model.md §2.3, §4): the registry, definition JSON, the common
settings rules (name, id, help) and the single/multiple notion of select, relation and file."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.fields import (
    FIELD_TYPES,
    BoolField,
    FileField,
    MultiValueField,
    RelationField,
    SelectField,
    field_from_dict,
)
from tests.unit.fields.support import settings_errors


def test_every_pocketbase_type_is_registered() -> None:
    assert sorted(FIELD_TYPES) == [
        "autodate",
        "bool",
        "date",
        "editor",
        "email",
        "file",
        "geoPoint",
        "json",
        "number",
        "password",
        "relation",
        "select",
        "text",
        "url",
    ]


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError) as raised:
        field_from_dict({"name": "x", "type": "nope"})
    assert str(raised.value) == "missing or unknown field type"


def test_the_default_id_is_type_and_crc32_of_the_name() -> None:
    assert (
        field_from_dict({"name": "created", "type": "autodate", "onCreate": True}).id == "autodate2990389176"
    )


def test_definition_json_has_sorted_keys_and_the_type() -> None:
    assert BoolField(name="done").to_dict() == {
        "help": "",
        "hidden": False,
        "id": "bool271442091",
        "name": "done",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "bool",
    }


NAME_LENGTH = {
    "code": "validation_length_out_of_range",
    "message": "The length must be between 1 and 100.",
    "params": {"max": 100, "min": 1},
}


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", {"code": "validation_required", "message": "Cannot be blank."}),
        ("a b", {"code": "validation_match_invalid", "message": "Must be in a valid format."}),
        ("ñame", {"code": "validation_match_invalid", "message": "Must be in a valid format."}),
        ("name\n", {"code": "validation_match_invalid", "message": "Must be in a valid format."}),
        ("expand", {"code": "validation_not_in_invalid", "message": "Must not be in list."}),
        ("collectionId", {"code": "validation_not_in_invalid", "message": "Must not be in list."}),
        ("_rowid_", {"code": "validation_not_in_invalid", "message": "Must not be in list."}),
        ("x_VIA_y", {"code": "validation_found_via", "message": 'The value cannot contain "_via_".'}),
        ("n" * 101, NAME_LENGTH),
    ],
)
def test_name_rules(name: str, error: dict[str, Any]) -> None:
    assert settings_errors(BoolField(id="b1", name=name)) == {"name": error}


@pytest.mark.parametrize("name", ["NULL", "Expand", "Ab_1", "n" * 100])
def test_reserved_names_are_case_sensitive(name: str) -> None:
    assert settings_errors(BoolField(name=name)) == {}


def test_id_is_1_to_100_characters() -> None:
    assert settings_errors(BoolField(id="i" * 101, name="b")) == {"id": NAME_LENGTH}


def test_help_is_at_most_300_characters() -> None:
    assert settings_errors(BoolField(name="b", help="h" * 301)) == {
        "help": {
            "code": "validation_length_out_of_range",
            "message": "The length must be between 1 and 300.",
            "params": {"max": 300, "min": 1},
        }
    }


@pytest.mark.parametrize(
    ("field", "multiple", "column", "zero"),
    [
        (SelectField(name="s", values=["a", "b"]), False, "TEXT DEFAULT '' NOT NULL", ""),
        (SelectField(name="s", values=["a", "b"], maxSelect=1), False, "TEXT DEFAULT '' NOT NULL", ""),
        (SelectField(name="s", values=["a", "b"], maxSelect=2), True, "JSON DEFAULT '[]' NOT NULL", []),
        (RelationField(name="r", collectionId="c", maxSelect=5), True, "JSON DEFAULT '[]' NOT NULL", []),
        (FileField(name="f"), False, "TEXT DEFAULT '' NOT NULL", ""),
    ],
)
def test_multiple_means_max_select_above_one(
    field: MultiValueField, multiple: bool, column: str, zero: Any
) -> None:
    assert (field.is_multiple, field.column_definition(), field.zero_value()) == (multiple, column, zero)


def test_multiple_values_are_stored_as_go_encodes_a_json_array() -> None:
    tags = SelectField(name="s", values=["<b>", "x"], maxSelect=2)
    assert tags.to_db(["<b>", "x"]) == '["\\u003cb\\u003e","x"]'
    assert tags.from_db('["\\u003cb\\u003e","x"]') == ["<b>", "x"]


def test_single_values_are_stored_as_text() -> None:
    one = SelectField(name="s", values=["x"])
    assert (one.to_db("x"), one.from_db("x"), one.from_db(None)) == ("x", "x", "")


@pytest.mark.parametrize(
    ("value", "items"),
    [
        (["a", "b"], ["a", "b"]),
        ("a", ["a"]),
        ("", []),
        ('["a", 1]', ["a", '["a", 1]']),  # NB: the single value is cast again, as PocketBase validates
    ],
)
def test_values_of(value: Any, items: list[str]) -> None:
    assert SelectField(name="s", values=["a"]).values_of(value) == items
