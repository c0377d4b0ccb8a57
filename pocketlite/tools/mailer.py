"""Sending e-mail: a typed message, and the mailers that deliver it (SMTP, the local `sendmail`
program, or the console in development). The stdlib `smtplib` does the SMTP work, in a thread; it
covers what PocketBase's mailer does (implicit TLS or STARTTLS, PLAIN/LOGIN auth, a custom EHLO
name) with no extra dependency."""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import subprocess
import sys
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Protocol

import msgspec

from pocketlite.tools.security import random_string

# NB: `email` and `smtplib` (~3.5 ms) are imported where a message is written: every process
# imports this module, few send mail.
if TYPE_CHECKING:
    from email.message import EmailMessage

__all__ = ["Address", "ConsoleMailer", "Mailer", "Message", "SMTPMailer", "SendmailMailer", "html_to_text"]


class Address(msgspec.Struct, frozen=True):
    """A mailbox: address and optional display name."""

    address: str
    name: str = ""

    def __str__(self) -> str:
        from email.utils import formataddr  # see the imports

        return formataddr((self.name, self.address)) if self.name else self.address


class Message(msgspec.Struct, kw_only=True):
    """One e-mail; `text` is derived from `html` when empty."""

    sender: Address
    to: list[Address]
    subject: str
    html: str
    text: str = ""
    headers: dict[str, str] = {}


class Mailer(Protocol):
    """Something that delivers messages."""

    async def send(self, message: Message) -> None:
        """Deliver `message` or raise."""


def _mime(message: Message) -> EmailMessage:
    from email.message import EmailMessage  # see the imports

    mime = EmailMessage()
    mime["From"] = str(message.sender)
    mime["To"] = ", ".join(str(a) for a in message.to)
    mime["Subject"] = message.subject
    for name, value in message.headers.items():
        mime[name] = value
    if "Message-ID" not in mime and "@" in message.sender.address:
        mime["Message-ID"] = f"<{random_string(15)}@{message.sender.address.rsplit('@', 1)[1]}>"
    mime.set_content(message.text or html_to_text(message.html))
    mime.add_alternative(message.html, subtype="html")
    return mime


class SMTPMailer:
    """Delivery through an SMTP server (the `smtp` settings)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str = "",
        password: str = "",
        tls: bool = False,
        auth_method: str = "",
        local_name: str = "",
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.tls, self.auth_method = tls, auth_method
        self.local_name = local_name or None
        self.timeout = timeout

    async def send(self, message: Message) -> None:
        """Connect, authenticate when configured, send, quit (in a thread: smtplib blocks)."""
        await asyncio.to_thread(self._send, _mime(message))

    def _send(self, mime: EmailMessage) -> None:
        import smtplib  # see the imports

        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.tls:
            client = smtplib.SMTP_SSL(
                self.host, self.port, local_hostname=self.local_name, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, local_hostname=self.local_name, timeout=self.timeout)
        with client:
            client.ehlo()
            if not self.tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if self.username or self.password:
                # NB: PocketBase uses LOGIN only when asked, PLAIN otherwise.
                mechanism = "LOGIN" if self.auth_method == "LOGIN" else "PLAIN"
                client.user, client.password = self.username, self.password
                client.auth(mechanism, getattr(client, f"auth_{mechanism.lower()}"))
            client.send_message(mime)


class ConsoleMailer:
    """Development delivery: the message is printed to stdout."""

    async def send(self, message: Message) -> None:
        """Print the message."""
        print(_mime(message).as_string(), file=sys.stdout, flush=True)


# Where PocketBase looks for the program, in order (tools/mailer/sendmail.go); a bare name is
# looked up in $PATH.
_SENDMAIL_PATHS = ("/usr/sbin/sendmail", "/usr/bin/sendmail", "sendmail")


_NEWLINES = re.compile(r"[\r\n]")


class SendmailError(OSError):
    """The `sendmail` program is missing or failed (the text is PocketBase's)."""


def _encoded(text: str) -> str:
    """Go's `mime.QEncoding.Encode`: kept as is unless it holds a byte outside printable ASCII."""
    if all(" " <= ch <= "~" or ch == "\t" for ch in text):
        return text
    from email.header import Header  # see the imports

    return Header(text, "utf-8").encode()


def _go_address(address: Address) -> str:
    """Go's `mail.Address.String()`: `"Name" <addr>`, or `<addr>` without a name."""
    if not address.name:
        return f"<{address.address}>"
    if all(" " <= ch <= "~" for ch in address.name):
        escaped = address.name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address.address}>'
    return f"{_encoded(address.name)} <{address.address}>"


class SendmailMailer:
    """Delivery through the local `sendmail` program, PocketBase's mailer when SMTP is off.

    NB: PocketBase pipes a bare message to `sendmail -i -t`: its four headers in Go's sorted
    order, a blank line and the HTML (or the text when there is no HTML); custom headers and
    attachments are dropped."""

    async def send(self, message: Message) -> None:
        """Find `sendmail` and pipe the message to it, in a thread (the program blocks)."""
        await asyncio.to_thread(self._send, message)

    def _send(self, message: Message) -> None:
        program = next(filter(None, map(shutil.which, _SENDMAIL_PATHS)), None)
        if program is None:
            raise SendmailError("failed to locate a sendmail executable path")
        headers = {
            "Content-Type": "text/html; charset=UTF-8",
            "From": _go_address(message.sender),
            "Subject": _encoded(message.subject),
            "To": ",".join(a.address for a in message.to),
        }
        # Go's Header.Write turns line breaks inside a value into spaces.
        head = "".join(f"{name}: {_NEWLINES.sub(' ', value)}\r\n" for name, value in headers.items())
        data = f"{head}\r\n{message.html or message.text}".encode()
        done = subprocess.run([program, "-i", "-t"], input=data, capture_output=True, check=False)
        if done.returncode != 0:
            raise SendmailError(f"exit status {done.returncode}")


# --- HTML to text, as PocketBase derives the plain part -----------------------------------------

_SKIPPED = {
    "style", "script", "iframe", "applet", "object", "svg", "img",
    "button", "form", "textarea", "input", "select", "option", "template",
}  # fmt: skip
_INLINE = {"a", "span", "small", "strike", "strong", "sub", "sup", "em", "b", "u", "i"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SPACES = re.compile(r"\s+")


class _Node:
    __slots__ = ("attrs", "children", "tag", "text")

    def __init__(self, tag: str = "", text: str | None = None, attrs: dict[str, str] | None = None) -> None:
        self.tag, self.text, self.attrs = tag, text, attrs or {}
        self.children: list[_Node] = []


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, attrs={k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(_Node(text=data))


def html_to_text(document: str) -> str:
    """The text of an HTML mail: whitespace collapsed, a line break per block element and
    `<br>`, `- ` before list items, links as `[text](href)`."""
    builder = _TreeBuilder()
    builder.feed(document)
    builder.close()
    out: list[str] = []
    can_break = False

    def walk(node: _Node, sink: list[str]) -> None:
        nonlocal can_break
        is_link = node.tag == "a"
        if is_link:
            sink = []
        if node.text is not None:
            text = _SPACES.sub(" ", node.text)
            if not can_break:
                text = text.lstrip(" ")
            if text:
                sink.append(text)
                can_break = True
        elif node.tag and node.tag != "#document":
            if node.tag == "br" or (can_break and node.tag not in _INLINE):
                sink.append("\r\n")
                can_break = False
            if node.tag == "li":
                sink.append("- ")
        for child in node.children:
            if child.text is not None or child.tag not in _SKIPPED:
                walk(child, sink)
        if is_link:
            label = "".join(sink).strip() or "LINK"
            href = node.attrs.get("href", "")
            out.append(f"[{label}]" + (f"({href})" if href else ""))

    walk(builder.root, out)
    return "".join(out).strip()
