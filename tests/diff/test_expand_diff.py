"""`?expand=` (records-api.md §7) against PocketBase 0.40.6: relations, back-relations, nesting,
view rules of the expanded collections, and `fields` over expanded data."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

SETUP: list[tuple[str, str, object]] = [
    (
        "POST",
        "/api/collections",
        {
            "name": "articles",
            "listRule": "",
            "viewRule": "",
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            ],
        },
    ),
    (
        "PATCH",
        "/api/collections/articles",
        {
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
                {"name": "related", "type": "relation", "collectionId": "pbc_4287850865", "maxSelect": 5},
            ]
        },
    ),
    (
        "POST",
        "/api/collections",
        {
            "name": "remarks",
            "listRule": "",
            "viewRule": "",
            "fields": [
                {"name": "article", "type": "relation", "collectionId": "pbc_4287850865", "maxSelect": 1},
                {"name": "likes", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 5},
                {"name": "message", "type": "text"},
            ],
        },
    ),
    (
        "POST",
        "/api/collections/users/records",
        {
            "id": "xalice000000001",
            "email": "xalice@x.co",
            "password": "12345678",
            "passwordConfirm": "12345678",
            "name": "Alice",
        },
    ),
    (
        "POST",
        "/api/collections/users/records",
        {
            "id": "xbob00000000001",
            "email": "xbob@x.co",
            "password": "12345678",
            "passwordConfirm": "12345678",
            "name": "Bob",
            "emailVisibility": True,
        },
    ),
    (
        "POST",
        "/api/collections/articles/records",
        {"id": "article00000001", "title": "Hello", "author": "xalice000000001"},
    ),
    (
        "POST",
        "/api/collections/articles/records",
        {
            "id": "article00000002",
            "title": "Second",
            "author": "xbob00000000001",
            "related": ["article00000001"],
        },
    ),
    (
        "POST",
        "/api/collections/remarks/records",
        {
            "id": "remark000000001",
            "article": "article00000001",
            "likes": ["xalice000000001", "xbob00000000001"],
            "message": "First!",
        },
    ),
    (
        "POST",
        "/api/collections/remarks/records",
        {
            "id": "remark000000002",
            "article": "article00000001",
            "likes": ["xbob00000000001"],
            "message": "Second",
        },
    ),
]


@pytest.fixture(scope="module", autouse=True)
def data(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[None]:
    for server, token in zip(pair, tokens, strict=True):
        for method, path, body in SETUP:
            done = httpx.request(method, server.url + path, json=body, headers={"Authorization": token})
            assert done.status_code == 200, done.text
    yield


A = "/api/collections/articles/records"
ALL = "author,related,remarks_via_article,remarks_via_article.likes"
CASES = [
    Case("everything as a guest", "GET", f"{A}/article00000001?expand={ALL}"),
    Case("everything as a superuser", "GET", f"{A}/article00000001?expand={ALL}", auth=True),
    Case("a multiple relation and a single one", "GET", f"{A}/article00000002?expand=related,author"),
    Case("an unknown path", "GET", f"{A}/article00000001?expand=nope"),
    Case("an empty relation", "GET", f"{A}/article00000001?expand=related"),
    Case("a list", "GET", f"{A}?expand=author&sort=id"),
    Case(
        "nested paths on a list",
        "GET",
        "/api/collections/remarks/records?expand=article.author,likes&sort=id",
    ),
    Case(
        "fields over expanded data", "GET", f"{A}/article00000001?expand=author&fields=id,expand.author.name"
    ),
    Case("the old back-relation syntax", "GET", f"{A}/article00000001?expand=remarks(article)", auth=True),
    Case("spaces and duplicates", "GET", f"{A}?expand= related.author , related &sort=id", auth=True),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))
