"""Passwords and tokens in PocketBase's exact formats."""

from __future__ import annotations

import base64
import json
import re

from pocketlite.tools.security import (
    check_password,
    hash_password,
    random_string,
    random_string_by_regex,
    sign_token,
    verify_token,
)

# A hash written by PocketBase 0.40.6 for "Passw0rd123" (Go's bcrypt, cost 10).
KEY = "k" * 64  # PocketBase keys are tokenKey (50) + secret (50) characters

POCKETBASE_HASH = "$2a$10$OllO0jUmBZrPeewCbs6m6.LNb9f4MdgI7gKHcYJpj.KVkR440NwAW"


def _segment(token: str, index: int) -> dict[str, object]:
    part = token.split(".")[index]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_hashes_use_gos_2a_prefix_and_verify() -> None:
    hashed = hash_password("Passw0rd123", cost=4)
    assert hashed.startswith("$2a$04$")
    assert check_password("Passw0rd123", hashed)
    assert not check_password("wrong", hashed)


def test_hashes_written_by_pocketbase_verify() -> None:
    assert check_password("Passw0rd123", POCKETBASE_HASH)
    assert not check_password("Passw0rd1234", POCKETBASE_HASH)


def test_garbage_hashes_never_match() -> None:
    assert not check_password("x", "")
    assert not check_password("x", "not-a-hash")
    assert not check_password("x", "$2a$10$short")


def test_tokens_have_pocketbases_header_and_sorted_claims() -> None:
    token = sign_token({"type": "auth", "id": "abc", "exp": 4102444800, "collectionId": "c"}, KEY)
    assert token.split(".")[0] == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}
    assert list(_segment(token, 1)) == ["collectionId", "exp", "id", "type"]


def test_tokens_verify_only_with_their_key_and_before_expiry() -> None:
    valid = sign_token({"id": "a", "exp": 4102444800}, KEY)
    assert verify_token(valid, KEY) == {"id": "a", "exp": 4102444800}
    assert verify_token(valid, KEY + "x") is None
    assert verify_token(sign_token({"id": "a", "exp": 1}, KEY), KEY) is None
    assert verify_token(sign_token({"id": "a"}, KEY), KEY) is None  # no exp, no trust
    assert verify_token("garbage", KEY) is None


def test_random_strings_follow_their_alphabet_and_pattern() -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{50}", random_string(50))
    assert re.fullmatch(r"[a-z0-9]{15}", random_string_by_regex("[a-z0-9]{15}"))
    assert re.fullmatch(r"post_[0-9]{3}", random_string_by_regex("post_[0-9]{3}"))
