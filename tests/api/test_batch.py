"""`POST /api/batch` (records-api.md §9): record writes in one transaction, all or none.
Expected bodies were captured from PocketBase 0.40.6 for the same requests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pocketlite.core.db import Database
from pocketlite.core.settings import load_settings, save_settings
from tests.servers import Server
from tests.support.waiting import eventually


async def _enable_batch(data_dir: Path) -> None:
    db = Database(data_dir / "data.db")
    await db.open()
    try:
        settings = await load_settings(db)
        assert settings is not None
        settings.batch.enabled = True
        settings.batch.maxRequests = 5
        await save_settings(db, settings)
    finally:
        await db.close()


@pytest.fixture(scope="module")
def batch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    srv = Server.pocketlite(tmp_path_factory.mktemp("batch") / "pb_data")
    srv.create_superuser()
    asyncio.run(_enable_batch(srv.data_dir))
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    httpx.post(
        f"{srv.url}/api/collections",
        headers=admin,
        json={"name": "notes", "createRule": "text != 'no'", "fields": [{"name": "text", "type": "text"}]},
    ).raise_for_status()
    yield srv, admin
    srv.stop()


def test_a_batch_runs_every_action_in_order(batch_server: tuple[Server, dict[str, str]]) -> None:
    srv, admin = batch_server
    requests = [
        {"method": "POST", "url": "/api/collections/notes/records?fields=text", "body": {"text": "one"}},
        {
            "method": "PUT",
            "url": "/api/collections/notes/records",
            "body": {"id": "upserted0000001", "text": "two"},
        },
        {
            "method": "PATCH",
            "url": "/api/collections/notes/records/upserted0000001?fields=id,text",
            "body": {"text": "3"},
        },
        {"method": "DELETE", "url": "/api/collections/notes/records/upserted0000001"},
    ]
    response = httpx.post(f"{srv.url}/api/batch", headers=admin, json={"requests": requests})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body] == [200, 200, 200, 204]
    assert body[0]["body"] == {"text": "one"}
    assert body[2]["body"] == {"id": "upserted0000001", "text": "3"}
    assert body[3]["body"] is None


def test_one_failure_undoes_the_whole_batch(batch_server: tuple[Server, dict[str, str]]) -> None:
    srv, _ = batch_server
    requests = [
        {"method": "POST", "url": "/api/collections/notes/records", "body": {"text": "kept?"}},
        {"method": "POST", "url": "/api/collections/notes/records", "body": {"text": "no"}},
    ]
    response = httpx.post(f"{srv.url}/api/batch", json={"requests": requests})

    assert response.json() == {
        "data": {
            "requests": {
                "1": {
                    "code": "batch_request_failed",
                    "message": "Batch request failed.",
                    "response": {"data": {}, "message": "Failed to create record.", "status": 400},
                }
            }
        },
        "message": "Batch transaction failed.",
        "status": 400,
    }
    listed = httpx.get(
        f"{srv.url}/api/collections/notes/records?filter=text='kept?'", headers=batch_server[1]
    )
    assert listed.json()["totalItems"] == 0


@pytest.mark.parametrize(
    ("body", "data"),
    [
        ({}, {"requests": {"code": "validation_required", "message": "Cannot be blank."}}),
        (
            {"requests": [{"method": "BAD", "url": ""}]},
            {
                "requests": {
                    "0": {
                        "method": {"code": "validation_in_invalid", "message": "Must be a valid value."},
                        "url": {"code": "validation_required", "message": "Cannot be blank."},
                    }
                }
            },
        ),
        (
            {"requests": [{"method": "POST", "url": "/api/collections/notes/records"}] * 6},
            {
                "requests": {
                    "code": "validation_length_too_long",
                    "message": "The length must be no more than 5.",
                    "params": {"max": 5, "min": 0},
                }
            },
        ),
    ],
)
def test_invalid_batches(batch_server: tuple[Server, dict[str, str]], body: object, data: object) -> None:
    response = httpx.post(f"{batch_server[0].url}/api/batch", json=body)
    assert response.json() == {"data": data, "message": "Invalid batch request data.", "status": 400}


def test_unsupported_actions_fail_the_batch(batch_server: tuple[Server, dict[str, str]]) -> None:
    response = httpx.post(
        f"{batch_server[0].url}/api/batch", json={"requests": [{"method": "GET", "url": "/api/health"}]}
    )
    assert response.json()["data"]["requests"]["0"]["response"] == {
        "data": {},
        "message": "Something went wrong while processing your request.",
        "status": 400,
    }


def test_batches_are_off_by_default(client: httpx.Client) -> None:
    response = client.post("/api/batch", json={"requests": []})
    assert response.json() == {"data": {}, "message": "Batch requests are not allowed.", "status": 403}


def test_files_ride_along_and_a_failed_batch_leaves_none(batch_server: tuple[Server, dict[str, str]]) -> None:
    srv, admin = batch_server
    fields = [{"name": "title", "type": "text", "max": 3}, {"name": "pics", "type": "file", "maxSelect": 3}]
    collection = {"name": "albums", "createRule": "", "fields": fields}
    collection_id = httpx.post(f"{srv.url}/api/collections", json=collection, headers=admin).json()["id"]
    requests = [
        {"method": "POST", "url": "/api/collections/albums/records", "body": {"title": "a"}},
        {"method": "POST", "url": "/api/collections/albums/records", "body": {"title": "b"}},
    ]
    files = [
        ("requests.0.pics", ("x.txt", b"x")),
        ("requests[1].pics", ("y.txt", b"y")),
        ("requests[1].pics", ("z.txt", b"z")),
    ]
    done = httpx.post(
        f"{srv.url}/api/batch", data={"@jsonPayload": json.dumps({"requests": requests})}, files=files
    )
    assert done.status_code == 200
    bodies = [r["body"] for r in done.json()]
    assert [len(b["pics"]) for b in bodies] == [1, 2]
    for body in bodies:
        for name in body["pics"]:
            assert httpx.get(f"{srv.url}/api/files/albums/{body['id']}/{name}").status_code == 200

    storage = srv.data_dir / "storage" / collection_id
    before = sorted(p for p in storage.rglob("*") if p.is_file())
    requests[1]["body"]["title"] = "too long"
    failed = httpx.post(
        f"{srv.url}/api/batch", data={"@jsonPayload": json.dumps({"requests": requests})}, files=files[:1]
    )
    assert failed.status_code == 400
    assert eventually(lambda: sorted(p for p in storage.rglob("*") if p.is_file()) == before)
