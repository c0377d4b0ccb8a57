"""The events of request hooks and routes (spec/hooks.md §2.3-2.4, §5.4), free of any web
framework: the HTTP layer fills in a `Request` and turns what a handler wrote into its response.

Every event of one request shares one `Exchange` — the auth record, the store and the written
response — as Go's embedded `RequestEvent` does, so an auth-with-password handler and the
auth handler nested in it see the same `e.get()`/`e.set()` values and the same written state.

The response methods (`json`, `string`, `html`, `blob`, `stream`, `no_content`, `redirect`)
record the response and mark it written; it is sent when the chain unwinds, so code after
`await e.next()` may still add headers. A chain that ends with nothing written answers an
empty 200, as PocketBase does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from pocketlite.core.collection import Collection
from pocketlite.core.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    InternalServerError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.record import Record
from pocketlite.core.record_resolver import RequestInfo
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.settings import Settings
from pocketlite.tools.hook import Event

if TYPE_CHECKING:
    from pocketlite.core.base import Core

__all__ = [
    "BatchRequestEvent",
    "CollectionRequestEvent",
    "CollectionsImportRequestEvent",
    "CollectionsListRequestEvent",
    "Exchange",
    "FileDownloadRequestEvent",
    "FileTokenRequestEvent",
    "RealtimeConnectRequestEvent",
    "RealtimeMessageEvent",
    "RealtimeSubscribeRequestEvent",
    "RecordAuthRefreshRequestEvent",
    "RecordAuthRequestEvent",
    "RecordAuthWithOAuth2RequestEvent",
    "RecordAuthWithOTPRequestEvent",
    "RecordAuthWithPasswordRequestEvent",
    "RecordConfirmEmailChangeRequestEvent",
    "RecordConfirmPasswordResetRequestEvent",
    "RecordConfirmVerificationRequestEvent",
    "RecordCreateOTPRequestEvent",
    "RecordEmailChangeRequestEvent",
    "RecordRequestEmailChangeRequestEvent",
    "RecordRequestEvent",
    "RecordRequestPasswordResetRequestEvent",
    "RecordRequestVerificationRequestEvent",
    "RecordsListRequestEvent",
    "Request",
    "RequestEvent",
    "Response",
    "SettingsListRequestEvent",
    "SettingsUpdateRequestEvent",
]

T = TypeVar("T")


class Request:
    """The request as hook code reads it."""

    __slots__ = ("_path_values", "headers", "method", "path", "query", "remote_ip", "scheme", "url")

    def __init__(
        self,
        method: str,
        url: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        path_values: dict[str, str] | None = None,
        remote_ip: str = "",
        scheme: str = "http",
    ) -> None:
        self.method = method
        self.url = url
        self.path = path
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.query = dict(query or {})
        self._path_values = dict(path_values or {})
        self.remote_ip = remote_ip
        self.scheme = scheme

    def header(self, name: str) -> str:
        """A request header by case-insensitive name ("" when absent)."""
        return self.headers.get(name.lower(), "")

    def path_value(self, name: str) -> str:
        """The value of the `{name}` segment of the route's path ("" when absent)."""
        return self._path_values.get(name, "")


class Response:
    """What a handler wrote: status, headers and one of JSON data, bytes or a stream."""

    __slots__ = ("body", "content_type", "data", "headers", "is_json", "status", "stream")

    def __init__(self, status: int, content_type: str = "", body: bytes = b"") -> None:
        self.status = status
        self.content_type = content_type
        self.body = body
        self.is_json = False
        self.data: Any = None  # JSON data, encoded by the HTTP layer (with `?fields=`)
        self.stream: AsyncIterable[bytes] | None = None
        self.headers: list[tuple[str, str]] = []


class Exchange:
    """The state every event of one request shares. The request's details are read from the
    HTTP layer on first use: most requests never have a handler that looks."""

    def __init__(
        self,
        app: Core,
        request: Request | Callable[[], Request],
        auth: Record | None = None,
        *,
        info: Callable[[], Awaitable[RequestInfo]] | None = None,
        body: Callable[[], Awaitable[dict[str, Any]]] | None = None,
        real_ip: str | Callable[[], str] = "",
    ) -> None:
        self.app = app
        self._request = request
        self.auth = auth
        self.store: dict[str, Any] = {}
        self.response: Response | None = None
        # Headers and cookies set by handlers; they go with whatever is sent.
        self.headers: list[tuple[str, str]] = []
        self.cookies: list[dict[str, Any]] = []
        self._info = info
        self._body = body
        self._real_ip = real_ip

    @property
    def request(self) -> Request:
        if not isinstance(self._request, Request):
            self._request = self._request()
        return self._request

    @property
    def real_ip(self) -> str:
        if not isinstance(self._real_ip, str):
            self._real_ip = self._real_ip()
        return self._real_ip or self.request.remote_ip


class RequestEvent(Event):
    """A request seen by a route, a middleware or a request hook."""

    def __init__(self, exchange: Exchange) -> None:
        self._x = exchange

    # --- the request -----------------------------------------------------------------------------

    @property
    def app(self) -> Core:
        return self._x.app

    @property
    def request(self) -> Request:
        return self._x.request

    @property
    def auth(self) -> Record | None:
        """The auth record of the request's token (None for guests); a middleware may set it."""
        return self._x.auth

    @auth.setter
    def auth(self, record: Record | None) -> None:
        self._x.auth = record

    def has_superuser_auth(self) -> bool:
        """Whether a superuser makes the request."""
        return self._x.auth is not None and self._x.auth.collection.name == SUPERUSERS

    def real_ip(self) -> str:
        """The client's IP, from the trusted proxy headers of the settings when configured."""
        return self._x.real_ip

    def remote_ip(self) -> str:
        """The IP of the connection's peer."""
        return self._x.request.remote_ip

    def is_tls(self) -> bool:
        """Whether the request came over HTTPS."""
        return self._x.request.scheme == "https"

    async def request_info(self) -> RequestInfo:
        """The request as rules see it (`@request.*`): method, query, headers, body, auth."""
        if self._x._info is None:
            request = self._x.request
            headers = {k.replace("-", "_"): v for k, v in request.headers.items()}
            return RequestInfo("default", request.method, dict(request.query), headers, {}, self._x.auth)
        return await self._x._info()

    async def bind_body(self, type_: type[T]) -> T:
        """The request body (JSON, form or multipart) decoded into `type_` (a `msgspec.Struct`
        or any type msgspec converts to); a body that doesn't fit answers 400 with the field
        errors, as PocketBase's validation does."""
        data = await self._x._body() if self._x._body is not None else {}
        try:
            return msgspec.convert(data, type_, strict=False)
        except msgspec.ValidationError as exc:
            raise BadRequestError(
                "An error occurred while validating the submitted data.", _field_error(exc)
            ) from exc

    # --- the store -------------------------------------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        """A value a handler of this request stored."""
        return self._x.store.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Store a value for the later handlers of this request."""
        self._x.store[key] = value

    # --- the response ----------------------------------------------------------------------------

    def written(self) -> bool:
        """Whether a response was written."""
        return self._x.response is not None

    def status(self) -> int:
        """The written response's status (0 before one is written)."""
        return self._x.response.status if self._x.response is not None else 0

    def set_header(self, name: str, value: str) -> None:
        """Add a response header (kept whatever is written, before or after)."""
        self._x.headers.append((name, value))

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        path: str = "/",
        max_age: int | None = None,
        http_only: bool = True,
        secure: bool = False,
        same_site: str = "lax",
    ) -> None:
        """Set a cookie with the response."""
        self._x.cookies.append(
            {
                "key": name,
                "value": value,
                "path": path,
                "max_age": max_age,
                "httponly": http_only,
                "secure": secure,
                "samesite": same_site.lower(),
            }
        )

    def _write(self, response: Response) -> None:
        self._x.response = response

    def json(self, status: int, data: Any) -> None:
        """Answer JSON (`?fields=` applies, as with every JSON answer)."""
        response = Response(status, "application/json")
        response.data = data
        response.is_json = True
        self._write(response)

    def string(self, status: int, text: str) -> None:
        """Answer plain text."""
        self._write(Response(status, "text/plain; charset=utf-8", text.encode()))

    def html(self, status: int, text: str) -> None:
        """Answer HTML."""
        self._write(Response(status, "text/html; charset=utf-8", text.encode()))

    def blob(self, status: int, content_type: str, data: bytes) -> None:
        """Answer bytes of any type."""
        self._write(Response(status, content_type, bytes(data)))

    def stream(self, status: int, content_type: str, chunks: AsyncIterable[bytes]) -> None:
        """Answer with the chunks of an async iterable, sent as they come."""
        response = Response(status, content_type)
        response.stream = chunks
        self._write(response)

    def no_content(self, status: int = 204) -> None:
        """Answer without a body."""
        self._write(Response(status))

    def redirect(self, status: int, url: str) -> None:
        """Answer a redirect (a 3xx status) to `url`."""
        if not 300 <= status < 400:
            raise ValueError("a redirect needs a 3xx status")
        response = Response(status)
        response.headers.append(("Location", url))
        self._write(response)

    # --- errors (PocketBase's `e.BadRequestError(...)` and siblings) -----------------------------

    @staticmethod
    def error(status: int, message: str = "", data: Any = None) -> ApiError:
        return ApiError(message, data, status=status)

    @staticmethod
    def bad_request_error(message: str = "", data: Any = None) -> ApiError:
        return BadRequestError(message, data)

    @staticmethod
    def not_found_error(message: str = "", data: Any = None) -> ApiError:
        return NotFoundError(message, data)

    @staticmethod
    def forbidden_error(message: str = "", data: Any = None) -> ApiError:
        return ForbiddenError(message, data)

    @staticmethod
    def unauthorized_error(message: str = "", data: Any = None) -> ApiError:
        return UnauthorizedError(message, data)

    @staticmethod
    def too_many_requests_error(message: str = "", data: Any = None) -> ApiError:
        return TooManyRequestsError(message, data)

    @staticmethod
    def internal_server_error(message: str = "", data: Any = None) -> ApiError:
        return InternalServerError(message, data)


def _field_error(exc: msgspec.ValidationError) -> ValidationErrors:
    # msgspec says "Expected `int`, got `str` - at `$.age`" or "Object missing required field
    # `item`": the path, or the missing name, is the field (the top-level one).
    message, _, where = str(exc).partition(" - at `")
    missing = _MISSING.match(message)
    if missing is not None and not where:
        return ValidationErrors(
            {missing.group(1): ValidationError("validation_required", "Cannot be blank.")}
        )
    field = where.rstrip("`").removeprefix("$.").split(".")[0].split("[")[0] if where else ""
    if not field:
        return ValidationErrors({"body": ValidationError("validation_invalid_body", message)})
    return ValidationErrors({field: ValidationError("validation_invalid_value", message)})


_MISSING = re.compile(r"Object missing required field `([^`]+)`")


# --- the request hooks' events -------------------------------------------------------------------


class _CollectionTagged(RequestEvent):
    collection: Collection

    def tags(self) -> tuple[str, ...]:
        return tuple(t for t in (self.collection.id, self.collection.name) if t)


class RecordsListRequestEvent(_CollectionTagged):
    """`GET …/records` (`on_records_list_request`): the page found, before it is written."""

    def __init__(
        self, exchange: Exchange, collection: Collection, records: list[Record], result: dict[str, Any]
    ):
        super().__init__(exchange)
        self.collection = collection
        self.records = records
        self.result = result


class RecordRequestEvent(_CollectionTagged):
    """One record's request: view, create, update, delete (`on_record_*_request`)."""

    def __init__(self, exchange: Exchange, collection: Collection, record: Record) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record


class BatchRequestEvent(RequestEvent):
    """`POST /api/batch` (`on_batch_request`): the sub-requests (each with `method`, `url`,
    `headers` and `body`), before the transaction."""

    def __init__(self, exchange: Exchange, batch: list[Any]) -> None:
        super().__init__(exchange)
        self.batch = batch


class CollectionsListRequestEvent(RequestEvent):
    """`GET /api/collections` (`on_collections_list_request`)."""

    def __init__(self, exchange: Exchange, collections: list[Collection], result: dict[str, Any]) -> None:
        super().__init__(exchange)
        self.collections = collections
        self.result = result


class CollectionRequestEvent(_CollectionTagged):
    """One collection's request: view, create, update, delete (`on_collection_*_request`)."""

    def __init__(self, exchange: Exchange, collection: Collection) -> None:
        super().__init__(exchange)
        self.collection = collection


class CollectionsImportRequestEvent(RequestEvent):
    """`PUT /api/collections/import` (`on_collections_import_request`)."""

    def __init__(
        self, exchange: Exchange, collections_data: list[dict[str, Any]], delete_missing: bool
    ) -> None:
        super().__init__(exchange)
        self.collections_data = collections_data
        self.delete_missing = delete_missing


class SettingsListRequestEvent(RequestEvent):
    """`GET /api/settings` (`on_settings_list_request`)."""

    def __init__(self, exchange: Exchange, settings: Settings) -> None:
        super().__init__(exchange)
        self.settings = settings


class SettingsUpdateRequestEvent(RequestEvent):
    """`PATCH /api/settings` (`on_settings_update_request`)."""

    def __init__(self, exchange: Exchange, old_settings: Settings, new_settings: Settings) -> None:
        super().__init__(exchange)
        self.old_settings = old_settings
        self.new_settings = new_settings


# --- auth requests (all tagged by the auth collection) --------------------------------------------


class RecordAuthRequestEvent(_CollectionTagged):
    """Every successful sign-in, refresh and impersonation (`on_record_auth_request`): the last
    link does the MFA check, the login alert and writes `{token, record, meta?}`.
    `auth_method` is `password`, `oauth2` or `otp`; "" for a refresh or an impersonation."""

    def __init__(
        self,
        exchange: Exchange,
        collection: Collection,
        record: Record,
        token: str,
        meta: dict[str, Any] | None,
        auth_method: str,
    ) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.token = token
        self.meta = meta
        self.auth_method = auth_method


class RecordAuthWithPasswordRequestEvent(_CollectionTagged):
    """`auth-with-password` after the identity lookup (`record` None when nobody matched); the
    last link checks the password."""

    def __init__(
        self,
        exchange: Exchange,
        collection: Collection,
        record: Record | None,
        identity: str,
        identity_field: str,
        password: str,
    ) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.identity = identity
        self.identity_field = identity_field
        self.password = password


class RecordCreateOTPRequestEvent(_CollectionTagged):
    """`request-otp` (`on_record_request_otp_request`), even when no record matched (`record`
    None); `password` is the code about to be mailed."""

    def __init__(self, exchange: Exchange, collection: Collection, record: Record | None, password: str):
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.password = password


class RecordAuthWithOTPRequestEvent(_CollectionTagged):
    """`auth-with-otp` once the code is verified (`on_record_auth_with_otp_request`)."""

    def __init__(self, exchange: Exchange, collection: Collection, record: Record, otp: Record) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.otp = otp


class RecordEmailChangeRequestEvent(RecordRequestEvent):
    """`request-email-change` and `confirm-email-change`: the record and its `new_email`."""

    def __init__(self, exchange: Exchange, collection: Collection, record: Record, new_email: str) -> None:
        super().__init__(exchange, collection, record)
        self.new_email = new_email


# PocketBase's names of the auth events that carry just the collection and the record.
RecordAuthRefreshRequestEvent = RecordRequestEvent
RecordRequestPasswordResetRequestEvent = RecordRequestEvent
RecordConfirmPasswordResetRequestEvent = RecordRequestEvent
RecordRequestVerificationRequestEvent = RecordRequestEvent
RecordConfirmVerificationRequestEvent = RecordRequestEvent
RecordRequestEmailChangeRequestEvent = RecordEmailChangeRequestEvent
RecordConfirmEmailChangeRequestEvent = RecordEmailChangeRequestEvent


class RecordAuthWithOAuth2RequestEvent(_CollectionTagged):
    """`auth-with-oauth2` after the code exchange, before the record is linked or created
    (`on_record_auth_with_oauth2_request`); `record` is None for a sign-up, whose
    `create_data` the last link submits through the create action."""

    def __init__(
        self,
        exchange: Exchange,
        collection: Collection,
        provider_name: str,
        provider_client: Any,
        record: Record | None,
        oauth2_user: Any,
        create_data: dict[str, Any],
        is_new_record: bool,
    ) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.provider_name = provider_name
        self.provider_client = provider_client
        self.record = record
        self.oauth2_user = oauth2_user
        self.create_data = create_data
        self.is_new_record = is_new_record


# --- files ---------------------------------------------------------------------------------------


class FileDownloadRequestEvent(_CollectionTagged):
    """`GET /api/files/…` once the file was found and may be read (`on_file_download_request`);
    the last link serves `served_path` (a storage key) as `served_name`. `thumb_error` says why
    a requested thumbnail wasn't made (the original is served then)."""

    def __init__(
        self,
        exchange: Exchange,
        collection: Collection,
        record: Record,
        file_field: Any,
        served_path: str,
        served_name: str,
        thumb_error: BaseException | None,
    ) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.file_field = file_field
        self.served_path = served_path
        self.served_name = served_name
        self.thumb_error = thumb_error


class FileTokenRequestEvent(_CollectionTagged):
    """`POST /api/files/token` (`on_file_token_request`): the auth record and its new token."""

    def __init__(self, exchange: Exchange, collection: Collection, record: Record, token: str) -> None:
        super().__init__(exchange)
        self.collection = collection
        self.record = record
        self.token = token


# --- realtime ------------------------------------------------------------------------------------


class RealtimeConnectRequestEvent(RequestEvent):
    """`GET /api/realtime` (`on_realtime_connect_request`): code after `await e.next()` runs
    once the client has disconnected. `idle_timeout` (seconds) may be changed before `next`."""

    def __init__(self, exchange: Exchange, client: Any, idle_timeout: float) -> None:
        super().__init__(exchange)
        self.client = client
        self.idle_timeout = idle_timeout


class RealtimeSubscribeRequestEvent(RequestEvent):
    """`POST /api/realtime` after the client, IP and auth checks
    (`on_realtime_subscribe_request`): the subscriptions about to replace the client's."""

    def __init__(self, exchange: Exchange, client: Any, subscriptions: list[str]) -> None:
        super().__init__(exchange)
        self.client = client
        self.subscriptions = subscriptions


class RealtimeMessageEvent(Event):
    """One message about to be written to one realtime client (`on_realtime_message_send`),
    `PB_CONNECT` included; `message` has a `name` and JSON `data` (bytes)."""

    def __init__(self, app: Core, client: Any, message: Any) -> None:
        self.app = app
        self.client = client
        self.message = message
