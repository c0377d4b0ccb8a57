"""Collections: the schema of one table (or view) and its API rules."""

from __future__ import annotations

import zlib
from typing import Any

import msgspec

from pocketlite.core.auth_options import AuthOptions
from pocketlite.core.fields import Field, field_from_dict

__all__ = ["AUTH", "BASE", "RULES", "VIEW", "Collection", "default_collection_id"]

BASE, AUTH, VIEW = "base", "auth", "view"
RULES = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")

_json_decode = msgspec.json.decode
_json_encode = msgspec.json.encode


def default_collection_id(type_: str, name: str) -> str:
    """`pbc_` + crc32(type + name): `auth`+`_superusers` → `pbc_3142635823`."""
    return f"pbc_{zlib.crc32((type_ + name).encode())}"


class Collection:
    """A collection definition as stored in `_collections`."""

    __slots__ = (
        "_by_name",
        "auth",
        "createRule",
        "created",
        "deleteRule",
        "fields",
        "id",
        "indexes",
        "listRule",
        "name",
        "system",
        "type",
        "updateRule",
        "updated",
        "viewQuery",
        "viewRule",
    )

    def __init__(
        self,
        *,
        name: str,
        type: str = BASE,
        id: str = "",
        fields: list[Field] | None = None,
        indexes: list[str] | None = None,
        system: bool = False,
        listRule: str | None = None,
        viewRule: str | None = None,
        createRule: str | None = None,
        updateRule: str | None = None,
        deleteRule: str | None = None,
        auth: AuthOptions | None = None,
        viewQuery: str = "",
        created: str = "",
        updated: str = "",
    ) -> None:
        self.id = id or default_collection_id(type, name)
        self.name = name
        self.type = type
        self.system = system
        self.fields: list[Field] = list(fields or [])
        self.indexes: list[str] = list(indexes or [])
        self.listRule, self.viewRule, self.createRule = listRule, viewRule, createRule
        self.updateRule, self.deleteRule = updateRule, deleteRule
        self.auth = auth if auth is not None or type != AUTH else AuthOptions()
        self.viewQuery = viewQuery
        self.created, self.updated = created, updated
        self._by_name: dict[str, Field] = {}

    @property
    def is_auth(self) -> bool:
        """Whether records of this collection can authenticate."""
        return self.type == AUTH

    @property
    def is_view(self) -> bool:
        """Whether the collection is a read-only SQL view."""
        return self.type == VIEW

    def field(self, name: str) -> Field | None:
        """The field called `name`, if any."""
        if len(self._by_name) != len(self.fields):
            self._by_name = {f.name: f for f in self.fields}
        return self._by_name.get(name)

    def to_api(self) -> dict[str, Any]:
        """The collection JSON of the API, in PocketBase's key order, secrets removed."""
        out: dict[str, Any] = {"id": self.id}
        for rule in RULES:
            out[rule] = getattr(self, rule)
        out.update(
            name=self.name,
            type=self.type,
            fields=[f.to_dict() for f in self.fields],
            indexes=list(self.indexes),
            created=self.created,
            updated=self.updated,
            system=self.system,
        )
        if self.type == VIEW:
            out["viewQuery"] = self.viewQuery
        elif self.auth is not None:
            out.update(self.auth.to_api())
        return out

    def options_json(self) -> str:
        """The `_collections.options` column: type options, secrets included."""
        if self.type == VIEW:
            return _json_encode({"viewQuery": self.viewQuery}).decode()
        if self.auth is not None:
            return _json_encode(self.auth).decode()
        return "{}"

    def to_row(self) -> dict[str, Any]:
        """Column values for `_collections`."""
        row: dict[str, Any] = {
            "id": self.id,
            "system": self.system,
            "type": self.type,
            "name": self.name,
            "fields": _json_encode([f.to_dict() for f in self.fields]).decode(),
            "indexes": _json_encode(self.indexes).decode(),
            "options": self.options_json(),
            "created": self.created,
            "updated": self.updated,
        }
        for rule in RULES:
            row[rule] = getattr(self, rule)
        return row

    @classmethod
    def from_row(cls, row: Any) -> Collection:
        """Load from a `_collections` row."""
        options = _json_decode(row["options"] or "{}")
        type_ = row["type"]
        return cls(
            id=row["id"],
            name=row["name"],
            type=type_,
            system=bool(row["system"]),
            fields=[field_from_dict(f) for f in _json_decode(row["fields"] or "[]")],
            indexes=list(_json_decode(row["indexes"] or "[]")),
            listRule=row["listRule"],
            viewRule=row["viewRule"],
            createRule=row["createRule"],
            updateRule=row["updateRule"],
            deleteRule=row["deleteRule"],
            auth=msgspec.convert(options, AuthOptions) if type_ == AUTH else None,
            viewQuery=options.get("viewQuery", "") if type_ == VIEW else "",
            created=row["created"],
            updated=row["updated"],
        )
