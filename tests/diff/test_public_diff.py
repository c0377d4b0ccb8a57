"""The public dir (docs/public.md) against PocketBase 0.40.6: both servers serve the same
directory, and every answer (status, body, content type, redirects, caching and range headers)
is the same, with and without `--indexFallback`.

Known differences, left out here and listed in docs/public.md: unknown `GET /api/...` paths (a
404 in pocketlite, the index fallback in PocketBase), symlinks leading out of the directory
(not followed by pocketlite) and the dashboard at `/_/`."""

from __future__ import annotations

import http.client
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

# Headers of static answers compared besides the suite's usual ones.
STATIC_HEADERS = ("location", "last-modified", "accept-ranges", "content-range", "content-length", "etag")
FILES: dict[str, bytes] = {
    "index.html": b"<!doctype html><title>root</title>",
    "sub/index.html": b"<p>sub</p>",
    "style.css": b"body{}",
    "app.js": b"console.log(1)",
    "mod.mjs": b"export {}",
    "page.htm": b"<html>x</html>",
    "feed.xml": b'<?xml version="1.0"?><a/>',
    "logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    "data.json": b'{"a":1}',
    "m.wasm": b"\x00asm\x01\x00\x00\x00",
    "notes.txt": b"plain text",
    "readme.md": b"# title",
    "table.csv": b"a,b",
    "archive.gz": b"\x1f\x8b\x08\x00",
    "doc.pdf": b"%PDF-1.4",
    "favicon.ico": b"\x00\x00\x01\x00",
    "font.woff2": b"wOF2",
    "app.webmanifest": b"{}",
    "UPPER.CSS": b"b{}",
    "plain": b"hello",
    "sniffed-html": b"   <HTML><body>x",
    "sniffed-pdf": b"%PDF-1.7",
    "sniffed-png": b"\x89PNG\r\n\x1a\n0000",
    "binary": b"\x00\x01\x02binary",
    "empty": b"",
    "myindex.html": b"mine",
    "big.bin": bytes(range(256)) * 8192,
}
SECURITY_HEADERS = ("x-frame-options", "x-content-type-options", "x-xss-protection")
_BOUNDARY = re.compile(rb"[0-9a-f]{60}")


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory both servers serve, so even the modification times agree."""
    public = tmp_path_factory.mktemp("diff_public") / "pb_public"
    for name, content in {**FILES, "img.png": _image("PNG"), "pic.jpg": _image("JPEG")}.items():
        (public / name).parent.mkdir(parents=True, exist_ok=True)
        (public / name).write_bytes(content)
    (public / "emptydir").mkdir()
    return public


def _pair(tmp_path_factory: pytest.TempPathFactory, name: str, *args: str) -> Iterator[tuple[Server, Server]]:
    servers = (
        Server.pocketlite(tmp_path_factory.mktemp(f"{name}_pocketlite") / "pb_data"),
        Server.pocketbase(tmp_path_factory.mktemp(f"{name}_pocketbase") / "pb_data"),
    )
    try:
        for server in servers:
            server.start(*args)
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, public_dir: Path) -> Iterator[tuple[Server, Server]]:
    """(pocketlite, PocketBase) with the index fallback (the default)."""
    yield from _pair(tmp_path_factory, "site", f"--publicDir={public_dir}")


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory, public_dir: Path) -> Iterator[tuple[Server, Server]]:
    """(pocketlite, PocketBase) with `--indexFallback=false`."""
    yield from _pair(tmp_path_factory, "strict", f"--publicDir={public_dir}", "--indexFallback=false")


def _send(case: Case, server: Server) -> httpx.Response:
    """The answer to the case's path sent exactly as written (`..` and `//` kept)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(case.method, case.path, headers=case.headers)
        raw = connection.getresponse()
        content = _BOUNDARY.sub(b"<boundary>", raw.read())
        headers = [(k, _BOUNDARY.sub(b"<boundary>", v.encode()).decode()) for k, v in raw.getheaders()]
        return httpx.Response(raw.status, headers=headers, content=content)
    finally:
        connection.close()


def _same(case: Case, servers: tuple[Server, Server]) -> None:
    ours, theirs = _send(case, servers[0]), _send(case, servers[1])
    compare(case, ours, theirs)
    for name in STATIC_HEADERS:
        assert ours.headers.get(name) == theirs.headers.get(name), f"{case.path}: header {name}"


def _get(name: str, path: str, **headers: str) -> Case:
    return Case(name, "GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})


def _cleaned(name: str, path: str) -> Case:
    """A path Go's router redirects to its clean form before any middleware runs: PocketBase's
    answer lacks the security headers every pocketlite answer carries."""
    return Case(name, "GET", path, skip_headers=SECURITY_HEADERS)


FILE_CASES = [_get(f"type of {name}", f"/{name}") for name in sorted(FILES) if "/" not in name] + [
    _get("type of img.png", "/img.png"),
    _get("type of pic.jpg", "/pic.jpg"),
]
SITE_CASES = [
    *FILE_CASES,
    _get("the root", "/"),
    _get("index.html redirects", "/index.html"),
    _get("a directory without its slash", "/sub"),
    _get("a directory with a query", "/sub?x=1"),
    _get("a directory", "/sub/"),
    _get("a nested index.html", "/sub/index.html"),
    _get("a file with a slash", "/style.css/"),
    _get("an index.html with a slash", "/index.html/"),
    _get("a name ending in index.html", "/myindex.html"),
    _get("a file with a query", "/style.css?v=3"),
    _get("a missing path", "/missing"),
    _get("a missing file with an extension", "/missing.css"),
    _get("a missing directory", "/missing/"),
    _get("missing, deeper", "/sub/deep/x.js"),
    _get("an empty directory", "/emptydir"),
    _get("an empty directory with its slash", "/emptydir/"),
    _get("a hidden name", "/.hidden"),
    _get("a space", "/with%20space"),
    _cleaned("dot-dot", "/../etc/passwd"),
    _cleaned("dot-dot with a query", "/../etc/passwd?a=1&b=2"),
    _cleaned("dot-dot inside", "/sub/../style.css"),
    _cleaned("a dot segment", "/./style.css"),
    _cleaned("double slashes", "//style.css"),
    _cleaned("double slashes inside", "/sub//index.html"),
    _get("encoded dot-dot", "/%2e%2e/etc/passwd"),
    _get("encoded dot-dot and slashes", "/%2e%2e%2fetc%2fpasswd"),
    _get("encoded from a subdirectory", "/sub/..%2f..%2fetc/passwd"),
    _get("an encoded leading slash", "/%2Fetc/passwd"),
    _get("an encoded leading slash, as a directory", "/%2Fetc/passwd/"),
    _get("a NUL byte", "/a%00b"),
    _cleaned("the dashboard prefix", "/_"),
    _cleaned("the dashboard prefix with a query", "/_?x=1&y=2"),
    _get("a range", "/style.css", Range="bytes=1-3"),
    _get("a suffix range", "/style.css", Range="bytes=-2"),
    _get("a range to the end", "/style.css", Range="bytes=2-"),
    _get("a range past the end", "/style.css", Range="bytes=100-"),
    _get("a malformed range", "/style.css", Range="bytes=a-b"),
    _get("a backwards range", "/style.css", Range="bytes=3-1"),
    _get("another unit", "/style.css", Range="items=1-2"),
    _get("several ranges", "/style.css", Range="bytes=0-0,2-3"),
    _get("overlapping ranges over the size", "/style.css", Range="bytes=0-4,1-5"),
    _get("a range of an empty file", "/empty", Range="bytes=0-"),
    _get("a range of a streamed file", "/big.bin", Range="bytes=1048570-1048580"),
    _get("several ranges of a streamed file", "/big.bin", Range="bytes=0-9,2000000-2000009"),
    _get("a range of the fallback", "/missing", Range="bytes=0-3"),
    _get("If-Range with an ETag", "/style.css", Range="bytes=1-3", If_Range='"x"'),
    _get(
        "If-Range with another date",
        "/style.css",
        Range="bytes=1-3",
        If_Range="Thu, 01 Jan 2015 00:00:00 GMT",
    ),
    _get("not modified since", "/style.css", If_Modified_Since="Fri, 01 Jan 2100 00:00:00 GMT"),
    _get("modified since", "/style.css", If_Modified_Since="Thu, 01 Jan 2015 00:00:00 GMT"),
    _get("If-None-Match: *", "/style.css", If_None_Match="*"),
    _get("If-None-Match with a tag", "/style.css", If_None_Match='"abc"'),
    Case("HEAD of a file", "HEAD", "/style.css"),
    Case("POST to a file", "POST", "/style.css"),
]
STRICT_CASES = [
    _get("the root", "/"),
    _get("a file", "/style.css"),
    _get("a missing path", "/missing"),
    _get("a missing file with an extension", "/missing.css"),
    _get("an empty directory", "/emptydir/"),
    _get("encoded dot-dot", "/%2e%2e/etc/passwd"),
    _get("a NUL byte", "/a%00b"),
    _get("index.html redirects", "/index.html"),
    _get("a directory", "/sub/"),
]


@pytest.mark.parametrize("case", SITE_CASES, ids=str)
def test_same_answer_with_the_index_fallback(case: Case, site: tuple[Server, Server]) -> None:
    _same(case, site)


@pytest.mark.parametrize("case", STRICT_CASES, ids=str)
def test_same_answer_without_the_index_fallback(case: Case, strict: tuple[Server, Server]) -> None:
    _same(case, strict)


def test_the_dashboard_extensions_script(pair: tuple[Server, Server]) -> None:
    # No extensions installed: an empty script, cached, with the dashboard's content policy.
    case = Case("the dashboard's extensions", "GET", "/_/extensions.js")
    ours, theirs = (case.send(server, "") for server in pair)
    compare(case, ours, theirs)
    assert ours.content == theirs.content == b""
    for name in ("cache-control", "content-security-policy"):
        assert ours.headers.get(name) == theirs.headers.get(name), name
