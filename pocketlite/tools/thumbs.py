"""Thumbnails (files-and-realtime.md §2.2) with Pillow, sized as PocketBase's imaging library
sizes them: `WxH` fills and crops from the center, `t`/`b` crop from the top/bottom, `f` fits
inside without upscaling, a 0 side keeps the aspect ratio.

Images whose decoded pixels would exceed a budget are refused before anything is decoded (a
10000x10000 PNG of a few hundred KB decodes to more than a GB): the size is read from the
header, after a JPEG's decode scale is chosen, since that is what gets decoded."""

from __future__ import annotations

import io
import re
import warnings

from PIL import Image, ImageOps

__all__ = ["MAX_PIXELS", "SIZE_RE", "ImageTooLarge", "make_thumb"]

SIZE_RE = re.compile(r"^(\d+)x(\d+)(t|b|f)?$")
# 50 megapixels: 200 MB decoded as RGBA (twice that while an RGBA image is resized), enough for
# the PNG, GIF and WebP screenshots and scans people upload; photos are JPEGs, decoded smaller.
MAX_PIXELS = 50_000_000
_ROTATED = frozenset({5, 6, 7, 8})  # EXIF orientations stored with width and height swapped

# Pillow warns about images over ~89 MP when it opens them; the budget check right after
# refuses what it would warn about (or decodes a JPEG at a fraction of it): the warning only
# repeats it. Over ~179 MP Pillow refuses them itself (DecompressionBombError).
warnings.simplefilter("ignore", Image.DecompressionBombWarning)


class ImageTooLarge(ValueError):
    """An image over the pixel budget: no thumbnail is made of it."""


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


def _crop_box(src_w: int, src_h: int, width: int, height: int, anchor: str) -> tuple[int, int, int, int]:
    width, height = min(width, src_w), min(height, src_h)
    left = (src_w - width) // 2
    top = {"t": 0, "b": src_h - height}.get(anchor, (src_h - height) // 2)
    return left, top, left + width, top + height


def _fill(img: Image.Image, width: int, height: int, anchor: str) -> Image.Image:
    src_w, src_h = img.size
    if (src_w, src_h) == (width, height):
        return img
    src_ratio, dst_ratio = src_w / src_h, width / height
    if src_w >= 100 and src_h >= 100:
        # Crop first, then resize (imaging's order for big sources), in one pass: the crop is
        # the box resized, so the full-size image is never copied.
        if src_ratio < dst_ratio:
            box = _crop_box(src_w, src_h, src_w, int(max(1.0, src_w * height / width) + 0.5), anchor)
        else:
            box = _crop_box(src_w, src_h, int(max(1.0, src_h * width / height) + 0.5), src_h, anchor)
        return img.resize((width, height), _FILTER, box=box)
    resized = _resize(img, width, 0) if src_ratio < dst_ratio else _resize(img, 0, height)
    return resized.crop(_crop_box(*resized.size, width, height, anchor))


def _fit(img: Image.Image, width: int, height: int) -> Image.Image:
    src_w, src_h = img.size
    if src_w <= width and src_h <= height:
        return img
    ratio = src_w / src_h
    if ratio > width / height:
        return _resize(img, width, max(1, int(width / ratio)))
    return _resize(img, max(1, int(height * ratio)), height)


def _upright(opened: Image.Image) -> Image.Image:
    """The decoded pixels, turned as EXIF says, in a mode that resizes smoothly (palettes
    become RGB, or RGBA when they have transparency)."""
    ImageOps.exif_transpose(opened, in_place=True)
    if opened.mode == "P":
        return opened.convert("RGBA" if opened.has_transparency_data else "RGB")
    return opened.convert("RGBA") if opened.mode == "LA" else opened


def make_thumb(
    original: bytes, content_type: str, size: str, max_pixels: int = MAX_PIXELS
) -> tuple[bytes, str]:
    """The thumbnail of an image and its content type; `ValueError` for a bad size,
    `ImageTooLarge` for an image that would decode to more than `max_pixels` pixels, Pillow's
    errors for images it can't read. Only the first frame of animations is used."""
    match = SIZE_RE.match(size)
    if match is None:
        raise ValueError(f"invalid thumb size {size!r}")
    width, height, mode = int(match[1]), int(match[2]), match[3] or ""
    if width == 0 and height == 0:
        raise ValueError("thumb width and height cannot both be zero")
    try:
        opened = Image.open(io.BytesIO(original))
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(str(exc)) from exc
    with opened:
        opened.seek(0)
        if opened.format == "JPEG":
            # Decode at the smallest DCT scale that still covers the thumbnail (a 2000x1500
            # photo for a 100x100 thumb decodes at 250x188): most of the work saved, with the
            # same result at thumbnail size. A rotated photo is stored with its sides swapped.
            wanted = (max(width, 1), max(height, 1))
            rotated = opened.getexif().get(0x0112, 1) in _ROTATED
            opened.draft("RGB", wanted[::-1] if rotated else wanted)
        if opened.width * opened.height > max_pixels:
            raise ImageTooLarge(f"{opened.width}x{opened.height} is over the budget of {max_pixels} pixels")
        img = _upright(opened)
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
