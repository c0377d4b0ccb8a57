"""The cookbook of docs/hooks.md, run as written: every `# pb_hooks/<name>.py` block of the doc
becomes a file of a real hooks dir, served by a real server, with a real SMTP sink and a local
HTTP service standing in for the outside world (a webhook receiver that fails twice, a geocoder)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server, free_port
from tests.support.smtp_sink import SMTPSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.xdist_group("hooks_cookbook")

DOC = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"
_BLOCK = re.compile(r"```python\n(# pb_hooks/(\w+\.py)\n.*?)```", re.S)


def cookbook_files() -> dict[str, str]:
    """The hooks files of the doc, by file name."""
    return {name: code for code, name in _BLOCK.findall(DOC.read_text())}


@dataclass
class Outside:
    """The world beyond the server: a webhook receiver and a geocoder."""

    url: str = ""
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _serve_outside() -> tuple[Outside, ThreadingHTTPServer]:
    outside = Outside()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # the geocoder
            if self.path.startswith("/geocode?q=Main"):
                self._answer(200, {"lat": 52.5, "lon": 13.4})
            else:
                self._answer(404, {})

        def do_POST(self) -> None:  # the webhook receiver: down for its first two calls
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with outside.lock:
                if outside.refused < 2:
                    outside.refused += 1
                    self._answer(503, {})
                    return
                outside.deliveries.append(payload)
            self._answer(200, {})

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outside.url = f"http://127.0.0.1:{server.server_address[1]}"
    return outside, server


@dataclass
class Kitchen:
    srv: Server
    admin: dict[str, str]
    user: dict[str, str]
    user_id: str
    sink: SMTPSink
    outside: Outside


@pytest.fixture(scope="module")
def kitchen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kitchen]:
    root = tmp_path_factory.mktemp("cookbook")
    hooks_dir = root / "pb_hooks"
    hooks_dir.mkdir()
    for name, code in cookbook_files().items():
        (hooks_dir / name).write_text(code)
    outside, http = _serve_outside()
    sink = SMTPSink()
    sink.start()
    mp = pytest.MonkeyPatch()
    mp.setenv("POSTS_WEBHOOK_URL", f"{outside.url}/webhook")
    mp.setenv("GEOCODER_URL", f"{outside.url}/geocode")
    srv = Server.pocketlite(root / "pb_data")
    srv.create_superuser()
    srv.start("--hooksDir", str(hooks_dir))
    admin = {"Authorization": srv.auth_token()}
    httpx.patch(f"{srv.url}/api/settings", json={"smtp": sink.settings()}, headers=admin).raise_for_status()
    for body in (
        {
            "name": "posts",
            "createRule": "",
            "fields": [
                {"name": "title", "type": "text"},
                {"name": "slug", "type": "text"},
                {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
                {"name": "archived", "type": "bool"},
                {"name": "created", "type": "autodate", "onCreate": True},
            ],
        },
        {
            "name": "places",
            "createRule": "",
            "fields": [
                {"name": "address", "type": "text"},
                {"name": "lat", "type": "number"},
                {"name": "lon", "type": "number"},
            ],
        },
    ):
        httpx.post(f"{srv.url}/api/collections", json=body, headers=admin).raise_for_status()
    password = "cookbook-pass-1"
    user = httpx.post(
        f"{srv.url}/api/collections/users/records",
        json={"email": "cook@example.com", "password": password, "passwordConfirm": password},
    ).json()
    token = httpx.post(
        f"{srv.url}/api/collections/users/auth-with-password",
        json={"identity": "cook@example.com", "password": password},
    ).json()["token"]
    yield Kitchen(srv, admin, {"Authorization": token}, user["id"], sink, outside)
    srv.stop()
    sink.stop()
    http.shutdown()
    mp.undo()


def _post(k: Kitchen, title: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{k.srv.url}/api/collections/posts/records", json={"title": title}, headers=headers)


def test_the_doc_has_every_recipe() -> None:
    assert set(cookbook_files()) >= {
        "posts.py",
        "notify.py",
        "mine.py",
        "archive.py",
        "webhooks.py",
        "geocode.py",
        "mails.py",
    }


def test_validate_and_enrich_before_create(kitchen: Kitchen) -> None:
    guest = _post(kitchen, "Hello world")
    assert guest.status_code == 400
    assert guest.json()["message"] == "Sign in to post."
    short = _post(kitchen, "Hi", kitchen.user)
    assert short.status_code == 400
    assert short.json()["data"] == {
        "title": {"code": "validation_too_short", "message": "Give it a real title."}
    }
    created = _post(kitchen, "  My   first post ", kitchen.user)
    assert created.status_code == 200, created.text
    body = created.json()
    assert (body["title"], body["slug"], body["author"]) == (
        "My first post",
        "my-first-post",
        kitchen.user_id,
    )


def test_an_email_goes_out_after_create(kitchen: Kitchen) -> None:
    _post(kitchen, "Mail me", kitchen.user).raise_for_status()

    def mailed() -> bool:
        with kitchen.sink.lock:
            mails = [m for m in kitchen.sink.mails if "editor@example.com" in m.rcpt]
        return any(m.subject == "New post: Mail me" for m in mails)

    assert eventually(mailed)


def test_a_custom_route_for_signed_in_users(kitchen: Kitchen) -> None:
    _post(kitchen, "Counted one", kitchen.user).raise_for_status()
    mine = httpx.get(f"{kitchen.srv.url}/api/my/posts", headers=kitchen.user)
    assert mine.status_code == 200
    assert "Counted one" in mine.json()["titles"]
    assert mine.json()["count"] == len(mine.json()["titles"])
    assert httpx.get(f"{kitchen.srv.url}/api/my/posts").status_code == 401


def test_a_cron_job_archives_old_records(kitchen: Kitchen) -> None:
    old = _post(kitchen, "Old news", kitchen.user).json()
    fresh = _post(kitchen, "Fresh news", kitchen.user).json()
    with sqlite3.connect(kitchen.srv.data_dir / "data.db", timeout=10) as db:
        db.execute("UPDATE posts SET created = '2020-01-01 00:00:00.000Z' WHERE id = ?", (old["id"],))
    jobs = httpx.get(f"{kitchen.srv.url}/api/crons", headers=kitchen.admin).json()
    assert jobs[0] == {"id": "archive_old_posts", "expression": "0 3 * * *"}
    ran = httpx.post(f"{kitchen.srv.url}/api/crons/archive_old_posts", headers=kitchen.admin)
    assert ran.status_code == 204

    def archived(record_id: str) -> bool:
        url = f"{kitchen.srv.url}/api/collections/posts/records/{record_id}"
        return bool(httpx.get(url, headers=kitchen.admin).json()["archived"])

    assert eventually(lambda: archived(old["id"]))
    assert not archived(fresh["id"])


def test_a_webhook_is_retried_until_delivered(kitchen: Kitchen) -> None:
    created = _post(kitchen, "Hooked post", kitchen.user).json()

    def delivered() -> bool:
        with kitchen.outside.lock:
            return any(d["record"]["id"] == created["id"] for d in kitchen.outside.deliveries)

    assert eventually(delivered)
    assert kitchen.outside.refused == 2
    with kitchen.outside.lock:
        delivery = next(d for d in kitchen.outside.deliveries if d["record"]["id"] == created["id"])
    assert delivery["action"] == "create"
    assert delivery["record"]["title"] == "Hooked post"


def test_an_external_api_fills_in_a_record(kitchen: Kitchen) -> None:
    place = httpx.post(f"{kitchen.srv.url}/api/collections/places/records", json={"address": "Main St 1"})
    assert place.status_code == 200, place.text
    assert (place.json()["lat"], place.json()["lon"]) == (52.5, 13.4)


def test_the_intro_example_answers(kitchen: Kitchen) -> None:
    assert httpx.get(f"{kitchen.srv.url}/api/hello/cook").json() == {"message": "Hello cook"}


def test_a_system_email_can_be_changed(kitchen: Kitchen) -> None:
    asked = httpx.post(
        f"{kitchen.srv.url}/api/collections/users/request-verification", json={"email": "cook@example.com"}
    )
    assert asked.status_code == 204
    mail = kitchen.sink.wait_for("cook@example.com")
    assert mail.subject == "Welcome aboard, cook@example.com: one click left"
