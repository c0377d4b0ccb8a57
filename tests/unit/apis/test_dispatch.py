"""Route handlers called straight answer exactly as through Litestar, and handlers that need
Litestar's own layers still get them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import File
from litestar.types import ASGIApp, Receive, Scope, Send

from pocketlite.apis.dispatch import dispatch
from pocketlite.apis.errors import EXCEPTION_HANDLERS
from pocketlite.core.errors import BadRequestError

# The handlers are written as the app's are, with parameters Litestar infers from the signature
# (a style Litestar 3 drops: it warns when the app is built).
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:litestar")

Answer = tuple[int, dict[str, str], bytes]


@get("/plain/{name:str}")
async def plain(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    if name == "bad":
        raise BadRequestError("Bad name.", {"name": "invalid"})
    return Response(f"{request.method} {name}".encode(), media_type="text/plain")


@get("/query/{name:str}")
async def with_query(name: str, flavour: str = "plain") -> Response[bytes]:
    return Response(f"{name} {flavour}".encode(), media_type="text/plain")


@get("/injected", dependencies={"word": Provide(lambda: "injected", sync_to_thread=False)})
async def with_dependency(request: Request[Any, Any, Any], word: str) -> Response[bytes]:
    return Response(word.encode(), media_type="text/plain")


def _teapot(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return Response(b"its own handler", status_code=418)


@get("/own-errors/{name:str}", exception_handlers={BadRequestError: _teapot})
async def with_own_error_handler(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    raise BadRequestError(f"Bad {name}.")


def _stamping(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"]["stamp"] = "stamped"
        await app(scope, receive, send)

    return middleware


@get("/with-middleware", middleware=[_stamping])
async def with_middleware(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(request.scope["state"]["stamp"].encode(), media_type="text/plain")


UPLOADS: list[UploadFile] = []


@post("/upload/{name:str}", status_code=200)
async def upload(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    form = await request.form()
    UPLOADS.extend(v for v in form.getall("file", []) if isinstance(v, UploadFile))
    return Response(await UPLOADS[-1].read(), media_type="text/plain")


@get(["/", "/{path:path}"])
async def catch_all(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(f"caught {request.url.path}".encode(), media_type="text/plain")


def _missing_file(tmp: Path) -> Any:
    @get("/files/{name:str}")
    async def download(request: Request[Any, Any, Any], name: str) -> File:
        return File(tmp / name)  # fails when sent, before the response starts

    return download


@pytest.fixture
def app(tmp_path: Path) -> Any:
    litestar = Litestar(
        [
            plain,
            with_query,
            with_dependency,
            with_own_error_handler,
            with_middleware,
            upload,
            catch_all,
            _missing_file(tmp_path),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=None,
    )
    return dispatch(litestar)


def _call(
    app: Any,
    method: str,
    path: str,
    query: str = "",
    host: bytes = b"localhost",
    body: bytes = b"",
    content_type: bytes = b"",
) -> Answer:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", host), *([(b"content-type", content_type)] if content_type else [])],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8090),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *bodies = sent
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in bodies)


def test_a_plain_handler_gets_the_request_and_the_path_values(app: Any) -> None:
    assert _call(app, "GET", "/plain/ann")[::2] == (200, b"GET ann")


def test_an_error_of_a_plain_handler_is_the_pocketbase_envelope(app: Any) -> None:
    status, headers, body = _call(app, "GET", "/plain/bad")
    assert (status, headers["content-type"]) == (400, "application/json")
    assert json.loads(body) == {
        "data": {"name": "invalid"},
        "message": "Bad name.",
        "status": 400,
    }


def test_handlers_that_need_litestar_still_get_their_parameters(app: Any) -> None:
    assert _call(app, "GET", "/query/ann", "flavour=mint")[::2] == (200, b"ann mint")
    assert _call(app, "GET", "/injected")[::2] == (200, b"injected")
    assert _call(app, "GET", "/own-errors/ann")[::2] == (418, b"its own handler")
    assert _call(app, "GET", "/with-middleware")[::2] == (200, b"stamped")


def test_a_handler_on_a_plain_path_and_a_wildcard_path_serves_both(app: Any) -> None:
    assert _call(app, "GET", "/")[::2] == (200, b"caught /")
    assert _call(app, "GET", "/some/where")[::2] == (200, b"caught /some/where")


def test_the_uploaded_files_of_a_plain_handler_are_closed_once_it_answered(app: Any) -> None:
    multipart = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
        b"hello\r\n"
        b"--b--\r\n"
    )
    UPLOADS.clear()
    form = b"multipart/form-data; boundary=b"
    answer = _call(app, "POST", "/upload/ann", body=multipart, content_type=form)
    assert answer[::2] == (200, b"hello")
    assert [u.file.closed for u in UPLOADS] == [True]


def test_a_response_failing_before_it_starts_is_answered_with_an_error(app: Any) -> None:
    status, _, body = _call(app, "GET", "/files/nothing.txt")
    assert status >= 400
    assert set(json.loads(body)) == {"data", "message", "status"}


def test_an_unknown_method_or_a_bad_host_is_litestars_answer(app: Any) -> None:
    assert _call(app, "POST", "/plain/ann")[0] == 404  # PocketBase's answer: "Not Found."
    assert _call(app, "GET", "/plain/ann", host=b"bad host")[0] == 400
