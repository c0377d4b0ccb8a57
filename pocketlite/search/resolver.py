"""What a name in a filter means: the `FieldResolver` protocol and its simplest implementation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

__all__ = ["FieldResolver", "NullFallback", "ResolverResult", "SimpleFieldResolver"]


class NullFallback(Enum):
    """How `=`/`!=` treat NULL against "" for an operand (PocketBase's NullFallbackPreference)."""

    AUTO = 0
    DISABLED = 1
    ENFORCED = 2


@dataclass
class ResolverResult:
    """An operand as SQL: `identifier` may hold `:name` placeholders bound by `params`."""

    identifier: str
    params: dict[str, Any] = field(default_factory=dict)
    null_fallback: NullFallback = NullFallback.AUTO


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
