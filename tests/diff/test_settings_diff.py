"""The settings API (admin-apis.md §2) against PocketBase 0.40.6: reading, merging changes,
every validation, secrets never shown. The last case puts the defaults back for other modules."""

from __future__ import annotations

import pytest

from tests.diff.cases import Case, compare
from tests.servers import Server

pytestmark = pytest.mark.xdist_group("diff")

S = "/api/settings"


def patch(name: str, body: object) -> Case:
    return Case(f"patch: {name}", "PATCH", S, json=body, auth=True)


CASES = [
    Case("guest reads", "GET", S),
    Case("superuser reads", "GET", S, auth=True),
    Case("superuser reads with fields", "GET", f"{S}?fields=meta.appName,smtp", auth=True),
    patch("app name and url", {"meta": {"appName": "Diffed", "appURL": "https://diffed.example.com"}}),
    patch("smtp password is never shown", {"smtp": {"password": "hunter2", "username": "u"}}),
    patch(
        "a blank app name, a bad url, a bad sender",
        {"meta": {"appName": "", "appURL": "x", "senderAddress": "no"}},
    ),
    patch("a bad accent color", {"meta": {"accentColor": "#12345"}}),
    patch("a wrong color format", {"meta": {"accentColor": "1234567"}}),
    patch("smtp enabled without a host", {"smtp": {"enabled": True, "host": "", "port": 0}}),
    patch("smtp auth method and local name", {"smtp": {"authMethod": "CRAM", "localName": "not a host!"}}),
    patch("s3 enabled with nothing", {"s3": {"enabled": True, "endpoint": "nope"}}),
    patch("backup s3 enabled with nothing", {"backups": {"s3": {"enabled": True}}}),
    patch("backups keep none", {"backups": {"cron": "0 0 * * *", "cronMaxKeep": 0}}),
    patch("batch limits", {"batch": {"enabled": True, "maxRequests": 0, "timeout": -1, "maxBodySize": -5}}),
    patch("logs max days", {"logs": {"maxDays": -1}}),
    patch("superuser ips", {"superuserIPs": ["127.0.0.1", "10.0.0.0/8", "nope", ""]}),
    patch(
        "rate limit rules",
        {
            "rateLimits": {
                "rules": [{"label": "bad label!", "audience": "x", "duration": 0, "maxRequests": 0}],
                "excludedIPs": ["1.2.3.4", "x"],
            }
        },
    ),
    patch(
        "conflicting rate limit labels",
        {
            "rateLimits": {
                "rules": [
                    {"label": "/api/", "duration": 1, "maxRequests": 1},
                    {"label": "/api/", "duration": 2, "maxRequests": 2},
                ]
            }
        },
    ),
    patch("rate limits enabled without rules", {"rateLimits": {"enabled": True, "rules": []}}),
    patch("rate limits enabled with null rules", {"rateLimits": {"enabled": True, "rules": None}}),
    patch("a null rate limit rule", {"rateLimits": {"rules": [None]}}),
    patch(
        "rate limit labels of every form, and not",
        {
            "rateLimits": {
                "rules": [
                    {"label": label, "duration": 1, "maxRequests": 1}
                    for label in (
                        "get /a",
                        "a:b",
                        "*:b",
                        "POST /",
                        "/a-b/_c/",
                        "a-b",
                        "é",
                        "abc\n",
                        "*",
                        "a:b:c",
                    )
                ]
            }
        },
    ),
    patch(
        "an everyone rule and a guest rule of one label conflict",
        {
            "rateLimits": {
                "rules": [
                    {"label": "abc", "audience": "@guest", "duration": 1, "maxRequests": 1},
                    {"label": "abc", "audience": "@auth", "duration": 1, "maxRequests": 1},
                    {"label": "abc", "duration": 1, "maxRequests": 1},
                ]
            }
        },
    ),
    patch("a port of the wrong type", {"smtp": {"port": "25"}}),
    Case("malformed JSON", "PATCH", S, content=b"{", headers={"content-type": "application/json"}, auth=True),
    Case("guest patches", "PATCH", S, json={"meta": {"appName": "x"}}),
    Case("test s3 as guest", "POST", f"{S}/test/s3", json={"filesystem": "storage"}),
    Case("test s3 without a filesystem", "POST", f"{S}/test/s3", json={}, auth=True),
    Case("test s3 of an unknown filesystem", "POST", f"{S}/test/s3", json={"filesystem": "x"}, auth=True),
    Case("test s3 storage not enabled", "POST", f"{S}/test/s3", json={"filesystem": "storage"}, auth=True),
    Case("test s3 backups not enabled", "POST", f"{S}/test/s3", json={"filesystem": "backups"}, auth=True),
    Case("test s3 with a form body", "POST", f"{S}/test/s3", data={"filesystem": "backups"}, auth=True),
    Case(
        "test s3 with a bad body",
        "POST",
        f"{S}/test/s3",
        content=b"[",
        headers={"content-type": "application/json"},
        auth=True,
    ),
    patch(
        "defaults back",
        {
            "meta": {"appName": "Acme", "appURL": "http://localhost:8090"},
            "smtp": {"password": "", "username": ""},
        },
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_same_answer(case: Case, pair: tuple[Server, Server], tokens: tuple[str, str]) -> None:
    compare(case, case.send(pair[0], tokens[0]), case.send(pair[1], tokens[1]))
