"""SQL over JSON columns, written as PocketBase writes it (values may be JSON or plain)."""

from __future__ import annotations

__all__ = ["json_array_length", "json_each", "json_extract", "quote_column"]


def quote_column(path: str) -> str:
    """`alias.column` → `` `alias`.`column` ``."""
    return ".".join(f"`{part}`" for part in path.split("."))


def json_each(column: str) -> str:
    """The rows of a column that holds a JSON array, or a single plain value."""
    c = quote_column(column)
    return (
        f"json_each(CASE WHEN iif(json_valid({c}), json_type({c})='array', FALSE) "
        f"THEN {c} ELSE json_array({c}) END)"
    )


def json_array_length(column: str) -> str:
    """How many values a multi-value column holds ('' and NULL hold none)."""
    c = quote_column(column)
    return (
        f"json_array_length(CASE WHEN iif(json_valid({c}), json_type({c})='array', FALSE) THEN {c} "
        f"ELSE (CASE WHEN {c} = '' OR {c} IS NULL THEN json_array() ELSE json_array({c}) END) END)"
    )


def json_extract(column: str, path: str) -> str:
    """`JSON_EXTRACT` at `path` (`a.b`, `[0]`), treating a non-JSON value as a JSON string."""
    if path and not path.startswith("["):
        path = "." + path
    c = quote_column(column)
    return (
        f"(CASE WHEN json_valid({c}) THEN JSON_EXTRACT({c}, '${path}') "
        f"ELSE JSON_EXTRACT(json_object('pb', {c}), '$.pb{path}') END)"
    )
