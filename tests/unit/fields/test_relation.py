"""`relation` (data-model.md §4.9), checked against PocketBase 0.40.6."""

from __future__ import annotations

from typing import Any

import pytest

from pocketlite.core.collection import Collection
from pocketlite.core.fields import RelationField
from tests.unit.fields.support import REQUIRED, api_value, codes, owner_of, settings_errors, value_error

AUTHORS = RelationField(name="r", collectionId="_pb_users_auth_", minSelect=2, maxSelect=3)


def test_definition_json() -> None:
    assert RelationField(name="r", collectionId="_pb_users_auth_").to_dict() == {
        "cascadeDelete": False,
        "collectionId": "_pb_users_auth_",
        "help": "",
        "hidden": False,
        "id": "relation1812594589",
        "maxSelect": 0,
        "minSelect": 0,
        "name": "r",
        "presentable": False,
        "required": False,
        "system": False,
        "type": "relation",
    }


@pytest.mark.parametrize(
    ("field", "raw", "api"),
    [
        (RelationField(name="r", collectionId="c"), '["a","b"]', "b"),
        (RelationField(name="r", collectionId="c"), ["a", "b"], "b"),
        (RelationField(name="r", collectionId="c", maxSelect=5), "a", ["a"]),
        (RelationField(name="r", collectionId="c", maxSelect=5), ["a", "a", ""], ["a"]),
    ],
)
def test_casts(field: RelationField, raw: Any, api: Any) -> None:
    assert api_value(field, raw) == api


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (RelationField(name="r", collectionId="c", required=True), "", REQUIRED),
        (
            AUTHORS,
            "abc",
            {
                "code": "validation_not_enough_values",
                "message": "Select at least 2.",
                "params": {"minSelect": 2},
            },
        ),
        (
            AUTHORS,
            ["a", "a"],
            {
                "code": "validation_not_enough_values",
                "message": "Select at least 2.",
                "params": {"minSelect": 2},
            },
        ),
        (
            AUTHORS,
            ["a", "b", "c", "d"],
            {
                "code": "validation_too_many_values",
                "message": "Select no more than 3.",
                "params": {"maxSelect": 3},
            },
        ),
        (AUTHORS, ["a", "b"], None),
    ],
)
def test_value_validation(field: RelationField, raw: Any, error: dict[str, Any] | None) -> None:
    assert value_error(field, raw) == error


def test_the_ids_to_look_up() -> None:
    single = RelationField(name="r", collectionId="c")
    assert (AUTHORS.values_of(["a", "b"]), single.values_of("x"), AUTHORS.values_of("")) == (
        ["a", "b"],
        ["x"],
        [],
    )


@pytest.mark.parametrize(
    ("found", "error"),
    [
        ({"a", "b"}, None),
        (
            {"a"},
            {
                "code": "validation_missing_rel_records",
                "message": "Failed to find all relation records with the provided ids.",
            },
        ),
        (
            None,
            {
                "code": "validation_missing_rel_collection",
                "message": "Relation connection is missing or cannot be accessed.",
            },
        ),
    ],
)
def test_existence(found: set[str] | None, error: dict[str, Any] | None) -> None:
    found_error = AUTHORS.existence_error(["a", "b"], found)
    assert (found_error.to_dict() if found_error else None) == error


@pytest.mark.parametrize(
    ("collection_id", "owner_type", "error"),
    [
        ("", "base", REQUIRED),
        (
            "nope",
            "base",
            {
                "code": "validation_field_relation_missing_collection",
                "message": "The relation collection doesn't exist.",
            },
        ),
        (
            "users",  # names don't count
            "base",
            {
                "code": "validation_field_relation_missing_collection",
                "message": "The relation collection doesn't exist.",
            },
        ),
        (
            "pbc_view",
            "base",
            {
                "code": "validation_relation_field_non_view_base_collection",
                "message": "Only view collections are allowed to have relations to other views.",
            },
        ),
    ],
)
def test_the_target_collection(collection_id: str, owner_type: str, error: dict[str, Any]) -> None:
    field = RelationField(name="r", collectionId=collection_id)
    assert settings_errors(field, owner_of(field, type=owner_type)) == {"collectionId": error}


def test_views_may_point_at_views() -> None:
    field = RelationField(name="r", collectionId="pbc_view")
    assert settings_errors(field, owner_of(field, type="view")) == {}


def test_the_target_cant_change() -> None:
    stored_field = RelationField(name="r", collectionId="_pb_users_auth_")
    stored = owner_of(stored_field)
    moved = RelationField(id=stored_field.id, name="r", collectionId="pbc_view")
    saved = Collection(name="owner", id=stored.id, type="view", fields=[*stored.fields[:1], moved])

    def find(collection_id: str) -> Collection | None:
        return {stored.id: stored, "pbc_view": Collection(name="v", id="pbc_view", type="view")}.get(
            collection_id
        )

    errors = moved.validate_settings(saved, find)
    assert errors is not None and errors.to_dict() == {
        "collectionId": {
            "code": "validation_field_relation_change",
            "message": "The relation collection cannot be changed.",
        }
    }


def test_select_counts() -> None:
    assert codes(RelationField(name="r", collectionId="_pb_users_auth_", minSelect=2)) == {
        "maxSelect": "validation_required"
    }
    assert settings_errors(
        RelationField(name="r", collectionId="_pb_users_auth_", minSelect=3, maxSelect=2)
    ) == {
        "maxSelect": {
            "code": "validation_min_greater_equal_than_required",
            "message": "Must be no less than 3.",
            "params": {"threshold": 3},
        }
    }
    assert codes(RelationField(name="r", collectionId="_pb_users_auth_", minSelect=-1, maxSelect=-1)) == {
        "minSelect": "validation_min_greater_equal_than_required"
    }
