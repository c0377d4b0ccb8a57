"""A file's bytes answered as Go's `http.ServeContent` answers them (PocketBase serves both the
record files of `/api/files` and the static files of `--publicDir` through it): headers the
caller set first, the type from those or from the extension or sniffed from the bytes,
`Last-Modified`, `If-Modified-Since` and `If-None-Match: *` answered with 304, `Range` with 206
(several ranges as `multipart/byteranges`, `If-Range` honoured), an unsatisfiable one with 416."""

from __future__ import annotations

import email.utils
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from litestar import Litestar, Response
from litestar.response import Stream
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Send

from pocketlite.apis.context import AnyRequest
from pocketlite.tools.filesystem import Filesystem, LocalFilesystem
from pocketlite.tools.gomime import type_by_extension
from pocketlite.tools.gosniff import SNIFF_LEN, detect_content_type

__all__ = ["extension", "serve_content"]

# Bodies up to this size are read whole; bigger ones are streamed, or sent by the server itself.
_IN_MEMORY = 1 << 20
# The ASGI extension granian offers: the server sends a file by its path, off the event loop and
# without the bytes passing through Python.
_PATHSEND = "http.response.pathsend"
# What Go's `serveError` removes from the headers before answering an error.
_ERROR_DROPPED = ("Cache-Control", "Last-Modified", "ETag", "Content-Encoding")


class _RangeError(Exception):
    """A `Range` header Go refuses, with its message; `overlap` False for "failed to overlap"."""

    def __init__(self, message: str, *, overlap: bool = True) -> None:
        super().__init__(message)
        self.overlap = overlap


def extension(name: str) -> str:
    """Go's `filepath.Ext`: from the last dot of the last segment (`.hidden` included)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot >= 0 else ""


def _timestamp(value: str) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _ranges(header: str, size: int) -> list[tuple[int, int]]:
    """Go's `parseRange`: the `[start, end)` ranges of a `Range` header."""
    if not header.startswith("bytes="):
        raise _RangeError("invalid range")
    ranges, no_overlap = [], False
    for part in header[6:].split(","):
        part = part.strip()
        if not part:
            continue
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
            raise _RangeError("invalid range")
        if not first:
            if not last:
                raise _RangeError("invalid range")
            ranges.append((size - min(int(last), size), size))
        elif int(first) >= size:
            no_overlap = True
        elif last and int(first) > int(last):
            raise _RangeError("invalid range")
        else:
            ranges.append((int(first), min(int(last), size - 1) + 1 if last else size))
    if no_overlap and not ranges:
        raise _RangeError("invalid range: failed to overlap", overlap=False)
    return ranges


def _not_modified(request: AnyRequest, modified: int) -> bool:
    """`If-None-Match: *` (nothing else matches: no ETag is sent), else `If-Modified-Since`."""
    none_match = request.headers.get("if-none-match")
    if none_match:
        return any(tag.strip().startswith("*") for tag in none_match.split(","))
    since = _timestamp(request.headers.get("if-modified-since", ""))
    return since is not None and modified <= since


def _range_applies(request: AnyRequest, modified: int) -> bool:
    """`If-Range` names this version: never an ETag (none is sent), or the exact date."""
    condition = request.headers.get("if-range")
    if not condition:
        return True
    if condition.startswith(('"', 'W/"')):
        return False
    return _timestamp(condition) == modified


async def serve_content(
    request: AnyRequest,
    storage: Filesystem,
    key: str,
    size: int,
    modified: float,
    preset: dict[str, Any] | None = None,
) -> Response[bytes] | Stream:
    """The bytes of `key` (of `size` bytes, modified at `modified`) with Go's headers; `preset`
    are the headers set before (Go's `w.Header()`), a `Content-Type` among them included."""
    mtime = int(modified)
    headers: dict[str, Any] = dict(preset or {})
    if mtime > 0:
        headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
    if mtime > 0 and _not_modified(request, mtime):
        headers.pop("Content-Type", None)
        return Response(b"", status_code=304, headers=headers)
    whole = await storage.read(key) if size <= _IN_MEMORY else None
    content_type = headers.get("Content-Type") or type_by_extension(extension(key))
    if not content_type:
        head = whole if whole is not None else await storage.read(key, 0, min(size, SNIFF_LEN))
        content_type = detect_content_type(head)
    headers["Content-Type"] = content_type
    requested = request.headers.get("range", "")
    try:
        ranges = _ranges(requested, size) if requested and _range_applies(request, mtime) else []
    except _RangeError as exc:
        if not exc.overlap and size == 0:
            ranges = []  # NB: Go answers a range of an empty file with the whole (empty) file
        else:
            # Go's serveError: the caching headers go, the reason is the body.
            for name in _ERROR_DROPPED:
                headers.pop(name, None)
            headers["Content-Type"] = "text/plain; charset=utf-8"
            if not exc.overlap:
                headers["Content-Range"] = f"bytes */{size}"
            return Response(f"{exc}\n".encode(), status_code=416, headers=headers)
    if sum(end - start for start, end in ranges) > size:
        ranges = []  # overlapping ranges asking for more than the file: Go ignores them
    headers["Accept-Ranges"] = "bytes"
    if len(ranges) > 1:
        return _multipart(storage, key, size, content_type, ranges, headers)
    start, end, status = 0, size, 200
    if ranges:
        start, end = ranges[0]
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    if whole is not None:
        return Response(whole[start:end], status_code=status, headers=headers)
    headers["Content-Length"] = str(end - start)
    pathsend = _PATHSEND in (request.scope.get("extensions") or {})
    if not ranges and pathsend and isinstance(storage, LocalFilesystem):
        return _PathSend(storage.path(key), headers)
    return Stream(storage.stream(key, start, end), status_code=status, headers=headers)


class _PathSend(Response[bytes]):
    """A whole local file, sent by the server itself (`http.response.pathsend`)."""

    def __init__(self, path: Path, headers: dict[str, Any]) -> None:
        super().__init__(b"", headers=headers)
        self.path = path

    def to_asgi_response(self, app: Litestar | None, request: AnyRequest, **kwargs: Any) -> ASGIResponse:
        return _PathSendASGI(self.path, self.headers, request.method == "HEAD")


class _PathSendASGI(ASGIResponse):
    def __init__(self, path: Path, headers: dict[str, Any], head: bool) -> None:
        length = int(headers["Content-Length"])
        super().__init__(headers=headers, content_length=length, is_head_response=head)
        self.path = path

    async def send_body(self, send: Send, receive: Receive) -> None:
        await send({"type": _PATHSEND, "path": str(self.path)})  # type: ignore[arg-type]


def _multipart(
    storage: Filesystem,
    key: str,
    size: int,
    content_type: str,
    ranges: list[tuple[int, int]],
    headers: dict[str, Any],
) -> Stream:
    """Several ranges as Go's `multipart/byteranges` body: a part per range, each with its
    `Content-Range` and `Content-Type`."""
    boundary = secrets.token_hex(30)
    heads = []
    for at, (start, end) in enumerate(ranges):
        opening = "--" if at == 0 else "\r\n--"
        part = f"Content-Range: bytes {start}-{end - 1}/{size}\r\nContent-Type: {content_type}\r\n"
        heads.append(f"{opening}{boundary}\r\n{part}\r\n".encode())
    tail = f"\r\n--{boundary}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        for head, (start, end) in zip(heads, ranges, strict=True):
            yield head
            async for chunk in storage.stream(key, start, end):
                yield chunk
        yield tail

    length = sum(len(head) for head in heads) + sum(end - start for start, end in ranges) + len(tail)
    headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
    headers["Content-Length"] = str(length)
    return Stream(body(), status_code=206, headers=headers)
