"""Thumbnails (files-and-realtime.md §2.2) with Pillow, sized as PocketBase's imaging library
sizes them: `WxH` fills and crops from the center, `t`/`b` crop from the top/bottom, `f` fits
inside without upscaling, a 0 side keeps the aspect ratio."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageOps

__all__ = ["SIZE_RE", "make_thumb"]

SIZE_RE = re.compile(r"^(\d+)x(\d+)(t|b|f)?$")

# Formats kept as they are; everything else (png, webp…) becomes PNG.
_KEPT = {
    "image/jpeg": ("JPEG", "image/jpeg"),
    "image/gif": ("GIF", "image/gif"),
    "image/tiff": ("TIFF", "image/tiff"),
    "image/bmp": ("BMP", "image/bmp"),
}
_FILTER = Image.Resampling.BILINEAR


def _resize(img: Image.Image, width: int, height: int) -> Image.Image:
    src_w, src_h = img.size
    if width == 0:
        width = max(1, int(src_w * height / src_h + 0.5))
    elif height == 0:
        height = max(1, int(src_h * width / src_w + 0.5))
    return img.resize((width, height), _FILTER)


def _crop(img: Image.Image, width: int, height: int, anchor: str) -> Image.Image:
    src_w, src_h = img.size
    width, height = min(width, src_w), min(height, src_h)
    left = (src_w - width) // 2
    top = {"t": 0, "b": src_h - height}.get(anchor, (src_h - height) // 2)
    return img.crop((left, top, left + width, top + height))


def _fill(img: Image.Image, width: int, height: int, anchor: str) -> Image.Image:
    src_w, src_h = img.size
    if (src_w, src_h) == (width, height):
        return img.copy()
    src_ratio, dst_ratio = src_w / src_h, width / height
    if src_w >= 100 and src_h >= 100:  # crop first, then resize (imaging's order for big sources)
        if src_ratio < dst_ratio:
            cropped = _crop(img, src_w, int(max(1.0, src_w * height / width) + 0.5), anchor)
        else:
            cropped = _crop(img, int(max(1.0, src_h * width / height) + 0.5), src_h, anchor)
        return _resize(cropped, width, height)
    resized = _resize(img, width, 0) if src_ratio < dst_ratio else _resize(img, 0, height)
    return _crop(resized, width, height, anchor)


def _fit(img: Image.Image, width: int, height: int) -> Image.Image:
    src_w, src_h = img.size
    if src_w <= width and src_h <= height:
        return img.copy()
    ratio = src_w / src_h
    if ratio > width / height:
        return _resize(img, width, max(1, int(width / ratio)))
    return _resize(img, max(1, int(height * ratio)), height)


def make_thumb(original: bytes, content_type: str, size: str) -> tuple[bytes, str]:
    """The thumbnail of an image and its content type; `ValueError` for a bad size, Pillow's
    errors for images it can't read. Only the first frame of animations is used."""
    match = SIZE_RE.match(size)
    if match is None:
        raise ValueError(f"invalid thumb size {size!r}")
    width, height, mode = int(match[1]), int(match[2]), match[3] or ""
    if width == 0 and height == 0:
        raise ValueError("thumb width and height cannot both be zero")
    with Image.open(io.BytesIO(original)) as opened:
        opened.seek(0)
        if opened.format == "JPEG" and opened.getexif().get(0x0112, 1) in (1, 2, 3, 4):
            # Decode at the smallest DCT scale that still covers the thumbnail (a 2000x1500
            # photo for a 100x100 thumb decodes at 250x188): most of the work saved, with
            # the same result at thumbnail size. Rotated photos (EXIF 5-8) swap sides: skipped.
            opened.draft("RGB", (max(width, 1), max(height, 1)))
        img = ImageOps.exif_transpose(opened.convert("RGBA") if opened.mode in ("P", "LA") else opened)
        if width == 0 or height == 0:
            thumb = _resize(img, width, height)
        elif mode == "f":
            thumb = _fit(img, width, height)
        else:
            thumb = _fill(img, width, height, mode)
    image_format, out_type = _KEPT.get(content_type, ("PNG", "image/png"))
    if image_format in ("JPEG", "BMP") and thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    buffer = io.BytesIO()
    thumb.save(buffer, image_format)
    return buffer.getvalue(), out_type
