"""The app logger (admin-apis.md §3): what an entry stores, when it is kept, how the batch is
written."""

from __future__ import annotations

import json
import logging
import re
import time

from pocketlite.app import App
from pocketlite.core.logs import _new_id, encode_data


async def _rows(app: App) -> list[tuple[str, int, str, dict[str, object], str]]:
    await app.logger.flush()
    rows = await app.aux.fetch_all("SELECT id, level, message, data, created FROM _logs ORDER BY id")
    return [(r["id"], r["level"], r["message"], json.loads(r["data"]), r["created"]) for r in rows]


def test_data_is_stored_with_sorted_keys() -> None:
    assert encode_data({"b": 1, "a": {"d": 2, "c": 3}}, 1000) == '{"a":{"c":3,"d":2},"b":1}'


def test_data_over_the_limit_keeps_the_members_that_fit() -> None:
    data = {"a": "x" * 10, "b": "y" * 50, "c": 1}
    assert json.loads(encode_data(data, 30)) == {"a": "x" * 10, "__pb_truncated__": True}


def test_ids_look_like_pocketbases_and_sort_by_time() -> None:
    ids = [_new_id(time.time() + n) for n in range(50)]
    assert all(re.fullmatch(r"[a-z0-9]{15}", i) for i in ids)
    assert ids == sorted(ids)


async def test_entries_are_written_in_order_with_their_level_and_data(app: App) -> None:
    app.logger.info("first", n=1)
    app.logger.warn("second")
    app.logger.error("third", error="boom")
    app.logger.debug("below the default minimum level")
    rows = await _rows(app)
    assert [(level, message, data) for _, level, message, data, _ in rows] == [
        (0, "first", {"n": 1}),
        (4, "second", {}),
        (8, "third", {"error": "boom"}),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z", created) for *_, created in rows)


async def test_nothing_is_kept_with_max_days_zero(app: App) -> None:
    app.settings.logs.maxDays = 0
    app.logger.error("dropped")
    assert await _rows(app) == []


async def test_pythons_logging_lands_in_the_logs(app: App) -> None:
    logging.getLogger("pocketlite.test").warning("careful: %s", "x", extra={"data": {"k": 1}})
    logging.getLogger("granian.access").warning("an access line")
    rows = await _rows(app)
    assert [(level, message, data) for _, level, message, data, _ in rows] == [(4, "careful: x", {"k": 1})]
