"""A collections import with `deleteMissing` (docs/collections.md) takes the files of the
collections it drops with them, as deleting each one would: the storage directory itself,
which the diff suite can't see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("import_files") / "pb_data")
    srv.create_superuser()
    srv.start()
    yield srv, {"Authorization": srv.auth_token()}
    srv.stop()


def _with_a_file(srv: Server, admin: dict[str, str], name: str) -> tuple[str, list[str]]:
    """A collection of one file field holding one record with a file: the collection id and the
    files of the record's storage directory."""
    body = {"name": name, "createRule": "", "fields": [{"name": "doc", "type": "file"}]}
    created = httpx.post(f"{srv.url}/api/collections", json=body, headers=admin)
    created.raise_for_status()
    record = httpx.post(f"{srv.url}/api/collections/{name}/records", files=[("doc", ("a.txt", b"a"))])
    record.raise_for_status()
    stored = record.json()["doc"]
    return str(created.json()["id"]), [
        f"{record.json()['id']}/{stored}",
        f"{record.json()['id']}/{stored}.attrs",
    ]


def _files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def _import(srv: Server, admin: dict[str, str], keep: list[str], extra: list[dict[str, Any]]) -> int:
    """Import the system collections, those named in `keep` and `extra`, deleting the rest."""
    everything = httpx.get(f"{srv.url}/api/collections?perPage=500", headers=admin).json()["items"]
    listed = [c for c in everything if c["system"] or c["name"] in keep] + extra
    body = {"collections": listed, "deleteMissing": True}
    return httpx.put(f"{srv.url}/api/collections/import", json=body, headers=admin).status_code


def test_collections_dropped_by_an_import_lose_their_files(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    storage = srv.data_dir / "storage"
    (kept, kept_files), (dropped, _) = _with_a_file(srv, admin, "kept"), _with_a_file(srv, admin, "dropped")
    assert _import(srv, admin, ["kept"], []) == 204
    assert not (storage / dropped).exists()
    assert _files(storage / kept) == sorted(kept_files)


def test_a_failed_import_keeps_every_file(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    storage = srv.data_dir / "storage"
    doomed, doomed_files = _with_a_file(srv, admin, "doomed")
    broken = {"name": "broken", "type": "view", "viewQuery": "SELECT 1 as x"}
    assert _import(srv, admin, [], [broken]) == 400
    assert _files(storage / doomed) == sorted(doomed_files)
    assert httpx.get(f"{srv.url}/api/collections/doomed", headers=admin).status_code == 200


def test_file_fields_an_import_drops_lose_their_files(live: tuple[Server, dict[str, str]]) -> None:
    srv, admin = live
    storage = srv.data_dir / "storage"
    shrunk, _ = _with_a_file(srv, admin, "shrunk")
    current = httpx.get(f"{srv.url}/api/collections/shrunk", headers=admin).json()
    without_doc = {**current, "fields": [f for f in current["fields"] if f["name"] != "doc"]}
    everything = httpx.get(f"{srv.url}/api/collections?perPage=500", headers=admin).json()["items"]
    others = [c for c in everything if c["name"] != "shrunk"]
    body = {"collections": [*others, without_doc], "deleteMissing": True}
    assert httpx.put(f"{srv.url}/api/collections/import", json=body, headers=admin).status_code == 204
    # The files go once the import commits, in the background.
    assert eventually(lambda: _files(storage / shrunk) == [])
