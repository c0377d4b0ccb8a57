"""Static files from `--publicDir` (`pb_public`) on every GET path no API route claims, with
the rules of PocketBase's `apis.Static` and Go's `ServeMux`; and the dashboard's bundle at `/_/`."""

from __future__ import annotations

import asyncio
import os
import stat
import urllib.parse
from pathlib import Path
from typing import Any

from litestar import Litestar, Response, get
from litestar.response import Stream
from litestar.response.base import ASGIResponse

from pocketlite.apis.context import AnyRequest, get_app, skip_success_log
from pocketlite.apis.serve_content import serve_content
from pocketlite.core.errors import NotFoundError
from pocketlite.tools.filesystem import LocalFilesystem

__all__ = ["ROUTES"]

_INDEX = "index.html"
# Characters left as they are in a `Location` built from a decoded path.
_LOCATION_SAFE = "/!$&'()*+,;=:@~"
_GO_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
# The dashboard's built bundle: inside the package when installed (wheel, pyz), else the source
# checkout's top-level ui_dist/ (an editable install). POCKETLITE_DASHBOARD_DIR points at another
# build, e.g. `vite build --watch --outDir /tmp/ui` while working on the dashboard.
_PACKAGED_DASHBOARD = Path(__file__).resolve().parents[1] / "ui_dist"
_CHECKOUT_DASHBOARD = Path(__file__).resolve().parents[2] / "ui_dist"
DASHBOARD_DIR = Path(
    os.environ.get("POCKETLITE_DASHBOARD_DIR")
    or (_PACKAGED_DASHBOARD if _PACKAGED_DASHBOARD.is_dir() else _CHECKOUT_DASHBOARD)
)
# Vite names its assets by their content: cached for good. The page itself is never cached, so a
# new version of the dashboard is picked up on the next load.
_ASSETS_CACHE = "public, max-age=31536000, immutable"
_PAGE_CACHE = "no-cache"


class _Bare(Response[bytes]):
    """A response without `Content-Type` (Litestar adds one to every response with a body)."""

    def to_asgi_response(self, app: Litestar | None, request: AnyRequest, **kwargs: Any) -> ASGIResponse:
        response = super().to_asgi_response(app, request, **kwargs)
        del response.headers["content-type"]
        return response


def _clean(path: str) -> str:
    """Go's `path.Clean`: empty and `.` segments dropped, `..` resolved lexically."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part != "..":
            parts.append(part)
        elif parts and parts[-1] != "..":
            parts.pop()
        elif not rooted:
            parts.append(part)
    cleaned = "/".join(parts)
    return "/" + cleaned if rooted else cleaned or "."


def _mux_path(raw: str) -> str:
    """The path Go's `ServeMux` redirects a request to: cleaned, its trailing slash kept."""
    cleaned = _clean(raw if raw.startswith("/") else "/" + raw)
    return cleaned + "/" if raw.endswith("/") and cleaned != "/" else cleaned


def _raw_path(request: AnyRequest) -> str:
    """The path as the client sent it, still percent-encoded (the router strips its slash)."""
    raw = request.scope.get("raw_path")
    if raw:
        return bytes(raw).decode("latin-1")
    return urllib.parse.quote(request.scope["path"])


def _go_redirect(location: str, query: str) -> Response[bytes]:
    """Go's `http.Redirect` with 307: the location, and a line of HTML pointing to it."""
    if query:
        location += "?" + query
    body = f'<a href="{location.translate(_GO_HTML_ESCAPES)}">Temporary Redirect</a>.\n\n'
    headers = {"Location": location, "Content-Type": "text/html; charset=utf-8"}
    return Response(body.encode(), status_code=307, headers=headers)


def _redirect(path: str) -> Response[bytes]:
    """`apis.Static`'s 301 to the canonical address of a file or directory (no query kept)."""
    if len(path) > 1 and path[0] in "/\\" and path[1] in "/\\":
        path = "/" + path.lstrip("/\\")  # never `//host`: that would leave the site
    return _Bare(b"", status_code=301, headers={"Location": urllib.parse.quote(path, safe=_LOCATION_SAFE)})


def _stat(root: Path, name: str) -> os.stat_result | None:
    """The file or directory `name` (already cleaned) under `root`; None when it is missing,
    when `name` climbs out of `root`, or when a symlink leads outside of it."""
    if name.startswith(("/", "../", "..\\")) or name == "..":
        return None
    try:
        target = root / name
        if not target.resolve().is_relative_to(root.resolve()):
            return None
        found = target.stat()
    except (OSError, ValueError):
        return None
    return found if stat.S_ISDIR(found.st_mode) or stat.S_ISREG(found.st_mode) else None


async def _serve(
    request: AnyRequest, root: Path, name: str, found: os.stat_result | None, fallback: bool
) -> Response[bytes] | Stream:
    """The file `name`, else `index.html` when the fallback applies, else 404."""
    if found is None or not stat.S_ISREG(found.st_mode):
        if not fallback or name == _INDEX:
            raise NotFoundError("File not found.")
        name, found = _INDEX, await asyncio.to_thread(_stat, root, _INDEX)
        if found is None or not stat.S_ISREG(found.st_mode):
            raise NotFoundError("File not found.")
    return await serve_content(request, LocalFilesystem(root), name, found.st_size, found.st_mtime)


@get(["/", "/{path:path}"], include_in_schema=False)
async def public_files(request: AnyRequest) -> Response[bytes] | Stream:
    """A file of `--publicDir`: a directory serves its `index.html`, and with `--indexFallback`
    (default) anything missing serves the root `index.html` (single-page apps)."""
    skip_success_log(request)
    raw = _raw_path(request)
    cleaned = _mux_path(raw)
    if cleaned != raw:
        return _go_redirect(cleaned, request.scope.get("query_string", b"").decode("latin-1"))
    config = get_app(request).config
    root = Path(config.public_dir)
    url_path = urllib.parse.unquote(raw)
    name = _clean(url_path.removeprefix("/"))
    found = await asyncio.to_thread(_stat, root, name)
    if found is not None and stat.S_ISDIR(found.st_mode):
        if not url_path.endswith("/"):
            return _redirect(url_path + "/")
        index = _INDEX if name == "." else f"{name}/{_INDEX}"
        index_found = await asyncio.to_thread(_stat, root, index)
        if index_found is not None and stat.S_ISREG(index_found.st_mode):
            name, found = index, index_found
    elif found is not None:
        if url_path.endswith("/") and url_path.rstrip("/"):
            return _redirect(url_path.rstrip("/"))
        if url_path.endswith(_INDEX):
            # NB: PocketBase cuts `index.html` off any name ending with it: `/myindex.html`
            # redirects to `/my`.
            return _redirect(url_path.removesuffix(_INDEX))
    return await _serve(request, root, name, found, config.index_fallback)


async def _dashboard_file(request: AnyRequest, name: str, cache: str) -> Response[bytes] | Stream:
    found = await asyncio.to_thread(_stat, DASHBOARD_DIR, name)
    if found is None or not stat.S_ISREG(found.st_mode):
        raise NotFoundError("File not found.")
    preset = {"Content-Security-Policy": _DASHBOARD_CSP, "Cache-Control": cache}
    return await serve_content(
        request, LocalFilesystem(DASHBOARD_DIR), name, found.st_size, found.st_mtime, preset
    )


@get("/_", include_in_schema=False)
async def dashboard(request: AnyRequest) -> Response[bytes] | Stream:
    """`/_/` is the dashboard's address, `/_` redirects there (the router sees both as one)."""
    skip_success_log(request)
    if not _raw_path(request).endswith("/"):
        return _go_redirect("/_/", request.scope.get("query_string", b"").decode("latin-1"))
    return await _dashboard_file(request, _INDEX, _PAGE_CACHE)


# The dashboard's headers in PocketBase (`apis/serve.go`): cached two weeks, its content policy.
_DASHBOARD_CACHE = "max-age=1209600, stale-while-revalidate=86400"
_DASHBOARD_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' http://127.0.0.1:* https://tile.openstreetmap.org data: blob:; "
    "connect-src 'self' http://127.0.0.1:* https://nominatim.openstreetmap.org; "
    "script-src 'self' http://127.0.0.1:*; frame-ancestors 'none'"
)


@get("/_/extensions.js", include_in_schema=False)
async def dashboard_extensions(request: AnyRequest) -> Response[bytes]:
    """The script the dashboard loads for its extensions: none are installed, so it is empty,
    as PocketBase answers without any."""
    skip_success_log(request)
    headers = {"Content-Type": "text/javascript", "Content-Security-Policy": _DASHBOARD_CSP}
    if not get_app(request).dev:
        headers["Cache-Control"] = _DASHBOARD_CACHE
    return Response(b"", headers=headers)


@get("/_/assets/{name:str}", include_in_schema=False)
async def dashboard_assets(request: AnyRequest, name: str) -> Response[bytes] | Stream:
    """The bundle's scripts and styles."""
    skip_success_log(request)
    return await _dashboard_file(request, f"assets/{_clean(name)}", _ASSETS_CACHE)


@get("/_/{path:path}", include_in_schema=False)
async def dashboard_pages(request: AnyRequest) -> Response[bytes] | Stream:
    """Every other address under `/_/` is the dashboard's page (it routes by the URL's hash)."""
    skip_success_log(request)
    return await _dashboard_file(request, _INDEX, _PAGE_CACHE)


ROUTES = [dashboard, dashboard_extensions, dashboard_assets, dashboard_pages, public_files]
