"""Content types sniffed from a file's first 512 bytes, as Go's `http.DetectContentType` (the
WHATWG MIME sniffing rules) names them: what PocketBase's static file server sends for a file
whose extension says nothing."""

from __future__ import annotations

__all__ = ["SNIFF_LEN", "detect_content_type"]

SNIFF_LEN = 512
_WHITESPACE = b"\t\n\x0c\r "
_HTML_TAGS = (
    b"<!DOCTYPE HTML", b"<HTML", b"<HEAD", b"<SCRIPT", b"<IFRAME", b"<H1", b"<DIV", b"<FONT",
    b"<TABLE", b"<A", b"<STYLE", b"<TITLE", b"<B", b"<BODY", b"<BR", b"<P", b"<!--",
)  # fmt: skip
# (mask, pattern, type): the bytes ANDed with the mask must equal the pattern, from offset 0.
_MASKED = (
    (b"\xff\xff\x00\x00", b"\xfe\xff\x00\x00", "text/plain; charset=utf-16be"),
    (b"\xff\xff\x00\x00", b"\xff\xfe\x00\x00", "text/plain; charset=utf-16le"),
    (b"\xff\xff\xff\x00", b"\xef\xbb\xbf\x00", "text/plain; charset=utf-8"),
    (b"\xff\xff\xff\xff", b"\x00\x00\x01\x00", "image/x-icon"),
    (b"\xff\xff\xff\xff", b"\x00\x00\x02\x00", "image/x-icon"),
    (b"\xff\xff", b"BM", "image/bmp"),
    (b"\xff" * 6, b"GIF87a", "image/gif"),
    (b"\xff" * 6, b"GIF89a", "image/gif"),
    (
        b"\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff",
        b"RIFF\x00\x00\x00\x00WEBPVP",
        "image/webp",
    ),
    (b"\xff" * 8, b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xff\xff", b"\xff\xd8\xff", "image/jpeg"),
    (b"\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff", b"FORM\x00\x00\x00\x00AIFF", "audio/aiff"),
    (b"\xff\xff\xff", b"ID3", "audio/mpeg"),
    (b"\xff" * 5, b"OggS\x00", "application/ogg"),
    (b"\xff" * 8, b"MThd\x00\x00\x00\x06", "audio/midi"),
    (b"\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff", b"RIFF\x00\x00\x00\x00AVI ", "video/avi"),
    (b"\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff", b"RIFF\x00\x00\x00\x00WAVE", "audio/wave"),
)
# After the MP4 check, in this order.
_LATER = (
    (b"\xff" * 4, b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"\x00" * 34 + b"\xff\xff", b"\x00" * 34 + b"LP", "application/vnd.ms-fontobject"),
    (b"\xff" * 4, b"\x00\x01\x00\x00", "font/ttf"),
    (b"\xff" * 4, b"OTTO", "font/otf"),
    (b"\xff" * 4, b"ttcf", "font/collection"),
    (b"\xff" * 4, b"wOFF", "font/woff"),
    (b"\xff" * 4, b"wOF2", "font/woff2"),
    (b"\xff" * 3, b"\x1f\x8b\x08", "application/x-gzip"),
    (b"\xff" * 4, b"PK\x03\x04", "application/zip"),
    (b"\xff" * 7, b"Rar!\x1a\x07\x00", "application/x-rar-compressed"),
    (b"\xff" * 8, b"Rar!\x1a\x07\x01\x00", "application/x-rar-compressed"),
    (b"\xff" * 4, b"\x00asm", "application/wasm"),
)
_BINARY = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def _masked(data: bytes, mask: bytes, pattern: bytes) -> bool:
    return len(data) >= len(pattern) and all(d & m == p for d, m, p in zip(data, mask, pattern, strict=False))


def _html(data: bytes) -> bool:
    for tag in _HTML_TAGS:
        if len(data) > len(tag) and data[: len(tag)].upper() == tag and data[len(tag)] in b" >":
            return True
    return False


def _mp4(data: bytes) -> bool:
    if len(data) < 12:
        return False
    box = int.from_bytes(data[:4], "big")
    if len(data) < box or box % 4 or data[4:8] != b"ftyp":
        return False
    # The major brand's version (bytes 12-16) doesn't count.
    return any(data[at : at + 3] == b"mp4" for at in range(8, box, 4) if at != 12)


def detect_content_type(data: bytes) -> str:
    """The content type of `data` (only its first 512 bytes are considered)."""
    data = data[:SNIFF_LEN]
    text = data.lstrip(_WHITESPACE)
    if _html(text):
        return "text/html; charset=utf-8"
    if text.startswith(b"<?xml"):
        return "text/xml; charset=utf-8"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"%!PS-Adobe-"):
        return "application/postscript"
    for mask, pattern, content_type in _MASKED:
        if _masked(data, mask, pattern):
            return content_type
    if _mp4(data):
        return "video/mp4"
    for mask, pattern, content_type in _LATER:
        if _masked(data, mask, pattern):
            return content_type
    if not any(byte in _BINARY for byte in text):
        return "text/plain; charset=utf-8"
    return "application/octet-stream"
