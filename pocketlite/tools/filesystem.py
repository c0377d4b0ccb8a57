"""Where files live (DESIGN.md principle 9): one interface, the local directory by default.

Keys are `/`-separated paths (`<collectionId>/<recordId>/<name>`). Each file has a JSON sidecar
`<key>.attrs` with its content type, metadata and MD5, in the layout PocketBase writes
(files-and-realtime.md §1.2), so a `pb_data/storage` moves between the two unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import msgspec

from pocketlite.tools import gojson

__all__ = ["CHUNK", "Attrs", "FileInfo", "Filesystem", "LocalFilesystem"]

# Streamed responses move files in pieces of this size.
CHUNK = 256 << 10


class Attrs(msgspec.Struct, omit_defaults=False):
    """The sidecar: PocketBase's `.attrs` keys (gocloud.dev's fileblob)."""

    cache_control: str = msgspec.field(default="", name="user.cache_control")
    content_disposition: str = msgspec.field(default="", name="user.content_disposition")
    content_encoding: str = msgspec.field(default="", name="user.content_encoding")
    content_language: str = msgspec.field(default="", name="user.content_language")
    content_type: str = msgspec.field(default="", name="user.content_type")
    metadata: dict[str, str] = msgspec.field(default_factory=dict, name="user.metadata")
    md5: str = ""


class FileInfo(msgspec.Struct):
    """A stored file's size, modification time (Unix seconds) and sidecar."""

    size: int
    modified: float
    attrs: Attrs


class Filesystem(Protocol):
    """What storage backends provide."""

    async def write(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None: ...

    async def info(self, key: str) -> FileInfo | None: ...

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes: ...

    def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None: ...


class LocalFilesystem:
    """Files under a directory (`pb_data/storage`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"key outside the storage: {key!r}")
        return path

    async def write(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """Store `data` and its sidecar (written to a temp name first, then moved in place)."""
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        attrs = Attrs(content_type=content_type, metadata=metadata, md5=md5)
        await asyncio.to_thread(self._write, self._path(key), data, msgspec.json.encode(attrs))

    @staticmethod
    def _write(path: Path, data: bytes, attrs: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, content in ((path.with_name(path.name + ".attrs"), attrs), (path, data)):
            temp = target.with_name(f".{target.name}.tmp")
            temp.write_bytes(content)
            os.replace(temp, target)

    async def info(self, key: str) -> FileInfo | None:
        """Size, mtime and sidecar of a stored file; None when there is none."""
        try:
            path = self._path(key)
            stat = path.stat()
        except (OSError, ValueError):
            return None
        if not path.is_file():
            return None
        try:
            # NB: PocketBase writes `"user.metadata":null` for files without metadata.
            attrs = gojson.decode(path.with_name(path.name + ".attrs").read_bytes(), Attrs)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            attrs = Attrs()
        return FileInfo(stat.st_size, stat.st_mtime, attrs)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """The bytes `[start, end)` of a stored file (to its end by default)."""
        return await asyncio.to_thread(self._read, self._path(key), start, end)

    @staticmethod
    def _read(path: Path, start: int, end: int | None) -> bytes:
        with path.open("rb") as handle:
            handle.seek(start)
            return handle.read(-1 if end is None else end - start)

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes `[start, end)` in chunks, for responses too big to hold in memory."""
        path = self._path(key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            position = start
            while position < end:
                chunk = await asyncio.to_thread(
                    os.pread, handle.fileno(), min(CHUNK, end - position), position
                )
                if not chunk:
                    return
                position += len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        """Remove a file and its sidecar (missing ones are fine)."""
        path = self._path(key)
        for target in (path, path.with_name(path.name + ".attrs")):
            target.unlink(missing_ok=True)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove everything under a directory key."""
        await asyncio.to_thread(shutil.rmtree, self._path(prefix), True)
