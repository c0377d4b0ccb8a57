"""Collections: the schema of one table (or view) and its API rules."""

from __future__ import annotations

import zlib
from typing import Any

import msgspec

from pocketlite.core.auth_options import AuthOptions
from pocketlite.core.fields import Field, field_from_dict
from pocketlite.core.fields.base import default_field_id
from pocketlite.tools import gojson

__all__ = [
    "AUTH",
    "BASE",
    "RULES",
    "TYPES",
    "VIEW",
    "Collection",
    "InvalidFormatError",
    "collection_from_dict",
    "default_collection_id",
    "merge_input",
    "normalize_fields",
]

BASE, AUTH, VIEW = "base", "auth", "view"
TYPES = (BASE, AUTH, VIEW)
RULES = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")

# Keys whose JSON null means "null"; for every other key PocketBase (Go's JSON decoding onto the
# current value) treats null as "leave unchanged".
_NULLABLE_KEYS = frozenset({*RULES, "authRule", "manageRule", "pkce"})

_json_decode = msgspec.json.decode
_json_encode = msgspec.json.encode


def default_collection_id(type_: str, name: str) -> str:
    """`pbc_` + crc32(type + name): `auth`+`_superusers` → `pbc_3142635823`."""
    return f"pbc_{zlib.crc32((type_ + name).encode())}"


class Collection:
    """A collection definition as stored in `_collections`."""

    __slots__ = (
        "_api_plan",
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
        self._api_plan: tuple[int, int, tuple[tuple[str, Field | None], ...]] | None = None

    @property
    def is_auth(self) -> bool:
        """Whether records of this collection can authenticate."""
        return self.type == AUTH

    @property
    def is_view(self) -> bool:
        """Whether the collection is a read-only SQL view."""
        return self.type == VIEW

    def api_plan(self) -> tuple[tuple[str, Field | None], ...]:
        """The keys of this collection's record JSON in output (sorted) order, each with its field
        (None for `collectionId`/`collectionName`); auth secrets left out. Remembered until the
        field list changes."""
        cached = self._api_plan
        if cached is not None and cached[0] == id(self.fields) and cached[1] == len(self.fields):
            return cached[2]
        secrets = ("password", "tokenKey") if self.type == AUTH else ()
        keys: list[tuple[str, Field | None]] = [("collectionId", None), ("collectionName", None)]
        keys += [(f.name, f) for f in self.fields if f.name not in secrets]
        plan = tuple(sorted(keys, key=lambda item: item[0]))
        self._api_plan = (id(self.fields), len(self.fields), plan)
        return plan

    def field(self, name: str) -> Field | None:
        """The field called `name`, if any."""
        # NB: a scan, not a cache: fields are edited in place while a collection is being saved.
        return next((f for f in self.fields if f.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Everything about the collection, secrets included: the base that input merges onto."""
        out = self.to_api()
        if self.auth is not None and self.type == AUTH:
            out.update(msgspec.to_builtins(self.auth))
        return out

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
            fields=[field_from_dict(f) for f in _json_decode(row["fields"] or "[]") or ()],
            indexes=list(_json_decode(row["indexes"] or "[]") or ()),
            listRule=row["listRule"],
            viewRule=row["viewRule"],
            createRule=row["createRule"],
            updateRule=row["updateRule"],
            deleteRule=row["deleteRule"],
            auth=gojson.convert(options, AuthOptions, _NULLABLE_KEYS) if type_ == AUTH else None,
            viewQuery=options.get("viewQuery", "") if type_ == VIEW else "",
            created=row["created"],
            updated=row["updated"],
        )


class InvalidFormatError(ValueError):
    """Submitted collection JSON of the wrong shape (PocketBase: "invalid formatting")."""


class _Input(msgspec.Struct):
    """The typed edge of submitted collection JSON (type options are converted separately)."""

    id: str = ""
    name: str = ""
    type: str = BASE
    system: bool = False
    fields: list[dict[str, Any]] = []
    indexes: list[str] = []
    listRule: str | None = None
    viewRule: str | None = None
    createRule: str | None = None
    updateRule: str | None = None
    deleteRule: str | None = None
    viewQuery: str = ""
    created: str = ""
    updated: str = ""


def merge_input(current: Any, patch: Any, key: str = "") -> Any:
    """`patch` decoded onto `current` the way Go's JSON decoding onto a struct does: objects merge
    key by key, everything else (lists included) is replaced, null only clears nullable keys."""
    if isinstance(current, dict) and isinstance(patch, dict):
        merged = dict(current)
        for k, v in patch.items():
            merged[k] = merge_input(current.get(k), v, k) if k in current else v
        return merged
    if patch is None and current is not None and key not in _NULLABLE_KEYS:
        return current
    return patch


def collection_from_dict(data: dict[str, Any]) -> Collection:
    """A collection from its JSON (API input merged onto a scaffold or the stored state)."""
    try:
        base = gojson.convert(data, _Input, _NULLABLE_KEYS)
        auth = gojson.convert(data, AuthOptions, _NULLABLE_KEYS) if base.type == AUTH else None
        fields = []
        for raw in base.fields:
            field = field_from_dict(raw)
            if not raw.get("id"):
                field.id = ""  # let normalize_fields give it the default id (or the same-named one's)
            fields.append(field)
    except (msgspec.ValidationError, ValueError, TypeError) as exc:
        raise InvalidFormatError(str(exc)) from exc
    return Collection(
        id=base.id,
        name=base.name,
        type=base.type,
        system=base.system,
        fields=normalize_fields(fields),
        indexes=base.indexes,
        listRule=base.listRule,
        viewRule=base.viewRule,
        createRule=base.createRule,
        updateRule=base.updateRule,
        deleteRule=base.deleteRule,
        auth=auth,
        viewQuery=base.viewQuery,
        created=base.created,
        updated=base.updated,
    )


def normalize_fields(fields: list[Field]) -> list[Field]:
    """PocketBase's field list building: id-less fields get `type + crc32(name)` (numbered on
    clashes) or take over the id of a same-named earlier field, which they replace; a field whose
    id is already in the list replaces that one in place."""
    out: list[Field] = []
    for field in fields:
        if not field.id:
            base_id = default_field_id(field.type, field.name)
            candidate, n = base_id, 2
            while n < 1000 and any(f.id == candidate for f in out):
                candidate, n = f"{base_id}{n}", n + 1
            field.id = candidate
            same_name = next((i for i, f in enumerate(out) if field.name and f.name == field.name), None)
            if same_name is not None:
                field.id = out[same_name].id
                out[same_name] = field
                continue
        else:
            same_id = next((i for i, f in enumerate(out) if f.id == field.id), None)
            if same_id is not None:
                out[same_id] = field
                continue
        out.append(field)
    return out
