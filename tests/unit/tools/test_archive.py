"""Zip archives of directory trees: what goes in, in which order, and what can't come out."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from pocketlite.tools.archive import ArchiveError, extract, new_zip, walk_files


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


def test_walk_lists_files_depth_first_in_name_order_leaving_out_what_is_skipped(tmp_path: Path) -> None:
    _tree(tmp_path, {"b.txt": b"", "a/z.txt": b"", "a/y/x.txt": b"", "skip/me.txt": b"", "c.lock": b""})
    (tmp_path / "empty").mkdir()
    names = [name for _, name in walk_files(tmp_path, lambda n: n in ("skip", "c.lock"))]
    assert names == ["a/y/x.txt", "a/z.txt", "b.txt"]


def test_a_zip_round_trips(tmp_path: Path) -> None:
    _tree(tmp_path / "src", {"data.db": b"db", "storage/c/r/f.txt": b"file"})
    with new_zip(tmp_path / "out.zip") as archive:
        for path, name in walk_files(tmp_path / "src", lambda _: False):
            archive.write(path, name)
    extract(tmp_path / "out.zip", tmp_path / "dst")
    assert (tmp_path / "dst" / "storage" / "c" / "r" / "f.txt").read_bytes() == b"file"
    assert zipfile.ZipFile(tmp_path / "out.zip").infolist()[0].compress_type == zipfile.ZIP_DEFLATED


def _zip(tmp_path: Path, name: str, *, link: bool = False) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, b"/etc/passwd" if link else b"x")
    path = tmp_path / "evil.zip"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    ("name", "link", "message"),
    [
        ("../outside.txt", False, "illegal file path: ../outside.txt"),
        ("/etc/outside.txt", False, "illegal file path: /etc/outside.txt"),
        ("a/../../outside.txt", False, "illegal file path: a/../../outside.txt"),
        ("a\\..\\outside.txt", False, "illegal file path: a\\..\\outside.txt"),
        ("passwd", True, "links are not allowed: passwd"),
    ],
)
def test_nothing_is_extracted_outside_the_target(tmp_path: Path, name: str, link: bool, message: str) -> None:
    with pytest.raises(ArchiveError) as raised:
        extract(_zip(tmp_path, name, link=link), tmp_path / "dst")
    assert str(raised.value) == message
    assert not (tmp_path / "outside.txt").exists()


def test_what_is_not_a_zip_fails_to_open(tmp_path: Path) -> None:
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ArchiveError) as raised:
        extract(tmp_path / "junk.zip", tmp_path / "dst")
    assert str(raised.value) == "failed to open the archive: File is not a zip file"
