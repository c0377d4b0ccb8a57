"""Rule matching and the counters' lifecycle of `core.rate_limits`, as PocketBase's
`FindRateLimitRule` and rate limit middleware (the HTTP side is in tests/api)."""

from __future__ import annotations

import pytest

from pocketlite.core.collection import Collection
from pocketlite.core.rate_limits import CLEANUP_JOB, RateLimits
from pocketlite.core.settings import RateLimitRule, RateLimitsConfig
from pocketlite.tools.cron import Cron


def limits(*rules: tuple[str, str, int], excluded: tuple[str, ...] = ()) -> RateLimits:
    """Enabled limits of (label, audience, maxRequests) rules, 60 s each."""
    made = RateLimits(Cron())
    config = [RateLimitRule(label, audience, 60, max_requests) for label, audience, max_requests in rules]
    made.configure(RateLimitsConfig(rules=config, excludedIPs=list(excluded), enabled=True))
    return made


def label_of(found: RateLimitRule | None) -> str | None:
    return None if found is None else f"{found.label}{found.audience}"


@pytest.mark.parametrize(
    ("labels", "authenticated", "expected"),
    [
        (["GET /api/a", "/api/a"], False, "GET /api/a"),
        (["POST /api/a", "/api/a"], False, "/api/a"),
        (["GET /api/b", "/api/b"], False, "/api/"),
        (["GET /api/b/c", "/api/b/c"], False, "/api/"),  # prefix rules go in their order
        (["GET /api/b", "/api/b"], True, "/api/"),
        (["GET /other", "/other"], False, None),
        (["GET /x/y", "/x/y"], False, "GET /x/"),
        (["posts:list", "*:list", "GET /api/p", "/api/p"], False, "*:list@guest"),
        (["posts:list", "*:list", "GET /api/p", "/api/p"], True, "*:list@auth"),
        (["posts:view", "*:view", "GET /api/p", "/api/p"], False, "/api/"),
    ],
)
def test_the_first_label_with_a_rule_of_the_audience_wins(
    labels: list[str], authenticated: bool, expected: str | None
) -> None:
    found = limits(
        ("/api/", "", 1),
        ("/api/b/", "@guest", 1),
        ("GET /api/a", "", 1),
        ("/api/a", "", 1),
        ("GET /x/", "", 1),
        ("*:list", "@guest", 1),
        ("*:list", "@auth", 1),
    ).find_rule(labels, authenticated)
    assert label_of(found) == expected


def test_a_prefix_rule_covers_the_path_without_its_slash() -> None:
    rules = limits(("/api/b/", "", 1))
    assert label_of(rules.find_rule(["/api/b"], False)) == "/api/b/"
    assert rules.find_rule(["/api/bc"], False) is None


def test_an_exact_label_beats_an_earlier_prefix_rule() -> None:
    rules = limits(("/api/", "", 1), ("/api/a", "", 1))
    assert label_of(rules.find_rule(["GET /api/a", "/api/a"], False)) == "/api/a"


def test_one_counter_per_rule_for_paths() -> None:
    rules = limits(("/api/", "", 2))
    assert [rules.allow_path("GET", p, False, "1.2.3.4") for p in ("/api/a", "/api/b", "/api/c")] == [
        True,
        True,
        False,
    ]
    assert rules.allow_path("GET", "/api/a", False, "5.6.7.8") is True


def test_one_counter_per_collection_route() -> None:
    rules = limits(("*:create", "", 1))
    posts, notes = Collection(id="p1", name="posts"), Collection(id="n1", name="notes")
    route = ("POST", "/api/collections/x/records", False, "1.2.3.4")
    assert rules.allow_collection(posts, ("create",), *route) is True
    assert rules.allow_collection(posts, ("create",), *route) is False
    assert rules.allow_collection(notes, ("create",), *route) is True
    assert rules.allow_collection(posts, ("create",), *route, batch=True) is True


def test_superusers_and_excluded_ips_are_exempt() -> None:
    rules = limits(excluded=("10.0.0.0/8", "::1", "bad"))
    assert [rules.exempt(None, ip) for ip in ("10.2.3.4", "0000:0000:0000:0000:0000:0000:0000:0001")] == [
        True,
        True,
    ]
    assert [rules.exempt(None, ip) for ip in ("11.0.0.1", "", "x")] == [False, False, False]


def test_the_cleanup_job_comes_with_the_first_counter_and_goes_with_a_reload() -> None:
    cron = Cron()
    rules = RateLimits(cron)
    rules.configure(RateLimitsConfig(enabled=True))
    assert CLEANUP_JOB not in [job.id for job in cron.jobs()]
    assert rules.allow("@pb_otp_x", 1, 180, "1.2.3.4") is True
    assert [(job.id, job.expression) for job in cron.jobs()] == [(CLEANUP_JOB, "2 * * * *")]
    assert rules.allow("@pb_otp_x", 1, 180, "1.2.3.4") is False
    rules.configure(RateLimitsConfig(enabled=True))
    assert cron.jobs() == []
    assert rules.allow("@pb_otp_x", 1, 180, "1.2.3.4") is True


def test_no_client_ip_is_not_limited() -> None:
    rules = limits(("/", "", 1))
    assert [rules.allow_path("GET", "/", False, "") for _ in range(3)] == [True, True, True]
