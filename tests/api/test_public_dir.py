"""The public dir (`--publicDir`, docs/public.md) through live servers: PocketBase's rules for
static files (index, content types, the index fallback, canonical redirects, traversal, ranges)
and the dashboard's bundle at `/_/`."""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server

ROOT_INDEX = b"<!doctype html><title>root</title>"
REPO = Path(__file__).resolve().parents[2]
FILES = {
    "index.html": ROOT_INDEX,
    "sub/index.html": b"<p>sub</p>",
    "style.css": b"body{}",
    "app.js": b"console.log(1)",
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    "data.json": b'{"a":1}',
    "module.wasm": b"\x00asm\x01\x00\x00\x00",
    "notes": b"plain words",
    "blob": b"\x00\x01\x02binary",
    "myindex.html": b"mine",
    "big.bin": bytes(range(256)) * 8192,  # 2 MiB: streamed, not read whole
}
NOT_FOUND = {"data": {}, "message": "File not found.", "status": 404}
HTML = "text/html; charset=utf-8"


def _go_redirect_body(location: str) -> bytes:
    return f'<a href="{location}">Temporary Redirect</a>.\n\n'.encode()


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`site/public` with FILES, an empty directory and two symlinks; `site/secret.txt` beside it."""
    site = tmp_path_factory.mktemp("site")
    (site / "secret.txt").write_bytes(b"secret")
    public = site / "public"
    for name, content in FILES.items():
        (public / name).parent.mkdir(parents=True, exist_ok=True)
        (public / name).write_bytes(content)
    (public / "emptydir").mkdir()
    (public / "inside.css").symlink_to("style.css")
    (public / "escape.txt").symlink_to(site / "secret.txt")
    return public


def _serve(data_dir: Path, *args: str) -> Server:
    srv = Server.pocketlite(data_dir)
    srv.start(*args)
    return srv


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, public_dir: Path) -> Iterator[dict[str, Server]]:
    """`site` with the index fallback (the default), `strict` without it."""
    started = {
        "site": _serve(tmp_path_factory.mktemp("public_site") / "pb_data", f"--publicDir={public_dir}"),
        "strict": _serve(
            tmp_path_factory.mktemp("public_strict") / "pb_data",
            f"--publicDir={public_dir}",
            "--indexFallback=false",
        ),
    }
    yield started
    for srv in started.values():
        srv.stop()


@dataclass
class Answer:
    """What came back: status, headers, body."""

    status: int
    headers: http.client.HTTPMessage
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def _get(srv: Server, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Answer:
    """The answer to `path` sent exactly as written (`..` and `//` included, as `curl --path-as-is`)."""
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class Scenario:
    """A GET and its expected answer: status, headers (None: absent) and body (a dict is JSON)."""

    name: str
    path: str
    status: int
    body: Any
    expect: dict[str, str | None] = field(default_factory=dict)
    send: dict[str, str] = field(default_factory=dict)
    server: str = "site"


CSS: dict[str, str | None] = {"content-type": "text/css; charset=utf-8"}
SCENARIOS = [
    Scenario(
        "the root serves index.html", "/", 200, ROOT_INDEX, {"content-type": HTML, "accept-ranges": "bytes"}
    ),
    Scenario("index.html redirects to its directory", "/index.html", 301, b"", {"location": "/"}),
    Scenario("a directory gets its slash", "/sub", 301, b"", {"location": "/sub/", "content-type": None}),
    Scenario("the query is dropped", "/sub?x=1", 301, b"", {"location": "/sub/"}),
    Scenario("a directory serves its index.html", "/sub/", 200, b"<p>sub</p>", {"content-type": HTML}),
    Scenario("a nested index.html redirects too", "/sub/index.html", 301, b"", {"location": "/sub/"}),
    Scenario("a file loses its slash", "/style.css/", 301, b"", {"location": "/style.css"}),
    # NB: PocketBase cuts "index.html" off any name that ends with it.
    Scenario("a name ending in index.html", "/myindex.html", 301, b"", {"location": "/my"}),
    Scenario("css", "/style.css", 200, b"body{}", CSS),
    Scenario("js", "/app.js", 200, FILES["app.js"], {"content-type": "text/javascript; charset=utf-8"}),
    Scenario("svg", "/logo.svg", 200, FILES["logo.svg"], {"content-type": "image/svg+xml"}),
    Scenario("json", "/data.json", 200, FILES["data.json"], {"content-type": "application/json"}),
    Scenario("wasm", "/module.wasm", 200, FILES["module.wasm"], {"content-type": "application/wasm"}),
    Scenario("text is sniffed", "/notes", 200, b"plain words", {"content-type": "text/plain; charset=utf-8"}),
    Scenario("so are bytes", "/blob", 200, FILES["blob"], {"content-type": "application/octet-stream"}),
    Scenario("a symlink inside the dir", "/inside.css", 200, b"body{}", CSS),
    Scenario("no caching headers", "/style.css", 200, b"body{}", {"cache-control": None, "etag": None}),
    Scenario("no disposition", "/style.css", 200, b"body{}", {"content-disposition": None}),
    # the index fallback
    Scenario("a missing path serves index.html", "/missing", 200, ROOT_INDEX, {"content-type": HTML}),
    Scenario("with an extension too", "/missing.css", 200, ROOT_INDEX, {"content-type": HTML}),
    Scenario("a directory without index.html", "/emptydir/", 200, ROOT_INDEX, {"content-type": HTML}),
    Scenario("without the fallback: 404", "/missing", 404, NOT_FOUND, server="strict"),
    Scenario("nor for a directory", "/emptydir/", 404, NOT_FOUND, server="strict"),
    Scenario("files are still served", "/style.css", 200, b"body{}", server="strict"),
    # traversal: `..` is cleaned by a redirect, encoded dots and slashes never leave the dir
    Scenario(
        "dot-dot is cleaned away",
        "/../secret.txt",
        307,
        _go_redirect_body("/secret.txt"),
        {"location": "/secret.txt", "content-type": HTML},
    ),
    Scenario(
        "so are double slashes",
        "//style.css",
        307,
        _go_redirect_body("/style.css"),
        {"location": "/style.css"},
    ),
    Scenario(
        "and dot segments",
        "/sub/./index.html",
        307,
        _go_redirect_body("/sub/index.html"),
        {"location": "/sub/index.html"},
    ),
    Scenario("encoded dot-dot", "/%2e%2e/secret.txt", 200, ROOT_INDEX),
    Scenario("encoded dot-dot and slash", "/%2e%2e%2fsecret.txt", 200, ROOT_INDEX),
    Scenario("encoded, from a subdirectory", "/sub/..%2f..%2fsecret.txt", 200, ROOT_INDEX),
    Scenario("an encoded leading slash", "/%2Fetc/passwd", 200, ROOT_INDEX),
    Scenario("a NUL byte", "/a%00b", 200, ROOT_INDEX),
    Scenario("a symlink leading outside", "/escape.txt", 200, ROOT_INDEX),
    Scenario("encoded dot-dot without the fallback", "/%2e%2e/secret.txt", 404, NOT_FOUND, server="strict"),
    Scenario("a symlink outside without the fallback", "/escape.txt", 404, NOT_FOUND, server="strict"),
    # conditional requests and ranges
    Scenario("a range", "/style.css", 206, b"ody", {"content-range": "bytes 1-3/6"}, {"Range": "bytes=1-3"}),
    Scenario(
        "a suffix range", "/style.css", 206, b"{}", {"content-range": "bytes 4-5/6"}, {"Range": "bytes=-2"}
    ),
    Scenario(
        "a range past the end",
        "/style.css",
        416,
        b"invalid range: failed to overlap\n",
        {"content-range": "bytes */6", "content-type": "text/plain; charset=utf-8"},
        {"Range": "bytes=10-"},
    ),
    Scenario(
        "a malformed range",
        "/style.css",
        416,
        b"invalid range\n",
        {"content-range": None},
        {"Range": "bytes=3-1"},
    ),
    Scenario(
        "a range of a streamed file",
        "/big.bin",
        206,
        FILES["big.bin"][1048570:1048581],
        {"content-length": "11", "content-range": f"bytes 1048570-1048580/{2 << 20}"},
        {"Range": "bytes=1048570-1048580"},
    ),
    Scenario(
        "a streamed file",
        "/big.bin",
        200,
        FILES["big.bin"],
        {"content-length": str(2 << 20), "content-type": "application/octet-stream"},
    ),
    Scenario(
        "If-Range with an ETag ignores the range",
        "/style.css",
        200,
        b"body{}",
        send={"Range": "bytes=1-3", "If-Range": '"x"'},
    ),
    Scenario(
        "not modified since",
        "/style.css",
        304,
        b"",
        {"content-type": None},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ),
    Scenario(
        "modified since",
        "/style.css",
        200,
        b"body{}",
        send={"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"},
    ),
    Scenario("If-None-Match: *", "/style.css", 304, b"", send={"If-None-Match": "*"}),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_static_files(servers: dict[str, Server], scenario: Scenario) -> None:
    response = _get(servers[scenario.server], scenario.path, scenario.send)
    assert response.status == scenario.status
    for name, value in scenario.expect.items():
        assert response.headers.get(name) == value, name
    body = response.json() if isinstance(scenario.body, dict) else response.content
    assert body == scenario.body


def test_last_modified_is_the_files_mtime(servers: dict[str, Server], public_dir: Path) -> None:
    os.utime(public_dir / "data.json", (1_700_000_000, 1_700_000_000))
    response = _get(servers["site"], "/data.json")
    assert response.headers["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"


def test_head_has_the_headers_without_the_body(servers: dict[str, Server]) -> None:
    response = _get(servers["site"], "/style.css", method="HEAD")
    assert response.status == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.content == b""


def test_head_of_a_file_the_server_sends_itself(servers: dict[str, Server]) -> None:
    # Over 1 MiB, a whole file goes by its path (granian's `http.response.pathsend`).
    response = _get(servers["site"], "/big.bin", method="HEAD")
    assert response.status == 200
    assert response.headers["content-length"] == str(2 << 20)
    assert response.content == b""


def test_several_ranges_are_multipart(servers: dict[str, Server]) -> None:
    response = _get(servers["site"], "/style.css", {"Range": "bytes=0-0,2-3"})
    assert response.status == 206
    match = re.fullmatch(r"multipart/byteranges; boundary=([0-9a-f]{60})", response.headers["content-type"])
    assert match is not None
    boundary = match[1]
    part = "--{}\r\nContent-Range: bytes {}/6\r\nContent-Type: text/css; charset=utf-8\r\n\r\n{}"
    expected = part.format(boundary, "0-0", "b") + "\r\n" + part.format(boundary, "2-3", "dy")
    assert response.content == (expected + f"\r\n--{boundary}--\r\n").encode()
    assert response.headers["content-length"] == str(len(response.content))


def test_the_default_public_dir_is_pb_public_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "pb_public").mkdir()
    (tmp_path / "pb_public" / "index.html").write_bytes(b"from the cwd")
    (tmp_path / "elsewhere").mkdir()
    srv = Server([sys.executable, "-m", "pocketlite"], tmp_path / "elsewhere" / "pb_data", cwd=tmp_path)
    srv.start()
    try:
        assert httpx.get(f"{srv.url}/").content == b"from the cwd"
    finally:
        srv.stop()


# --- the dashboard's address ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_/", "/_/collections", "/_/some/deep/page?x=1"])
def test_every_dashboard_address_is_its_page(servers: dict[str, Server], path: str) -> None:
    response = _get(servers["site"], path)
    assert response.status == 200
    assert response.headers["content-type"] == HTML
    assert response.headers["cache-control"] == "no-cache"  # a new version shows on the next load
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    assert response.content == (REPO / "ui_dist" / "index.html").read_bytes()


def test_the_dashboard_assets_are_cached_for_good(servers: dict[str, Server]) -> None:
    page = _get(servers["site"], "/_/").content.decode()
    scripts = re.findall(r'src="\./(assets/[^"]+\.js)"', page)
    assert scripts, page
    response = _get(servers["site"], f"/_/{scripts[0]}")
    assert response.status == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == (REPO / "ui_dist" / scripts[0]).read_bytes()
    assert _get(servers["site"], "/_/assets/missing.js").status == 404


def test_the_dashboard_prefix_redirects_once(servers: dict[str, Server]) -> None:
    response = _get(servers["site"], "/_?tab=1&x=2")
    assert response.status == 307
    assert response.headers["location"] == "/_/?tab=1&x=2"
    assert response.content == b'<a href="/_/?tab=1&amp;x=2">Temporary Redirect</a>.\n\n'
    followed = httpx.get(f"{servers['site'].url}/_", follow_redirects=True)
    assert followed.status_code == 200
    assert [r.status_code for r in followed.history] == [307]
    assert str(followed.url) == f"{servers['site'].url}/_/"


def test_head_of_the_dashboard_does_not_loop(servers: dict[str, Server]) -> None:
    # `curl -sI /_/` used to answer 307 to itself.
    response = _get(servers["site"], "/_/", method="HEAD")
    assert response.status == 200
    assert response.headers["content-type"] == HTML
