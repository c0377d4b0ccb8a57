"""OAuth2 sign-in (auth-api.md §8): `auth-with-oauth2` exchanges the provider's code for its
user, then signs in the linked record, links the signed-in or same-email record, or creates one."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Response, post

from pocketlite.apis.body import LOAD_ERROR, read_body
from pocketlite.apis.context import AnyRequest, auth_collection, get_app, get_auth, request_info
from pocketlite.apis.exchange import exchange_of, respond
from pocketlite.apis.oauth2_redirect import APPLE_NAMES
from pocketlite.apis.record_auth import finish_auth
from pocketlite.apis.records import Call, insert_record
from pocketlite.app import App
from pocketlite.core.auth import find_record_by_email, find_record_by_unique_field
from pocketlite.core.collection import Collection
from pocketlite.core.errors import BadRequestError, ForbiddenError, ValidationError, ValidationErrors
from pocketlite.core.fields import FileField, TextField
from pocketlite.core.fields.file import Upload
from pocketlite.core.oauth2 import AuthUser, OAuth2Error, fetch_auth_user
from pocketlite.core.record import Record
from pocketlite.core.records import SUPERUSERS, delete_owned_refs, find_record_by_id
from pocketlite.core.request_events import RecordAuthWithOAuth2RequestEvent
from pocketlite.core.tablesync import quote
from pocketlite.tools.safe_fetch import UnsafeURLError, download_public
from pocketlite.tools.security import random_string

__all__ = ["ROUTES"]

_log = logging.getLogger("pocketlite")

EXTERNAL_AUTHS = "_externalAuths"
# Avatars are read up to PocketBase's default body limit.
MAX_AVATAR_SIZE = 32 << 20


class OAuth2Login(msgspec.Struct):
    """Body of `auth-with-oauth2` (`redirectUrl` is the deprecated spelling)."""

    provider: str = ""
    code: str = ""
    codeVerifier: str = ""
    redirectURL: str = ""
    redirectUrl: str = ""
    createData: dict[str, Any] | None = None
    mfaId: str = ""


def _validate(body: OAuth2Login, collection: Collection) -> None:
    assert collection.auth is not None
    errors: dict[str, ValidationError | ValidationErrors] = {}
    configured = {p.name for p in collection.auth.oauth2.providers}
    if not body.provider:
        errors["provider"] = ValidationError("validation_required", "Cannot be blank.")
    elif len(body.provider) > 100:
        errors["provider"] = ValidationError(
            "validation_length_too_long", "The length must be no more than 100.", {"max": 100, "min": 0}
        )
    elif body.provider not in configured:
        errors["provider"] = ValidationError(
            "validation_invalid_provider",
            f"Provider with name {body.provider} is missing or is not enabled.",
            {"name": body.provider},
        )
    if not body.code:
        errors["code"] = ValidationError("validation_required", "Cannot be blank.")
    if errors:
        raise BadRequestError(LOAD_ERROR, ValidationErrors(errors))


def _meta(user: AuthUser, is_new: bool) -> dict[str, Any]:
    """The provider's user as PocketBase answers it: its JSON keys sorted, plus `isNew`."""
    meta: dict[str, Any] = msgspec.to_builtins(user)
    meta["avatarUrl"] = meta.get("avatarURL", "")
    meta["isNew"] = is_new
    return dict(sorted(meta.items()))


async def _linked_record(
    app: App, collection: Collection, provider: str, user: AuthUser
) -> tuple[Record | None, str]:
    """The record already linked to this provider account, and the link's id."""
    row = await app.data.fetch_one(
        f"SELECT id, recordRef FROM {quote(EXTERNAL_AUTHS)} "
        "WHERE collectionRef = ? AND provider = ? AND providerId = ? LIMIT 1",
        (collection.id, provider, user.id),
    )
    if row is None:
        return None, ""
    return await find_record_by_id(app.data, collection, row["recordRef"]), row["id"]


async def _can_assign_username(app: App, collection: Collection, name: str, username: str) -> bool:
    """PocketBase maps the provider's username only when it is a valid, unused value."""
    field = collection.field(name)
    if field is None or (isinstance(field, TextField) and field.validate_value(username) is not None):
        return False
    return await find_record_by_unique_field(app.data, collection, name, username) is None


async def _create_payload(
    app: App, collection: Collection, body: OAuth2Login, user: AuthUser
) -> dict[str, Any]:
    """`createData` completed with the provider's e-mail and the collection's mapped fields."""
    assert collection.auth is not None
    mapped = collection.auth.oauth2.mappedFields
    payload = dict(body.createData or {})
    if not payload.get("email"):
        payload["email"] = user.email
    if mapped.id and mapped.id not in payload:
        payload[mapped.id] = user.id
    if mapped.name and mapped.name not in payload:
        payload[mapped.name] = user.name
    if (
        mapped.username
        and mapped.username not in payload
        and await _can_assign_username(app, collection, mapped.username, user.username)
    ):
        payload[mapped.username] = user.username
    if mapped.avatarURL and mapped.avatarURL not in payload and user.avatarURL:
        if isinstance(collection.field(mapped.avatarURL), FileField):
            try:
                avatar = await download_public(user.avatarURL, max_bytes=MAX_AVATAR_SIZE)
            except UnsafeURLError as exc:
                # As PocketBase: the sign-up goes on without the picture.
                _log.warning("Failed to retrieve OAuth2 avatar: %s", exc)
            else:
                name = urlsplit(user.avatarURL).path.rsplit("/", 1)[-1] or "avatar"
                payload[mapped.avatarURL] = Upload(name, avatar)
        else:
            payload[mapped.avatarURL] = user.avatarURL
    return payload


async def _submit(
    request: AnyRequest,
    collection: Collection,
    body: OAuth2Login,
    user: AuthUser,
    record: Record | None,
    link_id: str,
) -> Record:
    """Create or update the record and its provider link, all in one transaction."""
    app = get_app(request)
    auth = get_auth(request)
    async with app.data.transaction():
        if record is None:
            if collection.name == SUPERUSERS:
                raise BadRequestError("Failed to authenticate.")
            info = request_info(request)
            call = Call(
                app, auth, "POST", info.query, info.headers, context="oauth2", exchange=exchange_of(request)
            )
            payload = await _create_payload(app, collection, body, user)
            record, _ = await insert_record(call, collection.name, payload)
            if record.get_string("email") == user.email and not record.get("verified"):
                record.set("verified", True)
                await app.save(record)
        else:
            changed = False
            signed_in = auth is not None and auth.id == record.id and auth.collection.id == collection.id
            if not signed_in and not record.get("verified"):
                record.set("password", random_string(30))
                changed = True
            if not record.get("verified"):
                await delete_owned_refs(app, EXTERNAL_AUTHS, collection.id, record.id)
                link_id = ""
            if not record.get_string("email") and user.email:
                record.set("email", user.email)
                changed = True
            if not record.get("verified") and record.get_string("email") in ("", user.email):
                record.set("verified", True)
                changed = True
            if changed:
                await app.save(record)
        if not link_id:
            links = app.find_collection(EXTERNAL_AUTHS)
            assert links is not None, "system migrations create _externalAuths"
            link = Record(
                links,
                {
                    "collectionRef": collection.id,
                    "recordRef": record.id,
                    "provider": body.provider,
                    "providerId": user.id,
                },
            )
            await app.save(link)
    return record


@post("/api/collections/{collection_id:str}/auth-with-oauth2", status_code=200)
async def auth_with_oauth2(request: AnyRequest, collection_id: str) -> Response[Any]:
    """Sign in (or up) with an OAuth2 authorization code."""
    collection = auth_collection(request, collection_id)
    assert collection.auth is not None
    if not collection.auth.oauth2.enabled:
        raise ForbiddenError("The collection is not configured to allow OAuth2 authentication.")
    body = await read_body(request, OAuth2Login)
    if body.redirectUrl and not body.redirectURL:
        body.redirectURL = body.redirectUrl
    _validate(body, collection)
    config = next(p for p in collection.auth.oauth2.providers if p.name == body.provider)
    try:
        user = await fetch_auth_user(config, body.code, body.codeVerifier, body.redirectURL)
    except OAuth2Error as exc:
        raise BadRequestError(exc.message) from exc
    if body.provider == "apple" and not user.name:
        # Apple gives the name only to the first redirect (see oauth2_redirect).
        user.name = APPLE_NAMES.pop(body.code) or ""
    app = get_app(request)
    record, link_id = await _linked_record(app, collection, body.provider, user)
    auth = get_auth(request)
    if record is None and link_id == "" and auth is not None and auth.collection.id == collection.id:
        record = auth
    elif record is None and user.email:
        record = await find_record_by_email(app.data, collection, user.email)

    async def sign_in(e: RecordAuthWithOAuth2RequestEvent) -> None:
        body.createData = e.create_data
        try:
            signed_in = await _submit(request, collection, body, e.oauth2_user, e.record, link_id)
        except ValidationErrors as exc:
            # NB: errors of the create request itself ("Failed to create record.") pass unchanged.
            raise BadRequestError("Failed to authenticate.", exc) from exc
        meta = _meta(e.oauth2_user, e.is_new_record)
        await finish_auth(request, signed_in, "oauth2", meta=meta, mfa_id=body.mfaId)

    event = RecordAuthWithOAuth2RequestEvent(
        exchange_of(request),
        collection,
        body.provider,
        config,
        record,
        user,
        dict(body.createData or {}),
        record is None,
    )
    await app.on_record_auth_with_oauth2_request.trigger(event, sign_in)
    return respond(request, exchange_of(request))


ROUTES = [auth_with_oauth2]
