"""Static files from `--publicDir` on every path no API route claims (`pb_public`), and the
`/_` → `/_/` redirect of the admin dashboard."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.response import File, Redirect

from pocketlite.apis.context import AnyRequest, get_app
from pocketlite.core.errors import NotFoundError

__all__ = ["ROUTES"]


def _resolve(root: Path, path: str) -> Path | None:
    """The file under `root` for a URL path; None for anything outside `root` or missing."""
    root = root.resolve()
    target = (root / path.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


@get("/_", include_in_schema=False)
async def dashboard_redirect() -> Redirect:
    """The dashboard lives under `/_/`."""
    return Redirect("/_/", status_code=307)


@get("/{path:path}", include_in_schema=False)
async def public_files(request: AnyRequest, path: str) -> Response[bytes] | File:
    """A file of `--publicDir`; with `--indexFallback`, unknown paths without an extension serve
    `index.html` (single-page apps with pretty URLs)."""
    config = get_app(request).config
    root = Path(config.public_dir)
    target = _resolve(root, path) if root.is_dir() else None
    if target is None and config.index_fallback and root.is_dir() and "." not in Path(path).name:
        target = _resolve(root, "index.html")
    if target is None:
        raise NotFoundError("File not found.")
    return File(target, content_disposition_type="inline")


ROUTES = [dashboard_redirect, public_files]
