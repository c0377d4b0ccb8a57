"""Realtime fan-out: pocketlite against PocketBase, many SSE subscribers and a steady writer.

    python -m bench.realtime [--subscribers 1000] [--records 200] [--rate 20]

Each server (on CPU 0) gets the same collection; this process (CPU 1) opens the subscribers
over raw sockets (a minimal SSE reader, so the client costs little), subscribes each to
`ticks/*`, then creates the records at a fixed rate as a superuser. Reported per server: events
delivered out of expected (every subscriber may see every record), delivery latency from the
create request to each subscriber's event (p50/p99), and the server's peak RSS."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import threading
import time

import httpx

from bench.records import EMAIL, PASSWORD, Target, both_servers, tree_rss_mib

COLLECTION = {"name": "ticks", "listRule": "", "viewRule": "", "fields": [{"name": "n", "type": "number"}]}


def prepare(target: Target) -> None:
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


class Subscriber:
    """One SSE connection, read with asyncio streams; handles chunked and plain bodies."""

    def __init__(self, port: int, sent: dict[int, float], latencies: list[float]) -> None:
        self.port = port
        self.sent = sent
        self.latencies = latencies
        self.client_id = ""
        self.received = 0
        self.connected = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(b"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        chunked = b"chunked" in head.lower()
        buffer = b""
        try:
            while True:
                if chunked:
                    size = int((await reader.readline()).strip() or b"0", 16)
                    if size == 0:
                        return
                    buffer += await reader.readexactly(size + 2)
                    buffer = buffer[:-2]
                else:
                    data = await reader.read(65536)
                    if not data:
                        return
                    buffer += data
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    self._event(event)
        finally:
            writer.close()

    def _event(self, event: bytes) -> None:
        now = time.perf_counter()
        if b"event:PB_CONNECT" in event:
            self.client_id = event.split(b"id:", 1)[1].split(b"\n", 1)[0].decode()
            self.connected.set()
            return
        self.received += 1
        marker = event.find(b'"n":')
        if marker >= 0:
            end = marker + 4
            while end < len(event) and event[end : end + 1] not in (b",", b"}"):
                end += 1
            n = int(float(event[marker + 4 : end]))
            self.latencies.append(now - self.sent[n])


async def _run(target: Target, subscribers: int, records: int, rate: float) -> dict[str, float]:
    sent: dict[int, float] = {}
    latencies: list[float] = []
    subs = [Subscriber(target.port, sent, latencies) for _ in range(subscribers)]
    async with httpx.AsyncClient(base_url=target.url, timeout=30) as http:
        for sub in subs:
            sub.task = asyncio.create_task(sub.run())
        await asyncio.wait_for(asyncio.gather(*(s.connected.wait() for s in subs)), 120)
        gate = asyncio.Semaphore(32)

        async def subscribe(sub: Subscriber) -> None:
            async with gate:
                body = {"clientId": sub.client_id, "subscriptions": ["ticks/*"]}
                (await http.post("/api/realtime", json=body)).raise_for_status()

        await asyncio.gather(*(subscribe(s) for s in subs))
        headers = {"Authorization": target.superuser}
        started = time.perf_counter()
        for n in range(records):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            sent[n] = time.perf_counter()
            (
                await http.post("/api/collections/ticks/records", json={"n": n}, headers=headers)
            ).raise_for_status()
        expected = subscribers * records
        deadline = time.perf_counter() + 30
        while sum(s.received for s in subs) < expected and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        for sub in subs:
            assert sub.task is not None
            sub.task.cancel()
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    delivered = sum(s.received for s in subs)
    return {"delivered": delivered, "expected": expected, "p50": pct(0.5), "p99": pct(0.99), "max": pct(1.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--pocketlite", default=f"{sys.executable} -m pocketlite")
    args = parser.parse_args()
    tmp, targets = both_servers("bench-realtime-", args.pocketlite)
    results: dict[str, dict[str, float]] = {}
    try:
        for target in targets:
            prepare(target)
            peak = [0.0]
            done = threading.Event()

            def sample(pid: int, peak: list[float] = peak, done: threading.Event = done) -> None:
                while not done.wait(0.25):
                    peak[0] = max(peak[0], tree_rss_mib(pid))

            assert target.process is not None
            sampler = threading.Thread(target=sample, args=(target.process.pid,), daemon=True)
            sampler.start()
            results[target.name] = asyncio.run(_run(target, args.subscribers, args.records, args.rate))
            done.set()
            sampler.join()
            results[target.name]["rss"] = peak[0]
            target.stop()
            print(f"{target.name}: {results[target.name]}", file=sys.stderr)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{args.subscribers} SSE subscribers, {args.records} records at {args.rate:g}/s")
    header = f"{'server':<12}{'delivered':>18}{'lost':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}"
    header += f"{'peak RSS MiB':>14}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        delivered = f"{r['delivered']:.0f}/{r['expected']:.0f}"
        lost = r["expected"] - r["delivered"]
        print(
            f"{name:<12}{delivered:>18}{lost:>8.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{r['max']:>10.1f}{r['rss']:>14.0f}"
        )


if __name__ == "__main__":
    main()
