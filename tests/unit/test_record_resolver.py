"""Record filters over real tables (filter-and-rules.md §2-§4): relation paths, back-relations,
multi-value matching (`=` means every value, `?=` any), modifiers and `@request.*`."""

from __future__ import annotations

import sqlite3

import pytest

from pocketlite.core.collection import Collection
from pocketlite.core.fields import JSONField, NumberField, RelationField, SelectField, TextField
from pocketlite.core.record import Record
from pocketlite.core.record_resolver import RecordFieldResolver, RequestInfo
from pocketlite.core.scaffolds import apply_type_defaults, id_field
from pocketlite.search.filter import build_filter

USERS = Collection(
    name="users", id="users_id", type="auth", fields=[id_field(), TextField(name="name")], listRule=""
)
apply_type_defaults(USERS)
TAGS = Collection(name="tags", id="tags_id", fields=[id_field(), TextField(name="label")], listRule="")
POSTS = Collection(
    name="posts",
    id="posts_id",
    listRule="",
    fields=[
        id_field(),
        TextField(name="title"),
        NumberField(name="views"),
        RelationField(name="author", collectionId="users_id", maxSelect=1),
        RelationField(name="tags", collectionId="tags_id", maxSelect=5),
        SelectField(name="flags", values=["a", "b", "c"], maxSelect=3),
        JSONField(name="meta"),
    ],
)
COMMENTS = Collection(
    name="comments",
    id="comments_id",
    listRule=None,
    fields=[
        id_field(),
        RelationField(name="post", collectionId="posts_id", maxSelect=1),
        TextField(name="text"),
    ],
)
ALL = {c.id: c for c in (USERS, TAGS, POSTS, COMMENTS)} | {c.name: c for c in (USERS, TAGS, POSTS, COMMENTS)}


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE users (id TEXT, name TEXT, email TEXT, emailVisibility BOOLEAN, verified BOOLEAN,
                            password TEXT, tokenKey TEXT);
        CREATE TABLE tags (id TEXT, label TEXT);
        CREATE TABLE posts (id TEXT, title TEXT, views NUMERIC, author TEXT,
                            tags JSON, flags JSON, meta JSON);
        CREATE TABLE comments (id TEXT, post TEXT, text TEXT);
        INSERT INTO users VALUES ('u1', 'Ann', 'ann@x.co', 1, 1, '', ''),
                                 ('u2', 'Bob', 'bob@x.co', 0, 0, '', '');
        INSERT INTO tags VALUES ('t1', 'red'), ('t2', 'blue');
        INSERT INTO posts VALUES
          ('p1', 'Hello', 10, 'u1', '["t1","t2"]', '["a","b"]', '{"k":{"n":1}}'),
          ('p2', 'World', 20, 'u2', '["t1"]', '["a"]', '{"k":{"n":2}}'),
          ('p3', 'Empty', 0, '', '[]', '[]', NULL);
        INSERT INTO comments VALUES ('c1', 'p1', 'nice'), ('c2', 'p1', 'meh'), ('c3', 'p2', 'nice');
        """
    )
    return conn


def matches(
    db: sqlite3.Connection, rule: str, request: RequestInfo | None = None, hidden: bool = True
) -> list[str]:
    resolver = RecordFieldResolver(ALL.get, POSTS, request or RequestInfo(), allow_hidden=hidden)
    built = build_filter(rule, resolver)
    joins = " ".join(
        f"LEFT JOIN {j.table} `{j.alias}`" + (f" ON {j.on}" if j.on else "") for j in resolver.joins
    )
    sql = f"SELECT DISTINCT `posts`.`id` FROM `posts` `posts` {joins} WHERE {built.sql} ORDER BY `posts`.`id`"
    return [r[0] for r in db.execute(sql, {**resolver.join_params, **built.params})]


@pytest.mark.parametrize(
    ("rule", "ids"),
    [
        ("title = 'Hello'", ["p1"]),
        ("author.name = 'Bob'", ["p2"]),
        ("author.id = 'u1'", ["p1"]),
        ("author = ''", ["p3"]),
        ("tags.label ?= 'blue'", ["p1"]),  # any tag
        ("tags.label = 'red'", ["p2"]),  # every tag (p3 has none, so no value matches)
        ("tags.label != 'blue'", ["p2", "p3"]),  # p3 has no tag, so none of them is blue
        ("flags:length = 2", ["p1"]),
        ("flags:each ?= 'b'", ["p1"]),
        ("flags:each = 'a'", ["p2"]),
        ("comments_via_post.text ?= 'meh'", ["p1"]),
        ("comments_via_post.text = 'nice'", ["p2"]),
        ("meta.k.n = 2", ["p2"]),
        ("meta.k.n > 0 && views >= 10", ["p1", "p2"]),
        ("@collection.tags.label ?= 'blue' && title ~ 'o'", ["p1", "p2"]),
        ("@collection.users:u.name ?= author.name && author.verified = true", ["p1"]),
        ("@collection.users:u.verified = true", []),  # not every user is verified
        ("title:lower = 'hello'", ["p1"]),
    ],
)
def test_paths(db: sqlite3.Connection, rule: str, ids: list[str]) -> None:
    assert matches(db, rule) == ids


def test_request_values() -> None:
    auth = Record(USERS, {"id": "u1", "name": "Ann", "email": "ann@x.co"})
    request = RequestInfo(
        method="PATCH", query={"q": "Hello"}, headers={"x_n": "20"}, body={"views": "20"}, auth=auth
    )
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE users (id TEXT, name TEXT, email TEXT, emailVisibility BOOLEAN, verified BOOLEAN,"
        " password TEXT, tokenKey TEXT); INSERT INTO users VALUES ('u1','Ann','a@x.co',1,1,'','');"
        "CREATE TABLE posts (id TEXT, title TEXT, views NUMERIC, author TEXT, tags JSON, flags JSON,"
        " meta JSON); INSERT INTO posts VALUES ('p1','Hello',10,'u1','[]','[]',NULL),"
        " ('p2','World',20,'u2','[]','[]',NULL);"
    )
    assert matches(conn, "author = @request.auth.id", request) == ["p1"]
    assert matches(conn, "@request.auth.name = author.name", request) == ["p1"]
    assert matches(conn, "title = @request.query.q && @request.method = 'PATCH'", request) == ["p1"]
    assert matches(conn, "views = @request.body.views", request) == ["p2"]  # "20" compared as a number
    assert matches(conn, "@request.body.views:isset = true && @request.body.nope:isset = false", request) == [
        "p1",
        "p2",
    ]
    assert matches(conn, "@request.body.missing = null && @request.auth.nope = null", request) == ["p1", "p2"]
    assert matches(conn, "@request.body.views:changed = true", request) == ["p1"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("nope = 1", 'invalid left operand "nope" - unknown field "nope"'),
        ("author.nope = 1", 'invalid left operand "author.nope" - unknown field "nope"'),
        ("title.x = 1", 'invalid left operand "title.x" - field "title" is not a valid relation'),
        ("title:bad = 1", 'invalid left operand "title:bad" - unknown modifier in "title:bad"'),
        (
            "comments_via_text.id = 1",
            'invalid left operand "comments_via_text.id" - invalid back relation field "text"',
        ),
        (
            "@collection.nope.id = 1",
            'invalid left operand "@collection.nope.id" - '
            'failed to load collection "nope" from field path "@collection.nope.id"',
        ),
    ],
)
def test_unresolvable(rule: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        build_filter(rule, RecordFieldResolver(ALL.get, POSTS, RequestInfo(), allow_hidden=True))
    assert str(caught.value) == message


def test_guests_cant_reach_collections_without_a_list_rule() -> None:
    resolver = RecordFieldResolver(ALL.get, POSTS, RequestInfo(), allow_hidden=False)
    with pytest.raises(
        ValueError, match='"comments" fields can be accessed only when allowHiddenFields is enabled'
    ):
        build_filter("comments_via_post.text = 'x'", resolver)


def test_joined_collections_with_a_list_rule_are_noted_for_the_query() -> None:
    resolver = RecordFieldResolver(ALL.get, POSTS, RequestInfo(), allow_hidden=False)
    build_filter("author.name = 'x'", resolver)
    assert [(c.name, alias) for c, alias in resolver.rule_joins] == [("users", "posts_author")]


def test_hidden_emails_only_match_when_visible(db: sqlite3.Connection) -> None:
    assert matches(db, "author.email ~ '@x.co'", hidden=False) == ["p1"]
    assert matches(db, "author.email ~ '@x.co'", hidden=True) == ["p1", "p2"]
