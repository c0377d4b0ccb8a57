"""Parsing `a=1&b=2` the way Go's `net/url.ParseQuery` does, which PocketBase uses for query
strings and urlencoded bodies.

It differs from `urllib.parse.parse_qsl`: a pair that contains `;`, or whose key or value has a bad
`%` escape, is dropped and makes the whole parse report an error (Go returns the first error
along with the pairs it could read); `+` is a space; escapes decode to bytes, read as UTF-8.
"""

from __future__ import annotations

import re

__all__ = ["is_malformed", "parse_query"]

_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unescape(raw: bytes) -> str | None:
    """`raw` with `+` as space and `%XX` decoded, or None for a malformed escape."""
    if b"%" in raw and _ESCAPE.search(raw):
        return None
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x25:  # %
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        out.append(0x20 if byte == 0x2B else byte)  # + is a space
        i += 1
    return out.decode("utf-8", "replace")


def is_malformed(raw: bytes) -> bool:
    """Whether some pair of `raw` would be dropped by Go (a fast check, no decoding)."""
    return b";" in raw or (b"%" in raw and _ESCAPE.search(raw) is not None)


def parse_query(raw: bytes) -> tuple[list[tuple[str, str]], bool]:
    """The `(key, value)` pairs in order, and whether every pair was well-formed."""
    pairs: list[tuple[str, str]] = []
    ok = True
    for part in raw.split(b"&"):
        if not part:
            continue
        if b";" in part:
            # NB: Go refuses `;` as a separator since 1.17 and drops the pair with an error.
            ok = False
            continue
        key, _, value = part.partition(b"=")
        decoded_key, decoded_value = _unescape(key), _unescape(value)
        if decoded_key is None or decoded_value is None:
            ok = False
            continue
        pairs.append((decoded_key, decoded_value))
    return pairs, ok
