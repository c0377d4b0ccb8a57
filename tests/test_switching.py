"""Switching from PocketBase and back (docs/migrating.md): one server builds a data set through
the API — every field type, indexes, a view, auth users with passwords, OAuth2 and OTP settings,
stored files and thumbnails — and stops; the other server is started on the same `pb_data` and
must serve the same collections, records, files and settings, accept the first server's tokens,
logins and pending OTPs. Both directions, against the real PocketBase 0.40.6 binary."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from pocketbase import PocketBase

from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("switching")]

PASSWORD = "Secret123!"
USERS = ("ann@switch.test", "bob@switch.test")

KINDS: dict[str, Any] = {
    "name": "kinds",
    "listRule": "",
    "viewRule": "",
    "createRule": "@request.auth.id != ''",
    "updateRule": "owner = @request.auth.id",
    "deleteRule": None,
    "fields": [
        {"name": "title", "type": "text", "required": True, "max": 80},
        {"name": "body", "type": "editor"},
        {"name": "n", "type": "number", "min": -1000},
        {"name": "flag", "type": "bool"},
        {"name": "mail", "type": "email", "exceptDomains": ["spam.test"]},
        {"name": "site", "type": "url"},
        {"name": "when", "type": "date"},
        {"name": "one", "type": "select", "values": ["a", "b", "c"], "maxSelect": 1},
        {"name": "many", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "meta", "type": "json"},
        {"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 1 << 20},
        {
            "name": "pics",
            "type": "file",
            "maxSelect": 3,
            "thumbs": ["50x50", "0x20"],
            "mimeTypes": ["image/png", "image/jpeg"],
        },
        {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "fans", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 5},
        {"name": "where", "type": "geoPoint"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ],
    "indexes": [
        "CREATE UNIQUE INDEX `idx_kinds_title` ON `kinds` (`title`)",
        "CREATE INDEX `idx_kinds_n_flag` ON `kinds` (`n`, `flag`)",
    ],
}
VIEW: dict[str, Any] = {
    "name": "kinds_view",
    "type": "view",
    "listRule": "",
    "viewRule": "",
    "viewQuery": "SELECT id, title, n, owner, pics FROM kinds WHERE flag = true",
}
USERS_PATCH: dict[str, Any] = {
    "fields": [{"name": "nickname", "type": "text", "max": 40}],
    "otp": {"enabled": True, "length": 6},
    # Bob signs in with two factors: his password, then an OTP.
    "mfa": {"enabled": True, "rule": "nickname = 'nick1'"},
    "oauth2": {
        "enabled": True,
        "providers": [{"name": "google", "clientId": "switch-client", "clientSecret": "switch-secret"}],
        "mappedFields": {"name": "nickname"},
    },
}


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class Built:
    """What the first server left behind, besides the data dir."""

    admin_token: str
    user_token: str
    mfa_id: str
    otp_id: str
    otp_code: str
    snapshot: dict[str, Any] = field(default_factory=dict)


def _admin(server: Server, token: str = "") -> httpx.Client:
    token = token or server.auth_token()
    return httpx.Client(base_url=server.url, headers={"Authorization": token}, timeout=30)


def build(server: Server, sink: SMTPSink) -> Built:
    """The data set, made through `server`'s API."""
    with _admin(server) as admin:
        admin.patch(
            "/api/settings", json={"meta": {"appName": "Switching"}, "smtp": sink.settings()}
        ).raise_for_status()
        admin.patch("/api/collections/users", json=USERS_PATCH).raise_for_status()
        admin.post("/api/collections", json=KINDS).raise_for_status()
        admin.post("/api/collections", json=VIEW).raise_for_status()
        ids = []
        for i, email in enumerate(USERS):
            user = admin.post(
                "/api/collections/users/records",
                json={
                    "email": email,
                    "password": PASSWORD,
                    "passwordConfirm": PASSWORD,
                    "verified": True,
                    "name": f"User {i}",
                    "nickname": f"nick{i}",
                },
            )
            user.raise_for_status()
            ids.append(user.json()["id"])
        for i in range(3):
            admin.post(
                "/api/collections/kinds/records",
                data={
                    "title": f"kind {i}",
                    "body": f"<p>body <b>{i}</b></p>",
                    "n": str(i * 1.5 - 1),
                    "flag": "true" if i % 2 == 0 else "false",
                    "mail": f"k{i}@switch.test",
                    "site": f"https://example.com/{i}",
                    "when": f"2024-0{i + 1}-02 03:04:05.678Z",
                    "one": "abc"[i],
                    "many": ["a", "c"][: i + 1] if i < 2 else ["b"],
                    "meta": f'{{"i": {i}, "list": [1, "two", null]}}',
                    "owner": ids[i % 2],
                    "fans": ids[: i % 3],
                    "where": f'{{"lon": {i + 0.5}, "lat": {-i - 0.25}}}',
                },
                files=[
                    ("doc", (f"Notes {i}.txt", f"notes number {i}\n".encode(), "text/plain")),
                    ("pics", (f"pic{i}a.png", _png(64, 48, (i * 80, 10, 200)), "image/png")),
                    ("pics", (f"pic{i}b.png", _png(30, 90, (200, i * 80, 10)), "image/png")),
                ],
            ).raise_for_status()
    login = httpx.post(
        f"{server.url}/api/collections/users/auth-with-password",
        json={"identity": USERS[0], "password": PASSWORD},
    )
    login.raise_for_status()
    first_factor = httpx.post(
        f"{server.url}/api/collections/users/auth-with-password",
        json={"identity": USERS[1], "password": PASSWORD},
    )
    assert first_factor.status_code == 401, first_factor.text
    otp = httpx.post(f"{server.url}/api/collections/users/request-otp", json={"email": USERS[1]})
    otp.raise_for_status()
    code = sink.wait_for(USERS[1]).find(r"<strong>(\d+)</strong>")
    admin_token = server.auth_token()
    with _admin(server, admin_token) as admin:
        # Listing the files also makes (and caches in storage) this server's thumbnails.
        shot = snapshot(server, admin)
    return Built(
        admin_token, login.json()["token"], first_factor.json()["mfaId"], otp.json()["otpId"], code, shot
    )


def snapshot(server: Server, admin: httpx.Client) -> dict[str, Any]:
    """Everything a client can read back: collections, settings, records (all of them, with
    expand), files and their content types, and the thumbnails."""
    collections = admin.get("/api/collections", params={"perPage": 500, "sort": "name"}).json()["items"]
    settings = admin.get("/api/settings").json()
    records: dict[str, Any] = {}
    for collection in collections:
        listed = admin.get(
            f"/api/collections/{collection['name']}/records",
            params={"perPage": 500, "sort": "id", "expand": "owner,fans"},
        )
        assert listed.status_code == 200, (collection["name"], listed.text)
        records[collection["name"]] = listed.json()["items"]
    files: dict[str, Any] = {}
    for record in records["kinds"]:
        for name in [record["doc"], *record["pics"]]:
            path = f"/api/files/kinds/{record['id']}/{name}"
            got = httpx.get(server.url + path)
            files[path] = (got.status_code, got.headers.get("content-type"), got.content)
            if name in record["pics"]:
                thumb = httpx.get(server.url + path, params={"thumb": "50x50"})
                files[f"{path}?thumb=50x50"] = (thumb.status_code, thumb.content)
    return {"collections": collections, "settings": settings, "records": records, "files": files}


def assert_same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Part by part, so a failure names the collection, record or file that differs."""
    assert got["collections"] == expected["collections"]
    assert got["settings"] == expected["settings"]
    assert got["records"].keys() == expected["records"].keys()
    for name, records in expected["records"].items():
        assert got["records"][name] == records, name
    assert got["files"].keys() == expected["files"].keys()
    for path, answer in expected["files"].items():
        assert got["files"][path] == answer, path


def check_moved_in(server: Server, built: Built) -> None:
    """`server`, started on the other server's data dir, serves the same data and accepts its
    tokens, passwords and pending OTP."""
    # Read with the first server's superuser token: a new login would touch `_authOrigins`.
    with _admin(server, built.admin_token) as admin:
        assert_same(snapshot(server, admin), built.snapshot)
    # The first server's token is still valid (same tokenKey and secret).
    refreshed = httpx.post(
        f"{server.url}/api/collections/users/auth-refresh", headers={"Authorization": built.user_token}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["record"]["email"] == USERS[0]
    # Passwords, through the official Python SDK.
    sdk = PocketBase(server.url)
    assert sdk.collection("users").auth_with_password(USERS[0], PASSWORD).record.email == USERS[0]
    listed = sdk.collection("kinds").get_full_list(query_params={"sort": "title"})
    assert [r.title for r in listed] == ["kind 0", "kind 1", "kind 2"]
    # The OTP the first server mailed completes the MFA login the first server began.
    otp = httpx.post(
        f"{server.url}/api/collections/users/auth-with-otp",
        json={"otpId": built.otp_id, "password": built.otp_code, "mfaId": built.mfa_id},
    )
    assert otp.status_code == 200, otp.text
    assert otp.json()["record"]["email"] == USERS[1]
    # OAuth2 configuration (the secret stays hidden, the provider listed).
    methods = httpx.get(f"{server.url}/api/collections/users/auth-methods").json()
    assert [p["name"] for p in methods["oauth2"]["providers"]] == ["google"]
    assert methods["otp"] == {"enabled": True, "duration": 180}
    # The server writes too: a new record with a file, a thumbnail of a size not made before.
    token = refreshed.json()["token"]
    created = httpx.post(
        f"{server.url}/api/collections/kinds/records",
        headers={"Authorization": token},
        data={"title": "after the move", "owner": refreshed.json()["record"]["id"]},
        files=[("pics", ("late.png", _png(40, 40, (1, 2, 3)), "image/png"))],
    )
    assert created.status_code == 200, created.text
    pic = created.json()["pics"][0]
    thumb = httpx.get(f"{server.url}/api/files/kinds/{created.json()['id']}/{pic}", params={"thumb": "0x20"})
    assert (thumb.status_code, Image.open(io.BytesIO(thumb.content)).size) == (200, (20, 20))
    view = httpx.get(f"{server.url}/api/collections/kinds_view/records", params={"sort": "title"}).json()
    assert [r["title"] for r in view["items"]] == ["kind 0", "kind 2"]


@pytest.fixture()
def sink() -> Iterator[SMTPSink]:
    smtp = SMTPSink()
    smtp.start()
    yield smtp
    smtp.stop()


def _migrations(data_dir: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data_dir / "data.db") as conn:
        return conn.execute("SELECT file, applied FROM _migrations ORDER BY file").fetchall()


def _built_by(first: Server, sink: SMTPSink) -> Built:
    first.create_superuser()
    first.start()
    try:
        return build(first, sink)
    finally:
        first.stop()


def _switch(first: Server, second: Server, sink: SMTPSink) -> None:
    built = _built_by(first, sink)
    history = _migrations(first.data_dir)
    second.start()
    try:
        check_moved_in(second, built)
    finally:
        second.stop()
    # Each server recognises the other's applied migrations: nothing re-run, nothing added.
    assert _migrations(second.data_dir) == history


def test_pocketbase_data_dir_opens_in_pocketlite(tmp_path: Path, sink: SMTPSink) -> None:
    data_dir = tmp_path / "pb_data"
    _switch(Server.pocketbase(data_dir), Server.pocketlite(data_dir), sink)


def test_pocketlite_data_dir_opens_in_pocketbase(tmp_path: Path, sink: SMTPSink) -> None:
    data_dir = tmp_path / "pb_data"
    _switch(Server.pocketlite(data_dir), Server.pocketbase(data_dir), sink)


def test_old_pocketbase_nulls_read_as_empty(tmp_path: Path, sink: SMTPSink) -> None:
    """Older PocketBase versions (and Go code) stored nil slices and maps as JSON null: in field
    options, auth options, settings and file sidecars. They read as empty values."""
    data_dir = tmp_path / "pb_data"
    built = _built_by(Server.pocketbase(data_dir), sink)
    with sqlite3.connect(data_dir / "data.db") as conn:
        for id_, fields, options, indexes in conn.execute(
            "SELECT id, fields, options, indexes FROM _collections"
        ).fetchall():
            conn.execute(
                "UPDATE _collections SET fields = ?, options = ?, indexes = ? WHERE id = ?",
                (
                    fields.replace('"exceptDomains":[]', '"exceptDomains":null').replace(
                        '"onlyDomains":[]', '"onlyDomains":null'
                    ),
                    options.replace('"extra":{}', '"extra":null'),
                    "null" if indexes == "[]" else indexes,
                    id_,
                ),
            )
        (settings,) = conn.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()
        settings = settings.replace(b'"superuserIPs":[]', b'"superuserIPs":null')
        conn.execute("UPDATE _params SET value = ? WHERE id = 'settings'", (settings,))
    sidecars = list((data_dir / "storage").rglob("*.png.attrs"))
    assert sidecars
    for sidecar in sidecars:
        text = sidecar.read_text()
        start = text.index('"user.metadata":')
        end = text.index("}", start) + 1
        sidecar.write_text(text[:start] + '"user.metadata":null' + text[end:])
    second = Server.pocketlite(data_dir)
    second.start()
    try:
        with _admin(second, built.admin_token) as admin:
            assert_same(snapshot(second, admin), built.snapshot)
    finally:
        second.stop()
