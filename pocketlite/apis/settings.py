"""The settings API (admin-apis.md §2): read and change the app settings, send a test e-mail.
Superusers only; secrets are never returned."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import msgspec
from litestar import Response, get, patch, post

from pocketlite.apis.auth_forms import email_format, validate_form
from pocketlite.apis.body import LOAD_ERROR, BodyError, bind_payload, nested_form, read_body
from pocketlite.apis.context import AnyRequest, get_app, require_superuser
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.response import json_response
from pocketlite.app import App
from pocketlite.core import mails
from pocketlite.core.collection import merge_input
from pocketlite.core.errors import BadRequestError, InternalServerError, ValidationError, ValidationErrors
from pocketlite.core.fields import TextField
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS
from pocketlite.core.request_events import SettingsListRequestEvent, SettingsUpdateRequestEvent
from pocketlite.core.settings import Settings, save_settings, settings_errors
from pocketlite.core.tokens import issue_token
from pocketlite.core.validators import length, match, max_value, min_value, one_of, required
from pocketlite.tools.s3 import S3Error, S3Filesystem
from pocketlite.tools.security import random_string
from pocketlite.tools.types import now_string

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

TEMPLATES = ("verification", "password-reset", "email-change", "otp", "login-alert")


def _public(settings: Settings) -> dict[str, Any]:
    """The settings without their secrets."""
    data: dict[str, Any] = msgspec.to_builtins(settings)
    data["smtp"].pop("password", None)
    data["s3"].pop("secret", None)
    data["backups"]["s3"].pop("secret", None)
    return data


@get("/api/settings")
async def list_settings(request: AnyRequest) -> Response[Any]:
    """All settings."""
    require_superuser(request)

    async def write(e: SettingsListRequestEvent) -> None:
        e.json(200, _public(e.settings))

    event = SettingsListRequestEvent(exchange_of(request), get_app(request).settings)
    await get_app(request).on_settings_list_request.trigger(event, write)
    return respond(request, exchange_of(request))


async def _submitted(request: AnyRequest) -> tuple[dict[str, Any], bool]:
    """The submitted settings, and whether they are form text (which Go parses into the typed
    fields, so it converts leniently). Every binding failure is the load error."""
    body = await bind_payload(request, LOAD_ERROR, wrap_unsupported=True)
    if body.kind == "form":
        try:
            return nested_form(body.value), True
        except BodyError as exc:  # a malformed `@jsonPayload`
            raise BadRequestError(LOAD_ERROR) from exc
    if body.kind == "json" and body.value is None:
        # NB: PocketBase binds into a *Settings pointer that JSON null sets to nil; the update
        # then panics, which it answers with a 500.
        raise InternalServerError()
    if body.kind != "json":
        return {}, False  # no body, or XML (whose elements bind no settings field here)
    if not isinstance(body.value, dict):
        raise BadRequestError(LOAD_ERROR)
    return body.value, False


def _null_lists(current: Any, patch: Any, key: str = "") -> Any:
    """NB: Go decodes a JSON null onto a list as an empty list, and a null item as the zero value
    (an all-blank rate limit rule, an empty string), which validation then rejects."""
    if isinstance(current, dict) and isinstance(patch, dict):
        return {
            k: [] if v is None and isinstance(current.get(k), list) else _null_lists(current.get(k), v, k)
            for k, v in patch.items()
        }
    if isinstance(current, list) and isinstance(patch, list):
        zero: Any = {} if key == "rules" else ""
        return [zero if v is None else v for v in patch]
    return patch


@patch("/api/settings")
async def update_settings(request: AnyRequest) -> Response[Any]:
    """Merge the body onto the settings, validate, store."""
    require_superuser(request)
    app = get_app(request)
    body, is_form = await _submitted(request)
    current = msgspec.to_builtins(app.settings)
    merged = merge_input(current, _null_lists(current, body))
    try:
        settings = msgspec.convert(merged, Settings, strict=not is_form)
    except msgspec.ValidationError as exc:
        raise BadRequestError(LOAD_ERROR) from exc

    async def save(e: SettingsUpdateRequestEvent) -> None:
        errors = settings_errors(e.new_settings)
        if errors:
            raise BadRequestError("An error occurred while saving the new settings.", errors)
        await save_settings(app.data, e.new_settings, app.config.encryption_env)
        await app.reload_settings()
        e.json(200, _public(app.settings))

    event = SettingsUpdateRequestEvent(exchange_of(request), app.settings, settings)
    await app.on_settings_update_request.trigger(event, save)
    return respond(request, exchange_of(request))


class TestEmail(msgspec.Struct):
    """Body of `settings/test/email`."""

    email: str = ""
    template: str = ""
    collection: str = ""


def _sample_record(app: App, collection_id: str, email: str) -> Record:
    """A stand-in record whose visible fields show their own names, as PocketBase's test mail."""
    collection = app.find_collection(collection_id or SUPERUSERS)
    assert collection is not None and collection.is_auth
    record = Record(collection)
    for field in collection.fields:
        if not field.hidden:
            record.set(field.name, f"__pb_test_{field.name}__")
    token_key = collection.field("tokenKey")
    if isinstance(token_key, TextField):
        record.set("tokenKey", token_key.autogenerate())
    record.set("email", email)
    return record


@post("/api/settings/test/email", status_code=204)
async def test_email(request: AnyRequest) -> None:
    """Send one of the auth e-mails to an address, with a stand-in record."""
    require_superuser(request)
    app = get_app(request)
    body = await read_body(request, TestEmail, wrap_unsupported=True)
    errors: dict[str, ValidationError | ValidationErrors] = {}
    try:
        validate_form(
            {
                "email": (body.email, (required, length(1, 255), email_format)),
                "template": (body.template, (required, one_of(TEMPLATES))),
            }
        )
    except ValidationErrors as exc:
        errors.update(exc.errors)
    found = app.find_collection(body.collection) if body.collection else None
    if len(body.collection) > 255:
        errors["collection"] = ValidationError(
            "validation_length_out_of_range", "The length must be between 1 and 255.", {"max": 255, "min": 1}
        )
    elif body.collection and (found is None or not found.is_auth):
        errors["collection"] = ValidationError(
            "validation_invalid_auth_collection", "Must be a valid auth collection id or name."
        )
    if errors:
        raise BadRequestError("Failed to send the test email.", ValidationErrors(errors))
    record = _sample_record(app, body.collection, body.email)
    email = record.get_string("email")
    try:
        if body.template == "verification":
            await mails.send_verification(app, record, issue_token(record, "verification", email=email))
        elif body.template == "password-reset":
            token = issue_token(record, "passwordReset", email=email)
            await mails.send_password_reset(app, record, token)
        elif body.template == "email-change":
            token = issue_token(record, "emailChange", email=email, newEmail=email)
            await mails.send_email_change(app, record, token, email)
        elif body.template == "otp":
            await mails.send_otp(app, record, "_PB_TEST_OTP_ID_", "123456", email)
        else:
            await mails.send_auth_alert(app, record, f"{now_string()} - TEST_IP TEST_USER_AGENT")
    except OSError as exc:
        _log.error("Sending the test e-mail failed: %s", exc)
        raise BadRequestError(f"Failed to send the test email. Raw error: \n{exc}") from exc


class TestS3(msgspec.Struct):
    """Body of `settings/test/s3`."""

    filesystem: str = ""


@post("/api/settings/test/s3", status_code=204)
async def test_s3(request: AnyRequest) -> None:
    """Upload and delete a small file in the `storage` or `backups` bucket of the settings."""
    require_superuser(request)
    app = get_app(request)
    body = await read_body(request, TestS3, wrap_unsupported=True)
    try:
        validate_form({"filesystem": (body.filesystem, (required, one_of(("storage", "backups"))))})
    except ValidationErrors as exc:
        raise BadRequestError("Failed to test the S3 filesystem.", exc) from exc
    config = app.settings.backups.s3 if body.filesystem == "backups" else app.settings.s3
    failure = "Failed to test the S3 filesystem. Raw error: \n"
    if not config.enabled:
        raise BadRequestError(failure + "S3 storage filesystem is not enabled")
    bucket = S3Filesystem(
        config.bucket, config.region, config.endpoint, config.accessKey, config.secret, config.forcePathStyle
    )
    prefix = f"pb_settings_test_{random_string(5)}"
    try:
        try:
            await bucket.write(f"{prefix}/test.txt", b"test", "text/plain; charset=utf-8", {})
        except S3Error as exc:
            raise BadRequestError(f"{failure}failed to upload a test file: {exc}") from exc
        try:
            await bucket.delete_prefix(prefix)
        except S3Error as exc:
            raise BadRequestError(f"{failure}failed to delete a test file: {exc}") from exc
    finally:
        await bucket.close()


class AppleSecretForm(msgspec.Struct):
    """Body of `POST /api/settings/apple/generate-client-secret`."""

    clientId: str = ""
    teamId: str = ""
    keyId: str = ""
    privateKey: str = ""
    duration: int = 0


# PocketBase's loose check of a PKCS#8 PEM (its four-dash opening is on purpose).
_PRIVATE_KEY = re.compile(r"-----BEGIN PRIVATE KEY----[\s\S]+-----END PRIVATE KEY-----", re.M)


_SECRET_FAILED = "Failed to generate client secret. Raw error: \n"


@post("/api/settings/apple/generate-client-secret", status_code=200)
async def apple_client_secret(request: AnyRequest) -> Response[bytes]:
    """The ES256 JWT Apple wants as the OAuth2 client secret, signed with the team's key."""
    require_superuser(request)
    form = await read_body(request, AppleSecretForm, LOAD_ERROR, wrap_unsupported=True)
    try:
        validate_form(
            {
                "clientId": (form.clientId, (required,)),
                "teamId": (form.teamId, (required, length(10, 10))),
                "keyId": (form.keyId, (required, length(10, 10))),
                "privateKey": (form.privateKey, (required, match(_PRIVATE_KEY))),
                "duration": (form.duration, (required, min_value(1), max_value(15777000))),
            }
        )
    except ValidationErrors as exc:
        raise BadRequestError("Invalid client secret data.", exc) from exc
    now = int(time.time())
    claims = {
        "aud": ["https://appleid.apple.com"],
        "sub": form.clientId,
        "iss": form.teamId,
        "iat": now,
        "exp": now + form.duration,
    }
    # Imported here, for the one request that needs them (~50 ms at every start otherwise).
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        key = serialization.load_pem_private_key(form.privateKey.strip().encode(), None)
    except (ValueError, TypeError) as exc:
        # Go's jwt library's words, as PocketBase answers them.
        raise BadRequestError(
            _SECRET_FAILED + "invalid key: Key must be a PEM encoded PKCS1 or PKCS8 key"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise BadRequestError(_SECRET_FAILED + "key is not a valid ECDSA private key")
    secret = jwt.encode(claims, key, algorithm="ES256", headers={"kid": form.keyId})
    return json_response(request, {"secret": secret})


ROUTES = [list_settings, update_settings, test_email, test_s3, apple_client_secret]
