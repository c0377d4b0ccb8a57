"""The single-file build: `build_zipapp.py` makes a pyz that runs from any directory and
creates `pb_data/` there on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from build_zipapp import build
from tests.servers import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pyz")]


@pytest.fixture(scope="module")
def pyz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dist") / "pocketlite.pyz")


def test_the_pyz_runs_from_an_empty_directory(pyz: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()

    done = subprocess.run(
        [str(pyz), "superuser", "upsert", SUPERUSER_EMAIL, SUPERUSER_PASSWORD],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f'Successfully saved superuser "{SUPERUSER_EMAIL}"!'
    assert (workdir / "pb_data" / "data.db").is_file()
    assert (workdir / "pb_data" / "auxiliary.db").is_file()

    # Two workers: granian starts them as fresh interpreters that must find the packed deps.
    server = Server([str(pyz)], workdir / "pb_data", cwd=workdir)
    server.start("--workers=2")
    try:
        health = httpx.get(f"{server.url}/api/health")
        assert health.json() == {"message": "API is healthy.", "code": 200, "data": {}}
        assert server.auth_token().startswith("ey")
        # The dashboard's bundle travels inside the pyz.
        page = httpx.get(f"{server.url}/_/")
        assert page.status_code == 200
        bundle = Path(__file__).resolve().parents[1] / "ui_dist"
        assert page.content == (bundle / "index.html").read_bytes()
        for asset in (bundle / "assets").iterdir():  # the chunks loaded later too
            served = httpx.get(f"{server.url}/_/assets/{asset.name}")
            assert (served.status_code, served.content) == (200, asset.read_bytes())
    finally:
        server.stop()


def test_the_pyz_names_the_interpreter_it_was_built_with(pyz: Path) -> None:
    shebang = pyz.read_bytes().split(b"\n", 1)[0].decode()
    assert shebang == f"#!/usr/bin/env python{sys.version_info.major}.{sys.version_info.minor}"
