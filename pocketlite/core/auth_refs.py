"""Rows that belong to one auth record in the system collections `_mfas`, `_otps`,
`_externalAuths` and `_authOrigins` (data-model.md §5): each names its owner by
`collectionRef` + `recordRef`. They are records of those collections, saved the one way."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from pocketlite.core.collection import Collection
from pocketlite.core.record import Record
from pocketlite.core.records import find_record_by_id
from pocketlite.core.tablesync import quote
from pocketlite.tools.types import format_datetime, now

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["MFAS", "ORIGINS", "OTPS", "create_ref", "delete_ref", "find_ref", "find_refs", "is_older_than"]

MFAS, OTPS, ORIGINS = "_mfas", "_otps", "_authOrigins"


async def create_ref(app: Core, refs: Collection, owner: Record, **values: Any) -> Record:
    """A new row of `refs` owned by `owner`."""
    row = Record(refs, {"collectionRef": owner.collection.id, "recordRef": owner.id, **values})
    await app.save(row)
    return row


async def find_refs(app: Core, refs: Collection, owner: Record, **match: Any) -> list[Record]:
    """`owner`'s rows of `refs` (with the given column values), newest first."""
    where = " AND ".join(f"{quote(k)} = ?" for k in ("collectionRef", "recordRef", *match))
    rows = await app.data.fetch_all(
        f"SELECT * FROM {quote(refs.name)} WHERE {where} ORDER BY created DESC, rowid DESC",
        (owner.collection.id, owner.id, *match.values()),
    )
    return [Record.from_row(refs, row) for row in rows]


async def find_ref(app: Core, refs: Collection, ref_id: str) -> Record | None:
    """One row of `refs` by id."""
    return await find_record_by_id(app.data, refs, ref_id)


async def delete_ref(app: Core, ref: Record) -> None:
    """Remove one row."""
    await app.delete(ref)


def is_older_than(ref: Record, seconds: int) -> bool:
    """Whether `ref` was created more than `seconds` ago (its session or code has expired)."""
    return ref.get_string("created") < format_datetime(now() - _dt.timedelta(seconds=seconds))
