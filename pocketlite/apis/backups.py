"""The backups API (admin-apis.md §4): superusers list, create, upload, download (with a file
token), delete and restore the backups of pb_data."""

from __future__ import annotations

import datetime as _dt
import logging
from typing import Any, BinaryIO, cast

import msgspec
from litestar import Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.response import Stream

from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, get_app, is_superuser, require_superuser
from pocketlite.apis.files import serve_stored_file
from pocketlite.apis.realip import real_ip
from pocketlite.apis.response import json_response
from pocketlite.core.backup_restore import RESTORE_FAILURES
from pocketlite.core.backups import (
    active_backup,
    backup_exists,
    backup_info,
    backups_store,
    close_backups_store,
    delete_backup,
    is_reserved,
    open_backups_store,
)
from pocketlite.core.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.fields.file import file_name
from pocketlite.core.fields.go_regexp import compile_go
from pocketlite.core.validators import first_error, length, match
from pocketlite.tools.filesystem import Filesystem
from pocketlite.tools.iplist import ip_in_list
from pocketlite.tools.mimetype import detect, is_type
from pocketlite.tools.tasks import fire_and_forget
from pocketlite.tools.types import format_datetime

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

_BUSY = "Try again later - another backup/restore process has already been started"
_INVALID = "An error occurred while validating the submitted data."
_NAME = compile_go(r"^[a-z0-9_-]+\.zip$")
_ZIP = "application/zip"
# What mime sniffing reads of an upload.
_SNIFF = 3072


class BackupForm(msgspec.Struct):
    """Body of `POST /api/backups`: the name, or none for a generated one."""

    name: str | None = None


class BackupFile(msgspec.Struct):
    """One backup of the list, keys in PocketBase's order."""

    modified: str
    key: str
    size: int


@get("/api/backups")
async def list_backups(request: AnyRequest) -> Response[bytes]:
    """Every backup in the store, by key."""
    require_superuser(request)
    async with backups_store(get_app(request)) as store:
        try:
            listed = await store.list_files()
        except Exception as exc:
            raise BadRequestError(f"Failed to retrieve backup items. Raw error: \n{exc}") from exc
    items = [BackupFile(_modified(f.modified), f.key, f.size) for f in listed]
    return json_response(request, items)


@post("/api/backups", status_code=204)
async def create_backup(request: AnyRequest) -> None:
    """A backup now (synchronous), named by the body or generated."""
    require_superuser(request)
    app = get_app(request)
    if active_backup(app.data_dir) is not None:
        raise BadRequestError(_BUSY)
    name = (await read_body(request, BackupForm, wrap_unsupported=True)).name or ""
    async with backups_store(app) as store:
        error = first_error(name, length(1, 150), match(_NAME))
        if error is None and name and await backup_exists(store, name):
            error = ValidationError(
                "validation_backup_name_exists", "The backup file name is invalid or already exists."
            )
    if error is not None:
        raise BadRequestError(_INVALID, ValidationErrors({"name": error}))
    try:
        await app.create_backup(name)
    except Exception as exc:
        raise BadRequestError(
            "Failed to create backup.", exc if isinstance(exc, ValidationErrors) else None
        ) from exc


@post("/api/backups/upload", status_code=204, request_max_body_size=None)
async def upload_backup(request: AnyRequest) -> None:
    """Store an uploaded zip under its own file name (no body size limit)."""
    require_superuser(request)
    upload = await _uploaded(request)
    if upload is None:
        raise BadRequestError(
            _INVALID, ValidationErrors({"file": ValidationError("validation_required", "Cannot be blank.")})
        )
    try:
        key = upload.filename.rstrip("/").rpartition("/")[2]  # Go keeps the base name only
        async with backups_store(get_app(request)) as store:
            error = await _upload_error(store, upload, key)
            if error is not None:
                raise BadRequestError(_INVALID, ValidationErrors({"file": error}))
            try:
                await store.upload(key, cast(BinaryIO, upload.file), _ZIP, {"original-filename": key[:255]})
            except Exception as exc:
                raise BadRequestError("Failed to upload backup.") from exc
    finally:
        await upload.close()


@get("/api/backups/{key:str}")
async def download_backup(request: AnyRequest, key: str) -> Response[Any] | Stream:
    """The zip, for a superuser's file token in `?token=` (the Authorization header doesn't
    count: a browser download can't send it)."""
    app = get_app(request)
    token = request.query_params.get("token", "")
    auth = await app.find_auth_record_by_token(token, "file") if token else None
    allowed = app.settings.superuserIPs
    if not is_superuser(auth) or (allowed and not ip_in_list(real_ip(request), allowed)):
        raise ForbiddenError("Insufficient permissions to access the resource.")
    store = open_backups_store(app)
    try:
        stored = await backup_info(store, key)
        if stored is None:
            # NB: PocketBase's local store fails a sidecar's key (a generic 400), not finds none.
            raise BadRequestError() if is_reserved(store, key) else NotFoundError()
        response = await serve_stored_file(request, store, key, key, stored)
    except BaseException:
        await close_backups_store(store)
        raise
    # A big file streams after this returns: the store stays open until it has gone out.
    response.background = BackgroundTask(close_backups_store, store)
    return response


@delete("/api/backups/{key:str}", status_code=204)
async def delete_backup_file(request: AnyRequest, key: str) -> None:
    """Remove a backup, unless it is being created or restored."""
    require_superuser(request)
    app = get_app(request)
    if key and active_backup(app.data_dir) == key:
        raise BadRequestError("The backup is currently being used and cannot be deleted.")
    async with backups_store(app) as store:
        try:
            await delete_backup(store, key)
        except Exception as exc:
            raise BadRequestError(f"Invalid or already deleted backup file. Raw error: \n{exc}") from exc


@post("/api/backups/{key:str}/restore", status_code=204)
async def restore_backup(request: AnyRequest, key: str) -> None:
    """Answer at once, then restore in the background: the server restarts in place on the
    restored data, or, when the backup doesn't check out, logs why and keeps running as is."""
    require_superuser(request)
    app = get_app(request)
    if active_backup(app.data_dir) is not None:
        raise BadRequestError(_BUSY)
    async with backups_store(app) as store:
        try:
            found = await backup_info(store, key) is not None
        except Exception:
            found = False
    if not found:
        raise BadRequestError("Missing or invalid backup file.")

    async def restore() -> None:
        try:
            await app.restore_backup(key)
        except RESTORE_FAILURES as exc:
            _log.error("Failed to restore backup", extra={"data": {"key": key, "error": str(exc)}})

    fire_and_forget(restore(), f"restoring the backup {key}", fresh_context=True)


async def _uploaded(request: AnyRequest) -> UploadFile | None:
    """The first file of the multipart field `file`, or None (as Go, a body that doesn't parse
    has no files)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return None
    try:
        form = await request.form()
    except Exception:
        return None
    return next((v for v in form.getall("file", []) if isinstance(v, UploadFile) and v.filename), None)


async def _upload_error(store: Filesystem, upload: UploadFile, key: str) -> ValidationError | None:
    """PocketBase's checks of an upload: a zip (by its bytes, not its declared type), under a
    name not taken."""
    sniffed = detect(await upload.read(_SNIFF))
    await upload.seek(0)
    if not is_type(sniffed, _ZIP):
        # NB: the message names the file as a record upload would be stored (a random suffix).
        name = msgspec.json.encode(file_name(key, sniffed)).decode()
        return ValidationError("validation_invalid_mime_type", f"{name} mime type must be one of: {_ZIP}.")
    if await backup_exists(store, key):
        return ValidationError(
            "validation_backup_name_exists", "Backup file with the specified name already exists."
        )
    return None


def _modified(timestamp: float) -> str:
    return format_datetime(_dt.datetime.fromtimestamp(timestamp, _dt.UTC))


ROUTES: list[Any] = [
    list_backups,
    create_backup,
    upload_backup,
    download_backup,
    delete_backup_file,
    restore_backup,
]
