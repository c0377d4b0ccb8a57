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
from typing import BinaryIO, Protocol

import msgspec

from pocketlite.tools import gojson

__all__ = ["ATTRS_SUFFIX", "CHUNK", "Attrs", "FileInfo", "Filesystem", "ListedFile", "LocalFilesystem"]

# Streamed responses move files in pieces of this size.
CHUNK = 256 << 10
# The most a read does on the event loop (`LocalFilesystem.read`): a thumbnail, a small file.
SHORT_READ = 1 << 20
# The sidecar's suffix; keys ending with it are not files of their own.
ATTRS_SUFFIX = ".attrs"


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


class ListedFile(msgspec.Struct):
    """One file of a listing: its key, size and modification time (Unix seconds)."""

    key: str
    size: int
    modified: float


class Filesystem(Protocol):
    """What storage backends provide."""

    async def write(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None: ...

    async def info(self, key: str) -> FileInfo | None: ...

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes: ...

    def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None: ...

    async def list_files(self, prefix: str = "") -> list[ListedFile]: ...

    async def upload(
        self, key: str, source: BinaryIO, content_type: str, metadata: dict[str, str]
    ) -> None: ...

    async def download(self, key: str, target: BinaryIO) -> None: ...


class LocalFilesystem:
    """Files under a directory (`pb_data/storage`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._resolved_root = root.resolve()

    def path(self, key: str) -> Path:
        """Where the file of `key` is; `ValueError` for a key that points outside the root."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self._resolved_root):
            raise ValueError(f"key outside the storage: {key!r}")
        return path

    async def write(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """Store `data` and its sidecar (written to a temp name first, then moved in place)."""
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        attrs = Attrs(content_type=content_type, metadata=metadata, md5=md5)
        await asyncio.to_thread(self._write, self.path(key), data, msgspec.json.encode(attrs))

    @staticmethod
    def _write(path: Path, data: bytes, attrs: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for target, content in ((_sidecar(path), attrs), (path, data)):
            temp = target.with_name(f".{target.name}.tmp")
            temp.write_bytes(content)
            os.replace(temp, target)

    async def info(self, key: str) -> FileInfo | None:
        """Size, mtime and sidecar of a stored file; None when there is none."""
        try:
            path = self.path(key)
            stat = path.stat()
        except (OSError, ValueError):
            return None
        if not path.is_file():
            return None
        try:
            # NB: PocketBase writes `"user.metadata":null` for files without metadata.
            attrs = gojson.decode(_sidecar(path).read_bytes(), Attrs)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            attrs = Attrs()
        return FileInfo(stat.st_size, stat.st_mtime, attrs)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """The bytes `[start, end)` of a stored file (to its end by default). Up to
        `SHORT_READ` bytes are read on the loop, as short database reads are: the trip to a
        thread and back costs more than reading them from the page cache."""
        path = self.path(key)
        if (end if end is not None else path.stat().st_size) - start <= SHORT_READ:
            return self._read(path, start, end)
        return await asyncio.to_thread(self._read, path, start, end)

    @staticmethod
    def _read(path: Path, start: int, end: int | None) -> bytes:
        with path.open("rb") as handle:
            handle.seek(start)
            return handle.read(-1 if end is None else end - start)

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes `[start, end)` in chunks, for responses too big to hold in memory."""
        path = self.path(key)
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
        path = self.path(key)
        for target in (path, _sidecar(path)):
            target.unlink(missing_ok=True)

    async def delete_prefix(self, prefix: str) -> None:
        """Remove everything under a directory key."""
        await asyncio.to_thread(shutil.rmtree, self.path(prefix), True)

    async def list_files(self, prefix: str = "") -> list[ListedFile]:
        """Every file whose key starts with `prefix`, at any depth, by key (sidecars and the
        temp files of writes in progress left out)."""
        return await asyncio.to_thread(self._list_files, prefix)

    def _list_files(self, prefix: str) -> list[ListedFile]:
        found = []
        for directory, _, names in os.walk(self.root):
            for name in names:
                if name.endswith(ATTRS_SUFFIX) or (name.startswith(".") and name.endswith(".tmp")):
                    continue
                path = Path(directory, name)
                key = path.relative_to(self.root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue  # deleted meanwhile
                found.append(ListedFile(key, stat.st_size, stat.st_mtime))
        return sorted(found, key=lambda f: f.key)

    async def upload(self, key: str, source: BinaryIO, content_type: str, metadata: dict[str, str]) -> None:
        """Store what `source` holds from its start, read in pieces (for files too big to hold
        in memory), with its sidecar."""
        await asyncio.to_thread(self._upload, self.path(key), source, content_type, metadata)

    @staticmethod
    def _upload(path: Path, source: BinaryIO, content_type: str, metadata: dict[str, str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        digest = hashlib.md5(usedforsecurity=False)
        source.seek(0)
        try:
            with temp.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            md5 = base64.b64encode(digest.digest()).decode()
            attrs = msgspec.json.encode(Attrs(content_type=content_type, metadata=metadata, md5=md5))
            sidecar = _sidecar(path)
            sidecar_temp = sidecar.with_name(f".{sidecar.name}.tmp")
            sidecar_temp.write_bytes(attrs)
            os.replace(sidecar_temp, sidecar)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    async def download(self, key: str, target: BinaryIO) -> None:
        """Copy a stored file into `target`."""
        await asyncio.to_thread(self._download, self.path(key), target)

    @staticmethod
    def _download(path: Path, target: BinaryIO) -> None:
        with path.open("rb") as handle:
            shutil.copyfileobj(handle, target, CHUNK)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ATTRS_SUFFIX)
