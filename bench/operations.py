"""What the operations features cost on the request path (request logging, rate limits), and
how fast the logs read back — pocketlite against PocketBase, paired runs.

    python -m bench.operations [--duration 5] [--connections 4] [--posts 20000] [--logs 100000]
                               [--rounds 3]

1. The records workloads `view by id` and `create as user` on pocketlite with request logging
   on (the default, `logs.maxDays` 5) and off (`maxDays` 0), on pocketlite with logging and
   rate limits on (rules that every request is checked and counted against, none refusing),
   and on PocketBase with logging on (its default too) and off: the ratios logs on/off of both
   (each logger's own cost), rate limits on/off, and pocketlite/PocketBase with logs on.
2. The logs API over the same `--logs` entries in each server's `auxiliary.db` (two days of
   requests, a tenth of them failed): a page of the newest with the total, a filtered page, the
   hourly stats, and filtered stats.

Same data and CPU pinning as `bench.records`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import sys
from urllib.parse import quote

import httpx

from bench.records import Request, Result, Target, _load, both_servers, seed, workloads

RECORD_WORKLOADS = ("view by id", "create as user")


def _set_logging(target: Target, max_days: int) -> None:
    response = httpx.patch(
        f"{target.url}/api/settings",
        json={"logs": {"maxDays": max_days}},
        headers={"Authorization": target.superuser},
    )
    response.raise_for_status()


# Checked and counted on every request, never refusing one: the cost of the lookups and counters.
GENEROUS_LIMITS = {
    "enabled": True,
    "rules": [
        {"label": "*:create", "audience": "", "duration": 1, "maxRequests": 1_000_000},
        {"label": "*:view", "audience": "", "duration": 1, "maxRequests": 1_000_000},
        {"label": "/api/", "audience": "", "duration": 1, "maxRequests": 1_000_000},
    ],
}


def _set_rate_limits(target: Target) -> None:
    response = httpx.patch(
        f"{target.url}/api/settings",
        json={"rateLimits": GENEROUS_LIMITS},
        headers={"Authorization": target.superuser},
    )
    response.raise_for_status()


def fill_logs(target: Target, count: int) -> None:
    """`count` request entries over the last two days, the same in every server."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        status = 200 if rng.random() < 0.9 else rng.choice([400, 403, 404, 500])
        url = f"/api/collections/posts/records/post{rng.randrange(100_000):011d}"
        data = {
            "auth": rng.choice(["", "users", "_superusers"]),
            "execTime": rng.random() * 5,
            "method": "GET",
            "referer": "",
            "remoteIP": "127.0.0.1",
            "status": status,
            "type": "request",
            "url": url,
            "userAgent": "bench",
            "userIP": "127.0.0.1",
        }
        minutes = i * 2 * 24 * 60 // count
        created = f"2026-11-{1 + minutes // 1440:02d} {minutes // 60 % 24:02d}:{minutes % 60:02d}:00.000Z"
        rows.append((f"log{i:012d}", 0 if status == 200 else 8, f"GET {url}", json.dumps(data), created))
    with sqlite3.connect(target.data_dir / "auxiliary.db", timeout=30) as db:
        db.executemany("INSERT INTO _logs (id, level, message, data, created) VALUES (?, ?, ?, ?, ?)", rows)


def log_workloads(target: Target) -> dict[str, Request]:
    token = target.superuser
    failed = quote("data.status >= 400 && data.auth = 'users'")
    return {
        "logs: newest page + total": lambda rng: (
            "GET",
            f"/api/logs?page={rng.randint(1, 20)}&perPage=50&sort=-@rowid",
            b"",
            token,
        ),
        "logs: filtered page": lambda rng: (
            "GET",
            f"/api/logs?page={rng.randint(1, 5)}&perPage=50&sort=-@rowid&filter={failed}",
            b"",
            token,
        ),
        "logs: stats": lambda rng: ("GET", "/api/logs/stats", b"", token),
        "logs: filtered stats": lambda rng: ("GET", f"/api/logs/stats?filter={failed}", b"", token),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()

    tmp, (pocketlite, pocketbase) = both_servers("bench-ops-", args.pocketlite)
    targets = {
        "pocketlite/logs on": Target("pocketlite/logs on", pocketlite.command, tmp / "pl-on" / "pb_data"),
        "pocketlite/logs off": Target("pocketlite/logs off", pocketlite.command, tmp / "pl-off" / "pb_data"),
        "pocketlite/+limits": Target("pocketlite/+limits", pocketlite.command, tmp / "pl-limits" / "pb_data"),
        "PocketBase/logs on": Target("PocketBase/logs on", pocketbase.command, tmp / "pb-on" / "pb_data"),
        "PocketBase/logs off": Target("PocketBase/logs off", pocketbase.command, tmp / "pb-off" / "pb_data"),
    }
    readers = ("pocketlite/logs on", "PocketBase/logs on")
    rates: dict[str, dict[str, list[float]]] = {}
    try:
        for name, target in targets.items():
            target.data_dir.parent.mkdir(parents=True)
            print(f"seeding {name}…", file=sys.stderr)
            seed(target, args.posts)
            _set_logging(target, 0 if name.endswith("off") else 5)
            if name.endswith("limits"):
                _set_rate_limits(target)
            if name in readers:
                fill_logs(target, args.logs)

        def run(workload: str, name: str, make: Request) -> None:
            target = targets[name]
            asyncio.run(_load(target, make, 1.0, args.connections))
            result: Result = asyncio.run(_load(target, make, args.duration, args.connections))
            rates.setdefault(workload, {}).setdefault(name, []).append(result.rate)
            print(
                f"{workload:<28} {name:<20} {result.rate:8.0f} req/s errors {result.errors}", file=sys.stderr
            )

        for _ in range(args.rounds):
            for workload in RECORD_WORKLOADS:
                for name, target in targets.items():
                    run(workload, name, workloads(target, args.posts)[workload])
            for workload in log_workloads(targets[readers[0]]):
                for name in readers:
                    run(workload, name, log_workloads(targets[name])[workload])
    finally:
        for target in targets.values():
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def span(workload: str, a: str, b: str) -> str:
        ratios = [x / y for x, y in zip(rates[workload][a], rates[workload][b], strict=True) if y]
        return f"{min(ratios):.2f}-{max(ratios):.2f}"

    print(f"ratio min-max over {args.rounds} paired runs, {args.connections} connections:")
    on, off, limits = "pocketlite/logs on", "pocketlite/logs off", "pocketlite/+limits"
    for workload in RECORD_WORKLOADS:
        print(f"  {workload}")
        print(f"    {'pocketlite logs on / off':<36}{span(workload, on, off)}")
        print(f"    {'PocketBase logs on / off':<36}{span(workload, readers[1], 'PocketBase/logs off')}")
        print(f"    {'pocketlite rate limits on / off':<36}{span(workload, limits, on)}")
        print(f"    {'pocketlite / PocketBase, logs on':<36}{span(workload, *readers)}")
    for workload in rates:
        if workload.startswith("logs:"):
            print(f"  {workload:<28}{'pocketlite / PocketBase':<28}{span(workload, *readers)}")


if __name__ == "__main__":
    main()
