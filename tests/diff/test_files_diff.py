"""Files (files-and-realtime.md §1-§2) against PocketBase 0.40.6: uploads and their stored names,
the upload checks, appending/removing/replacing, serving with its headers, ranges, thumbnails
and protected files. The same script runs on both servers; stored names carry a random part,
so each step's answer is compared with names masked (and images by their size)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.diff.normalize import normalize
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

RECORD = "fdoc00000000001"
SERVED_HEADERS = (
    "content-type",
    "content-disposition",
    "content-length",
    "content-range",
    "accept-ranges",
    "cache-control",
    "content-security-policy",
    "x-frame-options",
)


def _image(fmt: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return buffer.getvalue()


PNG, JPEG = _image("PNG"), _image("JPEG", (300, 200))
_RANDOM_NAME = re.compile(r"_[a-z0-9]{10}(?=\.|\b|_)")
# A name too short to keep gets a random base too.
_RANDOM_BASE = re.compile(r'"[a-z0-9]{10}_<random>')


def _mask(text: str) -> str:
    return _RANDOM_BASE.sub('"<random>_<random>', _RANDOM_NAME.sub("_<random>", text))


class Script:
    """Runs the steps on one server, keeping what it has learned (the stored names)."""

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.admin = {"Authorization": token}
        self.names: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for key, value in self.names.items():
            path = path.replace(f"<{key}>", value)
        return httpx.request(method, self.server.url + path, timeout=30, **kwargs)

    def answer(self, response: httpx.Response) -> Any:
        """Status, the compared headers and the body (JSON normalized, images by size)."""
        headers = {k: _mask(response.headers[k]) for k in SERVED_HEADERS if k in response.headers}
        kind = response.headers.get("content-type", "")
        boundary = kind.partition("boundary=")[2]
        if kind.startswith("multipart/byteranges") and boundary:  # random, 60 hex digits on both
            assert re.fullmatch("[0-9a-f]{60}", boundary), boundary
            headers["content-type"] = kind.replace(boundary, "<boundary>")
            return response.status_code, headers, response.text.replace(boundary, "<boundary>")
        if kind.startswith("application/json"):
            body: Any = _mask(json.dumps(normalize(response.json()), sort_keys=True))
        elif kind.startswith("image/") and response.status_code == 200:
            body = Image.open(io.BytesIO(response.content)).size
            headers.pop("content-length", None)  # encoders differ; the size is compared
        else:
            body = response.content.decode(errors="replace")
        return response.status_code, headers, body

    def remember(self, response: httpx.Response) -> None:
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            self.names.clear()
            data = response.json()
            for field in ("files", "doc", "avatar"):
                value = data.get(field)
                for i, name in enumerate(value if isinstance(value, list) else [value] if value else []):
                    self.names[f"{field}{i}"] = name


Step = Callable[[Script], httpx.Response]


def setup(script: Script) -> None:
    collection = {
        "name": "fdocs",
        "listRule": "",
        "viewRule": "owner = @request.auth.id || public = true",
        "createRule": "",
        "updateRule": "",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "public", "type": "bool"},
            {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {
                "name": "files",
                "type": "file",
                "maxSelect": 3,
                "maxSize": 30000,
                "thumbs": ["50x50", "0x20", "20x0t", "30x30f"],
            },
            {
                "name": "doc",
                "type": "file",
                "maxSelect": 1,
                "mimeTypes": ["text/plain", "application/pdf"],
                "protected": True,
            },
            {
                "name": "avatar",
                "type": "file",
                "maxSelect": 1,
                "mimeTypes": ["image/jpeg", "image/png"],
                "thumbs": ["40x40b"],
            },
        ],
    }
    assert (
        script.request("POST", "/api/collections", json=collection, headers=script.admin).status_code == 200
    )
    for user_id, email in (("fuserbob0000001", "bob@files.test"), ("fuseralice00001", "alice@files.test")):
        body = {"id": user_id, "email": email, "password": "Secret123456", "passwordConfirm": "Secret123456"}
        script.request(
            "POST", "/api/collections/users/records", json=body, headers=script.admin
        ).raise_for_status()
        login = {"identity": email, "password": "Secret123456"}
        auth = script.request("POST", "/api/collections/users/auth-with-password", json=login).json()["token"]
        file_token = script.request("POST", "/api/files/token", headers={"Authorization": auth}).json()[
            "token"
        ]
        script.tokens[email.split("@")[0]] = file_token


def post(files: list[tuple[str, tuple[str, bytes]]], data: dict[str, str] | None = None) -> Step:
    return lambda s: s.request("POST", "/api/collections/fdocs/records", files=files, data=data or {})


def patch(**kwargs: Any) -> Step:
    return lambda s: s.request("PATCH", f"/api/collections/fdocs/records/{RECORD}", **kwargs)


def get(path: str, **kwargs: Any) -> Step:
    return lambda s: s.request("GET", path, **kwargs)


FILE = f"/api/files/fdocs/{RECORD}"

SCRIPT: list[tuple[str, Step]] = [
    (
        "create with files in three fields",
        post(
            [
                ("files", ("photo.png", PNG)),
                ("files", ("My Document.txt", b"hello file")),
                ("doc", ("secret.txt", b"for bob only")),
                ("avatar", ("Face.JPG", JPEG)),
            ],
            {"id": RECORD, "title": "t", "owner": "fuserbob0000001"},
        ),
    ),
    (
        "names: double extension, no extension, long",
        post(
            [
                ("files", ("archive.tar.gz", b"\x1f\x8b\x08")),
                ("files", ("README", b"plain text")),
                ("files", ("x" * 120 + ".TXT", b"x")),
            ]
        ),
    ),
    ("a name of odd characters", post([("files", ("..Ünïcödé (1) .weird~ext!", b"abc"))])),
    ("too large", post([("files", ("big.bin", b"x" * 30001))])),
    ("mime type checked on the content", post([("avatar", ("fake.png", b"not an image"))])),
    ("mime type of the pdf allowed", post([("doc", ("paper.pdf", b"%PDF-1.4 tiny"))])),
    ("too many files", post([("files", (f"f{i}.txt", b"x")) for i in range(4)])),
    ("a new file by name only", patch(json={"files": ["nope.txt"]})),
    ("uploads to a non-file field are ignored", post([("title", ("t.txt", b"x"))], {"public": "true"})),
    ("the original", get(f"{FILE}/<files0>")),
    ("a text file: attachment", get(f"{FILE}/<files1>")),
    ("download=1", get(f"{FILE}/<files0>?download=1")),
    ("download=t", get(f"{FILE}/<avatar0>?download=t")),
    ("download=no", get(f"{FILE}/<avatar0>?download=no")),
    ("thumb 100x100 (always allowed)", get(f"{FILE}/<files0>?thumb=100x100")),
    ("thumb 50x50", get(f"{FILE}/<files0>?thumb=50x50")),
    ("thumb 0x20", get(f"{FILE}/<files0>?thumb=0x20")),
    ("thumb 20x0t", get(f"{FILE}/<files0>?thumb=20x0t")),
    ("thumb 30x30f", get(f"{FILE}/<files0>?thumb=30x30f")),
    ("thumb 50x50 again (cached)", get(f"{FILE}/<files0>?thumb=50x50")),
    ("thumb of a jpeg stays jpeg", get(f"{FILE}/<avatar0>?thumb=40x40b")),
    ("a size not listed serves the original", get(f"{FILE}/<files0>?thumb=10x10")),
    ("a bad size serves the original", get(f"{FILE}/<files0>?thumb=abc")),
    ("a thumb of a text file is the file", get(f"{FILE}/<files1>?thumb=100x100")),
    ("a range", get(f"{FILE}/<files1>", headers={"Range": "bytes=1-3"})),
    ("an open range", get(f"{FILE}/<files1>", headers={"Range": "bytes=4-"})),
    ("a suffix range", get(f"{FILE}/<files1>", headers={"Range": "bytes=-4"})),
    ("an unsatisfiable range", get(f"{FILE}/<files1>", headers={"Range": "bytes=50-60"})),
    ("two ranges", get(f"{FILE}/<files1>", headers={"Range": "bytes=0-1,4-5"})),
    ("a malformed range", get(f"{FILE}/<files1>", headers={"Range": "bytes=x-1"})),
    ("protected, no token", get(f"{FILE}/<doc0>")),
    (
        "protected, another user's token",
        lambda s: s.request("GET", f"{FILE}/{s.names['doc0']}?token={s.tokens['alice']}"),
    ),
    (
        "protected, the owner's token",
        lambda s: s.request("GET", f"{FILE}/{s.names['doc0']}?token={s.tokens['bob']}"),
    ),
    ("protected, a bad token", get(f"{FILE}/<doc0>?token=abc")),
    ("unknown collection", get(f"/api/files/nope/{RECORD}/<files0>")),
    ("unknown record", get("/api/files/fdocs/nope00000000000/<files0>")),
    ("unknown file name", get(f"{FILE}/other.png")),
    ("a name of another record's field", get(f"{FILE}/..%2F..%2Fdata.db")),
    ("append with field+", patch(files=[("files+", ("more.txt", b"more"))])),
    ("remove with field-", patch(json={"files-": ["<files1>"]})),
    ("the removed file is gone", get(f"{FILE}/<files1>")),
    ("prepend with +field and keep order", patch(files=[("+files", ("first.txt", b"1"))])),
    ("replace the single file", patch(files=[("avatar", ("new.png", PNG))])),
    ("the replaced file is gone", get(f"{FILE}/<avatar0>")),
    ("clear a field with an empty value", patch(json={"doc": ""})),
    (
        "multipart with @jsonPayload and a file",
        patch(files=[("files", ("only.txt", b"only"))], data={"@jsonPayload": '{"title":"json"}'}),
    ),
    ("delete the record", lambda s: s.request("DELETE", f"/api/collections/fdocs/records/{RECORD}")),
    ("its files are gone", get(f"{FILE}/<files0>")),
]


def _run(server: Server, token: str) -> list[Any]:
    script = Script(server, token)
    setup(script)
    transcript = []
    for what, step in SCRIPT:
        response = step(script)
        transcript.append((what, script.answer(response)))
        # The record of the script: its current file names, for the later steps' paths.
        if response.request.method in ("POST", "PATCH") and (
            RECORD in str(response.url) or what.startswith("create")
        ):
            script.remember(response)
    return transcript


@pytest.fixture(scope="module")
def transcripts(pair: tuple[Server, Server], tokens: tuple[str, str]) -> tuple[list[Any], list[Any]]:
    return _run(pair[0], tokens[0]), _run(pair[1], tokens[1])


@pytest.mark.parametrize("index", range(len(SCRIPT)), ids=[what for what, _ in SCRIPT])
def test_same_answer(index: int, transcripts: tuple[list[Any], list[Any]]) -> None:
    assert transcripts[0][index] == transcripts[1][index]


def test_two_ranges_are_a_multipart_body(transcripts: tuple[list[Any], list[Any]]) -> None:
    index = [what for what, _ in SCRIPT].index("two ranges")
    _, (status, headers, body) = transcripts[0][index]
    assert (status, headers["content-type"]) == (206, "multipart/byteranges; boundary=<boundary>")
    assert body.count("--<boundary>") == 3
