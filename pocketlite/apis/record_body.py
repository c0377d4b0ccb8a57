"""Reading record bodies (records-api.md §6): a JSON object, or form fields with PocketBase's
type inference, repeated keys as arrays, uploads as `Upload`s and `@jsonPayload` merged in. The
body is bound as PocketBase binds it into a map (see `apis/body.py`)."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar.datastructures import UploadFile

from pocketlite.apis.body import JSON_PAYLOAD, bind_payload
from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.core.fields.file import Upload

__all__ = ["read_record_body"]

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


async def read_record_body(request: AnyRequest, load_error: str = "") -> dict[str, Any]:
    """The submitted data; a body that isn't an object (nor `null`) is a 400 with `load_error`
    (PocketBase's generic message when ""). An unsupported Content-Type is PocketBase's own 400,
    unless `load_error` is given (an endpoint that wraps every binding error)."""
    body = await bind_payload(request, load_error, wrap_unsupported=bool(load_error))
    if body.kind == "form":
        return await _read_form(body.value, load_error)
    # NB: Go's encoding/xml can't decode into a map, so an XML body always fails here.
    if body.kind == "xml" or not isinstance(body.value, dict | None):
        raise BadRequestError(load_error)
    return body.value or {}


async def _read_form(items: list[tuple[str, Any]], load_error: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    payloads: list[str] = []
    for key, value in items:
        if isinstance(value, UploadFile):
            inferred: Any = Upload(value.filename or "", await value.read())
        elif key == JSON_PAYLOAD:
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
            raise BadRequestError(load_error) from exc
        if isinstance(decoded, dict):
            data.update(decoded)
    return data
