"""Fail clearly, never hang: how `pocketlite serve` and the CLI behave when something is wrong
(a data dir they can't use, a second server, a killed parent, a failed request), and that a
stop signal ends the server at once even with realtime clients connected."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipapp
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.servers import Server, child_pids, free_port

LOG_PREFIX = r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} "
ROOT = Path(__file__).resolve().parent.parent

# "Never hang" bounds: generous, so a loaded machine doesn't fail them; a hang takes minutes.
EXIT_BOUND = 10.0
# A stop with realtime clients connected (their streams would otherwise live 5 minutes).
STOP_BOUND = 2.0


def pocketlite(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command to its end; returns it with the seconds it took."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pocketlite", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    return done, time.monotonic() - started


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` unwritable for this process. Root ignores permission bits; the immutable
    attribute binds it too."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)


# --- a data dir that can't be used -----------------------------------------------------------------


# Each makes a broken data dir under tmp_path; returns it with the message that must name it.


def _regular_file(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "pb_data"
    data_dir.write_text("not a directory")
    return data_dir, f"{data_dir}: not a directory"


def _corrupt_data_db(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "pb_data"
    data_dir.mkdir()
    (data_dir / "data.db").write_bytes(os.urandom(8192))
    return data_dir, f"{data_dir}/data.db: file is not a database"


def _data_db_is_a_directory(tmp_path: Path) -> tuple[Path, str]:
    data_dir = tmp_path / "pb_data"
    (data_dir / "data.db").mkdir(parents=True)
    return data_dir, f"{data_dir}/data.db: unable to open database file"


def _impossible_to_create(tmp_path: Path) -> tuple[Path, str]:
    # /proc accepts no new entries, whoever asks.
    return Path("/proc/pocketlite-test/pb_data"), "/proc/pocketlite-test: no such file or directory"


def _command(name: str) -> list[str]:
    if name == "serve":
        return ["serve", f"--http=127.0.0.1:{free_port()}"]
    return ["superuser", "upsert", "a@b.co", "Passw0rd123"]


@pytest.mark.parametrize("command", ["serve", "superuser"])
@pytest.mark.parametrize(
    "breakage", [_regular_file, _corrupt_data_db, _data_db_is_a_directory, _impossible_to_create]
)
def test_an_unusable_data_dir_fails_in_one_line(
    tmp_path: Path, breakage: Callable[[Path], tuple[Path, str]], command: str
) -> None:
    data_dir, message = breakage(tmp_path)
    done, took = pocketlite(*_command(command), f"--dir={data_dir}")
    assert (done.returncode, done.stdout) == (1, "")
    assert re.fullmatch(LOG_PREFIX + re.escape(message) + "\n", done.stderr), done.stderr
    assert took < EXIT_BOUND


@pytest.mark.parametrize("command", ["serve", "superuser"])
def test_a_read_only_data_dir_fails_in_one_line(fresh_dir: Path, command: str) -> None:
    # An existing pb_data in which nothing can be created: SQLite's WAL files can't be made.
    done, _ = pocketlite("superuser", "upsert", "a@b.co", "Passw0rd123", f"--dir={fresh_dir}")
    assert done.returncode == 0, done.stderr
    with read_only(fresh_dir):
        done, took = pocketlite(*_command(command), f"--dir={fresh_dir}")
    message = f"{fresh_dir}/data.db: unable to open database file (the data dir is read-only)"
    assert (done.returncode, done.stdout) == (1, "")
    assert re.fullmatch(LOG_PREFIX + re.escape(message) + "\n", done.stderr), done.stderr
    assert took < EXIT_BOUND


# --- stopping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_ends_open_realtime_streams(fresh_dir: Path, signum: signal.Signals) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    try:
        with (
            httpx.Client(timeout=EXIT_BOUND) as client,
            client.stream("GET", f"{server.url}/api/realtime") as sse,
            ws_connect(f"ws://127.0.0.1:{server.port}/api/updates", open_timeout=EXIT_BOUND) as ws,
        ):
            chunks = sse.iter_raw()
            assert next(chunks).startswith(b"id:")
            assert '"type":"connect"' in str(ws.recv(timeout=EXIT_BOUND))
            assert server.process is not None
            started = time.monotonic()
            server.process.send_signal(signum)
            assert server.process.wait(timeout=EXIT_BOUND) == 0
            took = time.monotonic() - started
            # The SSE body ended complete (a cut one fails to decode); the WebSocket is closed
            # (with a close frame or not: granian may drop it first as the worker exits).
            assert b"".join(chunks) == b""
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=EXIT_BOUND)
        assert took < STOP_BOUND
    finally:
        server.stop()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is gone, only not reaped yet


def _diagnose(pids: list[int], server: Server) -> str:
    """What the workers left behind are doing, for a failure message."""
    out = [server.log_path.read_text()]
    for pid in pids:
        for name in ("status", "wchan", "cmdline"):
            try:
                out.append(f"{pid} {name}: {Path(f'/proc/{pid}/{name}').read_text()}")
            except OSError as exc:
                out.append(f"{pid} {name}: {exc}")
        task = Path(f"/proc/{pid}/task")
        threads = sorted(task.iterdir()) if task.exists() else []
        for thread in threads:
            with suppress(OSError):
                wchan, comm = (thread / "wchan").read_text(), (thread / "comm").read_text()
                out.append(f"  thread {thread.name}: {wchan} {comm}")
    return "\n".join(out)


def test_workers_exit_when_the_server_process_is_killed(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start("--workers=2")
    workers: list[int] = []
    try:
        assert server.process is not None
        workers = child_pids(server.process.pid)
        assert len(workers) == 2
        started = time.monotonic()
        server.process.kill()
        while time.monotonic() - started < EXIT_BOUND and any(_running(w) for w in workers):
            time.sleep(0.05)
        left = [w for w in workers if _running(w)]
        assert left == [], _diagnose(left, server)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/api/health", timeout=1)
    finally:
        server.stop()
        for worker in workers:
            if _running(worker):  # the test failed: don't leave orphans behind
                os.kill(worker, signal.SIGKILL)


# --- one server per data dir ---------------------------------------------------------------------


def test_a_second_server_on_the_same_data_dir_is_refused(fresh_dir: Path) -> None:
    first = Server.pocketlite(fresh_dir)
    first.start("--workers=2")
    try:
        assert first.process is not None
        done, took = pocketlite("serve", f"--http=127.0.0.1:{free_port()}", f"--dir={fresh_dir}")
        message = f"{fresh_dir} is already served by another process (pid {first.process.pid})"
        assert (done.returncode, done.stdout) == (1, "")
        assert re.fullmatch(LOG_PREFIX + re.escape(message) + "\n", done.stderr), done.stderr
        assert took < EXIT_BOUND
        # Commands other than serve still run beside the server, as PocketBase's do.
        upsert, _ = pocketlite("superuser", "upsert", "a@b.co", "Passw0rd123", f"--dir={fresh_dir}")
        assert (upsert.returncode, upsert.stdout.strip()) == (0, 'Successfully saved superuser "a@b.co"!')
        assert first.auth_token("a@b.co", "Passw0rd123").startswith("ey")
    finally:
        first.stop()
    # The lock goes with the server.
    second = Server.pocketlite(fresh_dir)
    second.start()
    second.stop()


# A server worker is granian running the same factory the CLI hands it, with the config the CLI
# puts in the environment.
_WORKER = """
import os, sys
from granian.constants import Interfaces
from granian.server import Server
os.environ["POCKETLITE_CONFIG"] = '{"data_dir": "%s"}'
Server("pocketlite.apis.server:asgi_from_env", address="127.0.0.1", port=%d,
       interface=Interfaces.ASGI, workers=1, factory=True, log_enabled=False).serve()
"""


def test_a_worker_that_cannot_start_says_why(tmp_path: Path) -> None:
    # The data dir passed the CLI's bootstrap, then went away before the worker opened it (a
    # disk unmounted, a full disk refusing the WAL files): granian alone would exit silently.
    data_dir = tmp_path / "gone" / "pb_data"
    (tmp_path / "gone").write_text("")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _WORKER % (data_dir, free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    message = f"server worker failed to start: {data_dir}: not a directory"
    assert done.returncode == 1
    assert re.search("^" + LOG_PREFIX + re.escape(message) + "$", done.stderr, re.M), done.stderr
    assert time.monotonic() - started < EXIT_BOUND


# --- failed requests are logged ------------------------------------------------------------------


def test_a_generic_error_is_logged_with_its_cause(tmp_path: Path) -> None:
    server = Server.pocketlite(tmp_path / "pb_data")
    server.create_superuser()
    stderr = tmp_path / "stderr.log"
    server.start(stderr=stderr)
    try:
        auth = {"Authorization": server.auth_token()}
        created = httpx.post(
            f"{server.url}/api/collections",
            headers=auth,
            json={"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]},
        )
        assert created.status_code == 200
        with sqlite3.connect(server.data_dir / "data.db") as conn:
            conn.execute("DROP TABLE posts")  # behind the server's back: its next query fails
        generic = {
            "data": {},
            "message": "Something went wrong while processing your request.",
            "status": 400,
        }
        for url in ("/api/collections?skipTotal=maybe", "/api/collections/posts/records"):
            response = httpx.get(f"{server.url}{url}", headers=auth)
            assert (response.status_code, response.json()) == (400, generic)
        # Inside a batch, the generic answer of one sub-request is wrapped, and logged too.
        httpx.patch(f"{server.url}/api/settings", headers=auth, json={"batch": {"enabled": True}})
        httpx.post(f"{server.url}/api/collections", headers=auth, json={"name": "notes", "type": "base"})
        sub = {"method": "POST", "url": "/api/collections/notes/records?fields=id:nope", "body": {}}
        batch = httpx.post(f"{server.url}/api/batch", headers=auth, json={"requests": [sub]})
        failure = batch.json()["data"]["requests"]["0"]
        assert (batch.status_code, failure["response"]) == (400, generic)
    finally:
        server.stop()
    log = stderr.read_text()
    # A deliberate generic answer logs what it came from; an unexpected error logs itself.
    assert "GET /api/collections failed: ValueError(\"invalid skipTotal value 'maybe'\")" in log
    assert "\nValueError: invalid skipTotal value 'maybe'\n" in log
    assert "GET /api/collections/posts/records failed: OperationalError('no such table: posts')" in log
    assert "\nsqlite3.OperationalError: no such table: posts\n" in log
    message = "batch request 0 (POST /api/collections/notes/records?fields=id:nope) failed: ValueError("
    assert message + "\"invalid field modifier in 'id:nope'\")" in log
    assert log.count("Traceback (most recent call last):") == 3


# --- the start banner ----------------------------------------------------------------------------


def _banner_hint(server: Server) -> str:
    server.start()
    server.stop()
    lines = server.log_path.read_text().splitlines()
    also = "(you can also create your first superuser by running: "
    return next(line for line in lines if line.startswith(also)).removeprefix(also).removesuffix(")")


def test_the_banner_names_python_m_pocketlite_and_a_custom_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    hint = _banner_hint(Server.pocketlite(data_dir))
    assert hint == f"{sys.executable} -m pocketlite superuser upsert EMAIL PASS --dir={data_dir}"


def test_the_banner_names_the_console_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    # Run where the default ./pb_data is the data dir: no --dir in the hint.
    hint = _banner_hint(Server(["pocketlite"], tmp_path / "pb_data", cwd=tmp_path))
    assert hint == "pocketlite superuser upsert EMAIL PASS"


def test_the_banner_names_a_zipapp_as_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A stdlib zipapp run by its shebang starts like the shiv-built pocketlite.pyz (whose build
    # tests/test_pyz.py covers): sys.argv[0] is the path as typed.
    empty = tmp_path / "src"
    empty.mkdir()
    zipapp.create_archive(
        empty, tmp_path / "pocketlite.pyz", interpreter=sys.executable, main="pocketlite.cli:main"
    )
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    hint = _banner_hint(Server(["./pocketlite.pyz"], tmp_path / "pb_data", cwd=tmp_path))
    assert hint == "./pocketlite.pyz superuser upsert EMAIL PASS"


# --- PocketBase's hooks and migrations dirs ------------------------------------------------------


def test_javascript_hooks_are_reported_as_not_run(tmp_path: Path) -> None:
    (tmp_path / "pb_hooks" / "lib").mkdir(parents=True)
    (tmp_path / "pb_hooks" / "main.pb.js").write_text("onBootstrap((e) => e.next())")
    (tmp_path / "pb_hooks" / "lib" / "util.js").write_text("module.exports = {}")
    server = Server.pocketlite(tmp_path / "pb_data")
    server.start()
    try:
        assert httpx.get(f"{server.url}/api/health").status_code == 200
    finally:
        server.stop()
    warnings = [line for line in server.log_path.read_text().splitlines() if "Warning" in line]
    message = (
        f"Warning: ignoring the 1 JS hooks file(s) in {tmp_path}/pb_hooks: pocketlite runs pb_hooks/*.py"
    )
    assert len(warnings) == 1
    assert re.fullmatch(LOG_PREFIX + re.escape(message), warnings[0]), warnings[0]
