"""Auth endpoints of auth collections (auth-api.md): password login, token refresh,
impersonation, file tokens, and the steps every sign-in ends with."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
from litestar import Response, post

from pocketlite.apis.body import read_body
from pocketlite.apis.context import (
    AnyRequest,
    auth_collection,
    get_app,
    get_auth,
    is_superuser,
    request_info,
    require_collection_auth,
    require_superuser,
)
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.realip import real_ip
from pocketlite.apis.records import Call, serialize
from pocketlite.apis.response import JSON, json_bytes
from pocketlite.core.auth import find_record_by_identity, password_matches
from pocketlite.core.auth_alerts import remember_login_origin
from pocketlite.core.collection import Collection
from pocketlite.core.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
    ValidationErrors,
)
from pocketlite.core.mails import send_auth_alert
from pocketlite.core.mfa import mfa_step
from pocketlite.core.record import Record
from pocketlite.core.record_query import find_visible_record
from pocketlite.core.records import find_record_by_id
from pocketlite.core.request_events import (
    FileTokenRequestEvent,
    RecordAuthRequestEvent,
    RecordAuthWithPasswordRequestEvent,
    RecordRequestEvent,
)
from pocketlite.core.tokens import AUTH, issue_token, read_claims
from pocketlite.tools.iplist import ip_in_list

__all__ = ["ROUTES", "finish_auth"]

_MAX_LENGTH = 255


class PasswordLogin(msgspec.Struct):
    """Body of `auth-with-password`."""

    identity: str = ""
    password: str = ""
    identityField: str = ""
    mfaId: str = ""


def _length_error(value: str) -> ValidationError | None:
    if not value:
        return ValidationError("validation_required", "Cannot be blank.")
    if len(value) > _MAX_LENGTH:
        return ValidationError(
            "validation_length_out_of_range",
            f"The length must be between 1 and {_MAX_LENGTH}.",
            {"max": _MAX_LENGTH, "min": 1},
        )
    return None


def _validate(body: PasswordLogin, collection: Collection) -> None:
    assert collection.auth is not None
    errors: dict[str, ValidationError | ValidationErrors] = {}
    for name in ("identity", "password"):
        error = _length_error(getattr(body, name))
        if error is not None:
            errors[name] = error
    if body.identityField and body.identityField not in collection.auth.passwordAuth.identityFields:
        errors["identityField"] = ValidationError("validation_in_invalid", "Must be a valid value.")
    if errors:
        raise ValidationErrors(errors)


async def _check_auth_rule(request: AnyRequest, record: Record, method: str) -> None:
    """The collection's `authRule` for the record signing in: null refuses everyone, "" admits
    everyone, an expression must match the record. NB: as in PocketBase, the rule sees the
    sign-in request itself, so `@request.auth` is still empty."""
    collection = record.collection
    assert collection.auth is not None
    rule = collection.auth.authRule
    if rule == "" or is_superuser(get_auth(request)):
        return
    if rule is not None:
        app = get_app(request)
        info = dataclasses.replace(request_info(request), context=method)
        try:
            if await find_visible_record(app, collection, record.id, rule, info):
                return
        except ValueError:
            pass
    raise ForbiddenError("The request doesn't satisfy the collection requirements to authenticate.")


async def finish_auth(
    request: AnyRequest,
    record: Record,
    method: str,
    *,
    token: str = "",
    meta: dict[str, Any] | None = None,
    mfa_id: str = "",
) -> Response[Any]:
    """The steps every sign-in ends with (auth-api.md §2): superuser IP whitelist and
    `authRule`, then `on_record_auth_request`, whose last link does MFA (a `401 {"mfaId"}` until
    a second method completes it), the login alert, and answers `{"meta"?, "record", "token"}`
    with `?expand=`. `method` "" skips MFA and alerts (refresh, impersonation); `token` "" issues
    a new refreshable auth token. Nested in another auth hook, the answer is that hook's."""
    app = get_app(request)
    allowed_ips = app.settings.superuserIPs
    if is_superuser(record) and allowed_ips and not ip_in_list(real_ip(request), allowed_ips):
        raise ForbiddenError()
    await _check_auth_rule(request, record, method or "default")
    token = token or issue_token(record, AUTH, refreshable=True)
    exchange = exchange_of(request)

    async def answer(e: RecordAuthRequestEvent) -> None:
        if e.written():
            return
        info = dataclasses.replace(request_info(request), context=e.auth_method or "default")
        mfa = request.query_params.get("mfaId") or mfa_id
        session = await mfa_step(app, e.record, e.auth_method, mfa, info)
        if session:
            e.blob(401, JSON, json_bytes({"mfaId": session}))
            return
        assert e.record.collection.auth is not None
        if e.auth_method and e.record.collection.auth.authAlert.enabled:
            signed_in = e.record

            async def alert(alert_info: str) -> None:
                await send_auth_alert(app, signed_in, alert_info)

            await remember_login_origin(
                app, e.record, real_ip(request), request.headers.get("user-agent", ""), alert
            )
        call = Call(app, e.record, info.method, info.query, info.headers)
        body: dict[str, Any] = {} if e.meta is None else {"meta": e.meta}
        body["record"] = (await serialize(call, [e.record], dataclasses.replace(info, auth=e.record)))[0]
        body["token"] = e.token
        e.json(200, body)

    event = RecordAuthRequestEvent(exchange, record.collection, record, token, meta, method)
    await app.on_record_auth_request.trigger(event, answer)
    return respond(request, exchange)


@post("/api/collections/{collection_id:str}/auth-with-password", status_code=200)
async def auth_with_password(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Log in with an identity (email or another identity field) and a password."""
    collection = auth_collection(request, collection_id)
    assert collection.auth is not None
    if not collection.auth.passwordAuth.enabled:
        raise ForbiddenError("The collection is not configured to allow password authentication.")
    body = await read_body(request, PasswordLogin)
    _validate(body, collection)
    app = get_app(request)
    found = await find_record_by_identity(app.data, collection, body.identity, body.identityField)

    async def check_password(e: RecordAuthWithPasswordRequestEvent) -> None:
        if not await password_matches(e.record, e.password):
            raise BadRequestError("Failed to authenticate.")
        assert e.record is not None
        await finish_auth(request, e.record, "password", mfa_id=body.mfaId)

    event = RecordAuthWithPasswordRequestEvent(
        exchange_of(request), collection, found, body.identity, body.identityField, body.password
    )
    await app.on_record_auth_with_password_request.trigger(event, check_password)
    return respond(request, exchange_of(request))


@post("/api/collections/{collection_id:str}/auth-refresh", status_code=200)
async def auth_refresh(request: AnyRequest, collection_id: str) -> Response[Any]:
    """A new token for the current one (the same token back when it isn't refreshable)."""
    collection, auth = require_collection_auth(request, collection_id)

    async def refresh(e: RecordRequestEvent) -> None:
        token = _request_token(request)
        if read_claims(token).get("refreshable") is True:
            token = issue_token(e.record, AUTH, refreshable=True)
        await finish_auth(request, e.record, "", token=token)

    event = RecordRequestEvent(exchange_of(request), collection, auth)
    await get_app(request).on_record_auth_refresh_request.trigger(event, refresh)
    return respond(request, exchange_of(request))


def _request_token(request: AnyRequest) -> str:
    token = request.headers.get("authorization", "").strip()
    return token[7:].strip() if token[:7].lower() == "bearer " else token


class ImpersonateBody(msgspec.Struct):
    """Body of `impersonate`: the token lifetime in seconds (0 = the collection's)."""

    duration: int = 0


@post("/api/collections/{collection_id:str}/impersonate/{record_id:str}", status_code=200)
async def impersonate(request: AnyRequest, collection_id: str, record_id: str) -> Response[Any]:
    """A non-refreshable auth token for any record of an auth collection (superusers only)."""
    require_superuser(request)
    # NB: no collection rate limiter runs before this route in PocketBase, so an unknown
    # collection gets the auth-collection message too.
    collection = get_app(request).find_collection(collection_id)
    if collection is None or not collection.is_auth:
        raise NotFoundError("Missing or invalid auth collection context.")
    record = await find_record_by_id(get_app(request).data, collection, record_id)
    if record is None:
        raise NotFoundError()
    body = await read_body(request, ImpersonateBody, wrap_unsupported=True)
    if body.duration < 0:
        raise ValidationErrors(
            {
                "duration": ValidationError(
                    "validation_min_greater_equal_than_required", "Must be no less than 0.", {"threshold": 0}
                )
            }
        )
    token = issue_token(record, AUTH, duration=body.duration, refreshable=False)
    return await finish_auth(request, record, "", token=token)


@post("/api/files/token", status_code=200)
async def file_token(request: AnyRequest) -> Response[Any]:
    """A short-lived token for protected files, for any authenticated record."""
    auth = get_auth(request)
    if auth is None:
        raise UnauthorizedError("The request requires valid record authorization token.")

    async def answer(e: FileTokenRequestEvent) -> None:
        e.json(200, {"token": e.token})

    event = FileTokenRequestEvent(exchange_of(request), auth.collection, auth, issue_token(auth, "file"))
    await get_app(request).on_file_token_request.trigger(event, answer)
    return respond(request, exchange_of(request))


ROUTES = [auth_with_password, auth_refresh, impersonate, file_token]
