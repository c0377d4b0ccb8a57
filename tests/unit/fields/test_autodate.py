"""`autodate` (data-model.md §4.7), checked against PocketBase 0.40.6."""

from __future__ import annotations

from pocketlite.core.collection import Collection
from pocketlite.core.fields import AutodateField
from tests.unit.fields.support import codes, owner_of, settings_errors


def test_definition_json_has_no_help_or_required() -> None:
    assert AutodateField(name="a", onCreate=True).to_dict() == {
        "hidden": False,
        "id": "autodate3904355907",
        "name": "a",
        "onCreate": True,
        "onUpdate": False,
        "presentable": False,
        "system": False,
        "type": "autodate",
    }


def test_server_values_are_datetimes() -> None:
    field = AutodateField(name="a", onCreate=True)
    assert (field.normalize("2024-01-02"), field.normalize("bad")) == ("2024-01-02 00:00:00.000Z", "")


def test_one_trigger_is_needed() -> None:
    message = {"code": "validation_required", "message": "Either onCreate or onUpdate must be enabled."}
    assert settings_errors(AutodateField(name="a")) == {"onCreate": message, "onUpdate": message}
    assert settings_errors(AutodateField(name="a", onUpdate=True)) == {}


def test_system_autodates_keep_their_triggers() -> None:
    stored_field = AutodateField(name="created", onCreate=True, system=True)
    stored = owner_of(stored_field)
    changed = AutodateField(id=stored_field.id, name="created", onCreate=True, onUpdate=True, system=True)
    saved = Collection(name="owner", id=stored.id, fields=[*stored.fields[:1], changed])

    def find(collection_id: str) -> Collection | None:
        return stored if collection_id == stored.id else None

    errors = changed.validate_settings(saved, find)
    assert errors is not None and errors.to_dict() == {
        "onUpdate": {"code": "validation_values_mismatch", "message": "Values don't match."}
    }
    assert codes(AutodateField(name="a", onCreate=True, system=True)) == {}
