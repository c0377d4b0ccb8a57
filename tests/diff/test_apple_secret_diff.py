"""`POST /api/settings/apple/generate-client-secret` (admin-apis.md §2) against PocketBase
0.40.6: validation, keys that aren't EC keys, and a signed secret (compared by its claims)."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

URL = "/api/settings/apple/generate-client-secret"


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


EC_KEY = _pem(ec.generate_private_key(ec.SECP256R1()))
RSA_KEY = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
GOOD = {"clientId": "com.example.app", "teamId": "ABCDE12345", "keyId": "KEY1234567", "duration": 3600}


def secret(name: str, body: object) -> Case:
    return Case(f"apple secret: {name}", "POST", URL, json=body, auth=True)


CASES = [
    Case("apple secret: guests may not", "POST", URL, json=GOOD),
    secret("nothing", {}),
    secret("short ids and a zero duration", {**GOOD, "teamId": "ABC", "keyId": "K" * 11, "duration": 0}),
    secret("a duration over six months", {**GOOD, "privateKey": EC_KEY, "duration": 15777001}),
    secret("a negative duration", {**GOOD, "privateKey": EC_KEY, "duration": -5}),
    secret("not a PEM", {**GOOD, "privateKey": "hello"}),
    secret(
        "a PEM frame around garbage",
        {**GOOD, "privateKey": "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----"},
    ),
    secret("an RSA key", {**GOOD, "privateKey": RSA_KEY}),
    secret("a duration of the wrong type", {**GOOD, "privateKey": EC_KEY, "duration": "60"}),
    secret("an EC key", {**GOOD, "privateKey": EC_KEY}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))


def test_the_secret_is_an_es256_jwt_apple_accepts(
    pair: tuple[Server, Server], tokens: tuple[str, str]
) -> None:
    answer = secret("signed", {**GOOD, "privateKey": EC_KEY}).send(pair[0], tokens[0])
    token = answer.json()["secret"]
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}
    public = serialization.load_pem_private_key(EC_KEY.encode(), None).public_key()
    claims = jwt.decode(token, public, algorithms=["ES256"], audience="https://appleid.apple.com")  # type: ignore[arg-type]
    assert (claims["iss"], claims["sub"], claims["exp"] - claims["iat"]) == (
        "ABCDE12345",
        "com.example.app",
        3600,
    )
