"""Content types by file extension, as Go's `mime.TypeByExtension` finds them on Linux (the
table PocketBase's static file server uses): Go's built-in types first, then the system's
shared-mime-info database (`globs2`), or the `mime.types` files when there is none. `text/`
types get `; charset=utf-8`, as Go adds it."""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["type_by_extension"]

_BUILTIN = {
    ".avif": "image/avif",
    ".css": "text/css; charset=utf-8",
    ".gif": "image/gif",
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".mjs": "text/javascript; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".xml": "text/xml; charset=utf-8",
}
_GLOBS = ("/usr/local/share/mime/globs2", "/usr/share/mime/globs2")
_TYPE_FILES = (
    "/etc/mime.types",
    "/etc/apache2/mime.types",
    "/etc/apache/mime.types",
    "/etc/httpd/conf/mime.types",
)


class _Table:
    """Go's two maps: exact extensions, and lower-cased ones for a second look."""

    def __init__(self) -> None:
        self.exact = dict(_BUILTIN)
        self.lower = dict(_BUILTIN)

    def set(self, extension: str, content_type: str) -> None:
        if content_type.startswith("text/") and "charset=" not in content_type:
            content_type += "; charset=utf-8"
        self.exact[extension] = content_type
        self.lower[extension.lower()] = content_type

    def load_globs(self, path: str) -> bool:
        try:
            lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return False
        for line in lines:
            # weight:type:glob[:flags], heaviest first: the first type of an extension wins.
            fields = line.split(":")
            if len(fields) < 3 or not fields[0] or len(fields[2]) < 3 or fields[0].startswith("#"):
                continue
            glob = fields[2]
            if not glob.startswith("*.") or any(c in glob[1:] for c in "?*["):
                continue
            if glob[1:] not in self.exact:
                self.set(glob[1:], fields[1])
        return True

    def load_types(self, path: str) -> None:
        try:
            lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        for line in lines:
            # NB: as Go, a `mime.types` entry replaces a built-in type.
            fields = line.split()
            if len(fields) < 2 or fields[0].startswith("#"):
                continue
            for extension in fields[1:]:
                if extension.startswith("#"):
                    break
                self.set("." + extension, fields[0])


@functools.cache
def _table() -> _Table:
    table = _Table()
    if not any(table.load_globs(path) for path in _GLOBS):
        for path in _TYPE_FILES:
            table.load_types(path)
    return table


def type_by_extension(extension: str) -> str:
    """The content type of `.ext` (with its dot), or "" when it is unknown."""
    table = _table()
    return table.exact.get(extension) or table.lower.get(extension.lower(), "")
