"""Thumbnails of images too big to decode (docs/files.md): the pixel budget is checked on the
header, before any decoding, and the original is served instead, as PocketBase serves the
original of a thumbnail it can't make. The server's memory stays bounded."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.servers import Server

COLLECTION = "pics"


def _image(fmt: str, size: tuple[int, int], mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _header_only_png(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` grey pixels, with no pixel data at all."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IEND", b"")


def _start(data_dir: Path) -> Server:
    srv = Server.pocketlite(data_dir)
    srv.create_superuser()
    srv.start()
    body = {
        "name": COLLECTION,
        "viewRule": "",
        "createRule": "",
        "fields": [{"name": "img", "type": "file", "maxSize": 5 << 20, "thumbs": ["100x100", "50x50"]}],
    }
    httpx.post(
        f"{srv.url}/api/collections", json=body, headers={"Authorization": srv.auth_token()}
    ).raise_for_status()
    return srv


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the default budget (50 megapixels)."""
    srv = _start(tmp_path_factory.mktemp("thumb_limits") / "pb_data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def small_budget(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose budget is 10,000 pixels (`PB_THUMBS_MAX_PIXELS`)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PB_THUMBS_MAX_PIXELS", "10000")
        srv = _start(tmp_path_factory.mktemp("thumb_budget") / "pb_data")
    yield srv
    srv.stop()


def _upload(srv: Server, name: str, data: bytes) -> str:
    """The file's URL on `srv`."""
    response = httpx.post(f"{srv.url}/api/collections/{COLLECTION}/records", files={"img": (name, data)})
    response.raise_for_status()
    record = response.json()
    return f"{srv.url}/api/files/{COLLECTION}/{record['id']}/{record['img']}"


def _peak_memory_kib(pid: int) -> dict[int, int]:
    """VmHWM (the resident set's high-water mark) of the process and of all its descendants."""
    peaks = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        status = Path(f"/proc/{current}/status").read_text()
        peaks[current] = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")
        )
        for task in Path(f"/proc/{current}/task").iterdir():
            pending += [int(child) for child in (task / "children").read_text().split()]
    return peaks


def test_a_decompression_bomb_serves_the_original_without_decoding(server: Server) -> None:
    # 10000x10000 grey pixels: a ~100 KB file that decodes to 100 MB (the old pipeline peaked
    # near 400 MB; an RGB one of the same size went past 1.2 GB).
    bomb = _image("PNG", (10000, 10000), "L")
    url = _upload(server, "bomb.png", bomb)
    name = url.rsplit("/", 1)[1]

    for _ in range(2):  # the second time from memory: the refusal is remembered, no thumb stored
        thumb = httpx.get(f"{url}?thumb=100x100", timeout=60)
        assert thumb.status_code == 200
        assert thumb.headers["content-type"] == "image/png"
        assert thumb.headers["content-disposition"] == f'inline; filename="{name}"'
        assert thumb.content == bomb

    original = httpx.get(url, timeout=60)
    assert original.status_code == 200
    assert original.content == bomb

    refusals = [line for line in server.log_path.read_text().splitlines() if f"{name} refused" in line]
    assert len(refusals) == 1, refusals
    assert server.process is not None
    peaks = _peak_memory_kib(server.process.pid)
    assert len(peaks) == 1  # one worker serves in the server process itself
    assert max(peaks.values()) < 200 * 1024, peaks


def test_an_image_over_pillows_own_limit_serves_the_original(server: Server) -> None:
    # 20000x20000 is past Pillow's DecompressionBombError threshold (~179 MP): opening fails.
    claimed = _header_only_png(20000, 20000)
    url = _upload(server, "claims.png", claimed)
    thumb = httpx.get(f"{url}?thumb=50x50")
    assert thumb.status_code == 200
    assert thumb.headers["content-disposition"] == f'inline; filename="{url.rsplit("/", 1)[1]}"'
    assert thumb.content == claimed


def test_a_normal_image_still_gets_its_thumbnail(server: Server) -> None:
    url = _upload(server, "photo.png", _image("PNG", (300, 200)))
    thumb = httpx.get(f"{url}?thumb=100x100")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/png"
    assert thumb.headers["content-disposition"] == f'inline; filename="100x100_{url.rsplit("/", 1)[1]}"'
    assert Image.open(io.BytesIO(thumb.content)).size == (100, 100)


@pytest.mark.parametrize(
    ("data", "size", "thumbnailed"),
    [
        pytest.param(_image("PNG", (100, 100)), "50x50", True, id="at the budget"),
        pytest.param(_image("PNG", (100, 101)), "50x50", False, id="one row over the budget"),
        # 160,000 pixels, but a JPEG for a 100x100 thumb decodes at 1/4 scale: 100x100.
        pytest.param(_image("JPEG", (400, 400)), "100x100", True, id="a JPEG counted at its decode scale"),
        # At 1/8, the smallest scale, 125x125.
        pytest.param(_image("JPEG", (1000, 1000)), "100x100", False, id="a JPEG over it at any scale"),
    ],
)
def test_the_budget_comes_from_the_environment(
    small_budget: Server, data: bytes, size: str, thumbnailed: bool
) -> None:
    url = _upload(small_budget, "pic." + ("jpg" if data.startswith(b"\xff\xd8") else "png"), data)
    stored = url.rsplit("/", 1)[1]
    thumb = httpx.get(f"{url}?thumb={size}")
    assert thumb.status_code == 200
    if thumbnailed:
        assert thumb.headers["content-disposition"] == f'inline; filename="{size}_{stored}"'
        side = int(size.split("x")[0])
        assert Image.open(io.BytesIO(thumb.content)).size == (side, side)
    else:
        assert thumb.headers["content-disposition"] == f'inline; filename="{stored}"'
        assert thumb.content == data
