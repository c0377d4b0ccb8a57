"""The local filesystem's listing and its file-to-file transfers (what backups use)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

from pocketlite.tools.filesystem import CHUNK, LocalFilesystem


async def test_a_listing_holds_the_files_by_key_without_sidecars(tmp_path: Path) -> None:
    store = LocalFilesystem(tmp_path)
    for key in ("b.zip", "a/c.zip", "@auto_x.zip"):
        await store.write(key, b"zip", "application/zip", {})
    (tmp_path / ".d.zip.tmp").write_bytes(b"a write in progress")
    assert [f.key for f in await store.list_files()] == ["@auto_x.zip", "a/c.zip", "b.zip"]
    assert [(f.key, f.size) for f in await store.list_files("@auto_")] == [("@auto_x.zip", 3)]
    assert await LocalFilesystem(tmp_path / "missing").list_files() == []


async def test_an_upload_is_read_in_pieces_and_gets_its_sidecar(tmp_path: Path) -> None:
    store = LocalFilesystem(tmp_path)
    content = bytes(range(256)) * (CHUNK // 100)  # several pieces
    source = io.BytesIO(content)
    source.seek(17)  # read from the start whatever the position
    await store.upload("big.zip", source, "application/zip", {"original-filename": "big.zip"})
    assert (tmp_path / "big.zip").read_bytes() == content
    attrs = json.loads((tmp_path / "big.zip.attrs").read_bytes())
    assert attrs["user.content_type"] == "application/zip"
    assert attrs["user.metadata"] == {"original-filename": "big.zip"}
    assert attrs["md5"] == base64.b64encode(hashlib.md5(content).digest()).decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.zip", "big.zip.attrs"]
    target = io.BytesIO()
    await store.download("big.zip", target)
    assert target.getvalue() == content
