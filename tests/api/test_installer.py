"""The first-run installer (auth-api.md §15): a server without a superuser prints a link with a
30-minute token of a hidden placeholder superuser; that token creates the first real superuser,
and the placeholder (with its token) goes away."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import httpx

from tests.servers import Server
from tests.support.waiting import eventually

SUPERUSERS = "/api/collections/_superusers/records"
PLACEHOLDER = "__pbinstaller@example.com"


def _installer_url(server: Server) -> str:
    match = re.search(r"^(http://\S+/_/#/pbinstall/(\S+))$", server.log_path.read_text(), re.MULTILINE)
    assert match is not None, server.log_path.read_text()
    return match.group(1)


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_new_server_prints_the_installer_link(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    try:
        url = _installer_url(server)
        assert url.startswith(f"{server.url}/_/#/pbinstall/")
        payload = _token(url).split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert (claims["type"], claims["refreshable"]) == ("auth", False)
        assert 25 * 60 < claims["exp"] - time.time() <= 30 * 60  # a 30-minute token
        log = server.log_path.read_text()
        assert "(!) Launch the URL below in the browser to create your first superuser account:" in log
        assert "(you can also create your first superuser by running: " in log
    finally:
        server.stop()


def test_the_token_creates_the_first_superuser_and_then_dies(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    try:
        token = _token(_installer_url(server))
        auth = {"Authorization": token}
        listed = httpx.get(f"{server.url}{SUPERUSERS}", headers=auth).json()
        assert [item["email"] for item in listed["items"]] == [PLACEHOLDER]
        created = httpx.post(
            f"{server.url}{SUPERUSERS}",
            headers=auth,
            json={"email": "first@example.com", "password": "1234567890", "passwordConfirm": "1234567890"},
        )
        assert created.status_code == 200, created.text
        gone = httpx.get(f"{server.url}{SUPERUSERS}", headers=auth)
        assert (gone.status_code, gone.json()["message"]) == (403, "Only superusers can perform this action.")
        real = server.auth_token("first@example.com", "1234567890")
        listed = httpx.get(f"{server.url}{SUPERUSERS}", headers={"Authorization": real}).json()
        assert [item["email"] for item in listed["items"]] == ["first@example.com"]
    finally:
        server.stop()
    # Once a superuser exists, no more installer.
    server.start()
    try:
        assert "pbinstall" not in server.log_path.read_text()
    finally:
        server.stop()


def test_a_superuser_from_the_cli_also_ends_the_installer(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    server.stop()
    token = _token(_installer_url(server))
    server.create_superuser()
    server.start()
    try:
        assert "pbinstall" not in server.log_path.read_text()
        response = httpx.get(f"{server.url}{SUPERUSERS}", headers={"Authorization": token})
        assert response.status_code == 403
        listed = httpx.get(f"{server.url}{SUPERUSERS}", headers={"Authorization": server.auth_token()}).json()
        assert PLACEHOLDER not in [item["email"] for item in listed["items"]]
    finally:
        server.stop()


def test_the_placeholder_gets_no_password_reset_mail(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    try:
        response = httpx.post(
            f"{server.url}/api/collections/_superusers/request-password-reset", json={"email": PLACEHOLDER}
        )
        # As for any address: the answer never tells whether a mail went out.
        assert response.status_code == 204
    finally:
        server.stop()
    assert "cannot reset the password for the installer superuser" in server.log_path.read_text()


def test_the_token_can_restore_a_backup_instead(tmp_path: Path) -> None:
    # "Initialize from backup": a backup of another server, uploaded and restored with the token.
    source = Server.pocketlite(tmp_path / "source" / "pb_data")
    source.create_superuser("kept@example.com", "1234567890")
    source.start()
    try:
        auth = {"Authorization": source.auth_token("kept@example.com", "1234567890")}
        assert (
            httpx.post(f"{source.url}/api/backups", json={"name": "seed.zip"}, headers=auth).status_code
            == 204
        )
    finally:
        source.stop()
    backup = (source.data_dir / "backups" / "seed.zip").read_bytes()
    (tmp_path / "fresh").mkdir()
    fresh = Server.pocketlite(tmp_path / "fresh" / "pb_data")
    fresh.start()
    try:
        token = {"Authorization": _token(_installer_url(fresh))}
        files = {"file": ("seed.zip", backup, "application/zip")}
        assert httpx.post(f"{fresh.url}/api/backups/upload", files=files, headers=token).status_code == 204
        assert httpx.post(f"{fresh.url}/api/backups/seed.zip/restore", headers=token).status_code == 204

        def restored() -> bool:
            try:
                return bool(fresh.auth_token("kept@example.com", "1234567890"))
            except httpx.HTTPError:
                return False

        assert eventually(restored, timeout=30)
    finally:
        fresh.stop()
