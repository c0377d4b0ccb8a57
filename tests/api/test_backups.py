"""Backups and restore (admin-apis.md §4) on a live server: the zip's content, the store's API,
one backup or restore at a time, the backup hooks, and restores end to end — the data after a
restore is the backup's, the server answers again (the same process, restarted in place), and a
backup that doesn't check out leaves the running data untouched."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from moto.server import ThreadedMotoServer

from tests.servers import Server, child_pids, free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.xdist_group("backups")

HOOKS = Path(__file__).parents[1] / "support" / "backup_hooks"
NOTES = {
    "name": "notes",
    "listRule": "",
    "viewRule": "",
    "fields": [{"name": "title", "type": "text"}, {"name": "doc", "type": "file", "maxSelect": 1}],
}


class Live:
    """A server of this module's own, with a superuser, the `notes` collection and the backup
    hooks; what its hooks noted is in `events()`."""

    def __init__(self, data_dir: Path, *serve_args: str) -> None:
        self.server = Server.pocketlite(data_dir)
        self.server.create_superuser()
        self.server.start("--hooksDir", str(HOOKS), *serve_args)
        self.url = self.server.url
        self.admin = {"Authorization": self.server.auth_token()}
        self.post("/api/collections", json=NOTES).raise_for_status()

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.admin, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, headers=self.admin, timeout=30, **kwargs)

    def delete(self, path: str) -> httpx.Response:
        return httpx.delete(self.url + path, headers=self.admin, timeout=30)

    def events(self) -> list[str]:
        path = self.data_dir.parent / "backup_events.txt"
        return path.read_text().splitlines() if path.exists() else []

    def starts(self) -> int:
        """How many times the server printed its start banner."""
        return self.server.log_path.read_text().count("Server started at")

    def add_note(self, title: str) -> str:
        created = self.post("/api/collections/notes/records", json={"title": title})
        created.raise_for_status()
        record_id: str = created.json()["id"]
        return record_id

    def titles(self) -> list[str]:
        items = self.get("/api/collections/notes/records?perPage=500&sort=title").json()["items"]
        return [item["title"] for item in items]

    def backups(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.get("/api/backups").json()
        return listed

    def download(self, key: str) -> httpx.Response:
        token = self.post("/api/files/token").json()["token"]
        return httpx.get(f"{self.url}/api/backups/{key}", params={"token": token}, timeout=30)

    def can_backup(self) -> bool:
        answer: bool = self.get("/api/health").json()["data"]["canBackup"]
        return answer

    def restore(self, key: str, starts: int) -> None:
        """Restore `key` and wait until the server answers again, started once more."""
        assert self.post(f"/api/backups/{key}/restore").status_code == 204
        assert eventually(lambda: self.starts() == starts + 1 and _healthy(self.url), timeout=60)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    server = Live(tmp_path_factory.mktemp("backups") / "pb_data")
    yield server
    server.server.stop()


@pytest.fixture()
def own(tmp_path: Path) -> Iterator[Live]:
    """A server for one test (restores replace its data)."""
    server = Live(tmp_path / "pb_data")
    yield server
    server.server.stop()


def _leftovers(data_dir: Path) -> list[str]:
    """What backups and restores left in the temp dir."""
    temp = data_dir / ".pb_temp_to_delete"
    return sorted(p.name for p in temp.iterdir()) if temp.exists() else []


def _outcome(url: str) -> str:
    """What a client asking for the notes got: their titles, another answer, or an error."""
    try:
        answer = httpx.get(url, timeout=10)
    except httpx.TimeoutException:
        return "timed out"
    except httpx.TransportError:  # refused, reset, closed: the client knows at once
        return "connection error"
    if answer.status_code != 200:
        return f"{answer.status_code} {answer.text}"
    return f"200 {[item['title'] for item in answer.json()['items']]}"


def _zip_names(content: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(content)).namelist()


def _zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- the store and its API -------------------------------------------------------------------


def test_a_backup_zips_pb_data_without_live_or_private_files(live: Live) -> None:
    note = live.post(
        "/api/collections/notes/records", data={"title": "with a file"}, files={"doc": ("a.txt", b"hello")}
    ).json()
    assert live.post("/api/backups", json={"name": "first.zip"}).status_code == 204
    [listed] = [b for b in live.backups() if b["key"] == "first.zip"]
    assert list(listed) == ["modified", "key", "size"]
    downloaded = live.download("first.zip")
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"] == "application/zip"
    assert downloaded.headers["content-disposition"] == 'attachment; filename="first.zip"'
    assert len(downloaded.content) == listed["size"]
    assert downloaded.content == (live.data_dir / "backups" / "first.zip").read_bytes()
    names = _zip_names(downloaded.content)
    collection_id = live.get("/api/collections/notes").json()["id"]
    stored = f"storage/{collection_id}/{note['id']}/{note['doc']}"
    assert names[:2] == ["data.db", "auxiliary.db"]
    assert stored in names and f"{stored}.attrs" in names
    private = ("backups/", ".pb_temp_to_delete/", "-wal", "-shm", ".lock")
    assert [n for n in names if any(p in n for p in private)] == []


def test_a_backup_without_a_name_gets_one_from_the_app_name(live: Live) -> None:
    assert live.post("/api/backups").status_code == 204
    generated = [b["key"] for b in live.backups() if b["key"].startswith("pb_backup_")]
    assert len(generated) == 1 and re.fullmatch(r"pb_backup_acme_\d{14}\.zip", generated[0])
    assert live.delete(f"/api/backups/{generated[0]}").status_code == 204


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Upper.zip", "validation_match_invalid"),
        ("no-extension", "validation_match_invalid"),
        ("trailing.zip\n", "validation_match_invalid"),
        ("a" * 147 + ".zip", "validation_length_out_of_range"),
        ("taken.zip", "validation_backup_name_exists"),
    ],
)
def test_a_backup_name_must_be_valid_and_free(live: Live, name: str, code: str) -> None:
    if code == "validation_backup_name_exists":
        assert live.post("/api/backups", json={"name": name}).status_code == 204
    refused = live.post("/api/backups", json={"name": name})
    assert refused.status_code == 400
    assert refused.json()["message"] == "An error occurred while validating the submitted data."
    assert refused.json()["data"]["name"]["code"] == code


def test_an_uploaded_zip_is_stored_under_its_own_name(live: Live) -> None:
    assert live.post("/api/backups", json={"name": "to-copy.zip"}).status_code == 204
    content = live.download("to-copy.zip").content
    upload = live.post("/api/backups/upload", files={"file": ("../Copy Of First.zip", content, "text/plain")})
    assert upload.status_code == 204, upload.text
    assert live.download("Copy Of First.zip").content == content
    again = live.post("/api/backups/upload", files={"file": ("Copy Of First.zip", content)})
    assert again.json()["data"]["file"]["code"] == "validation_backup_name_exists"
    not_zip = live.post(
        "/api/backups/upload", files={"file": ("notes.zip", b"plain text", "application/zip")}
    )
    assert not_zip.json()["data"]["file"]["code"] == "validation_invalid_mime_type"
    missing = live.post("/api/backups/upload", files={"other": ("x.zip", content)})
    assert missing.json()["data"]["file"]["code"] == "validation_required"
    assert live.delete("/api/backups/Copy Of First.zip").status_code == 204


def test_an_upload_has_no_body_size_limit(live: Live) -> None:
    big = b"PK\x03\x04" + os.urandom(33 << 20)  # past the 32 MiB other routes take
    assert live.post("/api/backups/upload", files={"file": ("big.zip", big)}).status_code == 204
    assert [b["size"] for b in live.backups() if b["key"] == "big.zip"] == [len(big)]
    assert live.download("big.zip").content == big
    assert live.delete("/api/backups/big.zip").status_code == 204


def test_a_download_needs_a_superusers_file_token(live: Live) -> None:
    assert live.post("/api/backups", json={"name": "guarded.zip"}).status_code == 204
    url = f"{live.url}/api/backups/guarded.zip"
    auth_token = live.admin["Authorization"]
    forbidden = {"data": {}, "message": "Insufficient permissions to access the resource.", "status": 403}
    assert httpx.get(url, headers=live.admin).json() == forbidden
    assert httpx.get(url, params={"token": auth_token}).json() == forbidden
    user = {"email": "user@example.com", "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"}
    assert live.post("/api/collections/users/records", json=user).status_code == 200
    signed_in = httpx.post(
        f"{live.url}/api/collections/users/auth-with-password",
        json={"identity": user["email"], "password": user["password"]},
    ).json()
    users_file_token = httpx.post(
        f"{live.url}/api/files/token", headers={"Authorization": signed_in["token"]}
    ).json()["token"]
    assert httpx.get(url, params={"token": users_file_token}).json() == forbidden
    assert live.download("guarded.zip").status_code == 200
    assert live.download("missing.zip").status_code == 404


def test_a_deleted_backup_is_gone(live: Live) -> None:
    assert live.post("/api/backups", json={"name": "short-lived.zip"}).status_code == 204
    assert live.delete("/api/backups/short-lived.zip").status_code == 204
    assert "short-lived.zip" not in [b["key"] for b in live.backups()]
    again = live.delete("/api/backups/short-lived.zip")
    path = live.data_dir.resolve() / "backups" / "short-lived.zip"
    assert again.json() == {
        "data": {},
        "message": "Invalid or already deleted backup file. Raw error: \n[key: short-lived.zip] "
        f"remove {path}: no such file or directory\nresource not found.",
        "status": 400,
    }


def test_one_backup_at_a_time(live: Live) -> None:
    hold = live.data_dir.parent / "hold"
    hold.touch()
    first: list[httpx.Response] = []
    running = threading.Thread(
        target=lambda: first.append(live.post("/api/backups", json={"name": "held.zip"}))
    )
    running.start()
    try:
        assert eventually(lambda: not live.can_backup())
        busy = live.post("/api/backups", json={"name": "second.zip"})
        assert busy.json() == {
            "data": {},
            "message": "Try again later - another backup/restore process has already been started.",
            "status": 400,
        }
        in_use = live.delete("/api/backups/held.zip")
        assert in_use.json()["message"] == "The backup is currently being used and cannot be deleted."
        assert live.post("/api/backups/held.zip/restore").json() == busy.json()
    finally:
        hold.unlink()
        running.join()
    assert first[0].status_code == 204
    assert live.can_backup()
    assert "held.zip" in [b["key"] for b in live.backups()]


def test_the_backup_hook_wraps_the_creation(live: Live) -> None:
    assert live.post("/api/backups", json={"name": "hooked.zip"}).status_code == 204
    noted = live.events()
    start = noted.index(
        "create hooked.zip without backups,.pb_temp_to_delete,.notify,.autocert_cache,lost+found,"
        "serve.lock,cron.lock,backup.lock"
    )
    assert noted[start + 1] == "created hooked.zip"


def test_auto_backups_keep_the_newest(live: Live) -> None:
    empty = _zip_of({"placeholder.txt": b""})
    for old in ("@auto_pb_backup_acme_1.zip", "@auto_pb_backup_acme_2.zip"):
        assert live.post("/api/backups/upload", files={"file": (old, empty)}).status_code == 204
    settings = {"backups": {"cron": "0 3 * * *", "cronMaxKeep": 2}}
    assert httpx.patch(f"{live.url}/api/settings", json=settings, headers=live.admin).status_code == 200
    crons = live.get("/api/crons").json()
    assert crons[-1] == {"id": "__pbAutoBackup__", "expression": "0 3 * * *"}
    assert live.post("/api/crons/__pbAutoBackup__").status_code == 204

    def auto() -> list[str]:
        return sorted(b["key"] for b in live.backups() if b["key"].startswith("@auto_pb_backup_"))

    assert eventually(lambda: len(auto()) == 2 and "@auto_pb_backup_acme_1.zip" not in auto())
    assert re.fullmatch(r"@auto_pb_backup_acme_\d{14}\.zip", auto()[1])
    off = {"backups": {"cron": ""}}
    assert httpx.patch(f"{live.url}/api/settings", json=off, headers=live.admin).status_code == 200
    assert "__pbAutoBackup__" not in [job["id"] for job in live.get("/api/crons").json()]


# --- restore -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_restore_brings_back_the_backups_data(own: Live) -> None:
    for title in ("one", "two"):
        own.add_note(title)
    with_file = own.post(
        "/api/collections/notes/records", data={"title": "three"}, files={"doc": ("doc.txt", b"kept")}
    ).json()
    assert own.post("/api/backups", json={"name": "snapshot.zip"}).status_code == 204
    own.add_note("four")
    own.delete(f"/api/collections/notes/records/{with_file['id']}")
    assert own.titles() == ["four", "one", "two"]
    pid = own.server.process.pid if own.server.process else 0

    own.restore("snapshot.zip", starts=1)

    assert own.titles() == ["one", "three", "two"]
    file_url = f"{own.url}/api/files/notes/{with_file['id']}/{with_file['doc']}"
    assert httpx.get(file_url).content == b"kept"
    assert own.server.process is not None and own.server.process.pid == pid  # restarted in place
    assert own.events()[-2:] == ["restore snapshot.zip", "restoring snapshot.zip"]
    assert own.can_backup()
    assert _leftovers(own.data_dir) == []  # the previous data went
    assert own.post("/api/sql", json={"query": "PRAGMA integrity_check"}).json()["rows"] == [["ok"]]


@pytest.mark.slow
def test_requests_during_a_restore_get_an_answer_or_a_clean_connection_error(own: Live) -> None:
    own.add_note("before")
    assert own.post("/api/backups", json={"name": "before.zip"}).status_code == 204
    own.add_note("after")
    outcomes: list[str] = []
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            outcomes.append(_outcome(f"{own.url}/api/collections/notes/records?sort=title"))

    slow: list[httpx.Response] = []
    in_flight = threading.Thread(
        target=lambda: slow.append(httpx.get(f"{own.url}/api/_test/slow", timeout=30))
    )
    in_flight.start()
    assert eventually(lambda: "slow request" in own.events())
    hammering = threading.Thread(target=hammer)
    hammering.start()
    try:
        assert eventually(lambda: bool(outcomes))
        own.restore("before.zip", starts=1)
        assert eventually(lambda: bool(outcomes) and outcomes[-1] == "200 ['before']")
    finally:
        done.set()
        hammering.join()
        in_flight.join()
    assert slow[0].json() == {"slow": True}  # in flight when the restore began: answered
    assert set(outcomes) <= {"200 ['after', 'before']", "200 ['before']", "connection error"}
    assert outcomes[0] == "200 ['after', 'before']"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (_zip_of({"readme.txt": b"no database here"}), "data.db file is missing or invalid"),
        (
            _zip_of({"data.db": b"not a database" * 300}),
            "data.db is not a valid database: file is not a database",
        ),
        (b"PK\x03\x04" + b"\x00" * 200, "failed to open the archive: "),
    ],
    ids=["no data.db", "not a database", "not a zip"],
)
def test_a_broken_backup_leaves_the_running_data_untouched(own: Live, content: bytes, reason: str) -> None:
    own.add_note("kept")
    assert own.post("/api/backups/upload", files={"file": ("broken.zip", content)}).status_code == 204
    assert own.post("/api/backups/broken.zip/restore").status_code == 204
    assert eventually(lambda: any(e.startswith("restore failed") for e in own.events()))
    [failure] = [e for e in own.events() if e.startswith("restore failed")]
    assert failure.startswith(f"restore failed: {reason}")
    assert own.titles() == ["kept"]
    assert own.starts() == 1
    assert own.can_backup()
    assert _leftovers(own.data_dir) == []


@pytest.mark.slow
def test_data_that_checks_out_but_does_not_open_gives_way_to_the_previous_data(
    own: Live, tmp_path: Path
) -> None:
    # Sound SQLite with PocketBase's tables, but not theirs: the migrations can't run on it.
    with contextlib.closing(sqlite3.connect(tmp_path / "data.db")) as db:
        db.executescript("CREATE TABLE _collections (x); CREATE TABLE _params (x);")
    own.add_note("kept")
    odd = _zip_of({"data.db": (tmp_path / "data.db").read_bytes()})
    assert own.post("/api/backups/upload", files={"file": ("odd.zip", odd)}).status_code == 204

    own.restore("odd.zip", starts=1)

    assert own.titles() == ["kept"]
    assert "the restored data doesn't open, keeping the previous data: " in own.server.log_path.read_text()
    assert _leftovers(own.data_dir) == []


@pytest.mark.slow
def test_a_backup_taken_during_a_write_burst_restores_consistent(own: Live, tmp_path: Path) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=own.url, headers=own.admin, timeout=30) as client:
            while not stop.is_set():
                created = client.post("/api/collections/notes/records", json={"title": "burst"})
                acknowledged.append(created.json()["id"])

    writers = [threading.Thread(target=write) for _ in range(3)]
    for writer in writers:
        writer.start()
    try:
        assert eventually(lambda: len(acknowledged) >= 50)
        before = set(acknowledged)
        assert own.post("/api/backups", json={"name": "burst.zip"}).status_code == 204
    finally:
        stop.set()
        for writer in writers:
            writer.join()

    archive = zipfile.ZipFile(io.BytesIO(own.download("burst.zip").content))
    archive.extract("data.db", tmp_path)
    with sqlite3.connect(tmp_path / "data.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        in_zip = {row[0] for row in db.execute("SELECT id FROM notes")}
    assert before <= in_zip <= set(acknowledged)

    own.restore("burst.zip", starts=1)
    assert own.post("/api/sql", json={"query": "PRAGMA integrity_check"}).json()["rows"] == [["ok"]]
    restored = own.get("/api/collections/notes/records?perPage=1&filter=title='burst'").json()["totalItems"]
    assert restored == len(in_zip)


@pytest.mark.slow
def test_a_restore_restarts_every_worker(tmp_path: Path) -> None:
    own = Live(tmp_path / "pb_data", "--workers=2")
    try:
        own.add_note("saved")
        assert own.post("/api/backups", json={"name": "saved.zip"}).status_code == 204
        own.add_note("lost")
        assert own.server.process is not None
        workers = set(child_pids(own.server.process.pid))
        own.restore("saved.zip", starts=1)
        # Whichever worker answers, it reads the restored data.
        assert [own.titles() for _ in range(6)] == [["saved"]] * 6
        restarted = set(child_pids(own.server.process.pid))
        assert len(workers) == len(restarted) == 2 and not workers & restarted
    finally:
        own.server.stop()


@pytest.mark.slow
def test_backups_live_in_the_s3_bucket_of_the_settings(own: Live) -> None:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        s3_url = f"http://127.0.0.1:{port}"
        httpx.put(f"{s3_url}/backups-bucket").raise_for_status()
        s3 = {
            "enabled": True,
            "bucket": "backups-bucket",
            "region": "us-east-1",
            "endpoint": s3_url,
            "accessKey": "test-key",
            "secret": "test-secret",
            "forcePathStyle": True,
        }
        settings = {"backups": {"s3": s3}}
        assert httpx.patch(f"{own.url}/api/settings", json=settings, headers=own.admin).status_code == 200
        own.add_note("in the bucket")
        assert own.post("/api/backups", json={"name": "remote.zip"}).status_code == 204
        assert not (own.data_dir / "backups" / "remote.zip").exists()
        assert re.findall(r"<Key>(.*?)</Key>", httpx.get(f"{s3_url}/backups-bucket?list-type=2").text) == [
            "remote.zip"
        ]
        [listed] = own.backups()
        assert listed["key"] == "remote.zip"
        downloaded = own.download("remote.zip")
        assert len(downloaded.content) == listed["size"] and "data.db" in _zip_names(downloaded.content)
        own.add_note("not in the bucket")
        own.restore("remote.zip", starts=1)
        assert own.titles() == ["in the bucket"]
        assert own.delete("/api/backups/remote.zip").status_code == 204
        assert own.backups() == []
    finally:
        moto.stop()
