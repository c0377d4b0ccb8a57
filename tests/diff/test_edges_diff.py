"""Request edges against PocketBase 0.40.6: bodies of every content type (and none), Go's JSON
quirks (`null`, data after the first value), chunked and oversized requests, NUL bytes in
filters, page numbers at the int64 limit, settings sent as a form, mails without SMTP and without
a `sendmail` program, and a write the disk refuses. In order: later cases use what earlier made.

Requests a client library would normalize (chunked bodies, a header of 600 KB) go over a raw
socket. Raw `>`/`"`/space or non-UTF-8 bytes in the request target are not here: granian's
parser (hyper's `http::Uri`) refuses them with an empty 400 before the app sees the request
(docs/records.md says so).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.diff.normalize import normalize
from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server

pytestmark = pytest.mark.xdist_group("diff")

C = "/api/collections"
R = f"{C}/edges/records"
ONE = f"{R}/edge00000000001"
AUTH = f"{C}/edgers"
S = "/api/settings"
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
XML = {"Content-Type": "application/xml"}
PASSWORD = "Passw0rd123"

EDGES = {
    "name": "edges",
    "id": "edges_id",
    "createRule": "",
    "updateRule": "",
    "listRule": "",
    "viewRule": "",
    "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}],
}


def body(name: str, method: str, path: str, content: bytes, headers: dict[str, str], **kw: Any) -> Case:
    return Case(name, method, path, content=content, headers=headers, **kw)


CASES = [
    Case("the collection", "POST", C, json=EDGES, auth=True),
    Case("a record", "POST", R, json={"id": "edge00000000001", "title": "one", "n": 1}),
    # --- record create and update: which bodies bind ---------------------------------------
    body("create: JSON sent as text/plain", "POST", R, b'{"title":"x"}', TEXT),
    body("create: JSON without a content type", "POST", R, b'{"title":"x"}', {}),
    body("create: a form without a content type", "POST", R, b"title=x", {}),
    body(
        "create: an upper-case JSON type", "POST", R, b'{"title":"x"}', {"Content-Type": "APPLICATION/JSON"}
    ),
    body(
        "create: a JSON type with a charset",
        "POST",
        R,
        b'{"title":"c"}',
        {"Content-Type": "application/json; charset=utf-8"},
    ),
    body("create: XML", "POST", R, b"<r><title>x</title></r>", XML),
    body("create: an empty text/plain body", "POST", R, b"", TEXT),
    body("create: JSON null", "POST", R, b"null", JSON),
    body("create: only spaces", "POST", R, b"  ", JSON),
    body("create: data after the object", "POST", R, b'{"title":"first"}garbage', JSON),
    body("create: a second object", "POST", R, b'{"title":"first"} {"title":"second"}', JSON),
    body("create: an array", "POST", R, b"[1]", JSON),
    body("create: a form and the query", "POST", f"{R}?title=from+query", b"n=3", FORM),
    body("create: a form with a bad escape", "POST", R, b"title=%ZZ&n=3", FORM),
    body("create: a form with a semicolon", "POST", R, b"title=a;b", FORM),
    body("create: a form under a bad query", "POST", f"{R}?x=%ZZ", b"title=q", FORM),
    body(
        "create: multipart without a boundary", "POST", R, b"title=x", {"Content-Type": "multipart/form-data"}
    ),
    body("update: JSON sent as text/plain", "PATCH", ONE, b'{"title":"x"}', TEXT),
    body("update: JSON null", "PATCH", ONE, b"null", JSON),
    body("update: data after the object", "PATCH", ONE, b'{"n":2}junk', JSON),
    body("update a missing record: text/plain", "PATCH", f"{R}/nope", b'{"n":2}', TEXT),
    body("update a missing record: JSON null", "PATCH", f"{R}/nope", b"null", JSON),
    # --- other endpoints ----------------------------------------------------------------------
    body("collection create: text/plain", "POST", C, b'{"name":"x"}', TEXT, auth=True),
    body("collection create: JSON null", "POST", C, b"null", JSON, auth=True),
    body("collection create: data after the object", "POST", C, b"{}garbage", JSON, auth=True),
    body("collection update: text/plain", "PATCH", f"{C}/edges", b"{}", TEXT, auth=True),
    body("settings: text/plain", "PATCH", S, b"{}", TEXT, auth=True),
    body("settings: JSON null", "PATCH", S, b"null", JSON, auth=True),
    body("settings: data after the object", "PATCH", S, b"{}garbage", JSON, auth=True),
    body("settings: a form", "PATCH", S, b"meta.hideControls=true&a=b", FORM, auth=True),
    body("settings: a form with a bad number", "PATCH", S, b"batch.maxRequests=abc", FORM, auth=True),
    body("settings: a form puts it back", "PATCH", S, b"meta.hideControls=false", FORM, auth=True),
    body("settings: test s3 as text/plain", "POST", f"{S}/test/s3", b"{}", TEXT, auth=True),
    body("auth-with-password: JSON null", "POST", f"{AUTH}/auth-with-password", b"null", JSON),
    body("auth-with-password: data after the object", "POST", f"{AUTH}/auth-with-password", b"{}x", JSON),
    body("auth-with-password: text/plain", "POST", f"{AUTH}/auth-with-password", b"{}", TEXT),
    body(
        "auth-with-password: XML in Go's field names",
        "POST",
        f"{AUTH}/auth-with-password",
        b"<x><Identity>edgy@example.com</Identity><Password>wrong-one</Password></x>",
        XML,
    ),
    body(
        "auth-with-password: XML in JSON names",
        "POST",
        f"{AUTH}/auth-with-password",
        b"<x><identity>edgy@example.com</identity></x>",
        XML,
    ),
    body("auth-with-password: broken XML", "POST", f"{AUTH}/auth-with-password", b"<x>", XML),
    body("request-password-reset: text/plain", "POST", f"{AUTH}/request-password-reset", b"{}", TEXT),
    body("confirm-password-reset: text/plain", "POST", f"{AUTH}/confirm-password-reset", b"{}", TEXT),
    body("impersonate: text/plain", "POST", f"{AUTH}/impersonate/edgy00000000001", b"{}", TEXT, auth=True),
    body(
        "impersonate a missing record: text/plain", "POST", f"{AUTH}/impersonate/nope", b"{}", TEXT, auth=True
    ),
    body("realtime subscribe: text/plain", "POST", "/api/realtime", b"{}", TEXT),
    body("batch: text/plain", "POST", "/api/batch", b"{}", TEXT),
    Case("batch: on", "PATCH", S, json={"batch": {"enabled": True}}, auth=True),
    body("batch: text/plain when on", "POST", "/api/batch", b"{}", TEXT),
    body("batch: broken JSON when on", "POST", "/api/batch", b"{", JSON),
    body("batch: an array when on", "POST", "/api/batch", b"[]", JSON),
    body("batch: data after the object when on", "POST", "/api/batch", b'{"requests":[]}x', JSON),
    body("batch: requests of the wrong type when on", "POST", "/api/batch", b'{"requests":5}', JSON),
    Case("batch: off again", "PATCH", S, json={"batch": {"enabled": False}}, auth=True),
    # --- list parameters ------------------------------------------------------------------------
    Case("filter: a NUL ends a token", "GET", f"{R}?filter=n%00%3D1&fields=id"),
    Case("filter: a NUL ends the filter", "GET", f"{R}?filter=title%3D%27one%27%00junk&fields=id"),
    Case("filter: a NUL between tokens", "GET", f"{R}?filter=n%3D1%00junk&fields=id"),
    Case("filter: a NUL in quotes", "GET", f"{R}?filter=title%3D%22o%00ne%22&fields=id"),
    Case("filter: a NUL first", "GET", f"{R}?filter=%00n%3D1&fields=id"),
    Case("query: a bad escape drops its pair", "GET", f"{R}?filter=%ZZ&fields=id&sort=id"),
    Case("query: a semicolon drops its pair", "GET", f"{R}?filter=n%3D1;x&fields=id&sort=id"),
    Case("query: the other pairs stay", "GET", f"{R}?sort=%ZZ&perPage=1&fields=id&filter=n%3D1"),
    Case("query: a bad escape in fields", "GET", f"{R}?fields=%G1&perPage=1&sort=id&filter=n%3D1"),
    Case("query: a JSON body under a bad query", "POST", f"{R}?x=%ZZ", json={"title": "q"}),
    Case("page: the int64 maximum", "GET", f"{R}?page=9223372036854775807&perPage=1&sort=id&filter=n%3D1"),
    Case("page: past the int64 maximum", "GET", f"{R}?page=9223372036854775808"),
    Case("page: 2^62", "GET", f"{R}?page=4611686018427387904&sort=id"),
    Case("page: a plus sign is a space", "GET", f"{R}?page=+2"),
    Case("page: an encoded plus sign", "GET", f"{R}?page=%2B1&perPage=1&sort=id&filter=n%3D1"),
    Case("page: an underscore", "GET", f"{R}?page=1_0"),
    Case("perPage: the int64 maximum", "GET", f"{R}?perPage=9223372036854775807&sort=id&filter=n%3D1"),
    # --- mail without SMTP, where no sendmail program is installed ----------------------------
    Case(
        "test e-mail",
        "POST",
        f"{S}/test/email",
        json={"email": "a@example.com", "template": "otp"},
        auth=True,
    ),
    Case(
        "request-email-change",
        "POST",
        f"{AUTH}/request-email-change",
        json={"newEmail": "new@example.com"},
        user="edgy",
    ),
    Case(
        "request-verification still answers",
        "POST",
        f"{AUTH}/request-verification",
        json={"email": "edgy@example.com"},
    ),
    Case("request-otp still answers", "POST", f"{AUTH}/request-otp", json={"email": "nobody@example.com"}),
]


@pytest.fixture(scope="module")
def users(pair: tuple[Server, Server], tokens: tuple[str, str]) -> list[dict[str, str]]:
    """An auth collection `edgers` with OTP on and one user `edgy`, and its token on each server."""
    out = []
    for server, token in zip(pair, tokens, strict=True):
        admin = {"Authorization": token}
        created = httpx.post(
            f"{server.url}{C}",
            headers=admin,
            json={"name": "edgers", "type": "auth", "createRule": "", "otp": {"enabled": True}},
        )
        assert created.status_code == 200, created.text
        user = {"id": "edgy00000000001", "email": "edgy@example.com", "password": PASSWORD}
        made = httpx.post(f"{server.url}{AUTH}/records", json={**user, "passwordConfirm": PASSWORD})
        assert made.status_code == 200, made.text
        login = httpx.post(
            f"{server.url}{AUTH}/auth-with-password", json={"identity": user["email"], "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        out.append({"edgy": login.json()["token"]})
    return out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(
    case: Case, pair: tuple[Server, Server], tokens: tuple[str, str], users: list[dict[str, str]]
) -> None:
    if case.path.endswith(("/test/email", "/request-email-change")):
        assert shutil.which("sendmail") is None, "these cases expect a machine without sendmail"
    ours, theirs = tokens
    if case.user:
        ours, theirs = users[0][case.user], users[1][case.user]
    compare(
        case,
        case.send(pair[0], ours, force=bool(case.user)),
        case.send(pair[1], theirs, force=bool(case.user)),
    )


# --- raw requests -------------------------------------------------------------------------------


@dataclass
class Answer:
    """Status, content type and body of a response read off a socket."""

    status: int
    content_type: str
    body: Any = field(default=None)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def raw(server: Server, request: bytes) -> Answer:
    """Send `request` as is and read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, content = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        content = _dechunk(content)
    content_type = headers.get("content-type", "")
    answer = Answer(int(lines[0].split()[1]), content_type)
    answer.body = normalize(json.loads(content)) if "json" in content_type else content.decode()
    return answer


@dataclass
class RawCase:
    """A request written byte by byte; `auth` adds a superuser token of the server it goes to."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    content: bytes = b""
    auth: bool = False

    def __str__(self) -> str:
        return self.name

    def encode(self, token: str) -> bytes:
        """The request as sent to a server whose superuser token is `token`."""
        headers = {**self.headers, **({"Authorization": token} if self.auth else {})}
        lines = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.content


CHUNKED = {"Transfer-Encoding": "chunked"}
CHUNKED_JSON = {**CHUNKED, **JSON}
RAW_CASES = [
    RawCase("create: an empty chunked JSON body", "POST", R, CHUNKED_JSON, b"0\r\n\r\n"),
    RawCase("create: an empty chunked body without a type", "POST", R, CHUNKED, b"0\r\n\r\n"),
    RawCase("create: a chunked JSON body", "POST", R, CHUNKED_JSON, b'f\r\n{"title":"chu"}\r\n0\r\n\r\n'),
    RawCase("create: a malformed chunk", "POST", R, CHUNKED_JSON, b"zz\r\n{}\r\n0\r\n\r\n"),
    RawCase("settings: a malformed chunk", "PATCH", S, CHUNKED_JSON, b"zz\r\n{}\r\n", auth=True),
    RawCase("health: a header of 600 KB", "GET", "/api/health", {"X-Big": "a" * 600_000}),
]


@pytest.mark.parametrize("case", RAW_CASES, ids=str)
def test_same_raw_answer(case: RawCase, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    assert raw(pair[0], case.encode(tokens[0])) == raw(pair[1], case.encode(tokens[1]))


# --- a disk that refuses the write ----------------------------------------------------------------

# Each server runs with a file size limit (RLIMIT_FSIZE): the WAL can't grow past it, so a big
# write fails the way a full disk makes it fail, while small ones still fit.
_LIMITED = "import os, resource, sys; n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_FSIZE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])"  # noqa: E501
_FILE_LIMIT = 4_000_000


@pytest.fixture(scope="module")
def limited_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """(pocketlite, PocketBase), each unable to grow a file past 4 MB."""
    plain = (
        Server.pocketlite(tmp_path_factory.mktemp("limited_pocketlite") / "pb_data"),
        Server.pocketbase(tmp_path_factory.mktemp("limited_pocketbase") / "pb_data"),
    )
    servers = tuple(
        Server([sys.executable, "-c", _LIMITED, str(_FILE_LIMIT), *server.command], server.data_dir)
        for server in plain
    )
    try:
        for server in servers:
            server.create_superuser()
            server.start()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


FULL_CASES = [
    Case(
        "the collection",
        "POST",
        C,
        json={
            "name": "huge",
            "createRule": "",
            "updateRule": "",
            "fields": [{"name": "t", "type": "text", "max": 10_000_000}],
        },
        auth=True,
    ),
    Case("a small record", "POST", f"{C}/huge/records", json={"id": "small0000000001", "t": "s"}),
    Case("a record bigger than the disk allows", "POST", f"{C}/huge/records", json={"t": "x" * 5_000_000}),
    Case(
        "an update bigger than the disk allows",
        "PATCH",
        f"{C}/huge/records/small0000000001",
        json={"t": "x" * 5_000_000},
    ),
    Case("a small record still fits", "POST", f"{C}/huge/records", json={"id": "small0000000002", "t": "y"}),
    Case("the settings still save", "PATCH", S, json={"meta": {"appName": "Full"}}, auth=True),
]


def test_a_refused_write(limited_pair: tuple[Server, Server]) -> None:
    tokens = [server.auth_token(SUPERUSER_EMAIL, SUPERUSER_PASSWORD) for server in limited_pair]
    for case in FULL_CASES:
        compare(case, case.send(limited_pair[0], tokens[0]), case.send(limited_pair[1], tokens[1]))


# --- mail through a `sendmail` program ------------------------------------------------------------

# A stand-in for sendmail: it keeps its arguments and the message next to itself and exits with
# the status written in `exit` (0 when there is none).
_FAKE_SENDMAIL = """#!/bin/sh
here="$(dirname "$0")"
printf '%s\\n' "$*" > "$here/args"
cat > "$here/mail"
exit "$(cat "$here/exit" 2>/dev/null || echo 0)"
"""


@pytest.fixture(scope="module")
def sendmail_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[tuple[Server, Path], ...]]:
    """(pocketlite, PocketBase), each with its own fake `sendmail` first on its PATH, and the
    directory that program writes into."""
    started = []
    try:
        for make, name in ((Server.pocketlite, "pocketlite"), (Server.pocketbase, "pocketbase")):
            server = make(tmp_path_factory.mktemp(f"sendmail_{name}") / "pb_data")
            programs = tmp_path_factory.mktemp(f"sendmail_{name}_bin")
            (programs / "sendmail").write_text(_FAKE_SENDMAIL)
            (programs / "sendmail").chmod(0o755)
            server.create_superuser()
            with pytest.MonkeyPatch.context() as env:
                env.setenv("PATH", f"{programs}{os.pathsep}{os.environ['PATH']}")
                server.start()
            started.append((server, programs))
        yield tuple(started)
    finally:
        for server, _ in started:
            server.stop()


def _test_mail(server: Server) -> httpx.Response:
    return httpx.post(
        f"{server.url}{S}/test/email",
        headers={"Authorization": server.auth_token()},
        json={"email": "to@example.com", "template": "otp"},
    )


def test_mail_goes_through_sendmail(sendmail_pair: tuple[tuple[Server, Path], ...]) -> None:
    answers = [_test_mail(server) for server, _ in sendmail_pair]
    assert [a.status_code for a in answers] == [204, 204]
    (_, ours), (_, theirs) = sendmail_pair
    assert (ours / "args").read_text() == (theirs / "args").read_text() == "-i -t\n"
    mail = (ours / "mail").read_bytes()
    assert mail.startswith(
        b'Content-Type: text/html; charset=UTF-8\r\nFrom: "Support" <support@example.com>\r\n'
        b"Subject: OTP for Acme\r\nTo: to@example.com\r\n\r\n"
    )
    assert mail == (theirs / "mail").read_bytes()


def test_a_failing_sendmail(sendmail_pair: tuple[tuple[Server, Path], ...]) -> None:
    for _, programs in sendmail_pair:
        (programs / "exit").write_text("3")
    ours, theirs = (_test_mail(server) for server, _ in sendmail_pair)
    assert ours.status_code == theirs.status_code == 400
    assert ours.json() == theirs.json()
    assert ours.json()["message"] == "Failed to send the test email. Raw error: \nexit status 3."
    # pocketlite logs the failure too
    assert "Sending the test e-mail failed: exit status 3" in sendmail_pair[0][0].log_path.read_text()
