"""Auth flows confirmed through a mailed token (auth-api.md §10-§12): e-mail verification,
password reset and e-mail change. The request endpoints answer 204 whether or not the address
is known, so they reveal nothing about who has an account."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Response, post

from pocketlite.apis.auth_forms import email_format, validate_form
from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, auth_collection, get_app, require_collection_auth
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.app import App
from pocketlite.core.auth import find_record_by_email
from pocketlite.core.collection import Collection
from pocketlite.core.errors import BadRequestError, ValidationError, ValidationErrors
from pocketlite.core.fields import PasswordField
from pocketlite.core.mails import send_email_change, send_password_reset, send_verification
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.request_events import RecordEmailChangeRequestEvent, RecordRequestEvent
from pocketlite.core.tokens import issue_token
from pocketlite.core.validators import Rule, equal_to, length, not_in, required
from pocketlite.tools.expiring import ExpiringSet
from pocketlite.tools.hook import Hook
from pocketlite.tools.security import decode_token_unverified, random_string
from pocketlite.tools.tasks import fire_and_forget

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

VERIFICATION, PASSWORD_RESET, EMAIL_CHANGE = "verification", "passwordReset", "emailChange"

# A second request for the same record within 2 minutes sends nothing.
_VERIFICATION_SENT = ExpiringSet(120)
_RESET_SENT = ExpiringSet(120)

_INVALID_TOKEN = ValidationError("validation_invalid_token", "Invalid or expired token.")
_OTHER_COLLECTION = ValidationError(
    "validation_token_collection_mismatch", "The provided token is for different auth collection."
)


class EmailBody(msgspec.Struct):
    """Body of `request-verification` and `request-password-reset`."""

    email: str = ""


class TokenBody(msgspec.Struct):
    """Body of `confirm-verification`."""

    token: str = ""


class PasswordResetBody(msgspec.Struct):
    """Body of `confirm-password-reset`."""

    token: str = ""
    password: str = ""
    passwordConfirm: str = ""


class NewEmailBody(msgspec.Struct):
    """Body of `request-email-change`."""

    newEmail: str = ""


class EmailChangeBody(msgspec.Struct):
    """Body of `confirm-email-change`."""

    token: str = ""
    password: str = ""


def _key(record: Record) -> str:
    return f"{record.collection.id}/{record.id}"


def _not_superusers(collection: Collection, message: str) -> None:
    if collection.name == SUPERUSERS:
        raise BadRequestError(message)


async def _token_record(app: App, token: str, token_type: str, collection: Collection) -> Record:
    """The record a valid `token_type` token belongs to, as a validation error otherwise."""
    record = await app.find_auth_record_by_token(token, token_type) if token else None
    if record is None:
        raise ValidationErrors({"token": _INVALID_TOKEN})
    if record.collection.id != collection.id:
        raise ValidationErrors({"token": _OTHER_COLLECTION})
    return record


def _send_later(
    app: App, send: Callable[[], Awaitable[None]], what: str, sent: ExpiringSet, key: str
) -> None:
    async def run() -> None:
        await send()
        sent.add(key)

    fire_and_forget(run(), what)


def _no_content() -> Response[Any]:
    return Response(b"", status_code=204)


async def _hooked(
    request: AnyRequest,
    hook: Hook[RecordRequestEvent],
    collection: Collection,
    record: Record,
    action: Callable[[RecordRequestEvent], Awaitable[None]],
) -> Response[Any]:
    """Trigger an auth request hook over the record with `action` last; the answer written."""
    await hook.trigger(RecordRequestEvent(exchange_of(request), collection, record), action)
    return respond(request, exchange_of(request))


async def _mail_link(
    request: AnyRequest,
    hook: Hook[RecordRequestEvent],
    collection: Collection,
    record: Record,
    token_type: str,
    send: Callable[[App, Record, str], Awaitable[None]],
    what: str,
    sent: ExpiringSet,
) -> Response[Any]:
    """Through `hook`: a token of `token_type` for the record, mailed by `send` in the
    background (and remembered in `sent` for a while, against repeats); a 204."""
    app = get_app(request)

    async def mail(e: RecordRequestEvent) -> None:
        token = issue_token(e.record, token_type, email=e.record.get_string("email"))
        target = e.record

        async def deliver() -> None:
            await send(app, target, token)

        _send_later(app, deliver, what, sent, _key(target))
        e.no_content()

    return await _hooked(request, hook, collection, record, mail)


# --- verification ----------------------------------------------------------------------------


@post("/api/collections/{collection_id:str}/request-verification", status_code=200)
async def request_verification(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Mail a verification link to an unverified record."""
    collection = auth_collection(request, collection_id)
    _not_superusers(collection, "All superusers are verified by default.")
    body = await read_body(request, EmailBody)
    validate_form({"email": (body.email, (required, length(1, 255), email_format))})
    app = get_app(request)
    record = await find_record_by_email(app.data, collection, body.email)
    if record is None or record.get("verified") or _key(record) in _VERIFICATION_SENT:
        return _no_content()

    hook = app.on_record_request_verification_request
    what = "Sending the verification e-mail"
    return await _mail_link(
        request, hook, collection, record, VERIFICATION, send_verification, what, _VERIFICATION_SENT
    )


@post("/api/collections/{collection_id:str}/confirm-verification", status_code=200)
async def confirm_verification(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Mark the record of a verification token verified."""
    collection = auth_collection(request, collection_id)
    _not_superusers(collection, "All superusers are verified by default.")
    body = await read_body(request, TokenBody)
    validate_form({"token": (body.token, (required,))})
    email = decode_token_unverified(body.token).get("email")
    if not isinstance(email, str) or not email:
        claims_error = ValidationError("validation_invalid_token_claims", "Missing email token claim.")
        raise ValidationErrors({"token": claims_error})
    app = get_app(request)
    record = await _token_record(app, body.token, VERIFICATION, collection)
    if record.get_string("email") != email:
        raise ValidationErrors(
            {
                "token": ValidationError(
                    "validation_token_email_mismatch",
                    "The record email doesn't match with the requested token claims.",
                )
            }
        )
    assert collection.auth is not None
    password_auth = collection.auth.passwordAuth.enabled

    async def verify(e: RecordRequestEvent) -> None:
        if not e.record.get("verified"):
            e.record.set("verified", True)
            if not password_auth:
                e.record.set("password", random_string(30))
            try:
                await app.save(e.record)
            except ValidationErrors as exc:
                raise BadRequestError("An error occurred while saving the verified state.", exc) from exc
        _VERIFICATION_SENT.discard(_key(e.record))
        e.no_content()

    return await _hooked(request, app.on_record_confirm_verification_request, collection, record, verify)


# --- password reset --------------------------------------------------------------------------


@post("/api/collections/{collection_id:str}/request-password-reset", status_code=200)
async def request_password_reset(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Mail a password reset link."""
    collection = auth_collection(request, collection_id)
    assert collection.auth is not None
    if not collection.auth.passwordAuth.enabled:
        raise BadRequestError("The collection is not configured to allow password authentication.")
    body = await read_body(request, EmailBody)
    validate_form({"email": (body.email, (required, length(1, 255), email_format))})
    app = get_app(request)
    record = await find_record_by_email(app.data, collection, body.email)
    if record is None or _key(record) in _RESET_SENT:
        return _no_content()

    hook = app.on_record_request_password_reset_request
    what = "Sending the password reset e-mail"
    return await _mail_link(
        request, hook, collection, record, PASSWORD_RESET, send_password_reset, what, _RESET_SENT
    )


@post("/api/collections/{collection_id:str}/confirm-password-reset", status_code=200)
async def confirm_password_reset(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Set a new password with a password reset token (every older token dies with it)."""
    collection = auth_collection(request, collection_id)
    body = await read_body(request, PasswordResetBody, wrap_unsupported=True)
    field = collection.field("password")
    min_len = field.min if isinstance(field, PasswordField) and field.min > 0 else 1
    app = get_app(request)
    record: Record | None = None
    errors: dict[str, ValidationError | ValidationErrors] = {}
    if not body.token:
        errors["token"] = ValidationError("validation_required", "Cannot be blank.")
    else:
        try:
            record = await _token_record(app, body.token, PASSWORD_RESET, collection)
        except ValidationErrors as exc:
            errors.update(exc.errors)
    try:
        validate_form(
            {
                "password": (body.password, (required, length(min_len, 255))),
                "passwordConfirm": (body.passwordConfirm, (required, equal_to(body.password))),
            }
        )
    except ValidationErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationErrors(errors)
    assert record is not None
    token_email = decode_token_unverified(body.token).get("email")

    async def reset(e: RecordRequestEvent) -> None:
        e.record.set("password", body.password)
        if not e.record.get("verified") and e.record.get_string("email") == token_email:
            e.record.set("verified", True)
        try:
            await app.save(e.record)
        except ValidationErrors as exc:
            raise BadRequestError("Failed to set new password.", exc) from exc
        _RESET_SENT.discard(_key(e.record))
        e.no_content()

    return await _hooked(request, app.on_record_confirm_password_reset_request, collection, record, reset)


# --- e-mail change ---------------------------------------------------------------------------


@post("/api/collections/{collection_id:str}/request-email-change", status_code=200)
async def request_email_change(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Mail a confirmation link to the new address of the signed-in record."""
    collection, record = require_collection_auth(request, collection_id)
    _not_superusers(collection, "All superusers can change their emails directly.")
    body = await read_body(request, NewEmailBody)
    app = get_app(request)
    rules: tuple[Rule, ...] = (required, length(1, 255), email_format, not_in([record.get_string("email")]))
    validate_form({"newEmail": (body.newEmail, rules)})
    owner = await find_record_by_email(app.data, collection, body.newEmail)
    if owner is not None and owner.id != record.id:
        error = ValidationError("validation_invalid_new_email", "Invalid new email address.")
        raise ValidationErrors({"newEmail": error})

    async def mail(e: RecordEmailChangeRequestEvent) -> None:
        token = issue_token(e.record, EMAIL_CHANGE, email=e.record.get_string("email"), newEmail=e.new_email)
        try:
            await send_email_change(app, e.record, token, e.new_email)
        except Exception as exc:
            _log.error("Sending the email change e-mail failed: %s", exc)
            raise BadRequestError("Failed to request email change.") from exc
        e.no_content()

    event = RecordEmailChangeRequestEvent(exchange_of(request), collection, record, body.newEmail)
    await app.on_record_request_email_change_request.trigger(event, mail)
    return respond(request, exchange_of(request))


@post("/api/collections/{collection_id:str}/confirm-email-change", status_code=200)
async def confirm_email_change(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Move the record to the new address of an e-mail change token, given its password."""
    collection = auth_collection(request, collection_id)
    _not_superusers(collection, "All superusers can change their emails directly.")
    body = await read_body(request, EmailChangeBody)
    app = get_app(request)
    record: Record | None = None
    new_email = ""
    errors: dict[str, ValidationError | ValidationErrors] = {}
    if not body.token:
        errors["token"] = ValidationError("validation_required", "Cannot be blank.")
    else:
        claim = decode_token_unverified(body.token).get("newEmail")
        new_email = claim if isinstance(claim, str) else ""
        try:
            record = await _email_change_record(app, body.token, new_email, collection)
        except ValidationErrors as exc:
            errors.update(exc.errors)
    if not body.password:
        errors["password"] = ValidationError("validation_required", "Cannot be blank.")
    elif len(body.password) > 100:
        errors["password"] = ValidationError(
            "validation_length_out_of_range", "The length must be between 1 and 100.", {"max": 100, "min": 1}
        )
    else:
        field = collection.field("password")
        if (
            record is None
            or not isinstance(field, PasswordField)
            or not await field.verify(record.password, body.password)
        ):
            errors["password"] = ValidationError(
                "validation_invalid_password", "Missing or invalid auth record password."
            )
    if errors:
        raise ValidationErrors(errors)
    assert record is not None

    async def change(e: RecordEmailChangeRequestEvent) -> None:
        e.record.set("email", e.new_email)
        e.record.set("verified", True)
        try:
            await app.save(e.record)
        except ValidationErrors as exc:
            raise BadRequestError("Failed to confirm email change.", exc) from exc
        e.no_content()

    event = RecordEmailChangeRequestEvent(exchange_of(request), collection, record, new_email)
    await app.on_record_confirm_email_change_request.trigger(event, change)
    return respond(request, exchange_of(request))


async def _email_change_record(app: App, token: str, new_email: str, collection: Collection) -> Record:
    if not new_email:
        raise ValidationErrors(
            {
                "token": ValidationError(
                    "validation_invalid_token_payload", "Invalid token payload - newEmail must be set."
                )
            }
        )
    record = await _token_record(app, token, EMAIL_CHANGE, collection)
    if await find_record_by_email(app.data, collection, new_email) is not None:
        raise ValidationErrors(
            {"token": ValidationError("validation_invalid_token_email", "The new email address is invalid.")}
        )
    return record


ROUTES = [
    request_verification,
    confirm_verification,
    request_password_reset,
    confirm_password_reset,
    request_email_change,
    confirm_email_change,
]
