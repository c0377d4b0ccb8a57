"""Files in S3-compatible storage (settings `s3`), against a local S3 server (moto in server
mode): uploads land in the bucket under PocketBase's keys, serving and thumbnails read from
it, deletes clean it, and `POST /api/settings/test/s3` checks the connection."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from pocketlite.tools.filesystem import FileInfo
from pocketlite.tools.s3 import S3Filesystem
from tests.servers import Server, free_port

BUCKET = "pocketlite-files"


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{port}"
    httpx.put(f"{url}/{BUCKET}").raise_for_status()
    yield url
    moto.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, s3_url: str) -> Iterator[tuple[Server, dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("s3") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    s3 = {
        "enabled": True,
        "bucket": BUCKET,
        "region": "us-east-1",
        "endpoint": s3_url,
        "accessKey": "test-key",
        "secret": "test-secret",
        "forcePathStyle": True,
    }
    httpx.patch(f"{srv.url}/api/settings", json={"s3": s3}, headers=admin).raise_for_status()
    collection = {
        "name": "gallery",
        "listRule": "",
        "viewRule": "",
        "createRule": "",
        "updateRule": "",
        "deleteRule": "",
        "fields": [{"name": "pics", "type": "file", "maxSelect": 3, "thumbs": ["10x10"]}],
    }
    httpx.post(f"{srv.url}/api/collections", json=collection, headers=admin).raise_for_status()
    yield srv, admin
    srv.stop()


def _keys(s3_url: str) -> list[str]:
    listing = httpx.get(f"{s3_url}/{BUCKET}?list-type=2").text
    return sorted(re.findall(r"<Key>(.*?)</Key>", listing))


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_files_live_in_the_bucket(live: tuple[Server, dict[str, str]], s3_url: str) -> None:
    srv, _ = live
    png = _png((40, 30))
    files = [("pics", ("Pic One.png", png)), ("pics", ("notes.txt", b"hello s3"))]
    record = httpx.post(f"{srv.url}/api/collections/gallery/records", files=files).json()
    collection_id, record_id = record["collectionId"], record["id"]
    pic, notes = record["pics"]
    assert _keys(s3_url) == sorted(
        [f"{collection_id}/{record_id}/{pic}", f"{collection_id}/{record_id}/{notes}"]
    )
    assert not (srv.data_dir / "storage" / collection_id).exists()

    base = f"{srv.url}/api/files/gallery/{record_id}"
    original = httpx.get(f"{base}/{pic}")
    assert (original.status_code, original.content) == (200, png)
    assert original.headers["content-type"] == "image/png"
    assert original.headers["content-disposition"] == f'inline; filename="{pic}"'
    text = httpx.get(f"{base}/{notes}", headers={"Range": "bytes=6-7"})
    assert (text.status_code, text.content, text.headers["content-range"]) == (206, b"s3", "bytes 6-7/8")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"

    thumb = httpx.get(f"{base}/{pic}", params={"thumb": "10x10"})
    assert Image.open(io.BytesIO(thumb.content)).size == (10, 10)
    assert f"{collection_id}/{record_id}/thumbs_{pic}/10x10_{pic}" in _keys(s3_url)

    httpx.patch(
        f"{srv.url}/api/collections/gallery/records/{record_id}", json={"pics-": [pic]}
    ).raise_for_status()
    for _ in range(50):
        if not any(pic in key for key in _keys(s3_url)):
            break
    assert _keys(s3_url) == [f"{collection_id}/{record_id}/{notes}"]

    httpx.delete(f"{srv.url}/api/collections/gallery/records/{record_id}").raise_for_status()
    for _ in range(50):
        if not _keys(s3_url):
            break
    assert _keys(s3_url) == []


def test_the_metadata_keeps_the_original_name(live: tuple[Server, dict[str, str]], s3_url: str) -> None:
    srv, _ = live
    record = httpx.post(
        f"{srv.url}/api/collections/gallery/records", files=[("pics", ("Ünïcode Name.txt", b"x"))]
    ).json()
    key = f"{record['collectionId']}/{record['id']}/{record['pics'][0]}"

    async def stored() -> FileInfo | None:
        bucket = S3Filesystem(BUCKET, "us-east-1", s3_url, "test-key", "test-secret", force_path_style=True)
        try:
            return await bucket.info(key)
        finally:
            await bucket.close()

    info = asyncio.run(stored())
    assert info is not None
    assert info.attrs.metadata == {"original-filename": "Ünïcode Name.txt"}
    assert info.attrs.content_type == "text/plain; charset=utf-8"


def test_the_settings_test_uploads_and_cleans_up(live: tuple[Server, dict[str, str]], s3_url: str) -> None:
    srv, admin = live
    before = _keys(s3_url)
    response = httpx.post(f"{srv.url}/api/settings/test/s3", json={"filesystem": "storage"}, headers=admin)
    assert response.status_code == 204
    assert _keys(s3_url) == before


def test_the_settings_test_reports_a_missing_bucket(live: tuple[Server, dict[str, str]], s3_url: str) -> None:
    srv, admin = live
    s3 = {"bucket": "missing", "region": "us-east-1", "endpoint": s3_url, "accessKey": "k", "secret": "s"}
    backups = {"backups": {"s3": {**s3, "enabled": True, "forcePathStyle": True}}}
    httpx.patch(f"{srv.url}/api/settings", json=backups, headers=admin).raise_for_status()
    response = httpx.post(f"{srv.url}/api/settings/test/s3", json={"filesystem": "backups"}, headers=admin)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Failed to test the S3 filesystem. Raw error: \nfailed to upload a test file: ")
    assert "bucket does not exist" in message


def test_big_objects_are_streamed(live: tuple[Server, dict[str, str]]) -> None:
    srv, _ = live
    data = bytes(range(256)) * 8192  # 2 MiB
    record = httpx.post(
        f"{srv.url}/api/collections/gallery/records", files=[("pics", ("big.bin", data))]
    ).json()
    url = f"{srv.url}/api/files/gallery/{record['id']}/{record['pics'][0]}"
    assert httpx.get(url).content == data
    part = httpx.get(url, headers={"Range": "bytes=-1048577"})
    assert (part.status_code, part.content) == (206, data[-1048577:])
