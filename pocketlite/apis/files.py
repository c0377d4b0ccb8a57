"""`GET /api/files/{collection}/{recordId}/{filename}` (files-and-realtime.md §2): a record's
file, or a thumbnail of it, with ranges, caching headers and protected-file checks."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from litestar import Response, get
from litestar.response import Stream

from pocketlite.apis.context import NO_FRAME_OPTIONS, AnyRequest, get_app, request_info
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.serve_content import extension, serve_content
from pocketlite.core.errors import NotFoundError
from pocketlite.core.fields import FileField
from pocketlite.core.files import file_key, thumb_key
from pocketlite.core.record_view import can_access
from pocketlite.core.records import find_record_by_id
from pocketlite.core.request_events import FileDownloadRequestEvent
from pocketlite.core.view_files import find_record_by_view_file
from pocketlite.tools.expiring import ExpiringSet
from pocketlite.tools.filesystem import FileInfo, Filesystem

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

_INLINE_TYPES = frozenset(
    {
        "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
        "video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv",
        "audio/basic", "audio/aiff", "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave", "audio/wav",
        "audio/x-wav", "audio/x-mpeg", "audio/x-m4a", "audio/aac",
        "application/pdf", "application/x-pdf",
    }
)  # fmt: skip
# Served with these types whatever was sniffed, so browsers load them properly.
_EXTENSION_TYPES = {
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_THUMBABLE = frozenset({"image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp"})
_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
_CACHE = "max-age=2592000, stale-while-revalidate=86400"
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})

# Thumbnails are made on a few threads at a time (PB_THUMBS_MAX_WORKERS, default CPUs + 2),
# each request waiting at most PB_THUMBS_MAX_WAIT seconds for its turn; one thumbnail being made
# is shared by every request that wants it. Images that would decode to more than
# PB_THUMBS_MAX_PIXELS pixels get no thumbnail.
_THUMB_SLOTS = asyncio.Semaphore(int(os.environ.get("PB_THUMBS_MAX_WORKERS", (os.cpu_count() or 1) + 2)))
_THUMB_WAIT = float(os.environ.get("PB_THUMBS_MAX_WAIT", 60))
_MAKING: dict[str, asyncio.Future[FileInfo | None]] = {}
# Originals refused as too large, remembered for an hour so a big file isn't read again for each
# thumbnail request (stored names are never reused for other content).
_TOO_LARGE = ExpiringSet(3600)


async def _thumb(
    storage: Filesystem, original_key: str, key: str, size: str, content_type: str
) -> FileInfo | None:
    """The cached thumbnail, made now if missing; None when it can't be made."""
    # Imported with the first thumbnail: Pillow would add ~40 ms and ~4 MiB to every start.
    from pocketlite.tools.thumbs import MAX_PIXELS, ImageTooLarge, make_thumb

    existing = await storage.info(key)
    if existing is not None or original_key in _TOO_LARGE:
        return existing
    if key in _MAKING:
        return await asyncio.shield(_MAKING[key])
    future: asyncio.Future[FileInfo | None] = asyncio.get_running_loop().create_future()
    _MAKING[key] = future
    try:
        async with asyncio.timeout(_THUMB_WAIT):
            await _THUMB_SLOTS.acquire()
        try:
            original = await storage.read(original_key)
            max_pixels = int(os.environ.get("PB_THUMBS_MAX_PIXELS", MAX_PIXELS))
            data, thumb_type = await asyncio.to_thread(make_thumb, original, content_type, size, max_pixels)
            await storage.write(key, data, thumb_type, {})
        finally:
            _THUMB_SLOTS.release()
        result = await storage.info(key)
    except ImageTooLarge as exc:  # a decompression bomb, or just too big: the original instead
        _log.warning("thumbnail %s of %s refused: %s", size, original_key, exc)
        _TOO_LARGE.add(original_key)
        result = None
    except Exception:  # a broken image (or a busy server) serves the original instead
        _log.warning("thumbnail %s of %s failed", size, original_key, exc_info=True)
        result = None
    finally:
        del _MAKING[key]
    future.set_result(result)
    return result


@get("/api/files/{collection_id:str}/{record_id:str}/{filename:path}")
async def serve_file(
    request: AnyRequest, collection_id: str, record_id: str, filename: str
) -> Response[Any] | Stream:
    """The file (`?thumb=WxH` for a thumbnail, `?download=1` as an attachment, `?token=` for
    protected files). Any name that isn't one of the record's files is a 404, `../` included."""
    filename = filename.lstrip("/")
    app = get_app(request)
    collection = app.find_collection(collection_id)
    if collection is None:
        raise NotFoundError("Missing or invalid collection context.")
    record = await find_record_by_id(app.data, collection, record_id)
    if record is None:
        raise NotFoundError()
    field = next(
        (
            f
            for f in collection.fields
            if isinstance(f, FileField) and filename in f.values_of(record.get(f.name))
        ),
        None,
    )
    if field is None:
        raise NotFoundError()
    query = request.query_params
    if field.protected:
        # NB: only a file token in the query counts, never the Authorization header.
        token = query.get("token", "")
        auth = await app.find_auth_record_by_token(token, "file") if token else None
        info = request_info(request)
        info.context, info.auth = "protectedFile", auth
        if not await can_access(app, record, collection.viewRule, info):
            raise NotFoundError()
    if collection.is_view:
        # A view's files live with the record of the collection its file column copies: from
        # here on, that record's storage is the one read.
        owner = await find_record_by_view_file(app, collection, field.name, filename)
        if owner is None:
            raise NotFoundError()
        collection, record = owner.collection, owner
    storage = app.storage()
    key = file_key(collection, record.id, filename)
    stored = await storage.info(key)
    if stored is None:
        raise NotFoundError()
    served_key, served_name = key, filename
    thumb_error: BaseException | None = None
    size = query.get("thumb", "")
    if size and stored.attrs.content_type in _THUMBABLE and (size == "100x100" or size in field.thumbs):
        made = await _thumb(
            storage, key, thumb_key(collection, record.id, filename, size), size, stored.attrs.content_type
        )
        if made is not None:
            served_key, served_name, stored = (
                thumb_key(collection, record.id, filename, size),
                f"{size}_{filename}",
                made,
            )
        else:
            thumb_error = RuntimeError(f"the {size} thumbnail of {filename} could not be made")
    served: list[Response[bytes] | Stream] = []

    async def serve(e: FileDownloadRequestEvent) -> None:
        found = stored if e.served_path == served_key else await storage.info(e.served_path)
        if found is None:
            raise NotFoundError()
        request.scope["state"][NO_FRAME_OPTIONS] = True
        served.append(await serve_stored_file(request, storage, e.served_path, e.served_name, found))

    event = FileDownloadRequestEvent(
        exchange_of(request), collection, record, field, served_key, served_name, thumb_error
    )
    await app.on_file_download_request.trigger(event, serve)
    return served[-1] if served else respond(request, exchange_of(request))


async def serve_stored_file(
    request: AnyRequest, storage: Filesystem, key: str, name: str, stored: FileInfo
) -> Response[bytes] | Stream:
    """The bytes with PocketBase's headers (set before Go's `http.ServeContent` runs)."""
    content_type = stored.attrs.content_type or "application/octet-stream"
    attachment = request.query_params.get("download", "") in _TRUE
    disposition = "inline" if content_type in _INLINE_TYPES and not attachment else "attachment"
    preset: dict[str, Any] = {
        "Content-Disposition": f'{disposition}; filename="{name}"',
        "Content-Type": _EXTENSION_TYPES.get(extension(key), content_type),
        "Content-Security-Policy": _CSP,
        "Cache-Control": _CACHE,
    }
    return await serve_content(request, storage, key, stored.size, stored.modified, preset)


ROUTES = [serve_file]
