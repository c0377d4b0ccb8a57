"""Field definitions (data-model.md §2.3, §4): each type's settings validation, keyed by option
as PocketBase reports it under `fields.<index>`."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.collection import Collection
from pocketlite.core.fields import (
    AutodateField,
    EmailField,
    Field,
    FileField,
    JSONField,
    NumberField,
    PasswordField,
    RelationField,
    SelectField,
    TextField,
)

TARGET = Collection(name="targets", id="targets_id")
VIEW = Collection(name="a_view", id="view_id", type="view")
LOOKUP = {c.id: c for c in (TARGET, VIEW)}


def codes(field: Field, collection: Collection | None = None) -> dict[str, Any]:
    owner = collection or Collection(name="owner", fields=[field])
    errors = field.validate_settings(owner, LOOKUP.get)
    return {k: v.to_dict() for k, v in errors.errors.items()} if errors else {}


def code_of(found: dict[str, Any], key: str) -> str:
    return str(found[key]["code"])


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "validation_required"),
        ("a b", "validation_match_invalid"),
        ("expand", "validation_not_in_invalid"),
        ("collectionId", "validation_not_in_invalid"),
        ("x_via_y", "validation_found_via"),
        ("n" * 101, "validation_length_out_of_range"),
    ],
)
def test_names(name: str, code: str) -> None:
    assert code_of(codes(TextField(id="t1", name=name)), "name") == code


def test_help_is_at_most_300_characters() -> None:
    assert codes(TextField(name="t", help="h" * 301))["help"]["params"] == {"max": 300, "min": 1}


def test_text_options() -> None:
    found = codes(TextField(name="t", min=-1, max=0, pattern="(?<=x)"))
    assert code_of(found, "min") == "validation_min_greater_equal_than_required"
    assert found["pattern"] == {
        "code": "validation_invalid_regex",
        "message": "Error parsing regexp: invalid or unsupported Perl syntax: `(?<=`.",
    }


def test_a_primary_key_is_named_id_required_visible_and_alone() -> None:
    key = TextField(name="key", primaryKey=True, hidden=True)
    other = TextField(name="id", primaryKey=True, required=True, pattern="x")
    found = codes(key, Collection(name="owner", fields=[other, key]))
    assert found["name"]["message"] == 'The primary key must be named "id".'
    assert code_of(found, "primaryKey") == "validation_unsupported_composite_pk"
    assert code_of(found, "hidden") == "validation_empty"
    assert code_of(found, "required") == "validation_required"
    assert code_of(found, "pattern") == "validation_required"


def test_an_autogenerate_pattern_must_satisfy_the_field() -> None:
    found = codes(TextField(name="t", max=3, autogeneratePattern="[a-z]{5}"))
    assert code_of(found, "autogeneratePattern") == "validation_invalid_autogenerate_pattern_value"


def test_number_bounds() -> None:
    found = codes(NumberField(name="n", min=5, max=1.5, onlyInt=True))
    assert found["max"]["code"] == "validation_only_int_constraint"
    assert codes(NumberField(name="n", min=5, max=1))["max"]["params"] == {"min": 5}


def test_select_needs_values_and_a_fitting_max() -> None:
    found = codes(SelectField(name="s", values=[], maxSelect=3))
    assert code_of(found, "values") == "validation_required"
    assert found["maxSelect"]["params"] == {"threshold": 1}


def test_file_thumbs() -> None:
    found = codes(FileField(name="f", thumbs=["0x0", "abc", "100x50t"]))
    assert {k: v["code"] for k, v in found["thumbs"].items()} == {
        "0": "validation_not_in_invalid",
        "1": "validation_match_invalid",
    }


def test_password_ranges() -> None:
    found = codes(PasswordField(name="p", min=0, max=99, cost=50))
    assert (found["max"]["params"], found["cost"]["params"]) == ({"threshold": 71}, {"threshold": 31})


def test_domains_are_one_list_of_domains() -> None:
    found = codes(EmailField(name="e", onlyDomains=["a.com"], exceptDomains=["b.com"]))
    assert code_of(found, "onlyDomains") == code_of(found, "exceptDomains") == "validation_empty"
    assert (
        codes(EmailField(name="e", onlyDomains=["not a domain"]))["onlyDomains"]["0"]["code"]
        == "validation_is_domain"
    )


def test_autodate_needs_one_trigger() -> None:
    found = codes(AutodateField(name="d"))
    assert (
        found["onCreate"]["message"]
        == found["onUpdate"]["message"]
        == "Either onCreate or onUpdate must be enabled."
    )


def test_json_size() -> None:
    assert (
        code_of(codes(JSONField(name="j", maxSize=-1)), "maxSize")
        == "validation_min_greater_equal_than_required"
    )


@pytest.mark.parametrize(
    ("collection_id", "owner_type", "code"),
    [
        ("", "base", "validation_required"),
        ("nope", "base", "validation_field_relation_missing_collection"),
        ("targets", "base", "validation_field_relation_missing_collection"),  # names don't count
        ("view_id", "base", "validation_relation_field_non_view_base_collection"),
    ],
)
def test_relation_targets(collection_id: str, owner_type: str, code: str) -> None:
    field = RelationField(name="r", collectionId=collection_id)
    assert (
        code_of(codes(field, Collection(name="owner", type=owner_type, fields=[field])), "collectionId")
        == code
    )


def test_relations_between_views_and_valid_targets_pass() -> None:
    to_view = RelationField(name="r", collectionId="view_id")
    assert codes(to_view, Collection(name="v2", type="view", fields=[to_view])) == {}
    assert codes(RelationField(name="r", collectionId="targets_id")) == {}


def test_min_select_needs_a_max() -> None:
    assert (
        code_of(codes(RelationField(name="r", collectionId="targets_id", minSelect=2)), "maxSelect")
        == "validation_required"
    )
