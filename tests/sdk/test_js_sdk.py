"""Runs each `js/*.test.mjs` file with Node's test runner against the session's live server.

The SDK comes from `tests/sdk/node_modules` (installed by `make test` from package-lock.json);
a missing install is a failure, never a skip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server
from tests.support.oauth2_provider import OAuth2Provider
from tests.support.smtp_sink import SMTPSink

SDK_DIR = Path(__file__).parent
JS_TESTS = sorted((SDK_DIR / "js").glob("*.test.mjs"))
# These scripts get their own server wired to a real SMTP sink and a local OAuth2 provider.
AUTH_FLOWS = "auth_flows.test.mjs"


@pytest.fixture(scope="module")
def auth_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    sink, idp = SMTPSink(), OAuth2Provider()
    sink.start()
    mail_url = sink.serve_http()
    idp.start()
    idp.add_user("jo", {"sub": "jo-1", "name": "Jo JS", "email": "jo@js.test", "email_verified": True})
    srv = Server.pocketlite(tmp_path_factory.mktemp("js_auth") / "pb_data")
    srv.create_superuser()
    srv.start()
    admin = {"Authorization": srv.auth_token()}
    httpx.patch(f"{srv.url}/api/settings", json={"smtp": sink.settings()}, headers=admin).raise_for_status()
    users = {
        "fields": [{"name": "name", "type": "text"}, {"name": "username", "type": "text", "max": 40}],
        "indexes": ["CREATE UNIQUE INDEX idx_users_username ON users (username) WHERE username != ''"],
        "passwordAuth": {"identityFields": ["email", "username"]},
        "otp": {"enabled": True},
        "mfa": {"enabled": True, "rule": "username = 'mfa'"},
        "oauth2": {"enabled": True, "providers": [idp.config()], "mappedFields": {"name": "name"}},
    }
    httpx.patch(f"{srv.url}/api/collections/users", json=users, headers=admin).raise_for_status()
    yield {"POCKETLITE_URL": srv.url, "MAIL_URL": mail_url, "IDP_URL": idp.url}
    srv.stop()
    idp.stop()
    sink.stop()


def test_the_js_sdk_is_installed() -> None:
    assert shutil.which("node"), "node is not on PATH (Node >= 20 is needed for the SDK tests)"
    assert (SDK_DIR / "node_modules" / "pocketbase" / "package.json").exists(), (
        "run `npm ci --prefix tests/sdk` (make test does it)"
    )


@pytest.mark.parametrize("script", JS_TESTS, ids=[p.name for p in JS_TESTS])
def test_js_sdk(script: Path, request: pytest.FixtureRequest) -> None:
    if script.name == AUTH_FLOWS:
        extra: dict[str, str] = request.getfixturevalue("auth_env")
    else:
        extra = {"POCKETLITE_URL": request.getfixturevalue("server").url}
    done = subprocess.run(
        ["node", "--test", "--test-reporter=tap", str(script)],
        cwd=SDK_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            **extra,
            "SUPERUSER_EMAIL": SUPERUSER_EMAIL,
            "SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, done.stdout
    assert re.search(r"^# fail 0$", done.stdout, re.MULTILINE), done.stdout
