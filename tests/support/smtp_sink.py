"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port

__all__ = ["Mail", "SMTPSink"]


class Mail:
    """One received message."""

    def __init__(self, raw: bytes, rcpt: list[str]) -> None:
        self.message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
        self.rcpt = rcpt

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def sender(self) -> str:
        return str(self.message["From"])

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        return part.get_content() if part is not None else ""  # type: ignore[no-any-return]

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[no-any-return]

    def find(self, pattern: str) -> str:
        """The first group of `pattern` in the HTML body."""
        match = re.search(pattern, self.html)
        assert match is not None, f"{pattern!r} not in mail {self.subject!r}:\n{self.html}"
        return match.group(1)


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.sink.lock:
            self.sink.mails.append(Mail(envelope.content, list(envelope.rcpt_tos)))
        return "250 OK"


class SMTPSink:
    """Start with `start()`; `settings()` is the `smtp` settings block that points at it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mails: list[Mail] = []
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def settings(self) -> dict[str, Any]:
        return {"enabled": True, "host": "127.0.0.1", "port": self.port, "tls": False}

    def wait_for(self, to: str, timeout: float = 10.0, count: int = 1) -> Mail:
        """The `count`-th mail to `to` (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.mails if to in m.rcpt]
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no mail #{count} to {to} within {timeout}s")

    def count(self, to: str) -> int:
        with self.lock:
            return sum(1 for m in self.mails if to in m.rcpt)
