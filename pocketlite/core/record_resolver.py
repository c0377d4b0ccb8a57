"""What names in record filters and API rules mean (filter-and-rules.md §2-§6): fields, relation
paths (up to 6 deep), back-relations `coll_via_field`, JSON paths, `@request.*`, `@collection.*`
and the `:isset`, `:changed`, `:length`, `:each` and `:lower` modifiers.

A `RecordFieldResolver` is made per query: resolving names registers the LEFT JOINs the query
needs (`joins`), and, for relation paths reaching collections with a list rule, the rule joins
the records layer must add for non-superusers (`rule_joins`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from pocketlite.core.collection import Collection
from pocketlite.core.fields import Field, MultiValueField, RelationField
from pocketlite.core.indexes import find_single_column_unique_index
from pocketlite.core.record import Record
from pocketlite.search.filter import build_filter
from pocketlite.search.jsonsql import json_array_length, json_each, json_extract, quote_column
from pocketlite.search.resolver import Join, MultiMatch, NullFallback, ResolverResult

__all__ = ["RecordFieldResolver", "RequestInfo"]

MAX_NESTED_RELATIONS = 6
_MODIFIERS = frozenset({"isset", "each", "length", "lower", "changed"})
_ALLOWED = tuple(
    re.compile(p)
    for p in (
        r"^\w+[\w.:]*$",
        r"^@request\.context$",
        r"^@request\.method$",
        r"^@request\.auth\.[\w.:]*\w+$",
        r"^@request\.body\.[\w.:]*\w+$",
        r"^@request\.query\.[\w.:]*\w+$",
        r"^@request\.headers\.[\w.:]*\w+$",
        r"^@collection\.\w+(:\w+)?\.[\w.:]*\w+$",
    )
)
_PLAIN_AUTH_FIELDS = frozenset(
    f"@request.auth.{name}"
    for name in ("id", "collectionId", "collectionName", "email", "emailVisibility", "verified")
)
_VIA_RE = re.compile(r"^(\w+)_via_(\w+)$")
_COLUMN_CLEAN = re.compile(r"[^\w.*\-@#]+")


def _columnify(name: str) -> str:
    return _COLUMN_CLEAN.sub("", name)


@dataclass
class RequestInfo:
    """The request as rules see it (`@request.*`); headers are lower-cased with `-` → `_`."""

    context: str = "default"
    method: str = ""
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    auth: Record | None = None


class _MissingKey(Exception):
    pass


def _split_modifier(combined: str) -> tuple[str, str]:
    parts = combined.split(":")
    if len(parts) != 2:
        return combined, ""
    if parts[1] in _MODIFIERS:
        return parts[0], parts[1]
    raise ValueError(f'unknown modifier in "{combined}"')


def _nested(data: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(data, dict):
            if key not in data:
                raise _MissingKey(key)
            data = data[key]
        elif isinstance(data, list | tuple):
            if not key.isdigit() or int(key) >= len(data):
                raise _MissingKey(key)
            data = data[int(key)]
        elif isinstance(data, bytes | str) and data[:1] in ("{", "[", b"{", b"["):
            try:
                data = _nested(msgspec.json.decode(data), [key])
            except msgspec.DecodeError as exc:
                raise _MissingKey(key) from exc
        else:
            raise _MissingKey(key)
    return data


class RecordFieldResolver:
    """Resolves record filter/rule identifiers against `base` (see the module docstring)."""

    def __init__(
        self,
        find_collection: Callable[[str], Collection | None],
        base: Collection,
        request: RequestInfo | None = None,
        *,
        allow_hidden: bool = False,
        base_alias: str = "",
        alias_suffix: str = "",
    ) -> None:
        self.find_collection = find_collection
        self.base = base
        self.request = request
        self.allow_hidden = allow_hidden
        self.base_alias = base_alias or _columnify(base.name)
        self.alias_suffix = alias_suffix
        self.joins: list[Join] = []
        self.join_params: dict[str, Any] = {}
        self.rule_joins: list[tuple[Collection, str]] = []
        self._names = itertools.count()

    @functools.cached_property
    def static(self) -> dict[str, Any]:
        """`@request.*` as plain values; made when a rule first asks (the auth record's JSON is
        a good part of a rule check that needs none of it)."""
        request = self.request
        if request is None:
            return {}
        return {
            "context": request.context,
            "method": request.method,
            "query": request.query,
            "headers": request.headers,
            "body": request.body,
            "auth": request.auth.to_api(show_hidden=True, show_email=True) if request.auth else None,
        }

    def resolve(self, name: str) -> ResolverResult:
        """The SQL of `name`; `ValueError` with PocketBase's reason when it can't be resolved."""
        return _Runner(self, name).run()

    # --- shared helpers -----------------------------------------------------------------------

    def param(self, value: Any) -> str:
        """A fresh parameter name bound to `value` (returned as `:name`)."""
        name = f"r{next(self._names)}"
        self.join_params[name] = value
        return name

    def load(self, name_or_id: str) -> Collection:
        if name_or_id in (self.base.name, self.base.id):
            return self.base
        found = self.find_collection(name_or_id)
        if found is None:
            raise ValueError(f'missing collection "{name_or_id}"')
        return found

    def register_join(self, table: str, alias: str, on: str = "") -> None:
        if not self.allow_hidden:
            target = self.find_collection(table.strip("`")) if not table.startswith("json_each") else None
            if target is not None:
                if target.listRule is None:
                    raise ValueError(
                        f'"{target.name}" fields can be accessed only when allowHiddenFields is enabled '
                        "or by superusers"
                    )
                self.rule_joins = [(c, a) for c, a in self.rule_joins if a != alias] + [(target, alias)]
        join = Join(table, alias, on)
        for i, existing in enumerate(self.joins):
            if existing.alias == alias:
                self.joins[i] = join
                return
        self.joins.append(join)

    def static_field(self, path: list[str]) -> ResolverResult:
        """A `@request.*` value, bound as a parameter (missing keys are NULL)."""
        last, modifier = _split_modifier(path[-1])
        keys = [*path[:-1], last]
        try:
            value = _nested(self.static, keys)
            missing = False
        except _MissingKey:
            value, missing = None, True
        if modifier == "isset":
            return ResolverResult("FALSE" if missing else "TRUE")
        if isinstance(value, str):
            named = self.base.field(keys[-1])
            if named is not None and named.type == "number":
                with contextlib.suppress(ValueError):
                    value = float(value)
        elif value is not None and not isinstance(value, bool | int | float):
            value = msgspec.json.encode(value).decode()
        if modifier and modifier != "lower":
            raise ValueError(f"invalid modifier sequence {last}:{modifier}")
        if value is None:
            return ResolverResult("NULL")
        name = f"s{next(self._names)}"
        identifier = f"LOWER(:{name})" if modifier == "lower" else f":{name}"
        return ResolverResult(identifier, {name: value})


class _Runner:
    """Resolves one identifier (PocketBase's `runner`)."""

    def __init__(self, resolver: RecordFieldResolver, name: str) -> None:
        self.r = resolver
        self.name = name
        self.props = name.split(".")
        self.collection_name = resolver.base.name
        self.alias = resolver.base_alias
        self.nullify_missing = self.props[0] == "@request"
        self.with_multi = False
        self.multi = MultiMatch(
            target_alias=self.alias,
            from_table=_columnify(self.collection_name),
            from_alias=f"__mm_{self.alias}",
        )
        self.multi_alias = self.multi.from_alias

    def run(self) -> ResolverResult:
        if not any(p.match(self.name) for p in _ALLOWED):
            raise ValueError(f'failed to resolve field "{self.name}"')
        head = self.props[0]
        if head == "@collection":
            return self._collection_field()
        if head == "@request":
            if self.r.request is None:
                return ResolverResult("NULL")
            if self.name.startswith("@request.auth."):
                return self._auth_field()
            if self.name.startswith("@request.body.") and len(self.props) > 2:
                result = self._body_field()
                if result is not None:
                    return result
            return self.r.static_field(self.props[1:])
        return self._props()

    # --- @collection, @request.auth, @request.body ------------------------------------------

    def _collection_field(self) -> ResolverResult:
        if len(self.props) < 3:
            raise ValueError(f'invalid @collection field path in "{self.name}"')
        name, _, alias = self.props[1].partition(":")
        try:
            collection = self.r.load(name)
        except ValueError as exc:
            raise ValueError(
                f'failed to load collection "{self.props[1]}" from field path "{self.name}"'
            ) from exc
        self.collection_name = collection.name
        prefix = f"__collection_alias_{alias}" if alias else f"__collection_{collection.name}"
        self.alias = _columnify(prefix) + self.r.alias_suffix
        self.with_multi = True
        self.r.register_join(f"`{_columnify(collection.name)}`", self.alias)
        self.multi_alias = f"__mm_{self.alias}"
        self.multi.joins.append(Join(f"`{_columnify(collection.name)}`", self.multi_alias))
        self.props = self.props[2:]
        return self._props()

    def _auth_field(self) -> ResolverResult:
        request = self.r.request
        if request is None or request.auth is None:
            return ResolverResult("NULL")
        if self.name in _PLAIN_AUTH_FIELDS:
            return self.r.static_field(self.props[1:])
        collection = request.auth.collection
        self.collection_name = collection.name
        self.alias = f"__auth_{_columnify(collection.name)}{self.r.alias_suffix}"
        auth_id = self.r.param(request.auth.id)
        table = f"`{_columnify(collection.name)}`"
        self.r.register_join(table, self.alias, f"`{self.alias}`.`id` = :{auth_id}")
        self.multi_alias = f"__mm_{self.alias}"
        self.multi.joins.append(Join(table, self.multi_alias, f"`{self.multi_alias}`.`id` = :{auth_id}"))
        self.multi.params[auth_id] = request.auth.id
        self.props = self.props[2:]
        return self._props()

    def _body_field(self) -> ResolverResult | None:
        request = self.r.request
        assert request is not None
        name, modifier = _split_modifier(self.props[2])
        body_field = self.r.base.field(name)
        if body_field is None:
            return None
        if isinstance(body_field, RelationField) and len(self.props) > 3:
            return self._body_relation(body_field)
        if len(self.props) != 3:
            return None
        value = request.body.get(name)
        if modifier == "each":
            return self._body_each(body_field, value)
        if modifier == "length":
            if not isinstance(body_field, MultiValueField):
                raise ValueError(f'field "{name}" doesn\'t support multivalue operations')
            return ResolverResult(str(len(_as_list(value))))
        if modifier == "lower":
            param = f"s{next(self.r._names)}"
            return ResolverResult(f"LOWER(:{param})", {param: _to_text(value)})
        if modifier == "changed":
            return self._body_changed(name)
        return None

    def _body_changed(self, name: str) -> ResolverResult:
        built = build_filter(f"@request.body.{name}:isset = true && @request.body.{name} != {name}", self.r)
        self.r.join_params.update(built.params)
        placeholder = f"@changed@{name}{next(self.r._names)}"
        condition = f"({built.sql})"
        return ResolverResult(
            placeholder,
            null_fallback=NullFallback.DISABLED,
            after_build=lambda sql: sql.replace(placeholder, condition),
        )

    def _body_each(self, body_field: Field, value: Any) -> ResolverResult:
        if not isinstance(body_field, MultiValueField):
            raise ValueError(f'field "{body_field.name}" doesn\'t support multivalue operations')
        items = msgspec.json.encode(_as_list(value)).decode()
        param = self.r.param(items)
        alias = f"__dataEach_je_{_columnify(body_field.name)}{self.r.alias_suffix}"
        self.r.register_join(f"json_each(:{param})", alias)
        result = ResolverResult(f"`{alias}`.`value`", {param: items})
        if body_field.is_multiple:
            self.with_multi = True
        if self.with_multi:
            param2 = f"mm{param}"
            self.multi.joins.append(Join(f"json_each(:{param2})", f"__mm_{alias}"))
            self.multi.params[param2] = items
            self.multi.value = f"`__mm_{alias}`.`value`"
            result.multi_match = self.multi
        return result

    def _body_relation(self, relation: RelationField) -> ResolverResult:
        request = self.r.request
        assert request is not None
        try:
            target = self.r.load(relation.collectionId)
        except ValueError as exc:
            raise ValueError(
                f'failed to load collection "{relation.collectionId}" from data field "{relation.name}"'
            ) from exc
        ids = relation.normalize(request.body.get(relation.name)) if request.body else []
        ids = ids if isinstance(ids, list) else ([ids] if ids else [])
        if not ids:
            return ResolverResult("NULL")
        self.collection_name = target.name
        self.alias = _columnify(f"__data_{target.name}_{relation.name}") + self.r.alias_suffix
        names = [self.r.param(i) for i in ids]
        marks = ", ".join(f":{n}" for n in names)
        self.r.register_join(f"`{target.name}`", self.alias, f"`{self.alias}`.`id` IN ({marks})")
        if relation.is_multiple:
            self.with_multi = True
        self.multi_alias = f"__mm_{self.alias}"
        self.multi.joins.append(
            Join(f"`{target.name}`", self.multi_alias, f"`{self.multi_alias}`.`id` IN ({marks})")
        )
        self.multi.params.update(dict(zip(names, ids, strict=True)))
        self.props = self.props[3:]
        return self._props()

    # --- field paths ----------------------------------------------------------------------------

    def _props(self) -> ResolverResult:
        total = len(self.props)
        for i, prop in enumerate(self.props):
            try:
                collection = self.r.load(self.collection_name)
            except ValueError as exc:
                raise ValueError(f'failed to resolve field "{prop}"') from exc
            if i == total - 1:
                return self._finalize(collection, prop)
            current = collection.field(prop)
            if current is not None and current.hidden and not self.r.allow_hidden:
                raise ValueError(f'non-filterable field "{prop}"')
            if current is not None and current.type in ("json", "geoPoint"):
                return self._json_path(current, self.props[i + 1 :])
            if i >= MAX_NESTED_RELATIONS:
                raise ValueError(f'max nested relations reached for field "{prop}"')
            if current is None:
                missing = self._back_relation(collection, prop)
                if missing is not None:
                    return missing
                continue
            if not isinstance(current, RelationField):
                raise ValueError(f'field "{prop}" is not a valid relation')
            try:
                target = self.r.load(current.collectionId)
            except ValueError as exc:
                raise ValueError(f'failed to load field "{prop}" collection') from exc
            if not current.is_multiple and i == total - 2 and self.props[i + 1] == "id":
                return self._finalize(collection, current.name)
            self._relation(current, target)
        raise ValueError(f'failed to resolve field "{self.name}"')

    def _json_path(self, json_field: Field, rest: list[str]) -> ResolverResult:
        path = "".join(
            f"[{_columnify(p)}]" if p.isdigit() else ("." if j else "") + _columnify(p)
            for j, p in enumerate(rest)
        )
        column = _columnify(json_field.name)
        result = ResolverResult(
            json_extract(f"{self.alias}.{column}", path), null_fallback=NullFallback.DISABLED
        )
        if self.with_multi:
            self.multi.value = json_extract(f"{self.multi_alias}.{column}", path)
            result.multi_match = self.multi
        return result

    def _relation(self, relation: RelationField, target: Collection) -> None:
        column = _columnify(relation.name)
        new_alias = f"{self.alias}_{column}{self.r.alias_suffix}"
        table = f"`{_columnify(target.name)}`"
        if not relation.is_multiple:
            self.r.register_join(
                table, new_alias, f"`{new_alias}`.`id` = {quote_column(f'{self.alias}.{column}')}"
            )
        else:
            each_alias = f"__je_{new_alias}"
            self.r.register_join(json_each(f"{self.alias}.{column}"), each_alias)
            self.r.register_join(table, new_alias, f"`{new_alias}`.`id` = `{each_alias}`.`value`")
            self.with_multi = True
        self.collection_name, self.alias = target.name, new_alias
        new_multi = f"{self.multi_alias}_{column}"
        if not relation.is_multiple:
            on = f"`{new_multi}`.`id` = {quote_column(f'{self.multi_alias}.{column}')}"
            self.multi.joins.append(Join(table, new_multi, on))
        else:
            each_multi = f"{self.multi_alias}_{column}_je"
            self.multi.joins.append(Join(json_each(f"{self.multi_alias}.{column}"), each_multi))
            self.multi.joins.append(Join(table, new_multi, f"`{new_multi}`.`id` = `{each_multi}`.`value`"))
        self.multi_alias = new_multi

    def _back_relation(self, collection: Collection, prop: str) -> ResolverResult | None:
        """Follow `coll_via_field`; a result means "resolve to that" (NULL for @request paths)."""
        match = _VIA_RE.match(prop)
        null = ResolverResult("NULL") if self.nullify_missing else None
        if match is None:
            if null:
                return null
            raise ValueError(f'failed to resolve field "{prop}"')
        try:
            back = self.r.load(match.group(1))
        except ValueError as exc:
            if null:
                return null
            raise ValueError(f'failed to load back relation field "{prop}" collection') from exc
        back_field = back.field(match.group(2))
        if back_field is None:
            if null:
                return null
            raise ValueError(f'missing back relation field "{match.group(2)}"')
        if not isinstance(back_field, RelationField):
            if null:
                return null
            raise ValueError(f'invalid back relation field "{match.group(2)}"')
        if back_field.hidden and not self.r.allow_hidden:
            raise ValueError(f'non-filterable back relation field "{back_field.name}"')
        if back_field.collectionId != collection.id:
            if null:
                return null
            raise ValueError(f'invalid collection reference of a back relation field "{back_field.name}"')
        clean, column = _columnify(prop), _columnify(back_field.name)
        new_alias = f"{self.alias}_{clean}{self.r.alias_suffix}"
        table = f"`{_columnify(back.name)}`"
        if not back_field.is_multiple:
            self.r.register_join(table, new_alias, f"`{new_alias}`.`{column}` = `{self.alias}`.`id`")
        else:
            each = f"__je_{new_alias}"
            source = json_each(f"{new_alias}.{column}")
            on = f"`{self.alias}`.`id` IN (SELECT `{each}`.`value` FROM {source} `{each}`)"
            self.r.register_join(table, new_alias, on)
        self.collection_name, self.alias = back.name, new_alias
        if back_field.is_multiple:
            self.with_multi = True
        elif not self.with_multi:
            self.with_multi = find_single_column_unique_index(back.indexes, back_field.name) is None
        new_multi = f"{self.multi_alias}_{clean}{self.r.alias_suffix}"
        if not back_field.is_multiple:
            on = f"`{new_multi}`.`{column}` = `{self.multi_alias}`.`id`"
        else:
            each = f"__je_{new_multi}"
            source = json_each(f"{new_multi}.{column}")
            on = f"`{self.multi_alias}`.`id` IN (SELECT `{each}`.`value` FROM {source} `{each}`)"
        self.multi.joins.append(Join(table, new_multi, on))
        self.multi_alias = new_multi
        return None

    def _finalize(self, collection: Collection, prop: str) -> ResolverResult:
        name, modifier = _split_modifier(prop)
        found = collection.field(name)
        if found is None:
            if self.nullify_missing:
                return ResolverResult("NULL")
            raise ValueError(f'unknown field "{name}"')
        if found.hidden and not self.r.allow_hidden:
            raise ValueError(f'non-filterable field "{name}"')
        column = _columnify(found.name)
        multi_valued = isinstance(found, MultiValueField)
        if modifier == "length" and multi_valued:
            result = ResolverResult(json_array_length(f"{self.alias}.{column}"))
            if self.with_multi:
                self.multi.value = json_array_length(f"{self.multi_alias}.{column}")
                result.multi_match = self.multi
            return result
        if modifier == "each" and isinstance(found, MultiValueField):
            each = f"__je_{self.alias}_{column}{self.r.alias_suffix}"
            self.r.register_join(json_each(f"{self.alias}.{column}"), each)
            result = ResolverResult(f"`{each}`.`value`")
            if found.is_multiple:
                self.with_multi = True
            if self.with_multi:
                each_multi = f"__je_{self.multi_alias}_{column}{self.r.alias_suffix}"
                self.multi.joins.append(Join(json_each(f"{self.multi_alias}.{column}"), each_multi))
                self.multi.value = f"`{each_multi}`.`value`"
                result.multi_match = self.multi
            return result
        result = ResolverResult(quote_column(f"{self.alias}.{column}"))
        if self.with_multi:
            self.multi.value = quote_column(f"{self.multi_alias}.{column}")
            result.multi_match = self.multi
        if found.name == "email" and not self.r.allow_hidden and collection.is_auth:
            visibility = quote_column(f"{self.alias}.emailVisibility")
            result.after_build = lambda sql: f"({sql} AND {visibility} = TRUE)"
        if found.type == "json":
            result.null_fallback = NullFallback.DISABLED
            result.identifier = json_extract(f"{self.alias}.{column}", "")
            if self.with_multi:
                self.multi.value = json_extract(f"{self.multi_alias}.{column}", "")
        if modifier == "lower":
            result.identifier = f"LOWER({result.identifier})"
            if self.with_multi:
                self.multi.value = f"LOWER({self.multi.value})"
        return result


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
