"""Files shown by view collections: a view's file column copies a file field of another
collection, and the files stay in the storage of that collection's record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketlite.core.collection import Collection
from pocketlite.core.fields import FileField
from pocketlite.core.record import Record
from pocketlite.core.tablesync import quote
from pocketlite.core.views import view_field_source
from pocketlite.search.jsonsql import json_each

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = ["find_record_by_view_file"]

# Views over views are followed this deep (PocketBase's limit, against circular queries).
_MAX_DEPTH = 5


async def find_record_by_view_file(
    app: Core, view: Collection, field_name: str, filename: str
) -> Record | None:
    """The record (of a non-view collection) whose file field holds `filename` and that the
    view's file column `field_name` copies, or None."""
    for _ in range(_MAX_DEPTH):
        source = view_field_source(view.viewQuery, field_name, app.find_collection)
        if source is None:
            return None
        collection, field = source
        if not collection.is_view:
            break
        view, field_name = collection, field.name
    else:
        return None
    if not isinstance(field, FileField):
        return None
    table, column = quote(collection.name), quote(field.name)
    if field.is_multiple:
        sql = (
            f"SELECT {table}.* FROM {table} INNER JOIN {json_each(f'{collection.name}.{field.name}')} "
            f"AS _je_file ON _je_file.value = ? LIMIT 1"
        )
    else:
        sql = f"SELECT * FROM {table} WHERE {column} = ? LIMIT 1"
    row = await app.data.fetch_one(sql, (filename,))
    return Record.from_row(collection, row) if row is not None else None
