"""Masking what legitimately differs between two servers: random ids, tokens, timestamps."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

__all__ = ["normalize"]

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$")
_RECORD_ID = re.compile(r"^[a-z0-9]{15}$")
_JWT = re.compile(r"^ey[\w-]+\.ey[\w-]+\.[\w-]+$")
_RANDOM_PARTS = [
    (re.compile(r"_clone_[A-Za-z0-9]{4}"), "_clone_<random>"),
    (re.compile(r"temp_view_[A-Za-z0-9]{5}"), "temp_view_<random>"),
    (re.compile(r"idx_(tokenKey|email)_[a-z0-9]{10}\b"), r"idx_\1_<random>"),
]


def normalize(value: Any, key: str = "") -> Any:
    """`value` with server-specific parts replaced by stable placeholders."""
    if isinstance(value, dict):
        return {
            k: "<ms>" if k == "execTime" and isinstance(v, int) else normalize(v, k) for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalize(v, key) for v in value]
    if not isinstance(value, str):
        return value
    if _DATETIME.match(value):
        return "<datetime>"
    if _JWT.match(value):
        return _token(value)
    if key in ("id", "recordRef", "otpId", "mfaId") and _RECORD_ID.match(value):
        return "<record id>"
    if key in ("collectionId", "collectionName") and value.startswith(("pbc_", "temp_view_")):
        value = re.sub(r"^pbc_\d+$", "pbc_<temp>", value) if key == "collectionId" else value
    for pattern, placeholder in _RANDOM_PARTS:
        value = pattern.sub(placeholder, value)
    return value


def _token(token: str) -> str:
    """A JWT as its claim names and the claims that must agree (type, refreshable, collection)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    kept = {k: claims[k] for k in ("type", "refreshable", "collectionId") if k in claims}
    return f"<jwt {sorted(claims)} {json.dumps(kept, sort_keys=True)}>"
