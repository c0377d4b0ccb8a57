"""Record lists and views with API rules, against PocketBase 0.40.6. Records are written into both
data dirs with SQLite directly (the records API's writes are compared elsewhere), so both servers
hold the very same rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

R = "/api/collections/notes/records"

NOTES = {
    "name": "notes",
    "listRule": "views > 6 || published = true",
    "viewRule": "published = true",
    "fields": [
        {"name": "title", "type": "text"},
        {"name": "views", "type": "number"},
        {"name": "published", "type": "bool"},
        {"name": "secret", "type": "text", "hidden": True},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "meta", "type": "json"},
    ],
}
ROWS = [
    ("n00000000000001", "Hello", 10, 0, "s1", '["a","b"]', '{"k":1}'),
    ("n00000000000002", "World", 3, 1, "s2", '["c"]', None),
    ("n00000000000003", "Hidden", 1, 0, "s3", "[]", '{"k":2}'),
]


@pytest.fixture(scope="module", autouse=True)
def notes(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[None]:
    for server, token in zip(pair, tokens, strict=True):
        created = httpx.post(f"{server.url}/api/collections", json=NOTES, headers={"Authorization": token})
        assert created.status_code == 200, created.text
        with sqlite3.connect(server.data_dir / "data.db", timeout=10) as db:
            columns = "id, title, views, published, secret, tags, meta"
            db.executemany(f"INSERT INTO notes ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    yield


# (name, filter): each sent as a superuser over the notes above.
FILTERS = [
    ("equal text", "title='Hello'"),
    ("not equal text", "title!='Hello'"),
    ("greater", "views>3"),
    ("greater or equal", "views>=3"),
    ("less", "views<3"),
    ("less or equal", "views<=3"),
    ("like", "title~'orl'"),
    ("not like", "title!~'orl'"),
    ("like with a wildcard of your own", "title~'H%25o'"),
    ("like with an escaped underscore", "title~'\\_'"),
    ("any equal on a single value", "title?='World'"),
    ("any not equal", "tags?!='a'"),
    ("any greater", "views?>5"),
    ("equal null", "meta=null"),
    ("not equal null", "meta!=null"),
    ("equal empty string", "title=''"),
    ("bool true", "published=true"),
    ("bool as text", "published='true'"),
    ("number as text", "views='10'"),
    ("and before or", "views>5||views<2%26%26published=false"),
    ("grouped or", "(views>5||views<2)%26%26published=false"),
    ("nested groups", "((views>5)%26%26(title~'H'))||(id='n00000000000002')"),
    ("double quotes with an escape", 'title="Hel\\"lo"||title="World"'),
    ("a comment", "views>5 // trailing"),
    ("json key", "meta.k>=1"),
    ("json missing key", "meta.nope=null"),
    ("each over tags", "tags:each?~'b'"),
    ("length of tags", "tags:length<1"),
    ("lower", "title:lower='hello'"),
    ("datetime macros", "@todayStart<=@now%26%26@yesterday<@tomorrow"),
    ("a number literal on the left", "5<views"),
    ("text literal comparison", "'a'='a'"),
    ("unterminated text", "title='x"),
    ("bad number", "views>5."),
    ("an unknown modifier", "title:nope='x'"),
    ("too many expressions", "id!=''" + "%26%26id!=''" * 210),
]
FILTER_CASES = [
    Case(f"filter: {name}", "GET", f"{R}?sort=id&fields=id&filter={text}", auth=True)
    for name, text in FILTERS
]

CASES = [
    Case("guest list, rule applied", "GET", R),
    Case("superuser list sees everything", "GET", R, auth=True),
    Case("an unknown collection", "GET", "/api/collections/nope/records"),
    Case("a superusers-only list", "GET", "/api/collections/_mfas/records"),
    Case("sorted", "GET", f"{R}?sort=-views,title", auth=True),
    Case("sorted by @rowid", "GET", f"{R}?sort=-@rowid", auth=True),
    Case(
        "sorted by @rowid, filtered across a join",
        "GET",
        f"{R}?sort=-@rowid&fields=id&filter=@collection.notes.title!=''",
        auth=True,
    ),
    Case("filtered with like", "GET", f"{R}?filter=title~'o'"),
    Case("a guest filtering by a hidden field", "GET", f"{R}?filter=secret='s1'"),
    Case("a superuser filtering by a hidden field", "GET", f"{R}?filter=secret='s1'", auth=True),
    Case("a guest sorting by a hidden field", "GET", f"{R}?sort=secret"),
    Case("a guest filtering by @request", "GET", f"{R}?filter=@request.auth.id=''"),
    Case("a guest sorting by @collection", "GET", f"{R}?sort=@collection.notes.title"),
    Case("a superuser filtering by @request", "GET", f"{R}?filter=@request.auth.id!=''", auth=True),
    Case("paged with fields", "GET", f"{R}?fields=id,title&perPage=1&page=2", auth=True),
    Case("a page past the end", "GET", f"{R}?page=9", auth=True),
    Case("without totals", "GET", f"{R}?skipTotal=true", auth=True),
    Case("any of a multi select", "GET", f"{R}?filter=tags?='a'", auth=True),
    Case("each of a multi select", "GET", f"{R}?filter=tags:each='c'", auth=True),
    Case("length of a multi select", "GET", f"{R}?filter=tags:length%3E1", auth=True),
    Case("a JSON path", "GET", f"{R}?filter=meta.k=2", auth=True),
    Case("a JSON null", "GET", f"{R}?filter=meta=null", auth=True),
    Case("a syntax error", "GET", f"{R}?filter=title=", auth=True),
    Case("an unknown field", "GET", f"{R}?filter=nope=1", auth=True),
    Case("more than 8 sort fields", "GET", f"{R}?sort=id,id,id,id,id,id,id,id,id", auth=True),
    Case("guest view of a published note", "GET", f"{R}/n00000000000002"),
    Case("guest view hidden by the rule", "GET", f"{R}/n00000000000001"),
    Case("superuser view", "GET", f"{R}/n00000000000003", auth=True),
    Case("superuser view with fields", "GET", f"{R}/n00000000000003?fields=id,secret,meta", auth=True),
    Case("a missing record", "GET", f"{R}/nope", auth=True),
    Case("a superusers-only view", "GET", "/api/collections/_mfas/records/x"),
]


@pytest.mark.parametrize("case", CASES + FILTER_CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))
