"""Auth under load: pocketlite against PocketBase, password logins and token refreshes.

    python -m bench.auth [--duration 5] [--connections 16]

Both servers get the same `users` record (password hashed with bcrypt cost 10, PocketBase's
default, by each server itself). Servers run on CPU 0, this load generator on CPU 1; the two
servers alternate per workload (see bench/records.py for the HTTP load generator)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys

import httpx

from bench.records import EMAIL, PASSWORD, Request, Target, both_servers, print_table, run_workloads

USER = {"email": "login@example.com", "password": "LoginPass123", "passwordConfirm": "LoginPass123"}


def prepare(target: Target) -> None:
    target.data_dir.parent.mkdir(parents=True)
    target.cli("superuser", "upsert", EMAIL, PASSWORD)
    target.start()
    admin = httpx.post(
        f"{target.url}/api/collections/_superusers/auth-with-password",
        json={"identity": EMAIL, "password": PASSWORD},
    ).json()["token"]
    httpx.post(
        f"{target.url}/api/collections/users/records", json=USER, headers={"Authorization": admin}
    ).raise_for_status()
    target.user = httpx.post(
        f"{target.url}/api/collections/users/auth-with-password",
        json={"identity": USER["email"], "password": USER["password"]},
    ).json()["token"]


def workloads(target: Target) -> dict[str, Request]:
    login = json.dumps({"identity": USER["email"], "password": USER["password"]}).encode()
    return {
        "auth-with-password": lambda rng: ("POST", "/api/collections/users/auth-with-password", login, ""),
        "auth-refresh": lambda rng: ("POST", "/api/collections/users/auth-refresh", b"", target.user),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()
    tmp, targets = both_servers("bench-auth-", args.pocketlite)
    try:
        for target in targets:
            prepare(target)
        results, rss = run_workloads(targets, workloads, args.duration, args.connections)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(results, rss)


if __name__ == "__main__":
    main()
