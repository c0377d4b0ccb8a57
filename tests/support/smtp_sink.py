"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

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
        self._http: ThreadingHTTPServer | None = None

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
        if self._http is not None:
            self._http.shutdown()

    def serve_http(self) -> str:
        """Also show the received mails over HTTP (for the Node SDK tests):
        `GET /mails?to=<address>` → `[{"subject", "html", "text"}]`. Returns the base URL."""
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                to = parse_qs(urlparse(self.path).query).get("to", [""])[0]
                with sink.lock:
                    found = [m for m in sink.mails if to in m.rcpt]
                listed = [{"subject": m.subject, "html": m.html, "text": m.text} for m in found]
                data = json.dumps(listed).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._http = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._http.server_address[1]}"

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
