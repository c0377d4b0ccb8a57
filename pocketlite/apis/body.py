"""Reading request bodies into typed msgspec structs.

Accepted as PocketBase does: JSON (`application/json…`), urlencoded and multipart forms; any other
non-empty body is `400 Unsupported Content-Type.`; a body that doesn't decode into the expected
shape is `400 An error occurred while loading the submitted data.`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from pocketlite.apis.context import AnyRequest
from pocketlite.core.errors import BadRequestError

__all__ = ["LOAD_ERROR", "read_body", "read_form"]

LOAD_ERROR = "An error occurred while loading the submitted data."

T = TypeVar("T")

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def read_form(request: AnyRequest) -> dict[str, Any]:
    """Form fields: a string, or a list for repeated keys; uploads are left to the caller."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if key in out:
            prev = out[key]
            out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", annotation) in (list, tuple, set)


async def read_body(request: AnyRequest, type_: type[T], load_error: str = LOAD_ERROR) -> T:
    """Decode the body into `type_`; an empty body gives `type_`'s defaults. A body of the wrong
    shape is a 400 with `load_error`."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        form = await read_form(request)
        # A key sent once is a plain string; list fields take it as a list of one.
        for field in msgspec.structs.fields(type_):  # type: ignore[arg-type]
            if isinstance(form.get(field.encode_name), str) and _is_list(field.type):
                form[field.encode_name] = [form[field.encode_name]]
        try:
            return msgspec.convert(form, type_, strict=False)
        except msgspec.ValidationError as exc:
            raise BadRequestError(load_error) from exc
    raw = await request.body()
    if not raw:
        return msgspec.convert({}, type_)
    if not content_type.startswith("application/json"):
        raise BadRequestError("Unsupported Content-Type.")
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.DecodeError as exc:
        raise BadRequestError(load_error) from exc
