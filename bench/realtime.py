"""Realtime fan-out: pocketlite against PocketBase, many SSE subscribers and a steady writer.

    python -m bench.realtime [--subscribers 500,1000,5000] [--records 200] [--rate 20]
                             [--max-events 10000] [--workers 2]

Each subscriber count is a round of its own, on each server in turn, freshly started (so its
peak RSS is the round's). The server runs on CPU 0; this process (CPU 1) opens the subscribers
over raw sockets (a minimal SSE reader, so the client costs little), subscribes each to `ticks/*`
with its own POST, then creates the records at a fixed rate as a superuser, each create in a task
of its own (a slow create does not hold back the next one). A round's rate is lowered so that
its events (subscribers times rate) stay within `--max-events` a second (1,000 subscribers:
10 creates/s, 5,000: 2/s): this client reads every event on its one core, ~35 µs each with the
syscalls, so 5,000 events of one record take it ~0.2 s to drain. Reported per server and count:

- subscribers connected (PB_CONNECT came) and subscribed (their POST answered 204); a failure
  there is counted, not fatal;
- events delivered out of expected (every subscriber, connected or not, may see every record
  created), lost, and duplicates (a record seen twice by one client);
- delivery latency, from the record's `created` stamp (the server saving it) to each event,
  p50/p99; and from the create request being sent to each event, p50;
- the create requests' own latency, p50/p99, while the fan-out runs: writes should not wait;
- the server's peak RSS (its whole process tree); this client's own event-loop lag p99 (how long
  it takes to drain a burst) and its CPU use while the records are written: near 100 %, the
  client, not the server, is what the latencies measure.

`--workers N` (N > 1) serves pocketlite with `serve --workers N`, unpinned (PocketBase stays on
CPU 0): a subscribe may then reach another worker than its stream. Every wait has a deadline, so
a server that drops events or refuses subscriptions shows them as lost rather than hanging.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import shutil
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from bench.records import EMAIL, PASSWORD, PeakRss, Target, both_servers

COLLECTION = {
    "name": "ticks",
    "listRule": "",
    "viewRule": "",
    "fields": [
        {"name": "n", "type": "number"},
        {"name": "created", "type": "autodate", "onCreate": True},
    ],
}
CONNECT_GATE = 256  # streams being opened at once: a burst of 5,000 SYNs would overflow the backlog
CONNECT_TIMEOUT = 15.0  # per stream, to its PB_CONNECT
QUIET = 5.0  # after the last create, stop waiting once no event came for this long
TICK = re.compile(rb'"n":(\d+)')
CREATED = re.compile(rb'"created":"([^"]+)"')


def prepare(target: Target) -> None:
    """The superuser and the `ticks` collection; leaves the server stopped."""
    target.data_dir.parent.mkdir(parents=True)
    target.cli("superuser", "upsert", EMAIL, PASSWORD)
    target.start()
    login = {"identity": EMAIL, "password": PASSWORD}
    target.superuser = httpx.post(
        f"{target.url}/api/collections/_superusers/auth-with-password", json=login
    ).json()["token"]
    httpx.post(
        f"{target.url}/api/collections", json=COLLECTION, headers={"Authorization": target.superuser}
    ).raise_for_status()
    target.stop()


@dataclass
class Round:
    """What one round measures, shared by its subscribers and its writer (times from time.time())."""

    records: int
    sent: dict[int, float] = field(default_factory=dict)  # n -> when its create was sent
    created: dict[int, float] = field(default_factory=dict)  # n -> its `created` stamp
    delivery: array[float] = field(default_factory=lambda: array("d"))
    request_to_event: array[float] = field(default_factory=lambda: array("d"))
    creates: array[float] = field(default_factory=lambda: array("d"))
    create_errors: int = 0
    last_event: float = 0.0

    def stamp(self, n: int, event: bytes) -> float | None:
        """The `created` of record `n` as a Unix time, parsed once, from the first event of it."""
        if n not in self.created:
            match = CREATED.search(event)
            if match is None:
                return None
            created = datetime.strptime(match.group(1).decode(), "%Y-%m-%d %H:%M:%S.%fZ")
            self.created[n] = created.replace(tzinfo=UTC).timestamp()
        return self.created[n]


class Subscriber(asyncio.Protocol):
    """One SSE connection read by callbacks (an asyncio protocol: no task wakes per chunk, so
    one client core keeps up with more events); decodes chunked and plain bodies."""

    def __init__(self, measured: Round) -> None:
        self.round = measured
        self.client_id = ""
        self.subscribed = False
        self.seen = bytearray(measured.records)  # times each record's event came (up to 255)
        self.received = 0  # records seen at least once
        self.connected = asyncio.Event()
        self.transport: asyncio.Transport | None = None
        self._head: bytes | None = b""  # the response head until it is complete, then None
        self._chunked = False
        self._raw = b""  # chunked bytes not decoded yet
        self._chunk_left = 0  # bytes of the current chunk (and its CRLF) still to come
        self._body = b""  # event-stream bytes not split into events yet

    async def open(self, port: int, gate: asyncio.Semaphore) -> None:
        """Connect and wait for PB_CONNECT, within CONNECT_TIMEOUT; a failure leaves it unconnected."""
        async with gate:
            try:
                loop = asyncio.get_running_loop()
                await asyncio.wait_for(
                    loop.create_connection(lambda: self, "127.0.0.1", port), CONNECT_TIMEOUT
                )
                await asyncio.wait_for(self.connected.wait(), CONNECT_TIMEOUT)
            except (OSError, TimeoutError):
                self.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")

    def data_received(self, data: bytes) -> None:
        if self._head is not None:
            self._head += data
            if b"\r\n\r\n" not in self._head:
                return
            head, data = self._head.split(b"\r\n\r\n", 1)
            self._chunked = b"chunked" in head.lower()
            self._head = None
        if self._chunked:
            self._raw += data
            data = self._dechunk()
        self._body += data
        if b"\n\n" in self._body:
            *events, self._body = self._body.split(b"\n\n")
            now = time.time()
            for event in events:
                self._event(event, now)

    def _dechunk(self) -> bytes:
        decoded = b""
        while self._raw:
            if self._chunk_left == 0:
                line_end = self._raw.find(b"\r\n")
                if line_end < 0:
                    break
                self._chunk_left = int(self._raw[:line_end], 16) + 2
                self._raw = self._raw[line_end + 2 :]
            taken = self._raw[: self._chunk_left]
            self._raw = self._raw[len(taken) :]
            self._chunk_left -= len(taken)
            decoded += taken
            if self._chunk_left == 0:
                decoded = decoded[:-2]  # the CRLF closing the chunk
        return decoded

    def _event(self, event: bytes, now: float) -> None:
        if b"event:PB_CONNECT" in event:
            self.client_id = event.split(b"id:", 1)[1].split(b"\n", 1)[0].decode()
            self.connected.set()
            return
        match = TICK.search(event)
        if match is None:
            return
        n = int(match.group(1))
        if n >= len(self.seen):
            return
        self.seen[n] = min(255, self.seen[n] + 1)
        measured = self.round
        measured.last_event = now
        if self.seen[n] == 1:
            self.received += 1
            stamp = measured.stamp(n, event)
            if stamp is not None:
                measured.delivery.append(now - stamp)
            measured.request_to_event.append(now - measured.sent[n])


async def _lag(samples: array[float], done: asyncio.Event) -> None:
    """How late this process's event loop wakes up from a 50 ms sleep: the client's own backlog."""
    while not done.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.05)
        samples.append(time.perf_counter() - before - 0.05)


async def _connect(subs: list[Subscriber], port: int) -> None:
    gate = asyncio.Semaphore(CONNECT_GATE)
    await asyncio.gather(*(sub.open(port, gate) for sub in subs))


async def _subscribe(http: httpx.AsyncClient, subs: list[Subscriber]) -> None:
    gate = asyncio.Semaphore(32)

    async def one(sub: Subscriber) -> None:
        async with gate:
            body = {"clientId": sub.client_id, "subscriptions": ["ticks/*"]}
            try:
                sub.subscribed = (await http.post("/api/realtime", json=body)).status_code == 204
            except httpx.HTTPError:
                sub.subscribed = False

    await asyncio.gather(*(one(sub) for sub in subs if sub.connected.is_set()))


async def _total(target: Target, http: httpx.AsyncClient) -> int:
    """How many `ticks` the server holds: a create that timed out here may still have been saved."""
    response = await http.get(
        "/api/collections/ticks/records", params={"perPage": 1}, headers={"Authorization": target.superuser}
    )
    response.raise_for_status()
    return int(response.json()["totalItems"])


async def _write(target: Target, http: httpx.AsyncClient, measured: Round, rate: float) -> None:
    """The creates at `rate`, open loop: each in a task of its own."""
    headers = {"Authorization": target.superuser}

    async def create(n: int) -> None:
        measured.sent[n] = time.time()
        try:
            response = await http.post("/api/collections/ticks/records", json={"n": n}, headers=headers)
        except httpx.HTTPError:
            measured.create_errors += 1
            return
        measured.creates.append(time.time() - measured.sent[n])
        if response.status_code != 200:
            measured.create_errors += 1

    started = time.perf_counter()
    tasks = []
    for n in range(measured.records):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(create(n)))
    await asyncio.gather(*tasks)


async def _run(target: Target, subscribers: int, records: int, rate: float) -> dict[str, float]:
    """One round on a running server: connect, subscribe, write, wait for the events; its figures."""
    measured = Round(records)
    subs = [Subscriber(measured) for _ in range(subscribers)]
    lag: array[float] = array("d")
    done = asyncio.Event()
    lag_task = asyncio.create_task(_lag(lag, done))
    async with httpx.AsyncClient(base_url=target.url, timeout=30) as http:
        await _connect(subs, target.port)
        await _subscribe(http, subs)
        before, cpu, wall = await _total(target, http), time.process_time(), time.perf_counter()
        await _write(target, http, measured, rate)
        measured.last_event = max(measured.last_event, time.time())
        deadline = time.time() + 60
        while sum(sub.received for sub in subs) < subscribers * records and time.time() < deadline:
            if time.time() - measured.last_event > QUIET:
                break
            await asyncio.sleep(0.1)
        client_cpu = (time.process_time() - cpu) / (time.perf_counter() - wall)
        created = await _total(target, http) - before
    expected = subscribers * created
    done.set()
    await lag_task
    for sub in subs:
        sub.close()
    await asyncio.sleep(0)  # lets the transports finish closing before the loop does
    delivered = sum(sub.received for sub in subs)
    return {
        "subscribers": subscribers,
        "connected": sum(1 for sub in subs if sub.connected.is_set()),
        "subscribed": sum(1 for sub in subs if sub.subscribed),
        "created": created,
        "create errors": measured.create_errors,
        "delivered": delivered,
        "expected": expected,
        "lost": expected - delivered,
        "duplicates": sum(max(0, count - 1) for sub in subs for count in sub.seen),
        "delivery p50": _ms(measured.delivery, 0.5),
        "delivery p99": _ms(measured.delivery, 0.99),
        "request to event p50": _ms(measured.request_to_event, 0.5),
        "create p50": _ms(measured.creates, 0.5),
        "create p99": _ms(measured.creates, 0.99),
        "client lag p99": _ms(lag, 0.99),
        "client cpu": client_cpu,
    }


def _ms(samples: array[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def raise_fd_limit(needed: int) -> None:
    """Lift this process's open-file limit to the hard limit; the servers inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    if soft != resource.RLIM_INFINITY and soft < needed:
        print(f"warning: {soft} file descriptors allowed, {needed} wanted", file=sys.stderr)


def print_table(results: dict[int, dict[str, dict[str, float]]], records: int) -> None:
    """One line per subscriber count and server."""
    print(
        f"{records} records per round; delivery from the record's `created`, "
        "req→event from sending its create; latencies in ms"
    )
    header = (
        f"{'subs':>6}{'rate/s':>7}  {'server':<14}{'conn/subscr':>12}{'delivered/expected':>20}"
        f"{'lost':>8}{'dup':>5}"
        f"{'deliv p50':>10}{'p99':>8}{'req→ev p50':>11}{'create p50':>11}{'p99':>8}{'errors':>7}"
        f"{'RSS MiB':>8}{'lag p99':>8}{'cli CPU':>8}"
    )
    print(header)
    print("-" * len(header))
    for count, by_server in results.items():
        for name, r in by_server.items():
            delivered = f"{r['delivered']:.0f}/{r['expected']:.0f}"
            subscribed = f"{r['connected']:.0f}/{r['subscribed']:.0f}"
            print(
                f"{count:>6}{r['rate']:>7.3g}  {name:<14}{subscribed:>12}{delivered:>20}"
                f"{r['lost']:>8.0f}{r['duplicates']:>5.0f}{r['delivery p50']:>10.1f}{r['delivery p99']:>8.1f}"
                f"{r['request to event p50']:>11.1f}{r['create p50']:>11.1f}{r['create p99']:>8.1f}"
                f"{r['create errors']:>7.0f}{r['rss']:>8.0f}"
                f"{r['client lag p99']:>8.1f}{r['client cpu']:>8.0%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", default="500,1000,5000", help="comma-separated counts, a round each")
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="creates per second")
    parser.add_argument(
        "--max-events", type=float, default=10_000, help="events a second, at most, per round"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="pocketlite's serve --workers (N > 1: unpinned)"
    )
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()
    counts = sorted(int(count) for count in args.subscribers.split(",") if count.strip())
    raise_fd_limit(max(counts) + 256)
    tmp, targets = both_servers("bench-realtime-", args.pocketlite)
    if args.workers > 1:
        targets[0].name = f"pocketlite w{args.workers}"
        targets[0].cpus = ""
        targets[0].serve_args = ["--workers", str(args.workers)]
    results: dict[int, dict[str, dict[str, float]]] = {}
    try:
        for target in targets:
            prepare(target)
        for count in counts:
            rate = min(args.rate, args.max_events / count)
            for target in targets:
                target.start()
                try:
                    with PeakRss([target]) as rss:
                        result = asyncio.run(_run(target, count, args.records, rate))
                finally:
                    target.stop()
                result |= {"rate": rate, "rss": rss.peaks.get(target.name, 0.0)}
                results.setdefault(count, {})[target.name] = result
                print(f"{count} {target.name}: {result}", file=sys.stderr)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(results, args.records)


if __name__ == "__main__":
    main()
