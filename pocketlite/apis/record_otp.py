"""One-time passwords by e-mail (auth-api.md §7): `request-otp` and `auth-with-otp`."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Response, post

from pocketlite.apis.auth_forms import email_format, validate_form
from pocketlite.apis.body import read_body
from pocketlite.apis.context import AnyRequest, auth_collection, get_app
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.realip import real_ip
from pocketlite.apis.record_auth import finish_auth
from pocketlite.app import App
from pocketlite.core.auth import find_record_by_email
from pocketlite.core.auth_refs import OTPS, create_ref, delete_ref, find_ref, find_refs, is_older_than
from pocketlite.core.collection import Collection
from pocketlite.core.errors import BadRequestError, ForbiddenError, TooManyRequestsError
from pocketlite.core.fields import PasswordField
from pocketlite.core.mails import send_otp
from pocketlite.core.record import Record
from pocketlite.core.records import find_record_by_id
from pocketlite.core.request_events import RecordAuthWithOTPRequestEvent, RecordCreateOTPRequestEvent
from pocketlite.core.validators import length, required
from pocketlite.tools.security import DEFAULT_ID_ALPHABET, random_digits, random_string
from pocketlite.tools.tasks import fire_and_forget

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

_DISABLED = "The collection is not configured to allow OTP authentication."
_INVALID = "Invalid or expired OTP."
# More unexpired codes than this for one record and the newest is handed out again (anti-spam).
_MAX_RECENT = 9
# Codes are tried at most this often per record and IP (PocketBase: 5 per 180 s), on the app's
# rate-limit counters whether rate limiting is on or not.
_ATTEMPTS = (5, 180)


class OTPRequest(msgspec.Struct):
    """Body of `request-otp`."""

    email: str = ""


class OTPLogin(msgspec.Struct):
    """Body of `auth-with-otp`."""

    otpId: str = ""
    password: str = ""
    mfaId: str = ""


def _otp_collection(request: AnyRequest, collection_id: str) -> Collection:
    collection = auth_collection(request, collection_id)
    assert collection.auth is not None
    if not collection.auth.otp.enabled:
        raise ForbiddenError(_DISABLED)
    return collection


def _otps(app: App) -> Collection:
    found = app.find_collection(OTPS)
    assert found is not None, "system migrations create _otps"
    return found


async def _issue(app: App, record: Record, code: str) -> str:
    """A new OTP with `code` for `record`, mailed in the background; the id the client logs in
    with."""
    otp = await create_ref(app, _otps(app), record, password=code)
    to = record.get_string("email")

    async def mail() -> None:
        try:
            await send_otp(app, record, otp.id, code, to)
        except Exception:
            await delete_ref(app, otp)  # a code nobody received can't be used
            raise
        sent = await find_ref(app, _otps(app), otp.id)
        if sent is not None and not sent.get("sentTo") and to:
            sent.set("sentTo", to)
            await app.save(sent)

    fire_and_forget(mail(), "Sending the OTP e-mail")
    return otp.id


@post("/api/collections/{collection_id:str}/request-otp", status_code=200)
async def request_otp(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Mail a one-time code; the answer is the same whether the address is known or not."""
    collection = _otp_collection(request, collection_id)
    assert collection.auth is not None
    body = await read_body(request, OTPRequest)
    validate_form({"email": (body.email, (required, length(1, 255), email_format))})
    app = get_app(request)
    record = await find_record_by_email(app.data, collection, body.email)
    options = collection.auth.otp

    async def issue(e: RecordCreateOTPRequestEvent) -> None:
        if e.record is None:
            # The same answer as for a known address: nothing tells them apart.
            e.json(200, {"otpId": random_string(15, DEFAULT_ID_ALPHABET)})
            return
        otp_id = ""
        if not app.config.dev:
            recent = [
                o
                for o in await find_refs(app, _otps(app), e.record)
                if not is_older_than(o, options.duration)
            ]
            if len(recent) > _MAX_RECENT:
                _log.warning("Too many OTP requests for record %s, reusing the last issued", e.record.id)
                otp_id = recent[0].id
        e.json(200, {"otpId": otp_id or await _issue(app, e.record, e.password)})

    event = RecordCreateOTPRequestEvent(
        exchange_of(request), collection, record, random_digits(options.length)
    )
    await app.on_record_request_otp_request.trigger(event, issue)
    return respond(request, exchange_of(request))


@post("/api/collections/{collection_id:str}/auth-with-otp", status_code=200)
async def auth_with_otp(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Sign in with the id and code of a mailed one-time password."""
    collection = _otp_collection(request, collection_id)
    assert collection.auth is not None
    body = await read_body(request, OTPLogin)
    validate_form(
        {
            "otpId": (body.otpId, (required, length(1, 255))),
            "password": (body.password, (required, length(1, 71))),
        }
    )
    app = get_app(request)
    otp = await find_ref(app, _otps(app), body.otpId)
    if (
        otp is None
        or otp.get("collectionRef") != collection.id
        or is_older_than(otp, collection.auth.otp.duration)
    ):
        raise BadRequestError(_INVALID)
    record = await find_record_by_id(app.data, collection, otp.get_string("recordRef"))
    if record is None:
        raise BadRequestError(_INVALID)
    if not app.rate_limits.allow(f"@pb_otp_{record.id}", *_ATTEMPTS, real_ip(request)):
        raise TooManyRequestsError("Too many attempts, please try again later with a new OTP.")
    field = otp.collection.field("password")
    assert isinstance(field, PasswordField)
    if not await field.verify(otp.password, body.password):
        raise BadRequestError(_INVALID)
    mfa_enabled = collection.auth.mfa.enabled

    async def sign_in(e: RecordAuthWithOTPRequestEvent) -> None:
        await delete_ref(app, e.otp)
        sent_to = e.otp.get_string("sentTo")
        if not e.record.get("verified") and sent_to and e.record.get_string("email") == sent_to:
            e.record.set("verified", True)
            if not mfa_enabled:
                e.record.set("password", random_string(30))
            await app.save(e.record)
        await finish_auth(request, e.record, "otp", mfa_id=body.mfaId)

    event = RecordAuthWithOTPRequestEvent(exchange_of(request), collection, record, otp)
    await app.on_record_auth_with_otp_request.trigger(event, sign_in)
    return respond(request, exchange_of(request))


ROUTES = [request_otp, auth_with_otp]
