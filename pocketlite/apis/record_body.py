"""Reading record bodies (records-api.md §6): a JSON object, or form fields with PocketBase's
type inference, repeated keys as arrays, uploads as `Upload`s and `@jsonPayload` merged in."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar.datastructures import UploadFile

from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.core.fields.file import Upload

__all__ = ["read_record_body"]

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_NUMBER_RE = re.compile(r"^-?[0-9.]+$")


def _infer(value: str) -> Any:
    """`"true"`/`"false"` → bool; a number that prints back identically → number; else text."""
    if value in ("true", "false"):
        return value == "true"
    if _NUMBER_RE.match(value):
        try:
            number = float(value)
        except ValueError:
            return value
        printed = str(int(number)) if number.is_integer() else repr(number)
        if printed == value:
            return int(number) if number.is_integer() else number
    return value


async def read_record_body(request: AnyRequest) -> dict[str, Any]:
    """The submitted data; a body that isn't an object is PocketBase's generic 400."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        return await _read_form(request)
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise BadRequestError() from exc
    if not isinstance(data, dict):
        raise BadRequestError()
    return data


async def _read_form(request: AnyRequest) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    payloads: list[str] = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            inferred: Any = Upload(value.filename or "", await value.read())
        elif key == "@jsonPayload":
            payloads.append(value)
            continue
        else:
            inferred = _infer(value)
        if key in data:
            previous = data[key]
            data[key] = [*previous, inferred] if isinstance(previous, list) else [previous, inferred]
        else:
            data[key] = inferred
    for payload in payloads:
        try:
            decoded = msgspec.json.decode(payload)
        except msgspec.DecodeError as exc:
            raise BadRequestError() from exc
        if isinstance(decoded, dict):
            data.update(decoded)
    return data
