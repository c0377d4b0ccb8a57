"""File helpers: stored names (files-and-realtime.md §1.1), sniffed types, thumbnail geometry
(§2.2, sizes captured from PocketBase on the same images)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from pocketlite.core.fields.file import Upload, file_name
from pocketlite.tools.mimetype import detect, is_type
from pocketlite.tools.thumbs import make_thumb


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("original", "content_type", "pattern"),
    [
        ("photo.png", "image/png", r"photo_[a-z0-9]{10}\.png"),
        ("My Document.txt", "text/plain; charset=utf-8", r"my_document_[a-z0-9]{10}\.txt"),
        ("archive.tar.gz", "application/gzip", r"archive_[a-z0-9]{10}\.tar\.gz"),
        ("a.b.c.txt", "text/plain; charset=utf-8", r"a_b_[a-z0-9]{10}\.c\.txt"),
        ("README", "text/plain; charset=utf-8", r"readme_[a-z0-9]{10}\.txt"),
        ("blob", "application/octet-stream", r"blob_[a-z0-9]{10}"),
        ("MyFile.JPG", "image/jpeg", r"my_file_[a-z0-9]{10}\.JPG"),
        ("x.png", "image/png", r"x[a-z0-9]{10}_[a-z0-9]{10}\.png"),
        ("a" * 150 + ".txt", "text/plain", "a" * 100 + r"_[a-z0-9]{10}\.txt"),
        ("f." + "e" * 30, "text/plain", r"f[a-z0-9]{10}_[a-z0-9]{10}\." + "e" * 20),
        ("bad.ex t!", "text/plain", r"bad_[a-z0-9]{10}\.ext"),
    ],
)
def test_stored_names(original: str, content_type: str, pattern: str) -> None:
    assert re.fullmatch(pattern, file_name(original, content_type))


@pytest.mark.parametrize(
    ("submitted", "original", "pattern"),
    [
        ("../../etc/Pass Wd!!.TXT", "Pass Wd!!.TXT", r"pass_wd_[a-z0-9]{10}\.TXT"),
        ("a/b/c.txt", "c.txt", r"c[a-z0-9]{10}_[a-z0-9]{10}\.txt"),
        ("foo/bar/", "bar", r"bar_[a-z0-9]{10}\.txt"),
        ("/", "/", r"[a-z0-9]{10}_[a-z0-9]{10}\.txt"),
        ("a\\b c.txt", "a\\b c.txt", r"a_b_c_[a-z0-9]{10}\.txt"),
        ("/abs/.hidden", ".hidden", r"[a-z0-9]{10}_[a-z0-9]{10}\.hidden"),
    ],
)
def test_uploads_keep_the_last_path_element(submitted: str, original: str, pattern: str) -> None:
    """As Go's multipart `FileName()`: `filepath.Base` on "/" before the name is normalized."""
    upload = Upload(submitted, b"text")
    assert (upload.original_name, bool(re.fullmatch(pattern, upload.name))) == (original, True)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_image("PNG", (2, 2)), "image/png"),
        (_image("JPEG", (2, 2)), "image/jpeg"),
        (_image("GIF", (2, 2)), "image/gif"),
        (_image("WEBP", (2, 2)), "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"hello file", "text/plain; charset=utf-8"),
        (b'{"a": [1, 2]}', "application/json"),
        (b"<!DOCTYPE html><html></html>", "text/html; charset=utf-8"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        (b"\x00\x01binary", "application/octet-stream"),
        (
            b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_sniffed_types(data: bytes, expected: str) -> None:
    assert detect(data) == expected


def test_mime_type_matching_ignores_parameters_and_knows_aliases() -> None:
    assert is_type("text/plain; charset=utf-8", "text/plain")
    assert is_type("application/zip", "application/x-zip-compressed")
    assert not is_type("image/png", "image/jpeg")


@pytest.mark.parametrize(
    ("source", "size", "expected"),
    [
        ((120, 80), "50x50", (50, 50)),
        ((120, 80), "100x100", (100, 100)),
        ((120, 80), "0x20", (30, 20)),
        ((120, 80), "20x0t", (20, 13)),
        ((120, 80), "50x50f", (50, 33)),
        ((120, 80), "500x500f", (120, 80)),
        ((2000, 1500), "100x100", (100, 100)),
        ((2000, 1500), "50x50f", (50, 37)),
        ((2000, 1500), "300x0", (300, 225)),
        ((300, 200), "40x40b", (40, 40)),
    ],
)
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_thumbnail_sizes(source: tuple[int, int], size: str, expected: tuple[int, int], fmt: str) -> None:
    data, content_type = make_thumb(_image(fmt, source), f"image/{fmt.lower()}", size)
    assert Image.open(io.BytesIO(data)).size == expected
    assert content_type == f"image/{fmt.lower()}"


def test_webp_thumbnails_become_png_and_bad_sizes_fail() -> None:
    assert make_thumb(_image("WEBP", (10, 10)), "image/webp", "5x5")[1] == "image/png"
    with pytest.raises(ValueError):
        make_thumb(_image("PNG", (10, 10)), "image/png", "0x0")
