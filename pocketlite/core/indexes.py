"""`CREATE INDEX` statements of a collection's `indexes` option (data-model.md §6).

PocketBase parses them loosely with a regex, rewrites the table name to the collection's and
builds them back in a normal form; validation and table sync work on that parsed form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pocketlite.tools.tokenizer import TokenizerError, split_tokens

__all__ = ["Index", "IndexColumn", "find_single_column_unique_index", "parse_index"]

_INDEX_RE = re.compile(
    r"create\s+(unique\s+)?\s*index\s*(if\s+not\s+exists\s+)?(\S*)\s+on\s+(\S*)\s*\(([\s\S]*)\)"
    r"(?:\s*where\s+([\s\S]*))?",
    re.IGNORECASE | re.MULTILINE,
)
_COLUMN_RE = re.compile(r"^([\s\S]+?)(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?$", re.IGNORECASE)
_TRIM = "`\"'[]\r\n\t\f\v "


@dataclass(frozen=True, slots=True)
class IndexColumn:
    """One indexed column or expression."""

    name: str
    collate: str = ""
    sort: str = ""


@dataclass(frozen=True, slots=True)
class Index:
    """A parsed `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (cols) [WHERE expr]`."""

    name: str = ""
    table: str = ""
    columns: tuple[IndexColumn, ...] = field(default_factory=tuple)
    unique: bool = False
    optional: bool = False
    schema: str = ""
    where: str = ""

    @property
    def is_valid(self) -> bool:
        """Whether the statement had a name, a table and at least one column."""
        return bool(self.name and self.table and self.columns)

    def with_table(self, table: str) -> Index:
        """The same index on another table (collections keep index table names in sync)."""
        return replace(self, table=table)

    def build(self) -> str:
        """The normalized statement, exactly as PocketBase writes it ("" when invalid)."""
        if not self.is_valid:
            return ""
        out = ["CREATE ", "UNIQUE " if self.unique else "", "INDEX "]
        if self.optional:
            out.append("IF NOT EXISTS ")
        if self.schema:
            out.append(f"`{self.schema}`.")
        out.append(f"`{self.name}` ON `{self.table}` (")
        multi = len(self.columns) > 1
        parts = []
        for col in self.columns:
            # NB: PocketBase treats anything with "(" or a space as an expression, unquoted.
            part = col.name if ("(" in col.name or " " in col.name) else f"`{col.name}`"
            if col.collate:
                part += f" COLLATE {col.collate}"
            if col.sort:
                part += f" {col.sort.upper()}"
            parts.append(part)
        out.append("\n  " + ",\n  ".join(parts) + "\n" if multi else parts[0])
        out.append(")")
        if self.where:
            out.append(f" WHERE {self.where}")
        return "".join(out)


def parse_index(statement: str) -> Index:
    """Parse a statement; an unparsable one gives an `Index` whose `is_valid` is False."""
    match = _INDEX_RE.search(statement)
    if match is None:
        return Index()
    unique, optional, raw_name, raw_table, raw_columns, where = match.groups()
    try:
        name_parts = split_tokens(raw_name, ".") or [""]
        column_parts = split_tokens(raw_columns)
    except TokenizerError:
        return Index()
    schema = name_parts[0].strip(_TRIM) if len(name_parts) == 2 else ""
    columns = []
    for raw in column_parts:
        col = _COLUMN_RE.match(raw)
        if col is None:
            continue
        name = col.group(1).strip(_TRIM)
        if name:
            columns.append(IndexColumn(name, (col.group(2) or "").strip(), (col.group(3) or "").upper()))
    return Index(
        name=name_parts[-1].strip(_TRIM),
        table=raw_table.strip(_TRIM),
        columns=tuple(columns),
        unique=bool(unique and unique.strip()),
        optional=bool(optional and optional.strip()),
        schema=schema,
        where=(where or "").strip(),
    )


def find_single_column_unique_index(indexes: list[str], column: str) -> Index | None:
    """The first UNIQUE index over exactly `column` (a WHERE clause is allowed)."""
    for statement in indexes:
        index = parse_index(statement)
        if index.unique and len(index.columns) == 1 and index.columns[0].name.lower() == column.lower():
            return index
    return None
