"""The command line speaks PocketBase's commands, messages and exit codes (spec/cli.md)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import bcrypt
import httpx

from tests.servers import Server

LOG_PREFIX = r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} "


def pocketlite(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pocketlite", *args, f"--dir={data_dir}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_superuser_lifecycle(fresh_dir: Path) -> None:
    # (arguments, exit code, stdout, stderr message) in order, against one data dir.
    steps = [
        (["create"], 1, "", "missing email and password arguments"),
        (["create", "a@b.co"], 1, "", "missing email and password arguments"),
        (["create", "bad", "Passw0rd123"], 1, "", "missing or invalid email address"),
        (
            ["create", "a@b.co", "short"],
            1,
            "",
            "failed to create new superuser account: password: Must be at least 8 character(s).",
        ),
        (["create", "a@b.co", "Passw0rd123"], 0, 'Successfully created new superuser "a@b.co"!', ""),
        (
            ["create", "a@b.co", "Passw0rd123"],
            1,
            "",
            "failed to create new superuser account: email: Value must be unique.",
        ),
        (
            ["upsert", "a@b.co", "short"],
            1,
            "",
            "failed to upsert superuser account: password: Must be at least 8 character(s).",
        ),
        (["upsert", "a@b.co", "Passw0rd1234"], 0, 'Successfully saved superuser "a@b.co"!', ""),
        (["update", "x@b.co", "Passw0rd123"], 1, "", 'superuser with email "x@b.co" doesn\'t exist'),
        (["update", "a@b.co", "Passw0rd12345"], 0, 'Successfully changed superuser "a@b.co" password!', ""),
        (["delete", "x@b.co"], 0, 'superuser "x@b.co" is missing or already deleted', ""),
        (
            ["delete", "a@b.co"],
            1,
            "",
            'failed to delete superuser "a@b.co": You can\'t delete the only existing superuser.',
        ),
        (["otp", "a@b.co"], 1, "", "OTP auth is not enabled for the _superusers collection"),
        (["upsert", "c@d.co", "Passw0rd123"], 0, 'Successfully saved superuser "c@d.co"!', ""),
        (["delete", "a@b.co"], 0, 'Successfully deleted superuser "a@b.co"!', ""),
        (
            ["ips", "10.0.0.1", "10.1.0.0/16"],
            0,
            "Successfully updated SuperuserIPs setting:\n├─ 10.0.0.1\n└─ 10.1.0.0/16",
            "",
        ),
        (["ips"], 0, "Successfully cleared SuperuserIPs setting!", ""),
    ]
    for args, code, out, err in steps:
        done = pocketlite(fresh_dir, "superuser", *args)
        assert done.returncode == code, (args, done.stdout, done.stderr)
        assert done.stdout.strip() == out, args
        if err:
            assert re.fullmatch(LOG_PREFIX + re.escape(err), done.stderr.strip()), (args, done.stderr)
        else:
            assert done.stderr == "", (args, done.stderr)


def test_the_cli_creates_the_data_dir_on_first_use(fresh_dir: Path) -> None:
    assert pocketlite(fresh_dir, "superuser", "upsert", "a@b.co", "Passw0rd123").returncode == 0
    assert {p.name for p in fresh_dir.iterdir()} >= {"data.db", "auxiliary.db", "storage"}


def test_version_and_help() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "pocketlite", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "0.40.6" in version.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "pocketlite", "serve", "--help"], capture_output=True, text=True
    )
    for flag in (
        "--http",
        "--dir",
        "--dev",
        "--publicDir",
        "--hooksDir",
        "--migrationsDir",
        "--origins",
        "--encryptionEnv",
        "--queryTimeout",
        "--indexFallback",
    ):
        assert flag in help_text.stdout


def test_serve_refuses_a_bad_address(fresh_dir: Path) -> None:
    done = pocketlite(fresh_dir, "serve", "--http=nowhere")
    assert done.returncode == 1
    assert re.fullmatch(
        LOG_PREFIX + "listen tcp: address nowhere: missing port in address", done.stderr.strip()
    )


def test_serve_prints_the_urls_and_how_to_create_a_superuser(fresh_dir: Path) -> None:
    server = Server.pocketlite(fresh_dir)
    server.start()
    try:
        assert httpx.get(f"{server.url}/api/health").json()["message"] == "API is healthy."
    finally:
        server.stop()
    banner = server.log_path.read_text()
    assert re.search(LOG_PREFIX + re.escape(f"Server started at {server.url}"), banner)
    assert f"├─ REST API:  {server.url}/api/" in banner
    assert f"└─ Dashboard: {server.url}/_/" in banner
    assert "superuser upsert EMAIL PASS" in banner


def test_serve_in_a_busy_port_fails_clearly(fresh_dir: Path, server: Server) -> None:
    done = pocketlite(fresh_dir, "serve", f"--http=127.0.0.1:{server.port}")
    assert done.returncode == 1
    assert "address already in use" in done.stderr


def test_settings_can_be_stored_encrypted(fresh_dir: Path) -> None:
    command = [sys.executable, "-m", "pocketlite", "superuser", "ips", "10.0.0.1", f"--dir={fresh_dir}"]
    done = subprocess.run(
        [*command, "--encryptionEnv=PB_KEY"],
        capture_output=True,
        text=True,
        env={**os.environ, "PB_KEY": "k" * 32},
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(fresh_dir / "data.db") as conn:
        stored = conn.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()[0]
    assert "10.0.0.1" not in stored and not stored.startswith("{")


def test_a_wrong_encryption_key_is_refused(fresh_dir: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pocketlite",
            "superuser",
            "ips",
            f"--dir={fresh_dir}",
            "--encryptionEnv=PB_KEY",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PB_KEY": "short"},
    )
    assert done.returncode == 1
    assert "must be 32 characters long" in done.stderr


def test_superuser_passwords_are_hashed_at_the_fields_cost(fresh_dir: Path) -> None:
    """The CLI hashes ahead at the default cost; a `_superusers` password field with another
    cost gets its own."""
    assert pocketlite(fresh_dir, "superuser", "upsert", "a@b.co", "Passw0rd123").returncode == 0
    with sqlite3.connect(fresh_dir / "data.db") as conn:
        stored = conn.execute("SELECT password FROM _superusers WHERE email = 'a@b.co'").fetchone()[0]
        assert stored.startswith("$2a$10$") and bcrypt.checkpw(b"Passw0rd123", stored.encode())
        fields = json.loads(
            conn.execute("SELECT fields FROM _collections WHERE name = '_superusers'").fetchone()[0]
        )
        for field in fields:
            if field["name"] == "password":
                field["cost"] = 12
        conn.execute("UPDATE _collections SET fields = ? WHERE name = '_superusers'", (json.dumps(fields),))
    assert pocketlite(fresh_dir, "superuser", "upsert", "a@b.co", "Passw0rd456").returncode == 0
    with sqlite3.connect(fresh_dir / "data.db") as conn:
        stored = conn.execute("SELECT password FROM _superusers WHERE email = 'a@b.co'").fetchone()[0]
    assert stored.startswith("$2a$12$") and bcrypt.checkpw(b"Passw0rd456", stored.encode())
