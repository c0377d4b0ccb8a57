"""Runs each `js/*.test.mjs` file with Node's test runner against the session's live server.

The SDK comes from `tests/sdk/node_modules` (installed by `make test` from package-lock.json);
a missing install is a failure, never a skip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server

SDK_DIR = Path(__file__).parent
JS_TESTS = sorted((SDK_DIR / "js").glob("*.test.mjs"))


def test_the_js_sdk_is_installed() -> None:
    assert shutil.which("node"), "node is not on PATH (Node >= 20 is needed for the SDK tests)"
    assert (SDK_DIR / "node_modules" / "pocketbase" / "package.json").exists(), (
        "run `npm ci --prefix tests/sdk` (make test does it)"
    )


@pytest.mark.parametrize("script", JS_TESTS, ids=[p.name for p in JS_TESTS])
def test_js_sdk(script: Path, server: Server) -> None:
    done = subprocess.run(
        ["node", "--test", "--test-reporter=tap", str(script)],
        cwd=SDK_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "POCKETLITE_URL": server.url,
            "SUPERUSER_EMAIL": SUPERUSER_EMAIL,
            "SUPERUSER_PASSWORD": SUPERUSER_PASSWORD,
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.MULTILINE)
    assert passed and int(passed.group(1)) > 0, done.stdout
    assert re.search(r"^# fail 0$", done.stdout, re.MULTILINE), done.stdout
