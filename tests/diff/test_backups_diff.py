"""The backups API (admin-apis.md §4) against PocketBase 0.40.6, on a pair of servers of this
module's own (a restore replaces their data): listing, creating and its name rules, uploads,
downloads with file tokens, deletes, restores (a good one restarts both on the backup's data,
a broken one changes nothing), the auto backup settings and job.

What legitimately differs is masked: the zips' sizes and dates (each server zips its own
files), the timestamp in generated names, the random name in a mime type error, the data dir
in a raw error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.diff.conftest import serving_pair
from tests.diff.normalize import normalize
from tests.servers import Server
from tests.support.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("backups_diff")]

B = "/api/backups"
# The smallest zip there is: an end-of-central-directory record alone (no data.db in it).
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18
NOTES = {"name": "notes", "listRule": "", "fields": [{"name": "title", "type": "text"}]}


class Pair:
    """Both servers, each with its superuser token."""

    def __init__(self, servers: tuple[Server, Server]) -> None:
        self.servers = servers
        self.tokens = tuple(server.auth_token() for server in servers)

    def send(self, case: Case) -> tuple[httpx.Response, httpx.Response]:
        ours, theirs = (case.send(s, t) for s, t in zip(self.servers, self.tokens, strict=True))
        return ours, theirs

    def run(self, case: Case) -> None:
        compare(case, *self.send(case))

    def run_masked(self, case: Case) -> None:
        """Same status and body once sizes, generated names, random file names and the data
        dirs are masked."""
        ours, theirs = self.send(case)
        assert ours.status_code == theirs.status_code, (case.name, ours.text, theirs.text)
        assert self._masked(ours, 0) == self._masked(theirs, 1), (case.name, ours.text, theirs.text)

    def _masked(self, response: httpx.Response, index: int) -> Any:
        text = response.text.replace(str(self.servers[index].data_dir.resolve()), "<pb_data>")
        text = re.sub(r"_\d{14}\.zip", "_<timestamp>.zip", text)
        text = re.sub(r'\\"[^"\\]+\\" mime type', '\\"<name>\\" mime type', text)
        body = normalize(json.loads(text)) if text else None
        if isinstance(body, list):
            body = [{**item, "size": "<size>"} for item in body]
        return body

    def file_tokens(self) -> tuple[str, str]:
        ours, theirs = (
            httpx.post(f"{s.url}/api/files/token", headers={"Authorization": t}).json()["token"]
            for s, t in zip(self.servers, self.tokens, strict=True)
        )
        return ours, theirs

    def logged_failure(self, index: int) -> tuple[str, str, int]:
        """The (message, backup key, level) of the restore failure server `index` logged, once
        it did (logs are written in batches)."""
        server, token = self.servers[index], self.tokens[index]
        found: list[dict[str, Any]] = []

        def logged() -> bool:
            answer = httpx.get(
                f"{server.url}/api/logs",
                params={"filter": "message = 'Failed to restore backup'"},
                headers={"Authorization": token},
            )
            found[:] = answer.json()["items"]
            return bool(found)

        assert eventually(logged, timeout=30)
        return found[0]["message"], found[0]["data"]["key"], found[0]["level"]

    def restarted(self, starts: tuple[int, int]) -> bool:
        return all(
            _starts(server) == count + 1 and _healthy(server)
            for server, count in zip(self.servers, starts, strict=True)
        )


def _starts(server: Server) -> int:
    return server.log_path.read_text().count("Server started at")


def _healthy(server: Server) -> bool:
    try:
        return httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with serving_pair(tmp_path_factory, "backups") as servers:
        both = Pair(servers)
        both.run(su("no backups yet", "GET", B))
        both.run(Case("a collection to back up", "POST", "/api/collections", json=NOTES, auth=True))
        both.run(Case("a note", "POST", "/api/collections/notes/records", json={"title": "kept"}))
        yield both


def su(name: str, method: str, path: str, **kwargs: Any) -> Case:
    return Case(name, method, path, auth=True, **kwargs)


def test_create_and_its_name_rules(pair: Pair) -> None:
    for case in [
        Case("guests may not list", "GET", B),
        Case("guests may not create", "POST", B, json={"name": "x.zip"}),
        su("upper case", "POST", B, json={"name": "Backup.zip"}),
        su("not a zip name", "POST", B, json={"name": "backup.tar"}),
        su("a new line after the name", "POST", B, json={"name": "backup.zip\n"}),
        su("too long", "POST", B, json={"name": "a" * 147 + ".zip"}),
        su("not a string", "POST", B, json={"name": 5}),
        su("not json", "POST", B, content=b"{nope", headers={"Content-Type": "application/json"}),
        su("no content type", "POST", B, content=b"{}"),
        su("a name", "POST", B, json={"name": "first.zip"}),
        su("the same name", "POST", B, json={"name": "first.zip"}),
        su("a name from a form", "POST", B, data={"name": "form.zip"}),
        su("unknown keys are ignored", "POST", B, json={"name": "other.zip", "extra": 1}),
    ]:
        pair.run(case)
    pair.run_masked(su("a generated name", "POST", B, json={"name": None}))
    pair.run_masked(su("the list", "GET", B))


def test_uploads(pair: Pair) -> None:
    for case in [
        su("a backup to collide with", "POST", B, json={"name": "created.zip"}),
        Case("guests may not upload", "POST", f"{B}/upload", files={"file": ("a.zip", EMPTY_ZIP)}),
        su("no file", "POST", f"{B}/upload", files={"other": ("a.zip", EMPTY_ZIP)}),
        su("json instead", "POST", f"{B}/upload", json={"file": "a.zip"}),
        su("a zip", "POST", f"{B}/upload", files={"file": ("uploaded.zip", EMPTY_ZIP, "text/plain")}),
        su("the same name", "POST", f"{B}/upload", files={"file": ("uploaded.zip", EMPTY_ZIP)}),
        su(
            "a name taken by a created one", "POST", f"{B}/upload", files={"file": ("created.zip", EMPTY_ZIP)}
        ),
        su("any name goes", "POST", f"{B}/upload", files={"file": ("../Odd Name!.zip", EMPTY_ZIP)}),
        su("no extension", "POST", f"{B}/upload", files={"file": ("noext", EMPTY_ZIP)}),
    ]:
        pair.run(case)
    pair.run_masked(su("not a zip", "POST", f"{B}/upload", files={"file": ("a.zip", b"plain text")}))
    pair.run_masked(su("the list", "GET", B))


def test_downloads(pair: Pair) -> None:
    pair.run(su("a backup", "POST", B, json={"name": "download.zip"}))
    pair.run(su("an upload", "POST", f"{B}/upload", files={"file": ("down load!.zip", EMPTY_ZIP)}))
    pair.run(Case("no token", "GET", f"{B}/download.zip"))
    pair.run(Case("the auth header only", "GET", f"{B}/download.zip", auth=True))
    ours, theirs = pair.tokens
    for token in (ours, theirs):
        pair.run(Case("an auth token as the token", "GET", f"{B}/download.zip?token={token}"))
    file_tokens = pair.file_tokens()
    for name, key in [
        ("an uploaded backup", "down%20load!.zip"),
        ("a missing one", "missing.zip"),
        ("a sidecar", "download.zip.attrs"),
    ]:
        case = Case(f"download: {name}", "GET", f"{B}/{key}")
        answers = [
            httpx.get(f"{server.url}{B}/{key}", params={"token": token})
            for server, token in zip(pair.servers, file_tokens, strict=True)
        ]
        compare(case, *answers)
        for header in ("content-disposition", "content-security-policy", "cache-control", "accept-ranges"):
            assert answers[0].headers.get(header) == answers[1].headers.get(header), (name, header)
    ranged = [
        httpx.get(f"{server.url}{B}/download.zip", params={"token": token}, headers={"Range": "bytes=0-3"})
        for server, token in zip(pair.servers, file_tokens, strict=True)
    ]
    assert [(r.status_code, r.content, r.headers["content-type"]) for r in ranged] == [
        (206, b"PK\x03\x04", "application/zip")
    ] * 2


def test_deletes(pair: Pair) -> None:
    for case in [
        su("a backup", "POST", B, json={"name": "delete-me.zip"}),
        su("an upload", "POST", f"{B}/upload", files={"file": ("Delete Me!", EMPTY_ZIP)}),
        Case("guests may not delete", "DELETE", f"{B}/delete-me.zip"),
        su("a sidecar", "DELETE", f"{B}/delete-me.zip.attrs"),
        su("an odd name", "DELETE", f"{B}/Delete%20Me!"),
        su("a backup", "DELETE", f"{B}/delete-me.zip"),
    ]:
        pair.run(case)
    pair.run_masked(su("again", "DELETE", f"{B}/Delete%20Me!"))
    pair.run_masked(su("a missing one", "DELETE", f"{B}/missing.zip"))
    pair.run_masked(su("the list", "GET", B))


def test_auto_backup_settings_and_job(pair: Pair) -> None:
    settings = "/api/settings"
    for case in [
        su("an invalid cron", "PATCH", settings, json={"backups": {"cron": "every day"}}),
        su("a cron out of range", "PATCH", settings, json={"backups": {"cron": "61 * * * *"}}),
        su(
            "a cron keeping none",
            "PATCH",
            settings,
            json={"backups": {"cron": "0 3 * * *", "cronMaxKeep": 0}},
        ),
        su("a cron", "PATCH", settings, json={"backups": {"cron": "@daily", "cronMaxKeep": 1}}),
        su("the jobs", "GET", "/api/crons"),
        su("run it", "POST", "/api/crons/__pbAutoBackup__"),
    ]:
        pair.run(case)

    def auto_backups(index: int) -> list[str]:
        server, token = pair.servers[index], pair.tokens[index]
        keys = [b["key"] for b in httpx.get(f"{server.url}{B}", headers={"Authorization": token}).json()]
        return [key for key in keys if key.startswith("@auto_pb_backup_")]

    for index in (0, 1):
        assert eventually(lambda i=index: len(auto_backups(i)) == 1, timeout=20)
    assert [re.sub(r"\d{14}", "<ts>", auto_backups(i)[0]) for i in (0, 1)] == [
        "@auto_pb_backup_acme_<ts>.zip"
    ] * 2
    pair.run(su("no cron", "PATCH", settings, json={"backups": {"cron": ""}}))
    pair.run(su("the jobs again", "GET", "/api/crons"))


def test_restores(pair: Pair) -> None:
    pair.run(su("a restore point", "POST", B, json={"name": "restore-point.zip"}))
    pair.run(su("a broken backup", "POST", f"{B}/upload", files={"file": ("broken.zip", EMPTY_ZIP)}))
    pair.run(Case("guests may not restore", "POST", f"{B}/restore-point.zip/restore"))
    pair.run(su("a missing backup", "POST", f"{B}/missing.zip/restore"))
    pair.run(
        Case("a note after the backup", "POST", "/api/collections/notes/records", json={"title": "lost"})
    )
    starts = (_starts(pair.servers[0]), _starts(pair.servers[1]))
    pair.run(su("a backup", "POST", f"{B}/restore-point.zip/restore"))
    assert eventually(lambda: pair.restarted(starts), timeout=60)
    pair.run(Case("the backup's notes", "GET", "/api/collections/notes/records?sort=title"))
    pair.run(su("health", "GET", "/api/health"))
    # PocketBase starts its restore a second after answering: this one fails, and says so.
    pair.run(su("a backup without data.db", "POST", f"{B}/broken.zip/restore"))
    failures = [pair.logged_failure(i) for i in (0, 1)]
    assert failures[0] == failures[1] == ("Failed to restore backup", "broken.zip", 8)
    pair.run(Case("still the backup's notes", "GET", "/api/collections/notes/records?sort=title"))
