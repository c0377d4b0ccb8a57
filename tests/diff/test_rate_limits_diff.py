"""Rate limits (admin-apis.md §8, auth-api.md §16) against PocketBase 0.40.6: each scenario saves
its rules on both servers (a settings save starts the counters afresh) and sends the same
requests; every answer, 429s included, must agree. The servers are this module's own, so the
rest of the diff suite never sees a limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from tests.diff.cases import Case, compare
from tests.diff.conftest import serving_pair
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("rate_limits_diff")

PASSWORD = "12345678"
POSTS = {
    "name": "posts",
    "type": "base",
    "listRule": "",
    "viewRule": "",
    "createRule": "",
    "updateRule": "",
    "deleteRule": "",
    "fields": [{"name": "title", "type": "text"}],
}
NOTES = {**POSTS, "name": "notes"}
MEMBERS = {"name": "members", "type": "auth", "authAlert": {"enabled": False}, "otp": {"enabled": True}}
POST_ID = "post00000000001"
USER = {"id": "user00000000001", "email": "ann@members.co", "password": PASSWORD, "passwordConfirm": PASSWORD}
HEALTH = "/api/health"
M = "/api/collections/members"
POSTS_URL = "/api/collections/posts/records"
NOTES_URL = "/api/collections/notes/records"


@dataclass
class Scenario:
    """Rules (and other `rateLimits`/`trustedProxy` settings) and the requests sent under them."""

    name: str
    rules: list[dict[str, Any]]
    requests: list[Case]
    settings: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name.replace("@", "at-")


def rule(label: str, max_requests: int, audience: str = "", duration: int = 60) -> dict[str, Any]:
    return {"label": label, "audience": audience, "duration": duration, "maxRequests": max_requests}


def get(path: str, times: int = 1, **kw: Any) -> list[Case]:
    return [Case(f"GET {path}", "GET", path, **kw) for _ in range(times)]


def send(method: str, path: str, times: int = 1, **kw: Any) -> list[Case]:
    return [Case(f"{method} {path}", method, path, **kw) for _ in range(times)]


def batch(*bodies: dict[str, Any]) -> Case:
    requests = [{"method": "POST", "url": POSTS_URL, "body": body} for body in bodies]
    return Case(f"batch of {len(bodies)}", "POST", "/api/batch", json={"requests": requests})


def login(collection: str, times: int) -> list[Case]:
    body = {"identity": "nobody@members.co", "password": "wrong-password"}
    return send("POST", f"/api/collections/{collection}/auth-with-password", times, json=body)


SCENARIOS = [
    Scenario("an exact path label", [rule(HEALTH, 2)], [*get(HEALTH, 3), *get(POSTS_URL)]),
    Scenario(
        "the method label before the path label; HEAD is a method of its own",
        [rule(f"GET {HEALTH}", 1), rule(HEALTH, 3)],
        [*get(HEALTH, 2), *send("HEAD", HEALTH, 4)],
    ),
    Scenario(
        "one counter for every path a prefix rule matches, unmatched paths included",
        [rule("/api/", 4)],
        [
            *get(HEALTH),
            *get("/api/nothing-here"),
            *send("DELETE", "/api/nothing"),
            *get("/api/settings"),
            *get(HEALTH),
        ],
    ),
    Scenario("a trailing slash label covers the path itself", [rule(f"{HEALTH}/", 1)], get(HEALTH, 2)),
    Scenario("the root prefix covers pages too", [rule("/", 2)], [*get(HEALTH), *get("/missing.txt", 2)]),
    Scenario(
        "preflight requests are not counted",
        [rule(HEALTH, 1)],
        [
            *send(
                "OPTIONS",
                HEALTH,
                3,
                headers={"Origin": "http://x.co", "Access-Control-Request-Method": "GET"},
            ),
            *get(HEALTH, 2),
        ],
    ),
    Scenario(
        "collection tags before the wildcard, before the paths",
        [rule("posts:list", 1), rule("*:list", 2), rule("/api/", 100)],
        [*get(POSTS_URL, 2), *get(NOTES_URL, 3)],
    ),
    Scenario(
        "a path rule on records counts per collection",
        [rule("/api/collections/", 2)],
        [*get(POSTS_URL), *get(NOTES_URL), *get(POSTS_URL, 2), *get(NOTES_URL, 2)],
    ),
    Scenario(
        "view, update and delete tags",
        [rule("*:view", 1), rule("posts:update", 1), rule("*:delete", 1)],
        [
            *get(f"{POSTS_URL}/{POST_ID}", 2),
            *send("PATCH", f"{POSTS_URL}/{POST_ID}", 2, json={"title": "changed"}),
            *send("DELETE", f"{POSTS_URL}/missing0000000", 2),
            *get(f"{NOTES_URL}/missing0000000", 2),
        ],
    ),
    Scenario(
        "an unknown collection answers 404, uncounted",
        [rule("/api/", 2)],
        [
            *get("/api/collections/nowhere/records", 3),
            *send("POST", "/api/collections/nowhere/auth-refresh", 3),
        ],
    ),
    Scenario(
        "creates count per collection, and a batch's apart from the route",
        [rule("*:create", 1), rule("/api/batch", 10)],
        [
            *send("POST", POSTS_URL, 2, json={"title": "a"}),
            *send("POST", NOTES_URL, 2, json={"title": "b"}),
            batch({"title": "c"}, {"title": "d"}),
            batch({"title": "e"}),
        ],
        {"batch": {"enabled": True}},
    ),
    Scenario(
        "the batch endpoint's own label",
        [rule("/api/batch", 1)],
        [batch({"title": "f"}), batch({"title": "g"})],
        {"batch": {"enabled": True}},
    ),
    Scenario(
        "auth-with-password counts as its own tag and as auth",
        [rule("members:authWithPassword", 1), rule("*:auth", 2)],
        [*login("members", 2), *login("_superusers", 3)],
    ),
    Scenario(
        "the other auth route tags",
        [
            rule("*:listAuthMethods", 1),
            rule("*:authRefresh", 1),
            rule("*:requestPasswordReset", 1),
            rule("*:confirmPasswordReset", 1),
            rule("*:requestVerification", 1),
            rule("*:confirmVerification", 1),
            rule("*:requestEmailChange", 1),
            rule("*:confirmEmailChange", 1),
            rule("*:authWithOTP", 1),
            rule("*:authWithOAuth2", 1),
        ],
        [
            *get(f"{M}/auth-methods", 2),
            *send("POST", f"{M}/auth-refresh", 2),
            *send("POST", f"{M}/request-password-reset", 2, json={"email": "no@members.co"}),
            *send("POST", f"{M}/confirm-password-reset", 2, json={}),
            *send("POST", f"{M}/request-verification", 2, json={"email": "no@members.co"}),
            *send("POST", f"{M}/confirm-verification", 2, json={}),
            *send("POST", f"{M}/request-email-change", 2, json={}),
            *send("POST", f"{M}/confirm-email-change", 2, json={}),
            *send("POST", f"{M}/auth-with-otp", 2, json={}),
            *send("POST", f"{M}/auth-with-oauth2", 2, json={}),
        ],
    ),
    Scenario(
        "request-otp has no auth tag",
        [rule("*:auth", 1), rule("members:requestOTP", 1)],
        send("POST", f"{M}/request-otp", 2, json={}),
    ),
    Scenario(
        "file downloads",
        [rule("posts:file", 1), rule("*:file", 2)],
        [*get(f"/api/files/posts/{POST_ID}/a.txt", 2), *get(f"/api/files/notes/{POST_ID}/a.txt", 3)],
    ),
    Scenario(
        "other routes under collections go by path",
        [rule("/api/collections/", 1)],
        [*send("POST", f"{M}/impersonate/{USER['id']}", 2), *get("/api/collections", 2)],
    ),
    Scenario(
        "audiences",
        [rule(HEALTH, 1, "@guest"), rule(HEALTH, 2, "@auth")],
        [*get(HEALTH, 2), *get(HEALTH, 3, user="ann")],
    ),
    Scenario(
        "an everyone rule after a guest rule",
        [rule(HEALTH, 1, "@guest"), rule(f"GET {HEALTH}", 2)],
        [*get(HEALTH, 3), *get(HEALTH, 3, user="ann")],
    ),
    Scenario("superusers are never limited", [rule("/", 1)], get(HEALTH, 3, auth=True)),
    Scenario(
        "excluded IPs are never limited", [rule("/", 1)], get(HEALTH, 3), {"excludedIPs": ["127.0.0.0/8"]}
    ),
    Scenario(
        "the client key is the real IP",
        [rule(HEALTH, 1)],
        [
            *get(HEALTH, 2, headers={"X-Forwarded-For": "10.0.0.1"}),
            *get(HEALTH, 2, headers={"X-Forwarded-For": "9.9.9.9, 10.0.0.2"}),
            *get(HEALTH, 3, headers={"X-Forwarded-For": "10.0.0.3"}),
            *get(HEALTH, 2),
        ],
        {
            "excludedIPs": ["10.0.0.3"],
            "trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": False},
        },
    ),
    Scenario(
        "the leftmost IP",
        [rule(HEALTH, 1)],
        [
            *get(HEALTH, 2, headers={"X-Forwarded-For": "10.0.0.4, 10.0.0.5"}),
            *get(HEALTH, 1, headers={"X-Forwarded-For": "10.0.0.4, 10.0.0.6"}),
        ],
        {"trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": True}},
    ),
    Scenario("rules apply only when enabled", [rule(HEALTH, 1)], get(HEALTH, 3), {"enabled": False}),
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[Server, dict[str, str]]]]:
    """(server, tokens by who) for pocketlite and PocketBase, with the collections and a user."""
    with serving_pair(tmp_path_factory, "rate_limits") as pair:
        out = []
        for server in pair:
            admin = {"Authorization": server.auth_token()}
            for collection in (POSTS, NOTES, MEMBERS):
                httpx.post(f"{server.url}/api/collections", json=collection, headers=admin).raise_for_status()
            post = {"id": POST_ID, "title": "first"}
            httpx.post(f"{server.url}{POSTS_URL}", json=post, headers=admin).raise_for_status()
            httpx.post(
                f"{server.url}/api/collections/members/records", json=USER, headers=admin
            ).raise_for_status()
            login = httpx.post(
                f"{server.url}/api/collections/members/auth-with-password",
                json={"identity": USER["email"], "password": PASSWORD},
            )
            out.append((server, {"superuser": admin["Authorization"], "ann": login.json()["token"]}))
        yield out


def _configure(
    server: Server, tokens: dict[str, str], rules: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    limits = {
        "enabled": True,
        "excludedIPs": [],
        "rules": rules,
        **{k: v for k, v in extra.items() if k in ("enabled", "excludedIPs")},
    }
    body = {
        "rateLimits": limits,
        "trustedProxy": extra.get("trustedProxy", {"headers": [], "useLeftmostIP": False}),
        "batch": extra.get("batch", {"enabled": False}),
    }
    response = httpx.patch(
        f"{server.url}/api/settings", json=body, headers={"Authorization": tokens["superuser"]}
    )
    assert response.status_code == 200, response.text


def _send(case: Case, server: Server, tokens: dict[str, str]) -> httpx.Response:
    token = tokens["superuser"] if case.auth else tokens.get(case.user, "")
    return case.send(server, token, force=bool(token))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_same_answers_in_order(scenario: Scenario, servers: list[tuple[Server, dict[str, str]]]) -> None:
    for server, tokens in servers:
        _configure(server, tokens, scenario.rules, scenario.settings)
    # Requests go to both servers in turn, so that both see them within the same second or so.
    for i, case in enumerate(scenario.requests):
        (ours, our_tokens), (theirs, their_tokens) = servers
        answers = _send(case, ours, our_tokens), _send(case, theirs, their_tokens)
        compare(replace(case, name=f"{scenario.name}, request {i}: {case.name}"), *answers)


def _at_second_start() -> None:
    """Wait for the next whole Unix second: both servers count windows in whole seconds."""
    time.sleep(1.02 - time.time() % 1)


def test_a_window_reopens_after_its_duration(servers: list[tuple[Server, dict[str, str]]]) -> None:
    for server, tokens in servers:
        _configure(server, tokens, [rule(HEALTH, 1, duration=1)], {})
    statuses: list[list[int]] = [[], []]
    for _ in range(2):
        _at_second_start()
        for i, (server, _tokens) in enumerate(servers):
            statuses[i] += [httpx.get(server.url + HEALTH).status_code for _ in range(2)]
    assert statuses[0] == statuses[1] == [200, 429, 200, 429]


def test_the_cleanup_job_comes_with_the_first_counter(servers: list[tuple[Server, dict[str, str]]]) -> None:
    listed = []
    for server, tokens in servers:
        _configure(server, tokens, [rule(HEALTH, 5)], {})
        admin = {"Authorization": tokens["superuser"]}
        before = [job["id"] for job in httpx.get(f"{server.url}/api/crons", headers=admin).json()]
        httpx.get(server.url + HEALTH)
        after = httpx.get(f"{server.url}/api/crons", headers=admin).json()
        listed.append(("__pbRateLimitersCleanup__" in before, after[-1]))
    assert listed[0] == listed[1] == (False, {"id": "__pbRateLimitersCleanup__", "expression": "2 * * * *"})
