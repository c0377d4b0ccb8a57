"""Records: one row of a collection, with values held in each field's own representation."""

from __future__ import annotations

from typing import Any

from pocketlite.core.collection import Collection
from pocketlite.core.fields import PasswordValue

__all__ = ["Record"]


class Record:
    """A record of `collection`; `original` keeps the values as loaded, to see what changed."""

    __slots__ = ("_shown", "collection", "data", "expand", "original")

    def __init__(self, collection: Collection, data: dict[str, Any] | None = None) -> None:
        self.collection = collection
        self.data: dict[str, Any] = {f.name: f.zero_value() for f in collection.fields}
        if data:
            for name, value in data.items():
                self.set(name, value)
        self.original: dict[str, Any] | None = None
        # Related records loaded by `?expand=` (a record or a list per key), None when not asked.
        self.expand: dict[str, Record | list[Record]] | None = None
        self._shown: _Shown | None = None

    @classmethod
    def from_row(cls, collection: Collection, row: Any) -> Record:
        """Load a stored row (an `sqlite3.Row` or mapping)."""
        record = cls.__new__(cls)
        record.collection = collection
        keys = set(row.keys())
        record.data = {
            f.name: f.from_db(row[f.name]) if f.name in keys else f.zero_value() for f in collection.fields
        }
        record.original = dict(record.data)
        record.expand = None
        record._shown = None
        return record

    def snapshot(self) -> Record:
        """A stored-looking copy of the current values, without expand: what record events carry,
        safe from later changes to this object."""
        copy = Record.__new__(Record)
        copy.collection = self.collection
        copy.data = dict(self.data)
        copy.original = dict(self.data)
        copy.expand = None
        copy._shown = None
        return copy

    @property
    def is_new(self) -> bool:
        """Whether the record has not been stored yet."""
        return self.original is None

    @property
    def id(self) -> str:
        """The primary key."""
        return str(self.data.get("id", ""))

    def get(self, name: str) -> Any:
        """A field's value (None for unknown names)."""
        return self.data.get(name)

    def get_string(self, name: str) -> str:
        """A field's value as a string."""
        value = self.data.get(name)
        return "" if value is None else str(value)

    def set(self, name: str, value: Any) -> None:
        """Set a field's value through its normalization; unknown names are ignored."""
        field = self.collection.field(name)
        if field is not None:
            self.data[name] = field.normalize(value)

    def changed(self, name: str) -> bool:
        """Whether a field differs from the loaded value (always true for new records)."""
        return self.original is None or self.original.get(name) != self.data.get(name)

    @property
    def password(self) -> PasswordValue:
        """The auth record's password value."""
        value = self.data.get("password")
        return value if isinstance(value, PasswordValue) else PasswordValue()

    # --- what an answer shows (set by `on_record_enrich` handlers) ------------------------------

    def hide(self, *names: str) -> None:
        """Leave these fields out of this record's JSON (for this answer)."""
        shown = self._shown = self._shown or _Shown()
        shown.hidden.update(names)
        shown.unhidden.difference_update(names)

    def unhide(self, *names: str) -> None:
        """Show these fields even if the collection hides them."""
        shown = self._shown = self._shown or _Shown()
        shown.unhidden.update(names)
        shown.hidden.difference_update(names)

    def with_custom_data(self, enabled: bool = True) -> None:
        """Allow `set_custom(key, value)` keys that aren't fields into this record's JSON."""
        shown = self._shown = self._shown or _Shown()
        shown.custom_enabled = enabled

    def set_custom(self, key: str, value: Any) -> None:
        """An extra key of this record's JSON (after `with_custom_data()`)."""
        shown = self._shown = self._shown or _Shown()
        shown.custom[key] = value

    def to_api(self, *, show_hidden: bool = False, show_email: bool = False) -> dict[str, Any]:
        """The record JSON: visible fields plus collectionId/collectionName, keys sorted.

        `show_hidden` is for superusers; `show_email` for the owner, managers and auth responses.
        """
        collection = self.collection
        data = self.data
        shown = self._shown
        out: dict[str, Any] = {}
        for name, field in collection.api_plan():
            if field is None:
                out[name] = collection.id if name == "collectionId" else collection.name
            elif show_hidden or not field.hidden or (shown is not None and name in shown.unhidden):
                out[name] = field.to_api(data.get(name))
        if (
            collection.is_auth
            and "email" in out
            and not (show_email or show_hidden or data.get("emailVisibility"))
        ):
            del out["email"]
        if shown is not None:
            for name in shown.hidden:
                out.pop(name, None)
            if shown.custom_enabled and shown.custom:
                out = dict(sorted({**out, **shown.custom}.items()))
        return out


class _Shown:
    """Per-answer changes to what a record's JSON shows."""

    __slots__ = ("custom", "custom_enabled", "hidden", "unhidden")

    def __init__(self) -> None:
        self.hidden: set[str] = set()
        self.unhidden: set[str] = set()
        self.custom: dict[str, Any] = {}
        self.custom_enabled = False
