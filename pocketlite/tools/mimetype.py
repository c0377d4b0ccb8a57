"""Content types sniffed from the bytes, named as PocketBase's detector (gabriel-vasile/mimetype)
names them: upload validation and the stored `Content-Type` depend on the content, never on what
the client claims.

The signatures cover what apps upload (images, audio, video, documents, archives, text
formats); anything else is `application/octet-stream`, or `text/plain; charset=utf-8` when it is
valid UTF-8 without control bytes.
"""

from __future__ import annotations

import json
import re

__all__ = ["detect", "extension", "is_type"]

# (offset, magic bytes, type), first match wins.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"BZh", "application/x-bzip2"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"Rar!\x1a\x07", "application/x-rar-compressed"),
    (0, b"\xfd7zXZ\x00", "application/x-xz"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
    (0, b"wOFF", "font/woff"),
    (0, b"wOF2", "font/woff2"),
    (0, b"\x00\x01\x00\x00\x00", "font/ttf"),
    (0, b"OTTO", "font/otf"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (257, b"ustar", "application/x-tar"),
    (0, b"{\\rtf", "text/rtf"),
)
# A local file header, an empty archive, a spanned one (the Go library's three zip signatures).
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_FTYP_BRANDS = {
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/x-m4a",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}
# Same type under other names, as the detector's aliases.
_ALIASES = {
    "application/zip": ("application/x-zip", "application/x-zip-compressed"),
    "application/gzip": ("application/x-gzip", "application/x-gunzip", "application/gzipped"),
    "image/x-icon": ("image/vnd.microsoft.icon",),
    "audio/mpeg": ("audio/x-mpeg", "audio/mp3"),
    "audio/wav": ("audio/x-wav", "audio/vnd.wave", "audio/wave"),
    "application/pdf": ("application/x-pdf",),
    "text/xml": ("application/xml",),
    "image/svg+xml": (),
    "application/json": (),
}
_HTML_RE = re.compile(
    rb"^\s*<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>]",
    re.IGNORECASE,
)
_READ_LIMIT = 3072


def detect(data: bytes) -> str:
    """The content type of `data` (its first 3 KiB decide)."""
    head = data[:_READ_LIMIT]
    for offset, magic, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return mime
    if head.startswith(_ZIP):
        for marker, mime in _OOXML:
            if marker in head:
                return mime
        return "application/zip"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[head[8:12]]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return _FTYP_BRANDS.get(brand, "video/mp4")
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"  # an MPEG audio frame without ID3 tags
    return _detect_text(head)


def _detect_text(head: bytes) -> str:
    text = head.removeprefix(b"\xef\xbb\xbf")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the read limit is still text.
        if exc.start < len(text) - 3 or len(head) < _READ_LIMIT:
            return "application/octet-stream"
        decoded = text[: exc.start].decode("utf-8")
    if any(ord(c) < 0x20 and c not in "\t\n\r\x0c\x1b" for c in decoded):
        return "application/octet-stream"
    stripped = decoded.lstrip()
    if stripped.startswith(("{", "[")) and _is_json(head, stripped):
        return "application/json"
    if _HTML_RE.match(text):
        return "text/html; charset=utf-8"
    if stripped.startswith("<?xml") or stripped.startswith("<svg"):
        return "image/svg+xml" if "<svg" in stripped else "text/xml; charset=utf-8"
    return "text/plain; charset=utf-8"


def _is_json(head: bytes, text: str) -> bool:
    if len(head) >= _READ_LIMIT:
        return False  # only whole documents are judged; a cut one reads as text
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def is_type(detected: str, expected: str) -> bool:
    """Whether the detected type is `expected` or one of its aliases, parameters ignored."""
    base = detected.split(";", 1)[0].strip().lower()
    wanted = expected.split(";", 1)[0].strip().lower()
    return wanted == base or wanted in _ALIASES.get(base, ())


_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tiff",
    "image/x-icon": ".ico",
    "image/avif": ".avif",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/svg+xml": ".svg",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/gzip": ".gz",
    "application/x-bzip2": ".bz2",
    "application/x-7z-compressed": ".7z",
    "application/x-rar-compressed": ".rar",
    "application/x-xz": ".xz",
    "application/x-tar": ".tar",
    "application/json": ".json",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/xml": ".xml",
    "text/rtf": ".rtf",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/x-m4a": ".m4a",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "video/3gpp": ".3gp",
    "video/x-msvideo": ".avi",
    "font/woff": ".woff",
    "font/woff2": ".woff2",
    "font/ttf": ".ttf",
    "font/otf": ".otf",
}


def extension(content_type: str) -> str:
    """The usual file extension of a detected type (with its dot), "" when it has none."""
    return _EXTENSIONS.get(content_type.split(";", 1)[0].strip(), "")
