"""What a PocketBase app leans on when it moves over, against PocketBase 0.40.6: views that
aggregate, JSON values read back, autodate fields clients can't set, the body rules see,
uploaded names cut to their base name, files served through views, who may refresh or change an
email where, auth ids unique across auth collections, and imports that create views or drop
collections with theirs.
Stored file names carry random parts, so the answers that hold them are compared masked."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from tests.diff.cases import Case, compare
from tests.diff.conftest import serving_pair
from tests.diff.normalize import normalize
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

C = "/api/collections"
PASSWORD = "12345678"
OLD = "2000-01-01 00:00:00.000Z"
OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": ""}

ITEMS = {
    "name": "mi_items",
    **OPEN,
    "fields": [{"name": "cat", "type": "text"}, {"name": "n", "type": "number"}],
}
AGG = {
    "name": "mi_agg",
    "type": "view",
    "listRule": "",
    "viewRule": "",
    "viewQuery": "SELECT (ROW_NUMBER() OVER()) as id, cat, COUNT(*) as total, SUM(n) as sum_n "
    "FROM mi_items GROUP BY cat",
}
CALC = {
    "name": "mi_calc",
    "type": "view",
    "listRule": "",
    "viewRule": "",
    "viewQuery": "SELECT max(id) as id, cat, GROUP_CONCAT(n) as joined, AVG(n) as av, TOTAL(n) as tt, "
    "'123' as numstr, '' as empty, 1e300*1e300 as inf, json_object('top', max(n)) as obj, "
    "cast(max(n) as text) as txt FROM mi_items GROUP BY cat",
}
JSONS = {"name": "mi_json", **OPEN, "fields": [{"name": "j", "type": "json"}]}
NOTES = {
    "name": "mi_notes",
    **OPEN,
    "createRule": '@request.body.created = ""',
    "updateRule": "@request.body.created = created",
    "fields": [
        {"name": "title", "type": "text"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
        {"name": "stamp", "type": "autodate", "onUpdate": True},
    ],
}
BODIES = {
    "name": "mi_bodies",
    **OPEN,
    "createRule": '@request.body.t = "5" && @request.body.b = true && @request.body.tags:length = 2 && '
    '@request.body.d = "2024-01-02 00:00:00.000Z" && @request.body.h:isset = false',
    "fields": [
        {"name": "t", "type": "text"},
        {"name": "n", "type": "number"},
        {"name": "b", "type": "bool"},
        {"name": "d", "type": "date"},
        {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2},
        {"name": "h", "type": "text", "hidden": True},
    ],
}
UPLOADS = {"name": "mi_uploads", **OPEN, "fields": [{"name": "f", "type": "file", "maxSelect": 5}]}
MEMBERS = {"name": "mi_members", "type": "auth", "authAlert": {"enabled": False}}
PLAIN = {"name": "mi_plain", **OPEN, "fields": [{"name": "t", "type": "text"}]}
PEOPLE_VIEW = {"name": "mi_people", "type": "view", "viewQuery": "SELECT id, email FROM users"}
PEOPLE = {"user": ("users", "miuser000000001"), "member": ("mi_members", "mimember0000001")}


@dataclass
class FileCase(Case):
    """A case whose answer holds stored file names: their random parts are masked."""


def _multipart(*names: str, field: str = "f") -> dict[str, Any]:
    """A raw multipart body (so file names go exactly as written, quoted-string escapes too)."""
    parts = b"".join(
        f'--XX\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + b"hello\r\n"
        for name in names
    )
    return {"content": parts + b"--XX--\r\n", "headers": {"Content-Type": "multipart/form-data; boundary=XX"}}


def upload(name: str, *names: str) -> FileCase:
    return FileCase(name, "POST", f"{C}/mi_uploads/records", **_multipart(*names))


def _batch_upload(name: str, *files: str) -> FileCase:
    payload = {"requests": [{"method": "POST", "url": f"{C}/mi_uploads/records", "body": {}}]}
    return FileCase(
        name,
        "POST",
        "/api/batch",
        data={"@jsonPayload": json.dumps(payload)},
        files=[("requests.0.f", (f, b"hello")) for f in files],
    )


def people_cases() -> list[Case]:
    """auth-refresh and request-email-change for every kind of requester and collection (the
    requests that would mail someone are left out: PocketBase's sendmail fails here)."""
    out: list[Case] = []
    for collection in ("users", "mi_members", "_superusers", "mi_plain", "mi_people", "nope"):
        for who in ("", "superuser", "user", "member"):
            signs = {"auth": who == "superuser", "user": who if who in PEOPLE else ""}
            mails = PEOPLE.get(who, ("", ""))[0] == collection
            tag = f"{collection} by {who or 'a guest'}"
            out.append(Case(f"refresh: {tag}", "POST", f"{C}/{collection}/auth-refresh", **signs))
            if not mails:
                body = {"newEmail": "new@move.co"}
                path = f"{C}/{collection}/request-email-change"
                out.append(Case(f"email change: {tag}", "POST", path, json=body, **signs))
            out.append(
                Case(
                    f"blank email change: {tag}",
                    "POST",
                    f"{C}/{collection}/request-email-change",
                    json={},
                    **signs,
                )
            )
    for collection in ("nope", "mi_plain", "users"):
        path = f"{C}/{collection}/impersonate/miuser000000001"
        out.append(Case(f"impersonate in {collection}", "POST", path, json={}, auth=True))
    return out


def _user(collection: str, record_id: str, email: str) -> Case:
    body = {"id": record_id, "email": email, "password": PASSWORD, "passwordConfirm": PASSWORD}
    return Case(f"{collection} {record_id}", "POST", f"{C}/{collection}/records", json=body, auth=True)


def _import(name: str, *collections: dict[str, Any]) -> Case:
    return Case(name, "PUT", f"{C}/import", json={"collections": list(collections)}, auth=True)


CASES: list[Case] = [
    # --- views that aggregate ------------------------------------------------------------------
    Case("the items", "POST", C, json=ITEMS, auth=True),
    *(
        Case(
            f"item {i}", "POST", f"{C}/mi_items/records", json={"id": f"miitem00000000{i}", "cat": c, "n": n}
        )
        for i, (c, n) in enumerate((("a", 1), ("a", 2), ("b", 5)))
    ),
    Case("an aggregating view", "POST", C, json=AGG, auth=True),
    Case("its inferred fields", "GET", f"{C}/mi_agg", auth=True),
    Case("its list", "GET", f"{C}/mi_agg/records"),
    Case("one of its rows", "GET", f"{C}/mi_agg/records/1"),
    Case("sorted by a count", "GET", f"{C}/mi_agg/records?sort=-total"),
    Case("filtered by a count", "GET", f"{C}/mi_agg/records?filter=total>1"),
    Case("filtered and sorted by a sum", "GET", f"{C}/mi_agg/records?filter=sum_n>=5&sort=sum_n"),
    Case("a view of computed columns", "POST", C, json=CALC, auth=True),
    Case("their inferred fields", "GET", f"{C}/mi_calc", auth=True),
    Case("their values", "GET", f"{C}/mi_calc/records?sort=cat"),
    Case(
        "an expression the inference can't split",
        "POST",
        C,
        json={"name": "mi_split", "type": "view", "viewQuery": "SELECT id, n > 1 as big FROM mi_items"},
        auth=True,
    ),
    # --- JSON values read back (numbers are stored as numbers: the column is NUMERIC) ------------
    Case("a JSON field", "POST", C, json=JSONS, auth=True),
    *(
        Case(f"JSON {v!r}", "POST", f"{C}/mi_json/records", json={"id": f"mijson00000000{i}", "j": v})
        for i, v in enumerate((5, 1.5, "5.0", "123", "  5", {"b": 1, "a": [1]}, "1e400"))
    ),
    Case("the JSON values read back", "GET", f"{C}/mi_json/records?sort=id"),
    # --- autodate fields -----------------------------------------------------------------------
    Case("autodate fields", "POST", C, json=NOTES, auth=True),
    Case(
        "client dates on create are ignored",
        "POST",
        f"{C}/mi_notes/records",
        json={"id": "minote000000001", "title": "t", "created": OLD, "updated": OLD, "stamp": OLD},
    ),
    Case(
        "a superuser's too",
        "POST",
        f"{C}/mi_notes/records",
        json={"id": "minote000000002", "created": OLD, "updated": OLD, "stamp": "bad"},
        auth=True,
    ),
    Case(
        "and a form's",
        "POST",
        f"{C}/mi_notes/records",
        data={"id": "minote000000003", "created": OLD, "stamp": OLD},
    ),
    Case(
        "client dates on update are ignored",
        "PATCH",
        f"{C}/mi_notes/records/minote000000001",
        json={"title": "u", "created": OLD, "updated": OLD, "stamp": OLD},
    ),
    Case(
        "a modifier is no field key", "PATCH", f"{C}/mi_notes/records/minote000000001", json={"created+": 1}
    ),
    Case(
        "no record kept a client date",
        "GET",
        f"{C}/mi_notes/records?filter=" + quote('created<"2001"||updated<"2001"||(stamp!=""&&stamp<"2001")'),
    ),
    # --- the body rules see --------------------------------------------------------------------
    Case("fields of every kind", "POST", C, json=BODIES, auth=True),
    Case(
        "rules see each field's value, hidden fields left out",
        "POST",
        f"{C}/mi_bodies/records",
        json={"t": 5, "b": "1", "tags": ["a", "a", "b"], "d": "2024-01-02", "h": "x", "n:autogenerate": 3},
    ),
    Case("the raw values are refused", "POST", f"{C}/mi_bodies/records", json={"t": "6", "b": True}),
    # --- uploaded names ------------------------------------------------------------------------
    Case("an upload collection", "POST", C, json=UPLOADS, auth=True),
    upload("directories dropped", "../../etc/Pass Wd!!.TXT", "a/b/c.txt", "dir/", "foo/bar/", "a//b"),
    upload("only slashes and dots", "/", ".", "..", "...", "....txt"),
    upload("backslashes kept", "a\\\\b\\\\c d.txt", "..\\\\..\\\\win.ini", 'Na\\"me.txt'),
    upload("a hidden file in a directory", "/abs/path/.hidden"),
    upload("a long name", "dir/" + "x" * 400 + ".txt"),
    upload("unicode", "Ünïcödé/Ключ файл.txt", "dir/Résumé Final.PDF", "%2e%2e%2fenc.txt"),
    upload("an empty name is a value", ""),
    _batch_upload("a batch upload", "../../etc/Pass Wd!!.TXT", "a/b/c.txt"),
    # --- where auth-refresh and request-email-change answer ----------------------------------
    *people_cases(),
    # --- auth ids across auth collections ------------------------------------------------------
    _user("users", "mishared0000001", "shared@users.co"),
    _user("mi_members", "mishared0000001", "shared@members.co"),
    _user("_superusers", "mishared0000001", "shared@super.co"),
    Case("a base record may share it", "POST", f"{C}/mi_plain/records", json={"id": "mishared0000001"}),
    _user("mi_members", "miplain00000001", "plain@members.co"),
    # --- imports -------------------------------------------------------------------------------
    _import(
        "a table and a view over it",
        {"name": "mi_things", "fields": [{"name": "t", "type": "text"}, {"name": "n", "type": "number"}]},
        {"name": "mi_thingview", "type": "view", "viewQuery": "SELECT id, t, n FROM mi_things"},
    ),
    Case("the imported view", "GET", f"{C}/mi_thingview", auth=True),
    _import(
        "a view over a view listed first",
        {"name": "mi_v2", "type": "view", "viewQuery": "SELECT id, t FROM mi_v1"},
        {"name": "mi_v1", "type": "view", "viewQuery": "SELECT id, t FROM mi_base1"},
        {"name": "mi_base1", "fields": [{"name": "t", "type": "text"}]},
    ),
    _import("a view without id", {"name": "mi_bad1", "type": "view", "viewQuery": "SELECT 1 as x"}),
    _import(
        "a view of two statements",
        {"name": "mi_bad2", "type": "view", "viewQuery": "SELECT id FROM users; SELECT 1"},
    ),
    _import("a view of all columns", {"name": "mi_bad3", "type": "view", "viewQuery": "SELECT * FROM users"}),
    _import(
        "a view over nothing", {"name": "mi_bad4", "type": "view", "viewQuery": "SELECT title FROM nothing"}
    ),
    _import(
        "an index the table refuses",
        {
            "name": "mi_bad5",
            "fields": [{"name": "t", "type": "text"}],
            "indexes": ["CREATE INDEX x ON mi_bad5 (nope)"],
        },
    ),
]

_FILE_RANDOM = re.compile(r"[a-z0-9]{10,}")


def _masked(response: httpx.Response) -> tuple[int, str]:
    """Status and body with each run of 10+ name characters cut to its fixed part: a random
    part is 10 characters, at the end of such a run."""
    body = json.dumps(normalize(response.json()), sort_keys=True) if response.content else ""
    return response.status_code, _FILE_RANDOM.sub(lambda m: m.group(0)[:-10] + "<random>", body)


@pytest.fixture(scope="module")
def people(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[list[dict[str, str]]]:
    """Per server: batch requests allowed (until the module ends), the collections of the auth
    cases, and a token of each person of PEOPLE."""
    out: list[dict[str, str]] = []
    for server, token in zip(pair, tokens, strict=True):
        admin = {"Authorization": token}
        batch = {"batch": {"enabled": True}}
        httpx.patch(f"{server.url}/api/settings", json=batch, headers=admin).raise_for_status()
        for collection in (MEMBERS, PLAIN, PEOPLE_VIEW):
            httpx.post(f"{server.url}{C}", json=collection, headers=admin).raise_for_status()
        signed_in = {}
        for who, (collection, record_id) in PEOPLE.items():
            email = f"{who}@move.co"
            body = {"id": record_id, "email": email, "password": PASSWORD, "passwordConfirm": PASSWORD}
            httpx.post(f"{server.url}{C}/{collection}/records", json=body, headers=admin).raise_for_status()
            login = {"identity": email, "password": PASSWORD}
            response = httpx.post(f"{server.url}{C}/{collection}/auth-with-password", json=login)
            signed_in[who] = response.json()["token"]
        out.append(signed_in)
    yield out
    for server, token in zip(pair, tokens, strict=True):
        batch = {"batch": {"enabled": False}}
        httpx.patch(f"{server.url}/api/settings", json=batch, headers={"Authorization": token})


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(
    case: Case, pair: tuple[Server, Server], tokens: tuple[str, str], people: list[dict[str, str]]
) -> None:
    ours, theirs = (people[0][case.user], people[1][case.user]) if case.user else tokens
    answers = [
        case.send(server, token, force=bool(case.user))
        for server, token in zip(pair, (ours, theirs), strict=True)
    ]
    if isinstance(case, FileCase):
        assert _masked(answers[0]) == _masked(answers[1])
    else:
        compare(case, answers[0], answers[1])


# --- files of view collections -----------------------------------------------------------------

DOCS = {
    "name": "mi_docs",
    **OPEN,
    "fields": [
        {"name": "f", "type": "file", "maxSelect": 2, "thumbs": ["10x10"]},
        {"name": "p", "type": "file", "maxSelect": 1, "protected": True},
    ],
}
DOC_VIEWS = [
    {
        "name": "mi_vdocs",
        "type": "view",
        "listRule": "",
        "viewRule": "",
        "viewQuery": "SELECT id, f, p FROM mi_docs",
    },
    {
        "name": "mi_vrenamed",
        "type": "view",
        "viewRule": "",
        "viewQuery": "SELECT (ROW_NUMBER() OVER()) as id, d.f as pics FROM mi_docs d",
    },
    {"name": "mi_vnested", "type": "view", "viewRule": "", "viewQuery": "SELECT id, pics FROM mi_vrenamed"},
    {
        "name": "mi_vlocked",
        "type": "view",
        "viewRule": '@request.auth.id != ""',
        "viewQuery": "SELECT id, p FROM mi_docs",
    },
]
DOC = "midoc0000000001"
SERVED = ("content-type", "content-disposition", "content-length", "cache-control", "content-security-policy")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _view_file_transcript(server: Server, admin: str) -> list[Any]:
    auth = {"Authorization": admin}
    for collection in (DOCS, *DOC_VIEWS):
        httpx.post(f"{server.url}{C}", json=collection, headers=auth).raise_for_status()
    files = [("f", ("a.txt", b"hello")), ("f", ("img.png", _png())), ("p", ("secret.txt", b"secret"))]
    doc = httpx.post(f"{server.url}{C}/mi_docs/records", files=files, data={"id": DOC}).json()
    text, image = doc["f"]
    file_token = httpx.post(f"{server.url}/api/files/token", headers=auth).json()["token"]
    paths = [
        f"mi_vdocs/{DOC}/{text}",
        f"mi_vdocs/{DOC}/{text}?download=1",
        f"mi_vdocs/{DOC}/{image}?thumb=10x10",
        f"mi_vdocs/{DOC}/{doc['p']}",
        f"mi_vdocs/{DOC}/other.txt",
        f"mi_vdocs/nope00000000000/{text}",
        f"mi_vrenamed/1/{text}",
        f"mi_vrenamed/1/{image}?thumb=100x100",
        f"mi_vnested/1/{image}",
        f"mi_vlocked/{DOC}/{doc['p']}",
        f"mi_vlocked/{DOC}/{doc['p']}?token={file_token}",
        f"mi_vlocked/{DOC}/{text}",
    ]
    names = {text: "<text>", image: "<image>", doc["p"]: "<secret>"}
    out: list[Any] = []
    for path in paths:
        response = httpx.get(f"{server.url}/api/files/{path}")
        headers = {k: response.headers.get(k, "") for k in SERVED}
        body: Any = response.text
        if headers["content-type"].startswith("image/"):
            # Image encoders differ: a picture is compared by its size.
            body = Image.open(io.BytesIO(response.content)).size
            headers.pop("content-length")
        out.append((path.split("?")[0].split("/")[0], response.status_code, headers, body))
    listed = httpx.get(f"{server.url}{C}/mi_vrenamed/records/1").json()
    transcript = json.dumps([out, normalize(listed)])
    for name, placeholder in names.items():
        transcript = transcript.replace(name, placeholder)
    return [json.loads(transcript)]


def test_view_files_are_served_from_their_record(
    pair: tuple[Server, Server], tokens: tuple[str, str]
) -> None:
    ours, theirs = (_view_file_transcript(server, token) for server, token in zip(pair, tokens, strict=True))
    assert ours == theirs


# --- an import that drops collections ------------------------------------------------------------


@pytest.fixture(scope="module")
def own_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """A pair of its own: `deleteMissing` drops every non-system collection, `users` included."""
    with serving_pair(tmp_path_factory, "move") as servers:
        yield servers


def _replace_everything(server: Server) -> list[Any]:
    """A table and a view over it, then an import that drops both for another pair."""
    auth = {"Authorization": server.auth_token()}
    steps: list[Any] = []

    def call(method: str, path: str, body: object = None) -> None:
        response = httpx.request(method, server.url + path, json=body, headers=auth)
        steps.append(
            (method, path, response.status_code, normalize(response.json()) if response.content else None)
        )

    call("POST", C, {"name": "mi_old", "fields": [{"name": "t", "type": "text"}]})
    call("POST", C, {"name": "mi_oldview", "type": "view", "viewQuery": "SELECT id, t FROM mi_old"})
    everything = httpx.get(f"{server.url}{C}?perPage=500", headers=auth).json()["items"]
    system = [c for c in everything if c["system"]]
    new = [
        {"name": "mi_new", "fields": [{"name": "t", "type": "text"}]},
        {"name": "mi_newview", "type": "view", "viewQuery": "SELECT id, t FROM mi_new"},
    ]
    call("PUT", f"{C}/import", {"collections": [*system, *new], "deleteMissing": True})
    call("GET", f"{C}?fields=name&sort=name&perPage=500")
    call("GET", f"{C}/mi_newview/records")
    return steps


def test_an_import_may_drop_a_table_with_its_view(own_pair: tuple[Server, Server]) -> None:
    ours, theirs = (_replace_everything(server) for server in own_pair)
    assert ours == theirs
