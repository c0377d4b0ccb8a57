"""Publish/subscribe between processes over ZeroMQ: the wire under the cross-process realtime
broker (DESIGN.md principle 8).

One hub (`Hub`, a thread of the `serve` process) forwards whatever any member publishes to
every member, the publisher included: ZeroMQ's XSUB/XPUB proxy. Every member therefore sees
every message in the same order, the order the hub received them, which is what the broker
builds on. A member (`Member`, one per worker) publishes without waiting and reads the stream
with asyncio.

Why ZeroMQ: a well-kept protocol (ZMTP) with an embedded library, so `serve --workers N` needs
no server of its own; the same sockets take `tcp://` addresses for members on other machines.
The endpoints are `ipc://` files in a directory only this user can open, since the messages
carry record data.

Nothing is dropped: ZeroMQ's high-water marks (which discard messages for a slow subscriber)
are off; a member that can't keep up is the broker's problem (its clients are disconnected), not
a silent gap.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import zmq
    import zmq.asyncio

__all__ = ["Hub", "Member"]

# How long closing a member waits for its last messages (a goodbye) to leave, in ms.
_LINGER_MS = 200


class Hub:
    """The forwarding thread; `endpoints` is what members connect to (`in out`)."""

    def __init__(self) -> None:
        import zmq

        self._dir = Path(tempfile.mkdtemp(prefix="pocketlite-bus-"))
        os.chmod(self._dir, 0o700)
        self._context = zmq.Context()
        self._in = self._context.socket(zmq.XSUB)
        self._out = self._context.socket(zmq.XPUB)
        for sock in (self._in, self._out):
            sock.setsockopt(zmq.SNDHWM, 0)
            sock.setsockopt(zmq.RCVHWM, 0)
            sock.setsockopt(zmq.LINGER, 0)
        self._in.bind(f"ipc://{self._dir}/in")
        self._out.bind(f"ipc://{self._dir}/out")
        self.endpoints = f"ipc://{self._dir}/in ipc://{self._dir}/out"
        self._thread = threading.Thread(target=self._run, name="pocketlite-bus", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import zmq

        try:
            zmq.proxy(self._in, self._out)
        except zmq.ContextTerminated:
            pass
        finally:
            self._in.close()
            self._out.close()

    def close(self) -> None:
        """Stop forwarding and remove the endpoint files."""
        self._context.term()
        self._thread.join(timeout=5)
        for name in ("in", "out"):
            (self._dir / name).unlink(missing_ok=True)
        self._dir.rmdir()


class Member:
    """A process's connection to the hub: `publish` queues a message for every member,
    `receive` returns the next one (its own included)."""

    def __init__(self, endpoints: str) -> None:
        import zmq
        import zmq.asyncio

        self._zmq = zmq
        inbound, outbound = endpoints.split()
        self._context = zmq.asyncio.Context()
        self._pub: zmq.asyncio.Socket = self._context.socket(zmq.PUB)
        self._sub: zmq.asyncio.Socket = self._context.socket(zmq.SUB)
        for sock in (self._pub, self._sub):
            sock.setsockopt(zmq.SNDHWM, 0)
            sock.setsockopt(zmq.RCVHWM, 0)
            sock.setsockopt(zmq.LINGER, _LINGER_MS)
        self._sub.setsockopt(zmq.SUBSCRIBE, b"")
        self._pub.connect(inbound)
        self._sub.connect(outbound)

    def publish(self, message: bytes) -> None:
        """Queue `message` for every member; never blocks (no high-water mark)."""
        self._pub.send(message, self._zmq.NOBLOCK, copy=False)

    async def receive(self) -> bytes:
        """The next message from the hub."""
        data: bytes = await self._sub.recv(copy=True)
        return data

    def close(self) -> None:
        """Close the sockets; queued messages get `_LINGER_MS` to leave."""
        self._pub.close()
        self._sub.close(linger=0)
        self._context.term()
