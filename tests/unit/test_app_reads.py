"""The reads hook code uses (spec/hooks.md §5.5): filters with `{:name}` placeholders whose
values are always literals, sort, limit, counts — on a real data dir."""

from __future__ import annotations

from pocketlite.app import App
from pocketlite.core.collection import collection_from_dict
from pocketlite.core.record import Record


async def _posts(app: App) -> None:
    await app.save(
        collection_from_dict(
            {
                "name": "posts",
                "fields": [
                    {"name": "title", "type": "text"},
                    {"name": "views", "type": "number"},
                    {"name": "secret", "type": "text", "hidden": True},
                ],
            }
        )
    )
    posts = app.find_collection("posts")
    assert posts is not None
    for title, views in (("alpha", 5), ("beta", 1), ('quote " and \\ slash', 3)):
        await app.save(Record(posts, {"title": title, "views": views, "secret": f"s-{title}"}))


async def test_a_filter_with_placeholders_sorts_and_limits(app: App) -> None:
    await _posts(app)
    found = await app.find_records_by_filter("posts", "views >= {:min}", sort="-views", params={"min": 3})
    assert [r.get("title") for r in found] == ["alpha", 'quote " and \\ slash']
    first = await app.find_records_by_filter("posts", "", sort="views", limit=1)
    assert [r.get("title") for r in first] == ["beta"]


async def test_placeholder_values_are_literals_not_filter_syntax(app: App) -> None:
    await _posts(app)
    tricky = 'quote " and \\ slash'
    exact = await app.find_first_record_by_filter("posts", "title = {:t}", params={"t": tricky})
    assert exact is not None and exact.get("views") == 3
    injected = await app.find_records_by_filter("posts", "title = {:t}", params={"t": '" || 1=1 || "'})
    assert injected == []


async def test_code_may_filter_on_hidden_fields_and_count(app: App) -> None:
    await _posts(app)
    assert await app.count_records("posts") == 3
    assert await app.count_records("posts", "secret = {:s}", params={"s": "s-beta"}) == 1
    assert await app.find_first_record_by_filter("posts", "views > 100") is None
