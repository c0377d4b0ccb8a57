"""A realtime SSE connection for tests: read on a thread, events parsed and kept in order."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Event", "Realtime"]


@dataclass
class Event:
    """One SSE event as received."""

    id: str
    name: str
    raw: str

    @property
    def data(self) -> Any:
        return json.loads(self.raw)


class Realtime:
    """`GET /api/realtime` on `base_url`, with helpers to subscribe and read events."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.headers: dict[str, str] = {}
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        self._response: httpx.Response | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(headers or {},), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("no realtime response")
        connect = self.next()
        assert connect.name == "PB_CONNECT", connect
        self.client_id = connect.id

    def _read(self, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", f"{self.base_url}/api/realtime", headers=headers) as response:
                self._response = response
                self.headers = dict(response.headers)
                self._ready.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line == "":
                        if fields:
                            self.events.put(
                                Event(fields.get("id", ""), fields.get("event", ""), fields.get("data", ""))
                            )
                        fields = {}
                        continue
                    key, _, value = line.partition(":")
                    fields[key] = value
        except (httpx.HTTPError, RuntimeError, ValueError):
            pass
        finally:
            self._ready.set()
            self.events.put(None)  # the stream ended

    def subscribe(self, subscriptions: list[str], token: str = "") -> httpx.Response:
        """`POST /api/realtime` for this client."""
        headers = {"Authorization": token} if token else {}
        return httpx.post(
            f"{self.base_url}/api/realtime",
            json={"clientId": self.client_id, "subscriptions": subscriptions},
            headers=headers,
        )

    def next(self, timeout: float = 5) -> Event:
        """The next event; fails when none comes in time or the stream ended."""
        event = self.events.get(timeout=timeout)
        if event is None:
            raise EOFError("the realtime stream ended")
        return event

    def take(self, count: int, timeout: float = 5) -> list[Event]:
        """The next `count` events."""
        return [self.next(timeout) for _ in range(count)]

    def quiet(self, wait: float = 0.5) -> list[Event]:
        """Whatever arrives within `wait` seconds (expected: nothing)."""
        out: list[Event] = []
        try:
            while True:
                event = self.events.get(timeout=wait)
                if event is None:
                    break
                out.append(event)
        except queue.Empty:
            pass
        return out

    def ended(self, timeout: float = 5) -> bool:
        """Whether the server closed the stream within `timeout` (events before the end are
        discarded)."""
        try:
            while True:
                if self.events.get(timeout=timeout) is None:
                    return True
        except queue.Empty:
            return False

    def close(self) -> None:
        """Hang up."""
        if self._response is not None:
            # NB: closing the response doesn't interrupt the reader thread's blocking read;
            # shutting the socket down does, and the server sees the hang-up at once.
            stream = self._response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._client.close()

    def __enter__(self) -> Realtime:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
