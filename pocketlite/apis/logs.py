"""The logs API (admin-apis.md §3): superusers list, view, chart and delete the app's logs.

Lists go through the same filter engine and list runner as records, over PocketBase's log fields
(`data.<path>` reaches into an entry's data). Successful calls to these routes are not logged.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, delete, get

from pocketlite.apis.context import AnyRequest, get_app, require_superuser, skip_success_log
from pocketlite.apis.response import json_response
from pocketlite.core.errors import BadRequestError, NotFoundError
from pocketlite.core.logs import delete_all_logs
from pocketlite.search.filter import build_filter
from pocketlite.search.provider import ListParams, list_page
from pocketlite.search.resolver import SimpleFieldResolver

__all__ = ["ROUTES"]

_FIELDS = SimpleFieldResolver("id", "created", "level", "message", "data", r"^data\.[\w\.\:]*\w+$")
_decode_data = msgspec.json.Decoder(dict[str, Any])


def _guard(request: AnyRequest) -> None:
    skip_success_log(request)
    require_superuser(request)


def _entry(row: Any) -> dict[str, Any]:
    """An entry in PocketBase's key order."""
    return {
        "id": row["id"],
        "created": row["created"],
        "data": _decode_data.decode(row["data"]),
        "message": row["message"],
        "level": row["level"],
    }


@get("/api/logs")
async def list_logs(request: AnyRequest) -> Response[bytes]:
    """A page of entries: `filter` and `sort` over id, created, level, message, data."""
    _guard(request)
    try:
        params = ListParams.from_query(request.query_params)
        page = await list_page(get_app(request).aux, "`_logs`", _FIELDS, params)
    except ValueError as exc:
        raise BadRequestError() from exc
    return json_response(request, page.envelope([_entry(row) for row in page.rows]), page=True)


@get("/api/logs/stats")
async def log_stats(request: AnyRequest) -> Response[bytes]:
    """Entries per hour, `[{"total", "date"}]`, of those matching `filter`."""
    _guard(request)
    where, bound = "", {}
    raw = request.query_params.get("filter", "")
    if raw:
        try:
            built = build_filter(raw, _FIELDS)
        except ValueError as exc:
            raise BadRequestError("Invalid filter format.") from exc
        where, bound = f" WHERE {built.sql}", built.params
    rows = await get_app(request).aux.fetch_all(
        "SELECT count(id) AS total, strftime('%Y-%m-%d %H:00:00', created) AS date"
        f" FROM _logs{where} GROUP BY date",
        bound,
        heavy=True,
    )
    # NB: the hour as PocketBase's DateTime prints it ("" for an unreadable `created`).
    stats = [{"total": row["total"], "date": f"{row['date']}.000Z" if row["date"] else ""} for row in rows]
    return json_response(request, stats)


@get("/api/logs/{log_id:str}")
async def view_log(request: AnyRequest, log_id: str) -> Response[bytes]:
    """One entry, or 404."""
    _guard(request)
    row = await get_app(request).aux.fetch_one("SELECT * FROM _logs WHERE id = ?", (log_id,))
    if row is None:
        raise NotFoundError()
    return json_response(request, _entry(row))


@delete("/api/logs", status_code=204)
async def delete_logs(request: AnyRequest) -> None:
    """Delete every entry and give the space back (0.40)."""
    _guard(request)
    await delete_all_logs(get_app(request))


ROUTES: list[Any] = [list_logs, log_stats, view_log, delete_logs]
