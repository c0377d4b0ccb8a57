"""Random strings, password hashing and HS256 JWTs, with PocketBase's formats."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import string
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import bcrypt
import msgspec

__all__ = [
    "ALPHANUMERIC",
    "DEFAULT_BCRYPT_COST",
    "DEFAULT_ID_ALPHABET",
    "check_password",
    "decode_token_unverified",
    "hash_password",
    "md5_hex",
    "random_digits",
    "random_string",
    "random_string_by_regex",
    "sign_token",
    "verify_token",
]

ALPHANUMERIC = string.ascii_letters + string.digits
# The characters of generated record ids.
DEFAULT_ID_ALPHABET = string.ascii_lowercase + string.digits

# bcrypt's cost where a password field sets none (Go's bcrypt.DefaultCost).
DEFAULT_BCRYPT_COST = 10

# Unbounded repeats (`*`, `+`, `{n,}`) generate at most this many extra items.
_MAX_EXTRA_REPEAT = 10


def random_string(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """A cryptographically random string of `length` characters from `alphabet`."""
    size = len(alphabet)
    if not 0 < size <= 256:
        return "".join(secrets.choice(alphabet) for _ in range(length))
    # NB: one call for random bytes instead of one per character (a record id costs 15): a byte
    # below the largest multiple of `size` maps evenly onto the alphabet, others are dropped.
    limit = 256 - 256 % size
    out: list[str] = []
    while len(out) < length:
        out += [alphabet[b % size] for b in secrets.token_bytes(2 * (length - len(out)) + 8) if b < limit]
    return "".join(out[:length])


def random_digits(length: int) -> str:
    """A random numeric code, as used for OTPs."""
    return random_string(length, string.digits)


def random_string_by_regex(pattern: str) -> str:
    """A random string matching `pattern` (PocketBase's `autogeneratePattern`).

    Supports literals, classes, ranges, `.`, groups, alternation and repeats; anchors are ignored.
    Patterns are compiled once: record ids are generated on every create.
    """
    return "".join(_run(_plan(pattern)))


# A compiled generator: literal text, a class to pick from, a repeat or an alternation.
_Step = tuple[str, Any]


@functools.lru_cache(maxsize=256)
def _plan(pattern: str) -> tuple[_Step, ...]:
    return _compile(sre_parse.parse(pattern))


def _compile(items: Any) -> tuple[_Step, ...]:
    steps: list[_Step] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            steps.append(("lit", chr(av)))
        elif op is sre_c.IN:
            steps.append(("pick", _class_chars(av)))
        elif op is sre_c.ANY:
            steps.append(("pick", ALPHANUMERIC))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            lo, hi, sub = av
            if hi is sre_c.MAXREPEAT:
                hi = lo + _MAX_EXTRA_REPEAT
            steps.append(("repeat", (lo, hi, _compile(sub))))
        elif op is sre_c.SUBPATTERN:
            steps.extend(_compile(av[-1]))
        elif op is sre_c.BRANCH:
            steps.append(("branch", tuple(_compile(b) for b in av[1])))
        elif op is sre_c.AT:
            continue
        else:
            raise ValueError(f"unsupported regex construct in generator pattern: {op}")
    return tuple(steps)


def _run(steps: tuple[_Step, ...]) -> list[str]:
    out: list[str] = []
    for kind, arg in steps:
        if kind == "lit":
            out.append(arg)
        elif kind == "pick":
            out.append(secrets.choice(arg))
        elif kind == "repeat":
            lo, hi, sub = arg
            count = lo + secrets.randbelow(hi - lo + 1)
            if len(sub) == 1 and sub[0][0] == "pick":
                out.append(random_string(count, sub[0][1]))
            else:
                for _ in range(count):
                    out.extend(_run(sub))
        else:
            out.extend(_run(secrets.choice(arg)))
    return out


_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: string.digits,
    sre_c.CATEGORY_WORD: ALPHANUMERIC + "_",
    sre_c.CATEGORY_SPACE: " ",
}


def _class_chars(items: Any) -> str:
    chars: list[str] = []
    negate = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars.append(chr(av))
        elif op is sre_c.RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre_c.CATEGORY and av in _CATEGORIES:
            chars.extend(_CATEGORIES[av])
        else:
            raise ValueError(f"unsupported regex class item in generator pattern: {op}")
    if negate:
        excluded = set(chars)
        chars = [c for c in string.printable.strip() if c not in excluded]
    return "".join(chars)


def hash_password(password: str, cost: int = DEFAULT_BCRYPT_COST) -> str:
    """bcrypt hash in Go's `$2a$` flavour. CPU-heavy: call it from a thread."""
    salt = bcrypt.gensalt(rounds=cost, prefix=b"2a")
    return bcrypt.hashpw(password.encode()[:72], salt).decode()


def check_password(password: str, hashed: str) -> bool:
    """Compare a plain password with a bcrypt hash. CPU-heavy: call it from a thread."""
    if not hashed.startswith("$2"):
        return False
    try:
        return bcrypt.checkpw(password.encode()[:72], hashed.encode())
    except ValueError:
        return False


def md5_hex(text: str) -> str:
    """Hex md5 of a string (auth origin fingerprints)."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# The constant JOSE header, encoded once: {"alg":"HS256","typ":"JWT"}.
_JWT_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")


def sign_token(claims: dict[str, Any], key: str) -> str:
    """An HS256 JWT; claims are written with sorted keys and no spaces, as PocketBase does.

    NB: signed here with hmac rather than `jwt.encode`: pyjwt sniffs every key for PEM and SSH
    formats before using it, which cost three times the signature itself on each token issued
    (measured on auth-refresh). Verification stays with pyjwt."""
    payload = base64.urlsafe_b64encode(msgspec.json.encode(dict(sorted(claims.items())))).rstrip(b"=")
    signing_input = _JWT_HEADER + b"." + payload
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def decode_token_unverified(token: str) -> dict[str, Any]:
    """The claims of a JWT without checking its signature or expiry; `{}` when it is malformed.
    (Read directly: it runs for every authenticated request, before the record is loaded.)"""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = msgspec.json.decode(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, msgspec.DecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def verify_token(token: str, key: str) -> dict[str, Any] | None:
    """The claims of an HS256 JWT whose signature and time claims are valid, else None."""
    # Imported on first use: pyjwt loads `cryptography` (~50 ms), which commands that never see a
    # token (`superuser …`, `migrate …`) need not pay for.
    import jwt

    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None
