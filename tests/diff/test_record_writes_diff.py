"""Record create, update and delete (records-api.md §3-§6) against PocketBase 0.40.6, in order:
later requests build on the records earlier ones made."""

from __future__ import annotations

import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

C = "/api/collections"
R = f"{C}/gadgets/records"
ONE = f"{R}/gadget000000001"
JSON = {"Content-Type": "application/json"}

GADGETS = {
    "name": "gadgets",
    "createRule": 'title != "forbidden"',
    "updateRule": "n < 100",
    "deleteRule": "",
    "listRule": "",
    "viewRule": "",
    "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "n", "type": "number"},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "secret", "type": "text", "hidden": True},
        {"name": "meta", "type": "json"},
        {"name": "when", "type": "date"},
        {"name": "on", "type": "bool"},
    ],
}
PARTS = {
    "name": "parts",
    "createRule": "",
    "listRule": "",
    "fields": [
        {"name": "label", "type": "text"},
        {
            "name": "gadget",
            "type": "relation",
            "collectionId": "gadgets_id",
            "cascadeDelete": True,
            "maxSelect": 1,
        },
        {"name": "spares", "type": "relation", "collectionId": "gadgets_id", "maxSelect": 5},
        {"name": "must", "type": "relation", "collectionId": "gadgets_id", "required": False, "maxSelect": 1},
    ],
}


def post(name: str, body: object, path: str = R, **kwargs: object) -> Case:
    return Case(name, "POST", path, json=body, **kwargs)  # type: ignore[arg-type]


def patch(name: str, body: object, path: str = ONE, **kwargs: object) -> Case:
    return Case(name, "PATCH", path, json=body, **kwargs)  # type: ignore[arg-type]


CASES = [
    post("the collection", {**GADGETS, "id": "gadgets_id"}, path=C, auth=True),
    post("the referencing collection", PARTS, path=C, auth=True),
    Case("not JSON", "POST", R, content=b"garbage", headers=JSON),
    Case("a JSON array", "POST", R, content=b"[1]", headers=JSON),
    post("a number where text goes", {"title": 5, "id": "gadget000000009"}),
    post("nothing", {}),
    post("a short id", {"id": "short", "title": "x"}),
    post("refused by the create rule", {"title": "forbidden"}),
    post(
        "casts and a hidden field from a guest",
        {
            "id": "gadget000000002",
            "title": "x",
            "n": "4",
            "tags": "a",
            "secret": "s",
            "meta": "{bad",
            "when": "2024-05-06",
        },
    ),
    post(
        "a hidden field from a superuser",
        {"id": "gadget000000003", "title": "s", "secret": "kept"},
        auth=True,
    ),
    post(
        "a custom id",
        {"id": "gadget000000001", "title": "c", "tags": ["a", "b"], "n": 10, "meta": {"b": 1, "a": [1]}},
    ),
    post("a taken id", {"id": "gadget000000001", "title": "dup"}),
    post("invalid values", {"title": "y", "tags": ["z"], "n": 1.5, "when": 1700000000}),
    Case(
        "a form with type inference",
        "POST",
        R,
        data={"id": "gadget000000004", "title": "form", "n": "007", "on": "true", "tags": ["b", "c"]},
    ),
    Case(
        "multipart with @jsonPayload",
        "POST",
        R,
        files={
            "id": (None, "gadget000000005"),
            "title": (None, "multi"),
            "n": (None, "42"),
            "@jsonPayload": (None, '{"n": 7, "meta": {"x": true}}'),
        },
    ),
    patch("modifiers", {"n+": 5, "tags-": "a", "+tags": "c"}),
    patch("subtract", {"n-": 1}),
    patch("append existing values", {"tags+": ["b", "c"]}),
    patch("a primary key change", {"id": "other0000000001"}),
    patch("a required field blanked", {"title": ""}),
    patch("allowed by the update rule", {"n": 200}),
    patch("refused by the update rule now", {"n": 5}),
    patch("a superuser ignores the update rule", {"n": 6}, auth=True),
    patch("a missing record", {"n": 1}, path=f"{R}/nope"),
    post(
        "a part",
        {
            "id": "part00000000001",
            "label": "p1",
            "gadget": "gadget000000002",
            "spares": ["gadget000000002", "gadget000000003"],
        },
        path=f"{C}/parts/records",
    ),
    post("a part pointing nowhere", {"label": "p2", "gadget": "nope"}, path=f"{C}/parts/records"),
    Case("delete cascades and unlinks", "DELETE", f"{R}/gadget000000002"),
    Case("the part was deleted with its gadget", "GET", f"{C}/parts/records/part00000000001", auth=True),
    Case("delete a missing record", "DELETE", f"{R}/nope"),
    Case("view after the changes", "GET", f"{R}?sort=id", auth=True),
    Case("create in a superusers-only collection", "POST", f"{C}/_superusers/records", json={}),
    Case("create in an unknown collection", "POST", f"{C}/nope/records", json={}),
    Case("update in an unknown collection", "PATCH", f"{C}/nope/records/x", json={}),
    Case("delete in an unknown collection", "DELETE", f"{C}/nope/records/x"),
    Case("POST to a record", "POST", f"{R}/gadget000000001", json={}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))
