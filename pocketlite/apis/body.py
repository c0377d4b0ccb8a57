"""Reading request bodies as PocketBase's `BindBody` does (tools/router/event.go).

- A request that declares no body (no or a zero Content-Length, not chunked) binds nothing.
- `application/json…`: the first JSON value; what follows it is ignored and `null` binds nothing
  (Go's `json.Decoder.Decode`).
- `multipart/form-data…`, `application/x-www-form-urlencoded…`: the form fields together with the
  URL query's, as Go's `Request.Form`; a malformed form or query string fails.
- `text/xml…`, `application/xml…`: the root element (Go's `encoding/xml`).
- Anything else, a missing Content-Type included, is `400 Unsupported Content-Type.`, so that a
  cross-site `text/plain` request (one a browser sends without a CORS preflight) writes nothing.

The prefixes are compared case-sensitively, as PocketBase compares them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from xml.etree import ElementTree

import msgspec
from litestar.datastructures import FormMultiDict
from litestar.exceptions import HTTPException
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from pocketlite.apis.context import RAW_QUERY, AnyRequest
from pocketlite.core.errors import BadRequestError
from pocketlite.tools.goquery import parse_query

__all__ = [
    "JSON_PAYLOAD",
    "LOAD_ERROR",
    "Body",
    "BodyError",
    "UnsupportedContentType",
    "bind_payload",
    "close_uploads",
    "nested_form",
    "read_body",
    "read_payload",
]

LOAD_ERROR = "An error occurred while loading the submitted data."
JSON_PAYLOAD = "@jsonPayload"

T = TypeVar("T")

_MULTIPART = "multipart/form-data"
_URLENCODED = "application/x-www-form-urlencoded"
_XML = ("text/xml", "application/xml")
# msgspec names where the first value ended when more follows it.
_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")


class UnsupportedContentType(BadRequestError):
    """The body is of a type PocketBase doesn't bind."""

    def __init__(self) -> None:
        super().__init__("Unsupported Content-Type.")


class BodyError(Exception):
    """The body couldn't be read (the client hung up mid-way) or didn't decode."""


@dataclass(frozen=True)
class Body:
    """What a request carried: nothing, a JSON value, form items (`str` or `UploadFile` values, in
    Go's `Request.Form` order) or an XML root element."""

    kind: Literal["none", "json", "form", "xml"]
    value: Any = None


async def _declares_body(request: AnyRequest) -> bool:
    """Go's `ContentLength != 0`: a chunked body, or a Content-Length other than 0."""
    if "transfer-encoding" in request.headers:
        return True
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() != "0"
    return bool(await request.body())  # HTTP/2 may send a body without a length


def _first_json_value(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        trailing = _TRAILING.search(str(exc))
        if trailing is None:
            raise BodyError() from exc
    # NB: Go's json.Decoder reads one value and never looks at what follows (`{}garbage` binds {}).
    try:
        return msgspec.json.decode(raw[: int(trailing[1]) - 1])
    except msgspec.DecodeError as exc:
        raise BodyError() from exc


async def _form_items(request: AnyRequest, content_type: str) -> list[tuple[str, Any]]:
    # The query as sent: Go's ParseForm fails on a malformed one, which the middleware cleaned.
    raw: bytes = request.scope.get(RAW_QUERY) or request.scope.get("query_string", b"")  # type: ignore[assignment]
    query, query_ok = parse_query(raw)
    if not query_ok:
        raise BodyError()  # Go's ParseForm fails on a malformed URL query as well
    if content_type.startswith(_URLENCODED):
        fields, ok = parse_query(await request.body())
        if not ok:
            raise BodyError()
        return [*fields, *query]  # Go: the body's values first, then the URL query's
    form = await request.form()
    return [*query, *form.multi_items()]  # Go: the URL query's values first, then the parts


async def close_uploads(scope: Any) -> None:
    """Close the uploaded files of a multipart body the request read (their spooled temporary
    files), once its response went out: what Litestar does after the routes it calls itself."""
    form = ScopeState.from_scope(scope).form
    if form is not Empty:
        await FormMultiDict.from_form_data(form).close()


async def read_payload(request: AnyRequest) -> Body:
    """The request body as PocketBase binds it; `UnsupportedContentType` or `BodyError`."""
    content_type = request.headers.get("content-type", "")
    try:
        if not await _declares_body(request):
            return Body("none")
        if content_type.startswith("application/json"):
            return Body("json", _first_json_value(await request.body()))
        if content_type.startswith((_MULTIPART, _URLENCODED)):
            return Body("form", await _form_items(request, content_type))
        if content_type.startswith(_XML):
            return Body("xml", ElementTree.fromstring(await request.body()))
    except ElementTree.ParseError as exc:
        raise BodyError() from exc
    except HTTPException as exc:
        # Litestar's own failures: a client gone mid-body (a malformed chunk), a multipart type
        # without boundary. The body limit stays a 413.
        if exc.status_code == 413:
            raise
        raise BodyError() from exc
    raise UnsupportedContentType()


async def bind_payload(request: AnyRequest, load_error: str, *, wrap_unsupported: bool) -> Body:
    """`read_payload` with its failures as API errors: a body that doesn't read is a 400 with
    `load_error`; an unsupported Content-Type is PocketBase's own 400, or one with `load_error`
    when the endpoint wraps every binding error (`wrap_unsupported`)."""
    try:
        return await read_payload(request)
    except UnsupportedContentType:
        if wrap_unsupported:
            raise BadRequestError(load_error) from None
        raise
    except BodyError as exc:
        raise BadRequestError(load_error) from exc


def nested_form(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form fields as a document: a key sent once is a string, a repeated one a list of strings,
    `a.b` a nested key (Go binds dotted names into nested structs); uploads are left out and
    `@jsonPayload` objects are merged over the result."""
    grouped: dict[str, list[str]] = {}
    for key, value in items:
        if isinstance(value, str) and key != JSON_PAYLOAD:
            grouped.setdefault(key, []).append(value)
    out: dict[str, Any] = {}
    for key, values in grouped.items():
        *parents, leaf = key.split(".")
        target = out
        for parent in parents:
            child = target.setdefault(parent, {})
            if not isinstance(child, dict):
                break
            target = child
        else:
            target[leaf] = values[0] if len(values) == 1 else values
    for key, value in items:
        if key == JSON_PAYLOAD and isinstance(value, str):
            try:
                decoded = msgspec.json.decode(value)
            except msgspec.DecodeError as exc:
                raise BodyError() from exc
            if isinstance(decoded, dict):
                out.update(decoded)
    return out


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", annotation) in (list, tuple, set)


def _struct_form(items: list[tuple[str, Any]], type_: Any) -> dict[str, Any]:
    """The fields of struct `type_` a form sets: the first value, or all for a list field. An
    empty value leaves a non-text field at its zero value, as Go does."""
    data = nested_form(items)
    out: dict[str, Any] = {}
    for field in msgspec.structs.fields(type_):
        value = data.get(field.encode_name)
        if value is None or (value == "" and field.type is not str):
            continue
        if isinstance(value, str) and _is_list(field.type):
            value = [value]
        elif isinstance(value, list) and not _is_list(field.type) and all(isinstance(v, str) for v in value):
            value = value[0]
        out[field.encode_name] = value
    return out


def _struct_xml(root: ElementTree.Element, type_: Any) -> dict[str, Any]:
    """The fields of struct `type_` named by the root's children. Go's `encoding/xml` matches an
    untagged field by its Go name: the JSON name with a capital first letter (`<Identity>`)."""
    names = {f.encode_name[:1].upper() + f.encode_name[1:]: f for f in msgspec.structs.fields(type_)}
    out: dict[str, Any] = {}
    for child in root:
        field = names.get(child.tag)
        if field is not None:
            text = child.text or ""
            out[field.encode_name] = [text] if _is_list(field.type) else text
    return out


async def read_body(
    request: AnyRequest, type_: type[T], load_error: str = LOAD_ERROR, *, wrap_unsupported: bool = False
) -> T:
    """Decode the body into `type_` (a struct, or `dict[str, Any]`); no body gives `type_`'s
    defaults. A body that doesn't decode is a 400 with `load_error`; an unsupported Content-Type
    is PocketBase's own 400, or one with `load_error` when the endpoint wraps it
    (`wrap_unsupported`)."""
    body = await bind_payload(request, load_error, wrap_unsupported=wrap_unsupported)
    is_struct = isinstance(type_, type) and issubclass(type_, msgspec.Struct)
    try:
        if body.kind == "form":
            data = _struct_form(body.value, type_) if is_struct else nested_form(body.value)
            return msgspec.convert(data, type_, strict=False)
        if body.kind == "xml":
            return msgspec.convert(_struct_xml(body.value, type_) if is_struct else {}, type_, strict=False)
        return msgspec.convert({} if body.value is None else body.value, type_)
    except (msgspec.ValidationError, BodyError) as exc:
        raise BadRequestError(load_error) from exc
