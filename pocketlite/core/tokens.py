"""Record JWTs (auth-api.md §1): HS256, signed with the record's `tokenKey` + the collection's
secret for the token type, so changing either invalidates every token issued before."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from pocketlite.core.record import Record
from pocketlite.tools.security import decode_token_unverified, sign_token, verify_token

__all__ = ["AUTH", "FILE", "issue_token", "read_claims", "verify_record_token"]

AUTH, FILE = "auth", "file"


def _signing_key(record: Record, token_type: str) -> str:
    options = record.collection.auth
    assert options is not None, "only auth records have tokens"
    return record.get_string("tokenKey") + options.token_config(token_type).secret


def issue_token(record: Record, token_type: str, *, duration: int = 0, **claims: Any) -> str:
    """A new token of `token_type` for an auth record; `duration` 0 means the collection's."""
    options = record.collection.auth
    assert options is not None, "only auth records have tokens"
    lifetime = duration or options.token_config(token_type).duration
    payload = {
        "collectionId": record.collection.id,
        "exp": int(time.time()) + lifetime,
        "id": record.id,
        "type": token_type,
        **claims,
    }
    return sign_token(payload, _signing_key(record, token_type))


def read_claims(token: str) -> dict[str, Any]:
    """The unverified claims, or `{}` unless `id`, `collectionId` and `type` are non-empty strings
    (the record must be loaded before the signature can be checked)."""
    claims = decode_token_unverified(token)
    for key in ("id", "collectionId", "type"):
        if not isinstance(claims.get(key), str) or not claims[key]:
            return {}
    return claims


# Tokens whose signature was checked, with the key that checked it: a token is verified again
# (HMAC and all) only when its record's key changed (new password, new tokenKey, new secret).
_VERIFIED: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
_VERIFIED_MAX = 4096


def verify_record_token(record: Record, token: str, token_type: str) -> dict[str, Any] | None:
    """The claims when `token` is a valid, unexpired `token_type` token of `record`, else None."""
    key = _signing_key(record, token_type)
    cached = _VERIFIED.get(token)
    if cached is not None and cached[0] == key:
        if cached[1]["exp"] > time.time():
            return cached[1]
        del _VERIFIED[token]
        return None
    claims = verify_token(token, key)
    if claims is None or claims.get("type") != token_type or claims.get("id") != record.id:
        return None
    if claims.get("collectionId") != record.collection.id or not isinstance(claims.get("exp"), int | float):
        return None
    _VERIFIED[token] = (key, claims)
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return claims
