"""What PocketBase accepts as a URL: govalidator's `IsURL` (the version PocketBase pins), and the
host Go's `net/url` reads from it for the `onlyDomains`/`exceptDomains` checks.

`IsURL` is one large regular expression whose nested quantifiers take exponential time in a
backtracking engine (Go's RE2 doesn't backtrack). Here the same language is decided in linear
time: the scheme, user info, port and path are split off by hand, and the host is checked with
prefix/suffix tables instead of by trying every split (see `_is_named_host`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ParsedURL", "is_url", "parse_url"]

_MAX_RUNES = 2083
_SCHEME_RE = re.compile(r"(?:ftp|tcp|udp|wss?|https?)://")
_PORT_RE = re.compile(r":[0-9]{1,5}\Z")
_SPACE = frozenset("\t\n\f\r ")  # Go's \s: the regex's `\S` is anything else
_URL_IP_RE = re.compile(
    r"(?:[1-9][0-9]?|1[0-9][0-9]|2[01][0-9]|22[0-3]|24[0-9]|25[0-5])"
    r"(?:\.(?:[0-9]{1,2}|1[0-9][0-9]|2[0-4][0-9]|25[0-5])){2}"
    r"\.(?:[0-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])"
)
_V4 = r"(?:(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])\.){3}(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])"
_H = "[0-9a-fA-F]{1,4}"
_IPV6_RE = re.compile(
    rf"(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,7}}:|(?:{_H}:){{1,6}}:{_H}|(?:{_H}:){{1,5}}(?::{_H}){{1,2}}"
    rf"|(?:{_H}:){{1,4}}(?::{_H}){{1,3}}|(?:{_H}:){{1,3}}(?::{_H}){{1,4}}|(?:{_H}:){{1,2}}(?::{_H}){{1,5}}"
    rf"|{_H}:(?::{_H}){{1,6}}|:(?:(?::{_H}){{1,7}}|:)|fe80:(?::[0-9a-fA-F]{{0,4}}){{0,4}}%[0-9a-zA-Z]+"
    rf"|::(?:ffff(?::0{{1,4}})?:)?{_V4}|(?:{_H}:){{1,4}}:{_V4}"
)
_ESCAPE_RE = re.compile(r"%(?![0-9a-fA-F]{2})")
_USERINFO_RE = re.compile(r"[A-Za-z0-9\-._:~!$&'()*+,;=%@]*")
# ASCII characters Go's url.Parse refuses in a host (anything else ASCII is allowed).
_BAD_HOST_CHARS = frozenset(" #/?@\\^`{|}") | frozenset(map(chr, range(0x20))) | {"\x7f"}
# Hosts may only %-escape non-ASCII bytes, and `%25` (a `%` in an IPv6 zone).
_HOST_ESCAPE_RE = re.compile(r"%(?!25)[0-7][0-9a-fA-F]")


class ParsedURL(NamedTuple):
    """The parts of Go's `url.URL` that PocketBase looks at."""

    host: str
    path: str


def is_url(value: str) -> bool:
    """govalidator's `IsURL` as of the version PocketBase 0.40 pins."""
    if not value or len(value) >= _MAX_RUNES or len(value.encode()) <= 3 or value.startswith("."):
        return False
    # NB: a colon without "://" is read as a port, so "http://" is put in front for url.Parse.
    parsed = parse_url(f"http://{value}" if ":" in value and "://" not in value else value)
    if parsed is None or parsed.host.startswith("."):
        return False
    if not parsed.host and parsed.path and "." not in parsed.path:
        return False
    return _matches_url_regex(value)


def parse_url(raw: str) -> ParsedURL | None:
    """Go's `url.Parse`, as far as its errors and its `Host`/`Path` go; None on an error."""
    raw, _, fragment = raw.partition("#")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw) or _ESCAPE_RE.search(fragment):
        return None
    scheme, rest = _scheme(raw)
    if scheme is None:
        return None
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return ParsedURL("", "")  # an opaque URL such as mailto:x
        if ":" in rest.partition("/")[0]:
            return None  # a colon in the first segment of a relative path
    host = ""
    if rest.startswith("//") and (scheme or not rest.startswith("///")):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        parsed_host = _authority_host(authority)
        if parsed_host is None:
            return None
        host = parsed_host
    if _ESCAPE_RE.search(rest):
        return None
    return ParsedURL(host, _unescape(rest))


def _scheme(raw: str) -> tuple[str | None, str]:
    for i, ch in enumerate(raw):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            return (None, "") if i == 0 else (raw[:i], raw[i + 1 :])
        return "", raw
    return "", raw


def _authority_host(authority: str) -> str | None:
    userinfo, at, host = authority.rpartition("@")
    if at and (not _USERINFO_RE.fullmatch(userinfo) or _ESCAPE_RE.search(userinfo)):
        return None
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0 or not _valid_port(host[end + 1 :]):
            return None
    elif ":" in host and not _valid_port(host[host.rfind(":") :]):
        return None
    if any(ch in _BAD_HOST_CHARS for ch in host) or _ESCAPE_RE.search(host) or _HOST_ESCAPE_RE.search(host):
        return None
    return _unescape(host)


def _valid_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= ch <= "9" for ch in port[1:]))


def _unescape(text: str) -> str:
    """%-decoding; invalid byte sequences become U+FFFD, as Go's strings keep them."""
    if "%" not in text:
        return text
    data = re.sub(rb"%([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), text.encode())
    return data.decode("utf-8", errors="replace")


# --- govalidator's URL regex ---------------------------------------------------------------


def _matches_url_regex(value: str) -> bool:
    """`^scheme? userinfo@? host \\.? port? path?$`, trying each place the host may start: after
    the optional scheme, or after an `@` ending non-space user info. A host has no `@`, so each
    candidate's host text is distinct and the whole search stays linear."""
    n = len(value)
    next_sep, next_at = [n] * (n + 1), [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_sep[i] = i if value[i] in "/?#" else next_sep[i + 1]
        next_at[i] = i if value[i] == "@" else next_at[i + 1]
    spaces = [i for i, ch in enumerate(value) if ch in _SPACE]
    first_space, last_space = (spaces[0], spaces[-1]) if spaces else (n, -1)
    scheme = _SCHEME_RE.match(value)
    for begin in {0} | ({scheme.end()} if scheme else set()):
        ats = [at + 1 for at in range(begin + 1, min(first_space, n)) if value[at] == "@"]
        for start in [begin, *ats]:
            end = next_sep[start]
            if next_at[start] < end or last_space >= end:
                continue  # a host holds no "@", and the path is `[/?#]\\S*`
            if _is_host_and_port(value[start:end]):
                return True
    return False


def _is_host_and_port(text: str) -> bool:
    port = _PORT_RE.search(text)
    if port is not None:
        text = text[: port.start()]
    if text.endswith("."):
        text = text[:-1]  # the host never ends with a dot, so this is the optional one
    if _URL_IP_RE.fullmatch(text):
        return True
    if text.startswith("[") and text.endswith("]") and _IPV6_RE.fullmatch(text[1:-1]):
        return True
    if _is_named_host(text):
        return True
    dot = text.rfind(".")
    return dot >= 0 and _is_letters(text[dot + 1 :]) and _is_named_host(text[:dot])


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _word_char(ch: str) -> bool:
    """`[a-zA-Z\\x{00a1}-\\x{ffff}0-9]`."""
    return _ascii_alnum(ch) or "\u00a1" <= ch <= "\uffff"


def _is_letters(text: str) -> bool:
    """`[a-zA-Z\\x{00a1}-\\x{ffff}]+`."""
    return bool(text) and all((ch.isascii() and ch.isalpha()) or "\u00a1" <= ch <= "\uffff" for ch in text)


def _is_named_host(text: str) -> bool:
    """`(A | Sub)? W`, where
    A = `[a-zA-Z0-9]([a-zA-Z0-9-_]+)?[a-zA-Z0-9]([-.][a-zA-Z0-9]+)*`,
    Sub = `www\\.` | `[a-zA-Z0-9]+([-_.]?[a-zA-Z0-9])*[a-zA-Z0-9]\\.[a-zA-Z0-9]+`,
    W = `([a-zA-Z\\x{00a1}-\\x{ffff}0-9]+-?-?)*[a-zA-Z\\x{00a1}-\\x{ffff}0-9]+`.

    The text is in the language when some split point k has a prefix in A or Sub (or k = 0)
    and a suffix in W; both are tabulated for every k in one pass each.
    """
    n = len(text)
    if n == 0:
        return False
    suffix_ok = _w_suffixes(text)
    if suffix_ok[0]:
        return True
    prefix_a, prefix_sub = _a_prefixes(text), _sub_prefixes(text)
    return any(suffix_ok[k] and (prefix_a[k] or prefix_sub[k]) for k in range(1, n))


def _w_suffixes(text: str) -> list[bool]:
    """ok[k]: text[k:] is runs of word characters joined by one or two dashes."""
    n = len(text)
    ok = [False] * (n + 1)
    valid, dashes = bool(text) and _word_char(text[-1]), 0
    for k in range(n - 1, -1, -1):
        ch = text[k]
        if ch == "-":
            dashes += 1
            valid = valid and dashes <= 2
        elif _word_char(ch):
            dashes = 0
        else:
            valid = False
        ok[k] = valid and _word_char(ch)
    return ok


def _a_prefixes(text: str) -> list[bool]:
    """ok[k]: text[:k] is in A, i.e. `F` or `F\\.N+([-.]N+)*` with F = `N[N_-]*N`."""
    ok = [False] * (len(text) + 1)
    state = "start"
    transitions = {  # state → {char kind → state}; "n" is an ASCII letter or digit
        "start": {"n": "f1"},
        "f1": {"n": "f", "_": "fx", "-": "fx"},
        "f": {"n": "f", "_": "fx", "-": "fx", ".": "dot"},
        "fx": {"n": "f", "_": "fx", "-": "fx"},
        "dot": {"n": "r"},
        "r": {"n": "r", "-": "sep", ".": "dot"},
        "sep": {"n": "r"},
    }
    for k, ch in enumerate(text):
        kind = "n" if _ascii_alnum(ch) else ch
        state = transitions.get(state, {}).get(kind, "dead")
        ok[k + 1] = state in ("f", "r")
    return ok


def _sub_prefixes(text: str) -> list[bool]:
    """ok[k]: text[:k] is `www.`, or ASCII letters/digits with single `-_.` between them whose
    last separator is a `.` right after two letters/digits (the `[a-zA-Z0-9]+(...)*[a-zA-Z0-9]`
    before `\\.` ends with two of them)."""
    ok = [False] * (len(text) + 1)
    if text.startswith("www."):
        ok[4] = True
    last_sep, last_sep_at, previous_sep = "", -1, True
    for k, ch in enumerate(text):
        if _ascii_alnum(ch):
            previous_sep = False
            ok[k + 1] = ok[k + 1] or (
                last_sep == "." and last_sep_at >= 2 and _ascii_alnum(text[last_sep_at - 2])
            )
        elif ch in "-_." and not previous_sep:
            previous_sep, last_sep, last_sep_at = True, ch, k
        else:
            break
    return ok
