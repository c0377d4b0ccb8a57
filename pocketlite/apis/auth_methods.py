"""`GET /api/collections/{c}/auth-methods` (auth-api.md §3): how the records of an auth
collection can sign in, with a ready authorization URL (state and PKCE pair) per OAuth2 provider.
Nothing is stored: the client sends the code verifier back with the code."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from litestar import Response, get

from pocketlite.apis.context import AnyRequest, auth_collection
from pocketlite.apis.response import json_response
from pocketlite.core.oauth2 import auth_url, uses_pkce
from pocketlite.core.oauth2_providers import providers
from pocketlite.tools.security import random_string

__all__ = ["ROUTES"]


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@get("/api/collections/{collection_id:str}/auth-methods")
async def auth_methods(request: AnyRequest, collection_id: str) -> Response[bytes]:
    """The enabled sign-in methods and their settings."""
    collection = auth_collection(request, collection_id)
    options = collection.auth
    assert options is not None
    password = options.passwordAuth
    identity_fields = list(password.identityFields) if password.enabled else []
    known = {p.name: p for p in providers()}
    oauth2: list[dict[str, Any]] = []
    if options.oauth2.enabled:
        for config in options.oauth2.providers:
            info = known.get(config.name)
            if info is None:
                continue  # PocketBase skips providers it can't set up
            state = random_string(30)
            verifier = random_string(43) if uses_pkce(config) else ""
            challenge = _s256(verifier) if verifier else ""
            url = auth_url(config, state, challenge)
            oauth2.append(
                {
                    "name": config.name,
                    "displayName": config.displayName or info.displayName or config.name,
                    "logo": info.logo,
                    "state": state,
                    "authURL": url,
                    "authUrl": url,
                    "codeVerifier": verifier,
                    "codeChallenge": challenge,
                    "codeChallengeMethod": "S256" if verifier else "",
                }
            )
    body = {
        "password": {"identityFields": identity_fields, "enabled": password.enabled},
        "oauth2": {"providers": oauth2, "enabled": options.oauth2.enabled},
        "mfa": {
            "enabled": options.mfa.enabled,
            "duration": options.mfa.duration if options.mfa.enabled else 0,
        },
        "otp": {
            "enabled": options.otp.enabled,
            "duration": options.otp.duration if options.otp.enabled else 0,
        },
        "authProviders": [{**p, "logo": ""} for p in oauth2] if options.oauth2.enabled else [],
        "usernamePassword": password.enabled and "username" in password.identityFields,
        "emailPassword": password.enabled and "email" in password.identityFields,
    }
    return json_response(request, body)


ROUTES = [auth_methods]
