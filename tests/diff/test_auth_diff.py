"""The auth endpoints (auth-api.md §4-§7, §10-§12) against PocketBase 0.40.6: logins by email
and username, wrong and forged credentials, refresh, MFA, OTP, and the mailed-token flows'
requests and bad confirmations. Flows that need a mailed token live in tests/api."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server
from tests.support.smtp_sink import SMTPSink

pytestmark = pytest.mark.xdist_group("diff")

PASSWORD = "12345678"
MEMBERS = {
    "name": "members",
    "type": "auth",
    "fields": [{"name": "username", "type": "text", "max": 30}],
    "indexes": ["CREATE UNIQUE INDEX idx_members_username ON members (username) WHERE username != ''"],
    "passwordAuth": {"enabled": True, "identityFields": ["email", "username"]},
    "otp": {"enabled": True},
    "authAlert": {"enabled": False},
}
GATED = {
    "name": "gated",
    "type": "auth",
    "otp": {"enabled": True},
    "mfa": {"enabled": True},
    "authAlert": {"enabled": False},
}
NOPASS = {
    "name": "nopass",
    "type": "auth",
    "passwordAuth": {"enabled": False},
    "authAlert": {"enabled": False},
}
PLAIN = {"name": "plainstuff", "type": "base", "fields": [{"name": "title", "type": "text"}]}
RULED = {
    "name": "ruled",
    "type": "auth",
    "authRule": "verified = true",
    "authAlert": {"enabled": False},
}

USERS = [
    ("members", {"id": "member000000001", "email": "ann@members.co", "username": "ann"}),
    ("members", {"id": "member000000002", "email": "ben@members.co", "username": "ben", "verified": True}),
    ("gated", {"id": "gated0000000001", "email": "gus@gated.co"}),
    ("gated", {"id": "gated0000000002", "email": "gil@gated.co"}),
    ("nopass", {"id": "nopass000000001", "email": "nia@nopass.co"}),
    ("ruled", {"id": "ruled0000000001", "email": "rue@ruled.co"}),
    ("ruled", {"id": "ruled0000000002", "email": "rex@ruled.co", "verified": True}),
]


@pytest.fixture(scope="module")
def members(pair: tuple[Server, Server], tokens: tuple[str, str]) -> Iterator[list[dict[str, str]]]:
    """Both servers with the collections and users above; per server, a token of each user."""
    out: list[dict[str, str]] = []
    for server, token in zip(pair, tokens, strict=True):
        admin = {"Authorization": token}
        for collection in (MEMBERS, GATED, NOPASS, PLAIN, RULED):
            httpx.post(f"{server.url}/api/collections", json=collection, headers=admin).raise_for_status()
        for name, user in USERS:
            body = {**user, "password": PASSWORD, "passwordConfirm": PASSWORD}
            httpx.post(
                f"{server.url}/api/collections/{name}/records", json=body, headers=admin
            ).raise_for_status()
        user_tokens = {}
        for email in ("ann@members.co", "ben@members.co"):
            login = httpx.post(
                f"{server.url}/api/collections/members/auth-with-password",
                json={"identity": email, "password": PASSWORD},
            )
            user_tokens[email.split("@")[0]] = login.json()["token"]
        out.append(user_tokens)
    yield out


def _forged(claims: dict[str, object]) -> str:
    """A JWT with the given claims and a signature nobody made."""

    def part(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJlLW5vdC1tYWRlLWJ5LWFueW9uZQ"


M = "/api/collections/members"
FORGED_VERIFICATION = _forged(
    {
        "collectionId": "x",
        "email": "ann@members.co",
        "exp": 4102444800,
        "id": "member000000001",
        "type": "verification",
    }
)
FORGED_RESET = _forged(
    {
        "collectionId": "x",
        "email": "ann@members.co",
        "exp": 4102444800,
        "id": "member000000001",
        "type": "passwordReset",
    }
)
FORGED_CHANGE = _forged(
    {
        "collectionId": "x",
        "email": "ann@members.co",
        "exp": 4102444800,
        "id": "member000000001",
        "newEmail": "new@members.co",
        "type": "emailChange",
    }
)


def login(name: str, body: object, path: str = f"{M}/auth-with-password", **kw: object) -> Case:
    return Case(f"password login: {name}", "POST", path, json=body, **kw)  # type: ignore[arg-type]


CASES = [
    # --- auth-with-password
    login("by email", {"identity": "ann@members.co", "password": PASSWORD}),
    login("by username", {"identity": "ann", "password": PASSWORD}),
    login("username named", {"identity": "ben", "password": PASSWORD, "identityField": "username"}),
    login("email named, username given", {"identity": "ben", "password": PASSWORD, "identityField": "email"}),
    login("unknown identity field", {"identity": "ben", "password": PASSWORD, "identityField": "name"}),
    login("wrong password", {"identity": "ann@members.co", "password": "wrong-password"}),
    login("unknown email", {"identity": "nobody@members.co", "password": PASSWORD}),
    login("email in other case", {"identity": "ANN@members.co", "password": PASSWORD}),
    login("blank", {}),
    login("too long", {"identity": "a" * 256, "password": "p" * 256}),
    login("identity not a string", {"identity": 5, "password": PASSWORD}),
    Case(
        "password login: malformed JSON",
        "POST",
        f"{M}/auth-with-password",
        content=b"{",
        headers={"content-type": "application/json"},
    ),
    Case(
        "password login: as a form",
        "POST",
        f"{M}/auth-with-password",
        data={"identity": "ann", "password": PASSWORD},
    ),
    Case(
        "password login: text body",
        "POST",
        f"{M}/auth-with-password",
        content=b"x",
        headers={"content-type": "text/plain"},
    ),
    login(
        "with fields=",
        {"identity": "ann", "password": PASSWORD},
        path=f"{M}/auth-with-password?fields=token,record.email",
    ),
    login(
        "disabled",
        {"identity": "nia@nopass.co", "password": PASSWORD},
        path="/api/collections/nopass/auth-with-password",
    ),
    login(
        "not an auth collection",
        {"identity": "x", "password": "y"},
        path="/api/collections/plainstuff/auth-with-password",
    ),
    login(
        "unknown collection",
        {"identity": "x", "password": "y"},
        path="/api/collections/nope/auth-with-password",
    ),
    login(
        "authRule refuses",
        {"identity": "rue@ruled.co", "password": PASSWORD},
        path="/api/collections/ruled/auth-with-password",
    ),
    login(
        "authRule admits",
        {"identity": "rex@ruled.co", "password": PASSWORD},
        path="/api/collections/ruled/auth-with-password",
    ),
    login(
        "superuser, wrong password",
        {"identity": "admin@example.com", "password": "nope"},
        path="/api/collections/_superusers/auth-with-password",
    ),
    # --- auth-refresh
    Case("refresh: guest", "POST", f"{M}/auth-refresh"),
    Case("refresh: ann", "POST", f"{M}/auth-refresh", user="ann"),
    Case("refresh: ann with fields", "POST", f"{M}/auth-refresh?fields=record.username", user="ann"),
    Case("refresh: ann at another collection", "POST", "/api/collections/gated/auth-refresh", user="ann"),
    Case("refresh: superuser at members", "POST", f"{M}/auth-refresh", auth=True),
    Case(
        "refresh: forged token",
        "POST",
        f"{M}/auth-refresh",
        headers={
            "Authorization": _forged(
                {"collectionId": "x", "exp": 4102444800, "id": "member000000001", "type": "auth"}
            )
        },
    ),
    Case("refresh: garbage token", "POST", f"{M}/auth-refresh", headers={"Authorization": "Bearer nonsense"}),
    # --- OTP
    Case(
        "request-otp: disabled",
        "POST",
        "/api/collections/nopass/request-otp",
        json={"email": "nia@nopass.co"},
    ),
    Case("request-otp: blank", "POST", f"{M}/request-otp", json={}),
    Case("request-otp: not an email", "POST", f"{M}/request-otp", json={"email": "ann"}),
    Case("request-otp: unknown email", "POST", f"{M}/request-otp", json={"email": "nobody@members.co"}),
    Case(
        "request-otp: not an auth collection",
        "POST",
        "/api/collections/plainstuff/request-otp",
        json={"email": "a@b.co"},
    ),
    Case("auth-with-otp: blank", "POST", f"{M}/auth-with-otp", json={}),
    Case(
        "auth-with-otp: too long",
        "POST",
        f"{M}/auth-with-otp",
        json={"otpId": "x" * 256, "password": "1" * 72},
    ),
    Case(
        "auth-with-otp: unknown otp",
        "POST",
        f"{M}/auth-with-otp",
        json={"otpId": "nope", "password": "123456"},
    ),
    Case(
        "auth-with-otp: disabled",
        "POST",
        "/api/collections/nopass/auth-with-otp",
        json={"otpId": "x", "password": "1"},
    ),
    # --- MFA (errors without a session)
    Case(
        "mfa: unknown session",
        "POST",
        "/api/collections/gated/auth-with-password?mfaId=nope",
        json={"identity": "gus@gated.co", "password": PASSWORD},
    ),
    # --- verification
    Case("request-verification: blank", "POST", f"{M}/request-verification", json={}),
    Case("request-verification: bad email", "POST", f"{M}/request-verification", json={"email": "ann@"}),
    Case(
        "request-verification: unknown",
        "POST",
        f"{M}/request-verification",
        json={"email": "nobody@members.co"},
    ),
    Case(
        "request-verification: already verified",
        "POST",
        f"{M}/request-verification",
        json={"email": "ben@members.co"},
    ),
    Case(
        "request-verification: superusers",
        "POST",
        "/api/collections/_superusers/request-verification",
        json={"email": "admin@example.com"},
    ),
    Case("confirm-verification: blank", "POST", f"{M}/confirm-verification", json={}),
    Case("confirm-verification: garbage", "POST", f"{M}/confirm-verification", json={"token": "garbage"}),
    Case(
        "confirm-verification: forged",
        "POST",
        f"{M}/confirm-verification",
        json={"token": FORGED_VERIFICATION},
    ),
    Case(
        "confirm-verification: superusers",
        "POST",
        "/api/collections/_superusers/confirm-verification",
        json={"token": "x"},
    ),
    # --- password reset
    Case("request-password-reset: blank", "POST", f"{M}/request-password-reset", json={}),
    Case("request-password-reset: bad email", "POST", f"{M}/request-password-reset", json={"email": "nope"}),
    Case(
        "request-password-reset: unknown",
        "POST",
        f"{M}/request-password-reset",
        json={"email": "nobody@members.co"},
    ),
    Case(
        "request-password-reset: disabled",
        "POST",
        "/api/collections/nopass/request-password-reset",
        json={"email": "nia@nopass.co"},
    ),
    Case("confirm-password-reset: blank", "POST", f"{M}/confirm-password-reset", json={}),
    Case(
        "confirm-password-reset: forged, short, mismatched",
        "POST",
        f"{M}/confirm-password-reset",
        json={"token": FORGED_RESET, "password": "1", "passwordConfirm": "2"},
    ),
    Case(
        "confirm-password-reset: a verification token",
        "POST",
        f"{M}/confirm-password-reset",
        json={"token": FORGED_VERIFICATION, "password": "123456789", "passwordConfirm": "123456789"},
    ),
    # --- email change
    Case(
        "request-email-change: guest", "POST", f"{M}/request-email-change", json={"newEmail": "x@members.co"}
    ),
    Case("request-email-change: blank", "POST", f"{M}/request-email-change", json={}, user="ann"),
    Case(
        "request-email-change: bad", "POST", f"{M}/request-email-change", json={"newEmail": "x"}, user="ann"
    ),
    Case(
        "request-email-change: same",
        "POST",
        f"{M}/request-email-change",
        json={"newEmail": "ann@members.co"},
        user="ann",
    ),
    Case(
        "request-email-change: taken",
        "POST",
        f"{M}/request-email-change",
        json={"newEmail": "ben@members.co"},
        user="ann",
    ),
    Case(
        "request-email-change: superusers",
        "POST",
        "/api/collections/_superusers/request-email-change",
        json={"newEmail": "x@y.co"},
        auth=True,
    ),
    Case("confirm-email-change: blank", "POST", f"{M}/confirm-email-change", json={}),
    Case(
        "confirm-email-change: no newEmail claim",
        "POST",
        f"{M}/confirm-email-change",
        json={"token": FORGED_VERIFICATION, "password": PASSWORD},
    ),
    Case(
        "confirm-email-change: forged",
        "POST",
        f"{M}/confirm-email-change",
        json={"token": FORGED_CHANGE, "password": PASSWORD},
    ),
    Case(
        "confirm-email-change: long password",
        "POST",
        f"{M}/confirm-email-change",
        json={"token": FORGED_CHANGE, "password": "p" * 101},
    ),
    Case(
        "confirm-email-change: superusers",
        "POST",
        "/api/collections/_superusers/confirm-email-change",
        json={"token": "x", "password": "y"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(
    case: Case, pair: tuple[Server, Server], tokens: tuple[str, str], members: list[dict[str, str]]
) -> None:
    ours, theirs = tokens
    if case.user:
        ours, theirs = members[0][case.user], members[1][case.user]
    compare(
        case,
        case.send(pair[0], ours, force=bool(case.user)),
        case.send(pair[1], theirs, force=bool(case.user)),
    )


def _both(
    pair: tuple[Server, Server], method: str, paths: tuple[str, str], bodies: tuple[object, object]
) -> tuple[httpx.Response, httpx.Response]:
    """One step of a flow whose URL or body holds a value each server chose itself."""
    answers = tuple(
        httpx.request(method, server.url + path, json=body, timeout=30)
        for server, path, body in zip(pair, paths, bodies, strict=True)
    )
    case = Case(f"{method} {paths[0]}", method, paths[0])
    compare(case, answers[0], answers[1])
    return answers[0], answers[1]


def test_mfa_needs_a_second_different_method(
    pair: tuple[Server, Server], members: list[dict[str, str]]
) -> None:
    g = "/api/collections/gated/auth-with-password"
    first = _both(pair, "POST", (g, g), ({"identity": "gus@gated.co", "password": PASSWORD},) * 2)
    assert first[0].status_code == 401 and set(first[0].json()) == {"mfaId"}
    ids = [r.json()["mfaId"] for r in first]
    # the same method twice is refused, by query parameter or body field
    _both(
        pair,
        "POST",
        tuple(f"{g}?mfaId={i}" for i in ids),
        ({"identity": "gus@gated.co", "password": PASSWORD},) * 2,
    )  # type: ignore[arg-type]
    _both(
        pair,
        "POST",
        (g, g),
        tuple({"identity": "gus@gated.co", "password": PASSWORD, "mfaId": i} for i in ids),
    )  # type: ignore[arg-type]
    # someone else's session
    _both(
        pair,
        "POST",
        tuple(f"{g}?mfaId={i}" for i in ids),
        ({"identity": "gil@gated.co", "password": PASSWORD},) * 2,
    )  # type: ignore[arg-type]
    # a wrong password never reaches MFA
    _both(pair, "POST", (g, g), ({"identity": "gus@gated.co", "password": "wrong-password"},) * 2)
    # a wrong OTP with the session
    o = "/api/collections/gated/auth-with-otp"
    otp = _both(pair, "POST", ("/api/collections/gated/request-otp",) * 2, ({"email": "gus@gated.co"},) * 2)  # type: ignore[arg-type]
    otp_ids = [r.json()["otpId"] for r in otp]
    _both(
        pair,
        "POST",
        tuple(f"{o}?mfaId={i}" for i in ids),  # type: ignore[arg-type]
        tuple({"otpId": i, "password": "00000000"} for i in otp_ids),  # type: ignore[arg-type]
    )


def test_wrong_otp_codes_are_refused_then_limited(
    pair: tuple[Server, Server], tokens: tuple[str, str], members: list[dict[str, str]]
) -> None:
    # Five wrong codes a 400 each, the sixth 429 — from the first one on, however long the
    # machine has been up (the limiter's window once started at the monotonic clock's zero).
    # The OTP must really be mailed (a failed mail leaves no usable OTP): SMTP into a sink.
    sink = SMTPSink()
    sink.start()
    try:
        for server, token in zip(pair, tokens, strict=True):
            httpx.patch(
                f"{server.url}/api/settings", json={"smtp": sink.settings()}, headers={"Authorization": token}
            ).raise_for_status()
        m = "/api/collections/members"
        otp = _both(pair, "POST", (f"{m}/request-otp",) * 2, ({"email": "ben@members.co"},) * 2)  # type: ignore[arg-type]
        assert sink.wait_for("ben@members.co", count=2)
        bodies = tuple({"otpId": r.json()["otpId"], "password": "00000000"} for r in otp)
        codes = [_both(pair, "POST", (f"{m}/auth-with-otp",) * 2, bodies)[0].status_code for _ in range(6)]  # type: ignore[arg-type]
        assert codes == [400] * 5 + [429]
    finally:
        for server, token in zip(pair, tokens, strict=True):
            httpx.patch(
                f"{server.url}/api/settings",
                json={"smtp": {"enabled": False}},
                headers={"Authorization": token},
            ).raise_for_status()
        sink.stop()
