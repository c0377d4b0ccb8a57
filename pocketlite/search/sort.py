"""`?sort=-a,+b,c` → `ORDER BY` (records-api.md): `@random` and `@rowid` are special keys."""

from __future__ import annotations

from pocketlite.search.resolver import FieldResolver

__all__ = ["build_sort"]


def build_sort(text: str, resolver: FieldResolver, table: str = "") -> str:
    """The `ORDER BY` list ("" for no sort); `ValueError` for a field that can't be sorted by.
    `table` (quoted) qualifies `@rowid`: a filter across relations joins other tables, and a bare
    `_rowid_` is then ambiguous to SQLite (PocketBase prefixes it with the first FROM table too)."""
    if not text:
        return ""
    parts = []
    for raw in text.split(","):
        item = raw.strip()
        direction = "DESC" if item.startswith("-") else "ASC"
        name = item[1:] if item[:1] in "-+" and item else item
        if name == "@random":
            parts.append("RANDOM()")
            continue
        if name == "@rowid":
            parts.append(f"{table}.`_rowid_` {direction}" if table else f"`_rowid_` {direction}")
            continue
        try:
            result = resolver.resolve(name)
        except ValueError as exc:
            raise ValueError(f'invalid sort field "{name}"') from exc
        if result.params or not result.identifier or result.identifier.lower() == "null":
            raise ValueError(f'invalid sort field "{name}"')
        parts.append(f"{result.identifier} {direction}")
    return ", ".join(parts)
