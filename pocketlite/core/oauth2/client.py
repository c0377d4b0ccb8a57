"""The OAuth2 authorization-code flow against a provider: the authorization URL the client opens,
then the code exchanged for a token (with the PKCE verifier) and the token for the user.

HTTP goes through httpx; the token request authenticates the client the way Go's oauth2 package
does by default (HTTP Basic first, then the credentials in the form when the provider refuses)."""

from __future__ import annotations

import asyncio
import datetime as _dt
import os
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import msgspec

from pocketlite.core.auth_options import OAuth2Provider
from pocketlite.core.oauth2.specs import SPECS, Spec
from pocketlite.core.oauth2.users import MAPPERS, UserError, Userinfo
from pocketlite.tools.types import format_datetime

# httpx and pyjwt (with `cryptography`) are imported where a sign-in uses them: together they cost
# every server start ~100 ms otherwise.
if TYPE_CHECKING:
    import httpx

__all__ = ["AuthUser", "OAuth2Error", "auth_url", "fetch_auth_user", "uses_pkce"]

TOKEN_FAILED = "Failed to fetch OAuth2 token."
USER_FAILED = "Failed to fetch OAuth2 user."
_TIMEOUT = 30.0
_APPLE_JWKS = "https://appleid.apple.com/auth/keys"
# Clock skew allowed on id_token times (PocketBase: 5 minutes, PB_ID_TOKEN_LEEWAY seconds).
_LEEWAY = int(os.environ.get("PB_ID_TOKEN_LEEWAY", "300") or 300)


class OAuth2Error(Exception):
    """The exchange failed; `message` is what the API answers."""

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(f"{message} {cause}".strip())
        self.message = message


class AuthUser(msgspec.Struct, kw_only=True):
    """The provider's user, as PocketBase reports it in the OAuth2 auth response's `meta`."""

    id: str = ""
    name: str = ""
    username: str = ""
    email: str = ""
    avatarURL: str = ""
    accessToken: str = ""
    refreshToken: str = ""
    expiry: str = ""
    rawUser: dict[str, Any] = {}


def _spec(config: OAuth2Provider) -> Spec:
    return SPECS.get(config.name, Spec("", "", "", ()))


def uses_pkce(config: OAuth2Provider) -> bool:
    """Whether the flow sends a PKCE challenge: the provider's default unless configured."""
    return _spec(config).pkce if config.pkce is None else config.pkce


def auth_url(config: OAuth2Provider, state: str, code_challenge: str) -> str:
    """The authorization URL, ending in `&redirect_uri=` for the client to complete (query
    parameters sorted by name, as Go's url.Values encodes them)."""
    spec = _spec(config)
    params: dict[str, str] = {"client_id": config.clientId, "response_type": "code", "state": state}
    if spec.scopes:
        params["scope"] = " ".join(spec.scopes)
    if code_challenge:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    params.update(spec.auth_params)
    base = config.authURL or spec.auth_url
    query = urlencode(sorted(params.items()), quote_via=quote_plus)
    return f"{base}{'&' if '?' in base else '?'}{query}&redirect_uri="


async def _exchange(
    client: httpx.AsyncClient, config: OAuth2Provider, code: str, verifier: str, redirect_url: str
) -> dict[str, Any]:
    url = config.tokenURL or _spec(config).token_url
    form = {"grant_type": "authorization_code", "code": code}
    if redirect_url:
        form["redirect_uri"] = redirect_url
    if verifier and uses_pkce(config):
        form["code_verifier"] = verifier
    basic = (quote(config.clientId, safe=""), quote(config.clientSecret, safe=""))
    response = await client.post(url, data=form, auth=basic, headers={"Accept": "application/json"})
    if response.status_code >= 400:
        # Some providers only take the credentials in the form body.
        with_secret = {**form, "client_id": config.clientId, "client_secret": config.clientSecret}
        response = await client.post(url, data=with_secret, headers={"Accept": "application/json"})
    if response.status_code >= 400:
        raise OAuth2Error(TOKEN_FAILED, f"{response.status_code}: {response.text[:500]}")
    token = _parse_token(response)
    if not token.get("access_token"):
        raise OAuth2Error(TOKEN_FAILED, "the server response has no access_token")
    return token


def _parse_token(response: httpx.Response) -> dict[str, Any]:
    if "application/x-www-form-urlencoded" in response.headers.get("content-type", ""):
        return dict(parse_qsl(response.text))
    try:
        data = response.json()
    except ValueError as exc:
        raise OAuth2Error(TOKEN_FAILED, "the token response isn't JSON") from exc
    if not isinstance(data, dict):
        raise OAuth2Error(TOKEN_FAILED, "the token response isn't an object")
    return data


def _request_for(config: OAuth2Provider, url: str) -> tuple[str, dict[str, str], bytes | None]:
    """Method, extra headers and body of the user request (some providers want them)."""
    name = config.name
    if name == "linear":
        query = b'{"query": "query Me { viewer { id displayName name email avatarUrl active } }"}'
        return "POST", {"Content-Type": "application/json"}, query
    if name == "monday":
        query = b'{"query": "query { me { id enabled name email is_verified photo_small }}"}'
        return "POST", {"Content-Type": "application/json"}, query
    if name == "twitch":
        return "GET", {"Client-Id": config.clientId}, None
    if name == "notion":
        return "GET", {"Notion-Version": "2022-06-28"}, None
    if name == "trakt":
        headers = {
            "Content-type": "application/json",
            "trakt-api-key": config.clientId,
            "trakt-api-version": "2",
        }
        return "GET", headers, None
    return "GET", {}, None


async def _raw_user(
    client: httpx.AsyncClient, config: OAuth2Provider, token: dict[str, Any]
) -> dict[str, Any]:
    url = config.userInfoURL or _spec(config).user_info_url
    if config.name == "apple" or (config.name.startswith("oidc") and not url):
        return await _id_token_claims(config, token)
    method, headers, body = _request_for(config, url)
    response = await client.request(
        method, url, content=body, headers={**headers, "Authorization": f"Bearer {token['access_token']}"}
    )
    if response.status_code >= 400:
        raise OAuth2Error(USER_FAILED, f"{url} ({response.status_code}): {response.text[:500]}")
    try:
        data = response.json()
    except ValueError as exc:
        raise OAuth2Error(USER_FAILED, "the user response isn't JSON") from exc
    if not isinstance(data, dict):
        raise OAuth2Error(USER_FAILED, "the user response isn't an object")
    return data


async def _id_token_claims(config: OAuth2Provider, token: dict[str, Any]) -> dict[str, Any]:
    """The claims of the token response's id_token, checked as PocketBase does: audience, times,
    the configured issuers, and the signature against the provider's JWKS (Apple's own, or the
    `jwksURL` of an OIDC config)."""
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OAuth2Error(USER_FAILED, "empty id_token")
    import jwt

    apple = config.name == "apple"
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            options={"verify_signature": False, "require": ["exp"] if apple else []},
            audience=config.clientId,
            issuer="https://appleid.apple.com" if apple else None,
            leeway=_LEEWAY,
        )
        if isinstance(claims.get("iat"), int | float) and claims["iat"] > time.time() + _LEEWAY:
            raise jwt.ImmatureSignatureError("the token was issued in the future")
    except jwt.PyJWTError as exc:
        raise OAuth2Error(USER_FAILED, f"invalid id_token: {exc}") from exc
    issuers = config.extra.get("issuers") if not apple else None
    if issuers and claims.get("iss") not in issuers:
        raise OAuth2Error(USER_FAILED, f"iss must be one of {issuers}, got {claims.get('iss')!r}")
    jwks_url = _APPLE_JWKS if apple else str(config.extra.get("jwksURL") or "")
    if jwks_url:
        await asyncio.to_thread(_check_signature, id_token, jwks_url)
    return claims


def _check_signature(id_token: str, jwks_url: str) -> None:
    import jwt

    try:
        key = jwt.PyJWKClient(jwks_url, timeout=30).get_signing_key_from_jwt(id_token)
        jwt.decode(id_token, key.key, algorithms=["RS256", "RS384", "RS512", "ES256", "ES384"], options={
            "verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False,
        })  # fmt: skip
    except jwt.PyJWTError as exc:
        raise OAuth2Error(USER_FAILED, f"id_token validation failed: {exc}") from exc


async def fetch_auth_user(
    config: OAuth2Provider, code: str, code_verifier: str, redirect_url: str
) -> AuthUser:
    """Exchange the authorization code and load the provider's user."""
    import httpx

    mapper = MAPPERS.get(config.name)
    if mapper is None:
        raise OAuth2Error(TOKEN_FAILED, f"unknown provider {config.name!r}")
    async with httpx.AsyncClient(timeout=_TIMEOUT, follow_redirects=True) as client:
        try:
            token = await _exchange(client, config, code, code_verifier, redirect_url)
        except httpx.HTTPError as exc:
            raise OAuth2Error(TOKEN_FAILED, str(exc)) from exc
        try:
            raw = await _raw_user(client, config, token)

            async def get_json(url: str) -> Any:
                response = await client.get(url, headers={"Authorization": f"Bearer {token['access_token']}"})
                return response.json() if response.status_code < 400 else None

            profile = await mapper(
                Userinfo(raw, token, get_json, config.userInfoURL or _spec(config).user_info_url)
            )
        except (httpx.HTTPError, UserError, ValueError) as exc:
            raise OAuth2Error(USER_FAILED, str(exc)) from exc
    expires_in = token.get("expires_in")
    expiry = ""
    if (
        isinstance(expires_in, int | float | str)
        and str(expires_in).strip().isdigit()
        and int(expires_in) > 0
    ):
        expiry = format_datetime(_dt.datetime.now(_dt.UTC) + _dt.timedelta(seconds=int(expires_in)))
    return AuthUser(
        id=profile.id,
        name=profile.name,
        username=profile.username,
        email=profile.email,
        avatarURL=profile.avatarURL,
        accessToken=str(token.get("access_token", "")),
        refreshToken=str(token.get("refresh_token", "") or ""),
        expiry=expiry,
        rawUser=raw,
    )
