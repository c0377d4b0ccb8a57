"""Auth under load: pocketlite against PocketBase, password logins and token refreshes.

    python -m bench.auth [--duration 5] [--connections 16]

Both servers get the same `users` record (password hashed with bcrypt cost 10, PocketBase's
default, by each server itself). Servers run on CPU 0, this load generator on CPU 1; the two
servers alternate per workload (see bench/records.py for the HTTP load generator)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

from bench.records import EMAIL, PASSWORD, Request, Result, Target, _load, tree_rss_mib

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
    os.sched_setaffinity(0, {1})

    pocketbase = Path(sys.executable).parent / "pocketbase"
    tmp = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    targets = [
        Target("pocketlite", args.pocketlite.split(), tmp / "pl" / "pb_data"),
        Target(
            "PocketBase",
            [str(pocketbase if pocketbase.exists() else shutil.which("pocketbase"))],
            tmp / "pb" / "pb_data",
        ),
    ]
    results: dict[str, dict[str, Result]] = {}
    rss: dict[str, float] = {}
    try:
        for target in targets:
            prepare(target)
        for name in workloads(targets[0]):
            for target in targets:
                make = workloads(target)[name]
                asyncio.run(_load(target, make, 1.0, args.connections))  # warm-up
                result = asyncio.run(_load(target, make, args.duration, args.connections))
                results.setdefault(name, {})[target.name] = result
                assert target.process is not None
                rss[target.name] = max(rss.get(target.name, 0.0), tree_rss_mib(target.process.pid))
                print(f"{name:<20} {target.name:<11} {result.rate:8.0f} req/s", file=sys.stderr)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    header = (
        f"{'workload':<20}{'pocketlite':>12}{'PocketBase':>12}{'ratio':>8}"
        f"{'p50 ms':>16}{'p99 ms':>16}{'errors':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, by_server in results.items():
        ours, theirs = by_server["pocketlite"], by_server["PocketBase"]
        ratio = ours.rate / theirs.rate if theirs.rate else 0.0
        p50 = f"{ours.percentile(0.5):.1f}/{theirs.percentile(0.5):.1f}"
        p99 = f"{ours.percentile(0.99):.1f}/{theirs.percentile(0.99):.1f}"
        print(
            f"{name:<20}{ours.rate:>12.0f}{theirs.rate:>12.0f}{ratio:>8.2f}{p50:>16}{p99:>16}{ours.errors:>5}/{theirs.errors:<4}"
        )
    ours_rss, theirs_rss = rss.get("pocketlite", 0.0), rss.get("PocketBase", 0.0)
    print(f"peak RSS (MiB): pocketlite {ours_rss:.0f}, PocketBase {theirs_rss:.0f}")


if __name__ == "__main__":
    main()
