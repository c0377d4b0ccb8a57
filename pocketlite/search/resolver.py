"""What a name in a filter means: the `FieldResolver` protocol and its simplest implementation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

__all__ = ["FieldResolver", "Join", "MultiMatch", "NullFallback", "ResolverResult", "SimpleFieldResolver"]


class NullFallback(Enum):
    """How `=`/`!=` treat NULL against "" for an operand (PocketBase's NullFallbackPreference)."""

    AUTO = 0
    DISABLED = 1
    ENFORCED = 2


@dataclass
class Join:
    """`LEFT JOIN table alias [ON on]` (`table` is SQL: a quoted name or `json_each(...)`)."""

    table: str
    alias: str
    on: str = ""


@dataclass
class MultiMatch:
    """The subquery listing every value a multi-valued path takes for one row of the target
    table; `=`-style comparisons then require all of them to match (the non-`?` operators)."""

    target_alias: str
    from_table: str
    from_alias: str
    value: str = ""
    joins: list[Join] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def sql(self) -> str:
        joins = " ".join(
            f"LEFT JOIN {j.table} `{j.alias}`" + (f" ON {j.on}" if j.on else "") for j in self.joins
        )
        return (
            f"SELECT {self.value} as `multiMatchValue` FROM `{self.from_table}` `{self.from_alias}` {joins} "
            f"WHERE `{self.from_alias}`.`id` = `{self.target_alias}`.`id`"
        )


@dataclass
class ResolverResult:
    """An operand as SQL: `identifier` may hold `:name` placeholders bound by `params`.
    `multi_match` marks a multi-valued path; `after_build` wraps the finished comparison."""

    identifier: str
    params: dict[str, Any] = field(default_factory=dict)
    null_fallback: NullFallback = NullFallback.AUTO
    multi_match: MultiMatch | None = None
    after_build: Callable[[str], str] | None = None


class FieldResolver(Protocol):
    """Turns identifiers of a filter or sort into SQL."""

    def resolve(self, name: str) -> ResolverResult:
        """The SQL of `name`; `ValueError` when it isn't known."""
        ...


_COLUMN_CLEAN = re.compile(r"[^\w.*\-@#]+")


def _columnify(name: str) -> str:
    return _COLUMN_CLEAN.sub("", name)


class SimpleFieldResolver:
    """A fixed list of columns (exact names, or regexes when they start with `^`); `col.a.b`
    reaches into a JSON column."""

    def __init__(self, *allowed: str) -> None:
        self.names = {a for a in allowed if not a.startswith("^")}
        self.patterns = [re.compile(a) for a in allowed if a.startswith("^")]

    def resolve(self, name: str) -> ResolverResult:
        if name not in self.names and not any(p.fullmatch(name) for p in self.patterns):
            raise ValueError(f'failed to resolve field "{name}"')
        column, *path = name.split(".")
        if not path:
            return ResolverResult(f"`{_columnify(column)}`")
        json_path = "$" + "".join(f"[{p}]" if p.isdigit() else f".{_columnify(p)}" for p in path)
        return ResolverResult(
            f"JSON_EXTRACT(`{_columnify(column)}`, '{json_path}')", null_fallback=NullFallback.DISABLED
        )
