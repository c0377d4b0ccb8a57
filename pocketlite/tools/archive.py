"""Zip archives of directory trees, as PocketBase's `tools/archive` writes and reads them: files
only (no directory entries), deflated at the fastest level, names `/`-separated and relative."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

__all__ = ["ArchiveError", "extract", "new_zip", "walk_files"]


class ArchiveError(ValueError):
    """A zip that can't be extracted safely, or isn't a zip at all."""


def new_zip(path: Path) -> zipfile.ZipFile:
    """A zip being written to `path`; add files with `write(file, arcname)`."""
    return zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)


def walk_files(root: Path, skip: Callable[[str], bool]) -> Iterator[tuple[Path, str]]:
    """`(path, name)` of every regular file under `root`, in lexical order of their
    `/`-separated names relative to `root` (Go's `fs.WalkDir`), leaving out the names, and the
    directories with everything in them, that `skip` says."""
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        yield from _walk(Path(entry.path), entry.name, skip)


def _walk(path: Path, name: str, skip: Callable[[str], bool]) -> Iterator[tuple[Path, str]]:
    if skip(name):
        return
    if path.is_dir() and not path.is_symlink():
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            yield from _walk(Path(entry.path), f"{name}/{entry.name}", skip)
    elif path.is_file():
        yield path, name


def extract(source: Path, target: Path) -> None:
    """Unpack the zip `source` into the directory `target` (created). Names that would land
    outside `target` (absolute, `..`) and links fail the whole extraction with `ArchiveError`."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"failed to open the archive: {exc}") from exc
    with archive:
        target.mkdir(parents=True, exist_ok=True)
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
                raise ArchiveError(f"illegal file path: {info.filename}")
            mode = info.external_attr >> 16
            if mode and (mode & 0o170000) == 0o120000:
                raise ArchiveError(f"links are not allowed: {info.filename}")
            destination = target.joinpath(*name.parts)
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as src, destination.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ArchiveError(f"failed to extract {info.filename}: {exc}") from exc
