"""`POST /api/sql` (admin-apis.md §7): the superusers' SQL console."""

from __future__ import annotations

import sqlite3

import msgspec
from litestar import Response, post

from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, get_app, require_superuser
from pocketlite.apis.response import json_response
from pocketlite.core.db import describe_error
from pocketlite.core.errors import BadRequestError, ValidationErrors
from pocketlite.core.sql_console import EmptyQueryError, run_sql
from pocketlite.core.validators import first_error, length, required

__all__ = ["ROUTES"]


class SQLForm(msgspec.Struct):
    """The console's body."""

    query: str = ""


@post("/api/sql", status_code=200)
async def sql(request: AnyRequest) -> Response[bytes]:
    """Run one query (or script) as a superuser: rows of a read, affected rows of a write."""
    require_superuser(request)
    form = await read_body(request, SQLForm, wrap_unsupported=True)
    error = first_error(form.query, required, length(0, 5000))
    if error is not None:
        raise ValidationErrors({"query": error})
    try:
        result = await run_sql(get_app(request), form.query)
    except (sqlite3.Error, EmptyQueryError, TimeoutError) as exc:
        reason = describe_error(exc) if isinstance(exc, sqlite3.Error) else str(exc) or "query timeout"
        raise BadRequestError(f"Failed to execute query. Raw error:\n{reason}") from exc
    return json_response(request, result)


ROUTES = [sql]
