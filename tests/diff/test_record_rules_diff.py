"""API rules for guests, owners, other users and superusers (records-api.md §1-§5,
filter-and-rules.md) against PocketBase 0.40.6, with bad filters and bodies among them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

NOTES = {
    "name": "memos",
    "listRule": "@request.auth.id != '' && (owner = @request.auth.id || shared = true)",
    "viewRule": "owner = @request.auth.id || shared = true",
    "createRule": "@request.auth.id != '' && owner = @request.auth.id",
    "updateRule": "owner = @request.auth.id && @request.body.owner:isset = false",
    "deleteRule": "owner = @request.auth.id",
    "fields": [
        {"name": "text", "type": "text"},
        {"name": "shared", "type": "bool"},
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "score", "type": "number"},
        {"name": "labels", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
    ],
}
USERS = {"ann": "ruleann00000001", "ben": "ruleben00000001"}


@pytest.fixture(scope="module")
def user_tokens(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[list[dict[str, str]]]:
    out: list[dict[str, str]] = []
    for server, token in zip(pair, tokens, strict=True):
        admin = {"Authorization": token}
        httpx.post(f"{server.url}/api/collections", json=NOTES, headers=admin).raise_for_status()
        by_name = {}
        for name, user_id in USERS.items():
            httpx.post(
                f"{server.url}/api/collections/users/records",
                json={
                    "id": user_id,
                    "email": f"{name}@rules.co",
                    "password": "12345678",
                    "passwordConfirm": "12345678",
                },
            ).raise_for_status()
            login = httpx.post(
                f"{server.url}/api/collections/users/auth-with-password",
                json={"identity": f"{name}@rules.co", "password": "12345678"},
            )
            by_name[name] = login.json()["token"]
        out.append(by_name)
    yield out


M = "/api/collections/memos/records"


def as_(user: str, name: str, method: str, path: str, body: object = None) -> Case:
    return Case(f"{user}: {name}", method, path, json=body, user=user)


def guest(name: str, method: str, path: str, body: object = None) -> Case:
    return Case(f"guest: {name}", method, path, json=body)


CASES = [
    as_(
        "ann",
        "creates her memo",
        "POST",
        M,
        {"id": "memo00000000001", "text": "ann's", "owner": USERS["ann"], "score": 5, "labels": ["a"]},
    ),
    as_(
        "ann",
        "creates a shared memo",
        "POST",
        M,
        {
            "id": "memo00000000002",
            "text": "shared",
            "owner": USERS["ann"],
            "shared": True,
            "labels": ["a", "b"],
        },
    ),
    as_(
        "ben",
        "creates his memo",
        "POST",
        M,
        {"id": "memo00000000003", "text": "ben's", "owner": USERS["ben"], "score": 9},
    ),
    as_("ben", "can't create one for ann", "POST", M, {"text": "forged", "owner": USERS["ann"]}),
    guest("can't create", "POST", M, {"text": "x", "owner": USERS["ann"]}),
    as_(
        "ann",
        "sends a bad body",
        "POST",
        M,
        {"text": 1, "owner": USERS["ann"], "score": "x", "labels": ["z"]},
    ),
    as_("ann", "sends no owner", "POST", M, {"text": "x"}),
    guest("lists nothing", "GET", f"{M}?sort=id"),
    as_("ann", "lists hers and the shared one", "GET", f"{M}?sort=id"),
    as_("ben", "lists his and the shared one", "GET", f"{M}?sort=id"),
    Case("superuser lists all", "GET", f"{M}?sort=id", auth=True),
    as_("ann", "filters by score", "GET", f"{M}?filter=score>1&sort=-score"),
    as_("ann", "filters by labels any", "GET", f"{M}?filter=labels?='b'"),
    as_("ann", "filters by labels all", "GET", f"{M}?filter=labels='a'&sort=id"),
    as_("ann", "filters by labels length", "GET", f"{M}?filter=labels:length=2"),
    as_("ann", "filters by the owner's email", "GET", f"{M}?filter=owner.email~'rules'&sort=id"),
    as_(
        "ann",
        "filters with or and parentheses",
        "GET",
        f"{M}?filter=(score=5||shared=true)%26%26text!=''&sort=id",
    ),
    as_("ann", "filters with a macro", "GET", f"{M}?filter=id!=''%26%26@now!=''"),
    as_("ann", "filters with @request", "GET", f"{M}?filter=owner=@request.auth.id"),
    as_("ann", "sends a bad filter", "GET", f"{M}?filter=(score="),
    as_("ann", "sends an unknown field", "GET", f"{M}?filter=nope=1"),
    as_("ann", "sends a bad sort", "GET", f"{M}?sort=-nope"),
    as_("ann", "sorts by a relation field", "GET", f"{M}?sort=owner.email,-score"),
    as_("ann", "pages", "GET", f"{M}?perPage=1&page=2&sort=id"),
    as_("ann", "views hers", "GET", f"{M}/memo00000000001"),
    as_("ben", "views the shared one", "GET", f"{M}/memo00000000002"),
    as_("ben", "can't view ann's", "GET", f"{M}/memo00000000001"),
    guest("views the shared one", "GET", f"{M}/memo00000000002"),
    guest("can't view a private one", "GET", f"{M}/memo00000000003"),
    as_("ann", "updates hers", "PATCH", f"{M}/memo00000000001", {"text": "edited", "score+": 2}),
    as_("ann", "can't give hers away", "PATCH", f"{M}/memo00000000001", {"owner": USERS["ben"]}),
    as_("ben", "can't update ann's", "PATCH", f"{M}/memo00000000001", {"text": "hacked"}),
    as_("ben", "can't update the shared one", "PATCH", f"{M}/memo00000000002", {"text": "hacked"}),
    guest("can't update", "PATCH", f"{M}/memo00000000002", {"text": "hacked"}),
    as_("ann", "sends a bad update", "PATCH", f"{M}/memo00000000001", {"score": "x", "labels": ["q"]}),
    as_("ann", "modifies labels", "PATCH", f"{M}/memo00000000002", {"labels-": "a", "+labels": "c"}),
    Case("superuser updates anything", "PATCH", f"{M}/memo00000000003", json={"text": "by admin"}, auth=True),
    as_("ben", "can't delete ann's", "DELETE", f"{M}/memo00000000001"),
    guest("can't delete", "DELETE", f"{M}/memo00000000001"),
    as_("ann", "deletes hers", "DELETE", f"{M}/memo00000000001"),
    as_("ann", "her deleted memo is gone", "GET", f"{M}/memo00000000001"),
    as_("ben", "deletes his", "DELETE", f"{M}/memo00000000003"),
    as_("ann", "lists what's left", "GET", f"{M}?sort=id"),
    as_("ann", "views her own user record", "GET", f"/api/collections/users/records/{USERS['ann']}"),
    as_("ann", "can't view ben's user record", "GET", f"/api/collections/users/records/{USERS['ben']}"),
    as_("ann", "lists users (only herself)", "GET", "/api/collections/users/records"),
    guest("lists users (nobody)", "GET", "/api/collections/users/records"),
    Case(
        "superuser impersonates ann", "POST", f"/api/collections/users/impersonate/{USERS['ann']}", auth=True
    ),
    Case(
        "superuser impersonates for 100 s",
        "POST",
        f"/api/collections/users/impersonate/{USERS['ann']}",
        json={"duration": 100},
        auth=True,
    ),
    Case(
        "a negative duration",
        "POST",
        f"/api/collections/users/impersonate/{USERS['ann']}",
        json={"duration": -1},
        auth=True,
    ),
    Case("impersonating nobody", "POST", "/api/collections/users/impersonate/nope", auth=True),
    as_("ann", "can't impersonate ben", "POST", f"/api/collections/users/impersonate/{USERS['ben']}"),
    guest("can't impersonate", "POST", f"/api/collections/users/impersonate/{USERS['ben']}"),
    as_("ann", "gets a file token", "POST", "/api/files/token"),
    guest("gets no file token", "POST", "/api/files/token"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(
    case: Case, pair: tuple[Server, Server], tokens: tuple[str, str], user_tokens: list[dict[str, str]]
) -> None:
    ours, theirs = tokens
    if case.user:
        ours, theirs = user_tokens[0][case.user], user_tokens[1][case.user]
    compare(
        case,
        case.send(pair[0], ours, force=bool(case.user)),
        case.send(pair[1], theirs, force=bool(case.user)),
    )
