"""Local file storage kept in step with records and collections (docs/files.md): what the diff
suite can't see, the storage directory itself."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("files") / "pb_data")
    srv.create_superuser()
    srv.start()
    yield srv, {"Authorization": srv.auth_token()}
    srv.stop()


def _collection(srv: Server, admin: dict[str, str], name: str) -> str:
    body = {
        "name": name,
        "createRule": "",
        "updateRule": "",
        "fields": [
            {"name": "title", "type": "text", "max": 5},
            {"name": "one", "type": "file", "maxSelect": 2},
            {"name": "two", "type": "file"},
        ],
    }
    response = httpx.post(f"{srv.url}/api/collections", json=body, headers=admin)
    response.raise_for_status()
    return str(response.json()["id"])


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_a_refused_save_stores_nothing(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    collection_id = _collection(srv, admin, "f_refused")
    files = [("one", ("a.txt", b"a"))]
    response = httpx.post(
        f"{srv.url}/api/collections/f_refused/records", files=files, data={"title": "too long"}
    )
    assert response.status_code == 400
    assert _files(srv.data_dir / "storage" / collection_id) == []


def test_removing_a_file_field_deletes_its_files(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    collection_id = _collection(srv, admin, "f_fields")
    files = [("one", ("keep.txt", b"k")), ("two", ("drop.txt", b"d"))]
    record = httpx.post(f"{srv.url}/api/collections/f_fields/records", files=files).json()
    directory = srv.data_dir / "storage" / collection_id / record["id"]
    assert len(_files(directory)) == 4  # two files, two sidecars

    fields = httpx.get(f"{srv.url}/api/collections/f_fields", headers=admin).json()["fields"]
    kept = [f for f in fields if f["name"] != "two"]
    httpx.patch(
        f"{srv.url}/api/collections/f_fields", json={"fields": kept}, headers=admin
    ).raise_for_status()
    assert eventually(lambda: _files(directory) == sorted([record["one"][0], record["one"][0] + ".attrs"]))


def test_deleting_a_collection_deletes_its_files(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    collection_id = _collection(srv, admin, "f_gone")
    httpx.post(
        f"{srv.url}/api/collections/f_gone/records", files=[("two", ("x.txt", b"x"))]
    ).raise_for_status()
    assert (srv.data_dir / "storage" / collection_id).exists()
    httpx.delete(f"{srv.url}/api/collections/f_gone", headers=admin).raise_for_status()
    assert not (srv.data_dir / "storage" / collection_id).exists()


def test_unchanged_files_survive_an_update(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    collection_id = _collection(srv, admin, "f_update")
    record = httpx.post(
        f"{srv.url}/api/collections/f_update/records", files=[("two", ("x.txt", b"x"))]
    ).json()
    url = f"{srv.url}/api/collections/f_update/records/{record['id']}"
    httpx.patch(url, json={"title": "new"}).raise_for_status()
    time.sleep(0.1)
    directory = srv.data_dir / "storage" / collection_id / record["id"]
    assert _files(directory) == sorted([record["two"], record["two"] + ".attrs"])


def test_big_files_are_streamed_whole_and_in_ranges(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    body = {"name": "f_big", "createRule": "", "listRule": "", "viewRule": "",
            "fields": [{"name": "clip", "type": "file", "maxSize": 10_000_000}]}  # fmt: skip
    httpx.post(f"{srv.url}/api/collections", json=body, headers=admin).raise_for_status()
    data = os.urandom(3_000_000)
    record = httpx.post(
        f"{srv.url}/api/collections/f_big/records", files=[("clip", ("clip.bin", data))]
    ).json()
    url = f"{srv.url}/api/files/f_big/{record['id']}/{record['clip']}"
    whole = httpx.get(url)
    assert (whole.status_code, whole.headers["content-length"]) == (200, "3000000")
    assert whole.content == data
    part = httpx.get(url, headers={"Range": "bytes=1000-2999999"})
    assert (part.status_code, part.headers["content-range"]) == (206, "bytes 1000-2999999/3000000")
    assert part.content == data[1000:]
