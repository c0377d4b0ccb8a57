"""`pb_hooks/*.py` (spec/hooks.md §5): real files in a hooks dir, loaded by a real server —
request and model hooks, errors rendered as PocketBase renders them, routes with middlewares,
transactions spanning a hook's saves, background tasks, and reloading on change."""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server
from tests.support.sse import Realtime
from tests.support.waiting import eventually

pytestmark = pytest.mark.xdist_group("pyhooks")

MAIN = """
import threading
from pathlib import Path

from pocketlite import hooks
from pocketlite.hooks import (
    BadRequestError, ForbiddenError, Record, RecordEvent, RecordRequestEvent, RequestEvent, ValidationError,
    ValidationErrors,
)

@hooks.on_record_create_request("notes")
async def shout(e: RecordRequestEvent) -> None:
    title = e.record.get_string("title")
    if title == "veto":
        raise BadRequestError("No vetoed titles.")
    if title == "boom":
        raise KeyError("a bug in a hook")
    e.record.set("title", title.upper())
    await e.next()

@hooks.on_record_validate("notes")
async def no_spam(e: RecordEvent) -> None:
    if "SPAM" in e.record.get_string("title"):
        raise ValidationErrors({"title": ValidationError("validation_spam", "No spam.")})
    await e.next()

@hooks.on_record_create_request("audited")
async def audit_in_the_same_transaction(e: RecordRequestEvent) -> None:
    async with e.app.run_in_transaction() as tx:
        await e.next()
        log = Record(tx.find_collection("audit_log"), {"message": f"created {e.record.id}"})
        if e.record.get_string("title") == "fail-audit":
            raise BadRequestError("The audit failed.")
        await tx.save(log)

@hooks.on_record_after_create_success("notes")
async def mark(e: RecordEvent) -> None:
    async def write() -> None:
        Path(MARKS, e.record.id).write_text(e.record.get_string("title"))
    hooks.spawn(write())
    await e.next()

def thread_name(e: RecordRequestEvent) -> None:
    e.set("thread", threading.current_thread().name)

hooks.on_record_view_request("notes")(thread_name)

@hooks.on_record_view_request("notes", priority=1)
async def tell_thread(e: RecordRequestEvent) -> None:
    await e.next()
    e.set_header("X-Hook-Thread", e.get("thread"))

@hooks.route("GET", "/api/hello/{name}")
async def hello(e: RequestEvent) -> None:
    e.json(200, {"message": f"Hello {e.request.path_value('name')}!", "auth": e.auth.id if e.auth else None})

@hooks.route("GET", "/api/only-users", hooks.require_auth("users"))
async def only_users(e: RequestEvent) -> None:
    e.string(200, "welcome")

@hooks.middleware(id="tagger", priority=5)
async def tagger(e: RequestEvent) -> None:
    e.set("trail", e.get("trail", []) + ["tagger"])
    await e.next()

@hooks.middleware(priority=-5)
async def first(e: RequestEvent) -> None:
    e.set("trail", e.get("trail", []) + ["first"])
    await e.next()

api = hooks.group("/api/grouped", tagger, first)

import msgspec

class Order(msgspec.Struct):
    item: str
    quantity: int = 1

@hooks.route("POST", "/api/orders")
async def order(e: RequestEvent) -> None:
    body = await e.bind_body(Order)
    e.set_cookie("last_item", body.item, max_age=60)
    e.json(201, {"item": body.item, "quantity": body.quantity})

@hooks.route("GET", "/api/old-home")
async def moved(e: RequestEvent) -> None:
    e.redirect(302, "/api/hello/home")

async def count_to_three():
    for n in (b"1", b"2", b"3"):
        yield n

@hooks.route("GET", "/api/count")
async def counting(e: RequestEvent) -> None:
    e.stream(200, "text/plain", count_to_three())

@hooks.on_record_auth_with_password_request("users")
async def block(e) -> None:
    if e.identity == "blocked@example.com":
        raise ForbiddenError("Blocked.")
    await e.next()

@hooks.on_realtime_connect_request()
async def track_connections(e) -> None:
    store = e.app.store()
    store["open"] = store.get("open", 0) + 1
    await e.next()  # returns when the client has gone
    store["open"] -= 1

@hooks.on_realtime_subscribe_request()
async def no_hidden_topics(e) -> None:
    e.subscriptions = [s for s in e.subscriptions if not s.startswith("hidden")]
    await e.next()

@hooks.on_realtime_message_send()
async def count_messages(e) -> None:
    e.app.store()["messages"] = e.app.store().get("messages", 0) + 1
    await e.next()

@hooks.route("GET", "/api/realtime-stats")
async def realtime_stats(e) -> None:
    e.json(200, {"open": e.app.store().get("open", 0), "messages": e.app.store().get("messages", 0)})

@hooks.on_record_enrich("notes")
async def decorate(e) -> None:
    if e.record.get_string("title") == "DECORATED":
        e.record.with_custom_data()
        e.record.set_custom("shouting", True)
        e.record.hide("title")
    await e.next()

@hooks.on_file_download_request("docs")
async def no_secrets(e) -> None:
    if e.served_name.startswith("secret"):
        raise ForbiddenError("Not this one.")
    await e.next()

@hooks.on_record_auth_request("users")
async def tell_the_method(e) -> None:
    e.meta = {**(e.meta or {}), "via": e.auth_method}
    await e.next()

async def trail(e: RequestEvent) -> None:
    e.json(200, e.get("trail", []))

api.get("/trail", trail)
api.get("/untagged", trail).unbind("tagger")
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str], Path]]:
    root = tmp_path_factory.mktemp("pyhooks")
    hooks_dir, marks = root / "pb_hooks", root / "marks"
    hooks_dir.mkdir()
    marks.mkdir()
    (hooks_dir / "main.py").write_text(f"MARKS = {str(marks)!r}\n" + textwrap.dedent(MAIN))
    srv = Server.pocketlite(root / "pb_data")
    srv.create_superuser()
    srv.start("--hooksDir", str(hooks_dir))
    admin = {"Authorization": srv.auth_token()}
    for body in (
        {
            "name": "notes",
            "listRule": "",
            "viewRule": "",
            "createRule": "",
            "fields": [{"name": "title", "type": "text"}],
        },
        {"name": "audit_log", "fields": [{"name": "message", "type": "text"}]},
        {"name": "audited", "createRule": "", "fields": [{"name": "title", "type": "text"}]},
        {
            "name": "docs",
            "viewRule": "",
            "createRule": "",
            "fields": [{"name": "file", "type": "file", "maxSelect": 1, "maxSize": 1000}],
        },
    ):
        assert httpx.post(f"{srv.url}/api/collections", json=body, headers=admin).status_code == 200
    yield srv, admin, marks
    srv.stop()


def _create(srv: Server, collection: str, title: str) -> httpx.Response:
    return httpx.post(f"{srv.url}/api/collections/{collection}/records", json={"title": title})


def test_a_request_hook_changes_the_record_before_it_is_saved(
    live: tuple[Server, dict[str, str], Path],
) -> None:
    srv, _, _ = live
    created = _create(srv, "notes", "hello")
    assert created.status_code == 200
    assert created.json()["title"] == "HELLO"


def test_raising_an_api_error_vetoes_with_its_message(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, admin, _ = live
    refused = _create(srv, "notes", "veto")
    assert refused.status_code == 400
    assert refused.json() == {"data": {}, "message": "No vetoed titles.", "status": 400}
    listed = httpx.get(f"{srv.url}/api/collections/notes/records?filter=title='VETO'", headers=admin)
    assert listed.json()["totalItems"] == 0


def test_field_errors_from_a_model_hook_answer_like_validation(
    live: tuple[Server, dict[str, str], Path],
) -> None:
    srv, _, _ = live
    refused = _create(srv, "notes", "spam")
    assert refused.status_code == 400
    assert refused.json() == {
        "data": {"title": {"code": "validation_spam", "message": "No spam."}},
        "message": "Failed to create record.",
        "status": 400,
    }


def test_any_other_exception_is_a_generic_400(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    refused = _create(srv, "notes", "boom")
    assert refused.status_code == 400
    assert refused.json()["message"] == "Something went wrong while processing your request."


def test_a_hook_transaction_spans_the_save_and_its_own_writes(
    live: tuple[Server, dict[str, str], Path],
) -> None:
    srv, admin, _ = live
    kept = _create(srv, "audited", "fine")
    assert kept.status_code == 200, kept.text
    logs = httpx.get(f"{srv.url}/api/collections/audit_log/records", headers=admin).json()["items"]
    assert [log["message"] for log in logs] == [f"created {kept.json()['id']}"]
    failed = _create(srv, "audited", "fail-audit")
    assert failed.json()["message"] == "The audit failed."
    everything = httpx.get(f"{srv.url}/api/collections/audited/records", headers=admin).json()
    assert [r["title"] for r in everything["items"]] == ["fine"]  # the second save rolled back


def test_spawned_work_runs_after_the_commit(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, marks = live
    created = _create(srv, "notes", "spawned").json()
    assert eventually(lambda: (marks / created["id"]).exists())
    assert (marks / created["id"]).read_text() == "SPAWNED"


def test_plain_functions_run_in_a_worker_thread(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    created = _create(srv, "notes", "threads").json()
    viewed = httpx.get(f"{srv.url}/api/collections/notes/records/{created['id']}")
    assert viewed.status_code == 200
    assert viewed.headers["x-hook-thread"] != "MainThread"


def test_routes_answer_with_path_values_and_auth(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, admin, _ = live
    assert httpx.get(f"{srv.url}/api/hello/ann").json() == {"message": "Hello ann!", "auth": None}
    signed_in = httpx.get(f"{srv.url}/api/hello/ann", headers=admin).json()
    assert signed_in["auth"] is not None
    guest = httpx.get(f"{srv.url}/api/only-users")
    assert guest.status_code == 401
    assert guest.json()["message"] == "The request requires valid record authorization token."
    assert httpx.get(f"{srv.url}/api/only-users", headers=admin).status_code == 403


def test_routes_bind_bodies_and_answer_every_way(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    made = httpx.post(f"{srv.url}/api/orders", json={"item": "tea", "quantity": 2})
    assert made.status_code == 201
    assert made.json() == {"item": "tea", "quantity": 2}
    assert made.cookies["last_item"] == "tea"
    assert "Max-Age=60" in made.headers["set-cookie"]
    wrong = httpx.post(f"{srv.url}/api/orders", json={"item": "tea", "quantity": "two"})
    assert wrong.status_code == 400
    assert wrong.json()["message"] == "An error occurred while validating the submitted data."
    assert list(wrong.json()["data"]) == ["quantity"]
    missing = httpx.post(f"{srv.url}/api/orders", json={})
    assert missing.status_code == 400
    assert missing.json()["data"] == {"item": {"code": "validation_required", "message": "Cannot be blank."}}
    moved = httpx.get(f"{srv.url}/api/old-home")
    assert (moved.status_code, moved.headers["location"]) == (302, "/api/hello/home")
    counted = httpx.get(f"{srv.url}/api/count")
    assert (counted.status_code, counted.text) == (200, "123")


def test_middlewares_run_by_priority_and_unbind_by_id(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    assert httpx.get(f"{srv.url}/api/grouped/trail").json() == ["first", "tagger"]
    assert httpx.get(f"{srv.url}/api/grouped/untagged").json() == ["first"]


def test_auth_hooks_veto_a_sign_in_and_add_to_the_answer(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    password = "auth-hooks-pass"
    for email in ("signer@example.com", "blocked@example.com"):
        body = {"email": email, "password": password, "passwordConfirm": password}
        assert httpx.post(f"{srv.url}/api/collections/users/records", json=body).status_code == 200
    url = f"{srv.url}/api/collections/users/auth-with-password"
    signed_in = httpx.post(url, json={"identity": "signer@example.com", "password": password})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["meta"] == {"via": "password"}
    blocked = httpx.post(url, json={"identity": "blocked@example.com", "password": password})
    assert blocked.status_code == 403
    assert blocked.json()["message"] == "Blocked."


def test_realtime_hooks_see_connects_subscriptions_and_messages(
    live: tuple[Server, dict[str, str], Path],
) -> None:
    srv, _, _ = live
    stream = Realtime(srv.url)  # its PB_CONNECT message went through the message hook
    assert eventually(lambda: httpx.get(f"{srv.url}/api/realtime-stats").json()["open"] == 1)
    assert stream.subscribe(["notes/*", "hidden/*"]).status_code == 204
    _create(srv, "notes", "watched").raise_for_status()
    assert stream.next().name == "notes/*"
    stats = httpx.get(f"{srv.url}/api/realtime-stats").json()
    assert stats["messages"] >= 2
    stream.close()
    # Code after `next` in the connect hook runs once the client is gone.
    assert eventually(lambda: httpx.get(f"{srv.url}/api/realtime-stats").json()["open"] == 0)


def test_a_download_hook_can_refuse_a_file(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    ids = {}
    for name in ("secret.txt", "public.txt"):
        made = httpx.post(f"{srv.url}/api/collections/docs/records", files={"file": (name, b"x")})
        assert made.status_code == 200, made.text
        ids[name] = (made.json()["id"], made.json()["file"])
    record_id, stored = ids["secret.txt"]
    refused = httpx.get(f"{srv.url}/api/files/docs/{record_id}/{stored}")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Not this one."
    record_id, stored = ids["public.txt"]
    served = httpx.get(f"{srv.url}/api/files/docs/{record_id}/{stored}")
    assert (served.status_code, served.content) == (200, b"x")


def test_an_enrich_hook_shapes_every_answer_of_a_record(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    created = _create(srv, "notes", "decorated")
    assert created.status_code == 200
    body = created.json()
    assert body["shouting"] is True and "title" not in body
    viewed = httpx.get(f"{srv.url}/api/collections/notes/records/{body['id']}").json()
    assert viewed["shouting"] is True and "title" not in viewed
    listed = httpx.get(f"{srv.url}/api/collections/notes/records?filter=id='{body['id']}'").json()
    assert listed["items"][0]["shouting"] is True
    plain = _create(srv, "notes", "plain").json()
    assert "shouting" not in plain and plain["title"] == "PLAIN"


def test_built_in_routes_still_answer(live: tuple[Server, dict[str, str], Path]) -> None:
    srv, _, _ = live
    assert httpx.get(f"{srv.url}/api/health").status_code == 200
    assert httpx.get(f"{srv.url}/api/nothing-here").status_code == 404


def test_a_broken_hooks_file_stops_the_start_with_its_traceback(tmp_path: Path) -> None:
    hooks_dir = tmp_path / "pb_hooks"
    hooks_dir.mkdir()
    (hooks_dir / "bad.py").write_text(
        "from pocketlite import hooks\n\nraise ValueError('broken on purpose')\n"
    )
    srv = Server.pocketlite(tmp_path / "pb_data")
    with pytest.raises(RuntimeError):
        srv.start("--hooksDir", str(hooks_dir), timeout=15, stderr=tmp_path / "stderr")
    stderr = (tmp_path / "stderr").read_text()
    assert "bad.py" in stderr and "broken on purpose" in stderr


def test_reloading_keeps_requests_and_streams_alive(tmp_path: Path) -> None:
    hooks_dir = tmp_path / "pb_hooks"
    hooks_dir.mkdir()
    version = textwrap.dedent(
        """
        import asyncio
        from pocketlite import hooks

        @hooks.route("GET", "/api/version")
        async def version(e):
            await asyncio.sleep(0.05)
            e.json(200, {"version": VERSION})
        """
    )
    (hooks_dir / "version.py").write_text("VERSION = 1\n" + version)
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.start("--hooksDir", str(hooks_dir))
    try:
        stream = Realtime(srv.url)
        failures: list[str] = []
        seen: set[int] = set()
        stop = threading.Event()

        def hammer() -> None:
            with httpx.Client(base_url=srv.url, timeout=10) as http:
                while not stop.is_set():
                    response = http.get("/api/version")
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text}")
                    else:
                        seen.add(response.json()["version"])

        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(0.3)
        (hooks_dir / "version.py").write_text("VERSION = 2\n" + version)
        assert eventually(lambda: 2 in seen)
        # A file that fails to import leaves generation 2 serving.
        (hooks_dir / "version.py").write_text("VERSION = 3\n" + version + "\nraise RuntimeError('oops')\n")
        time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join()
        assert failures == []
        assert seen == {1, 2}
        assert httpx.get(f"{srv.url}/api/version").json() == {"version": 2}
        # The realtime stream opened before the reloads is still the same connection.
        assert stream.subscribe(["anything"]).status_code == 204
        assert not stream.ended(timeout=0.3)
        stream.close()
    finally:
        srv.stop()


def test_helpers_and_vendored_packages_import_from_the_hooks_dir(tmp_path: Path) -> None:
    hooks_dir = tmp_path / "pb_hooks"
    (hooks_dir / "lib").mkdir(parents=True)
    (hooks_dir / "_vendor" / "shinylib").mkdir(parents=True)
    (hooks_dir / "_vendor" / "shinylib" / "__init__.py").write_text("SHINE = 'vendored'\n")
    (hooks_dir / "lib" / "__init__.py").write_text("")
    (hooks_dir / "lib" / "greet.py").write_text("def greet(name):\n    return f'hi {name}'\n")
    (hooks_dir / "_private.py").write_text(
        "raise RuntimeError('helpers starting with _ are not entry files')\n"
    )
    (hooks_dir / "main.py").write_text(
        textwrap.dedent(
            """
            import shinylib
            from pocketlite import hooks
            from pb_hooks.lib.greet import greet

            @hooks.route("GET", "/api/greet/{name}")
            async def hello(e):
                e.json(200, {"greeting": greet(e.request.path_value("name")), "shine": shinylib.SHINE})
            """
        )
    )
    srv = Server.pocketlite(tmp_path / "pb_data")
    srv.start("--hooksDir", str(hooks_dir))
    try:
        assert httpx.get(f"{srv.url}/api/greet/ann").json() == {"greeting": "hi ann", "shine": "vendored"}
    finally:
        srv.stop()
