"""`file`: names of files kept in storage; `maxSelect` > 1 makes it a JSON list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from pocketlite.core.errors import ValidationError, ValidationErrors
from pocketlite.core.fields.base import (
    FindCollection,
    MultiValueField,
    SettingsErrors,
    count_error,
    register,
    required_error,
    unique_strings,
)
from pocketlite.core.fields.go_regexp import compile_go
from pocketlite.core.validators import first_error, match, not_in
from pocketlite.tools.inflector import snakecase
from pocketlite.tools.mimetype import detect, extension, is_type
from pocketlite.tools.security import random_string

if TYPE_CHECKING:
    from pocketlite.core.collection import Collection

__all__ = ["FileField", "Upload", "file_name"]

THUMB_SIZE_RE = compile_go(r"^(\d+)x(\d+)(t|b|f)?$")
DEFAULT_MAX_SIZE = 5 << 20


_RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _clean_extension(ext: str) -> str:
    # Go's `[^\w.*\-+=#]+` with an ASCII `\w`.
    kept = "".join(c for c in ext if (c.isascii() and (c.isalnum() or c == "_")) or c in ".*-+=#")
    return "." + kept.strip(".")


def _extension_of(name: str) -> str:
    primary = name.rfind(".")
    if primary < 0:
        return ""
    secondary = name.rfind(".", 0, primary)
    return name[secondary:] if secondary >= 0 else name[primary:]


def _base_name(name: str) -> str:
    """The last element of a client's file name, as Go's multipart `FileName()` keeps it
    (`filepath.Base` on "/": trailing slashes dropped, only slashes → "/"; backslashes stay)."""
    if not name:
        return name
    stripped = name.rstrip("/")
    return stripped.rpartition("/")[2] if stripped else "/"


def file_name(original: str, content_type: str) -> str:
    """The stored name of an upload: `<snake_case base>_<10 random chars><clean extension>`."""
    raw = original.encode()
    if len(raw) > 300:
        original = raw[-300:].decode(errors="ignore")
    original_ext = _extension_of(original)
    ext = _clean_extension(original_ext)
    if ext == ".":
        ext = extension(content_type)
    if len(ext) > 20:
        ext = "." + ext[-20:].strip(".")
    base = snakecase(original.removesuffix(original_ext).strip(".") if original_ext else original.strip("."))
    if len(base) < 3:
        base += random_string(10, _RANDOM_ALPHABET)
    elif len(base) > 100:
        base = base[:100]
    return f"{base}_{random_string(10, _RANDOM_ALPHABET)}{ext}"


class Upload:
    """A file submitted with a record, not stored yet: its new name, the client's name, the
    bytes and the type sniffed from them."""

    __slots__ = ("content", "content_type", "name", "original_name")

    def __init__(self, original_name: str, content: bytes) -> None:
        self.original_name = _base_name(original_name)
        self.content = content
        self.content_type = detect(content)
        self.name = file_name(self.original_name, self.content_type)

    @property
    def size(self) -> int:
        return len(self.content)

    def __repr__(self) -> str:
        return f"Upload({self.name!r} from {self.original_name!r}, {self.size} bytes)"


@register
class FileField(MultiValueField, kw_only=True):
    """Options: `maxSelect` (> 1 makes it multiple), `maxSize` per file in bytes (0 = 5 MiB),
    `mimeTypes`, `thumbs` sizes such as `100x50t`, `protected` (downloads need a file token).

    The value holds file names. What needs storage or the stored value (uploads' sizes, mime
    types and names; names that aren't already stored) is checked by the files layer.
    """

    type = "file"

    help: str = ""
    maxSize: int = 0
    mimeTypes: list[str] = []
    protected: bool = False
    required: bool = False
    thumbs: list[str] = []

    # --- values: stored names (str) and, until the save, `Upload`s ---------------------------------

    def items_of(self, value: Any) -> list[Any]:
        """The names and uploads of a value, first of each name kept."""
        items: list[Any] = []
        if isinstance(value, Upload):
            items = [value]
        elif isinstance(value, list | tuple):
            for item in value:
                items += [item] if isinstance(item, Upload) else unique_strings(item)
        else:
            items = unique_strings(value)
        seen: set[str] = set()
        out = []
        for item in items:
            name = self.item_name(item)
            if name not in seen:
                seen.add(name)
                out.append(item)
        return out

    def item_name(self, item: Any) -> str:
        return item.name if isinstance(item, Upload) else str(item)

    def normalize(self, raw: Any) -> Any:
        items = self.items_of(raw)
        if self.is_multiple:
            return items
        return items[-1] if items else ""  # NB: a single value keeps the last item, as PocketBase

    def values_of(self, value: Any) -> list[str]:
        return [self.item_name(item) for item in self.items_of(value)]

    def to_db(self, value: Any) -> Any:
        return super().to_db(self.to_api(value))

    def to_api(self, value: Any) -> Any:
        names = self.values_of(value)
        return names if self.is_multiple else (names[-1] if names else "")

    def validate_value(self, value: Any) -> ValidationError | None:
        items = self.items_of(value)
        if not items:
            return required_error() if self.required else None
        limit = max(self.maxSelect, 1)
        if len(items) > limit:
            return ValidationError(
                "validation_too_many_files", f"The maximum allowed files is {limit}", {"maxSelect": limit}
            )
        max_size = self.maxSize if self.maxSize > 0 else DEFAULT_MAX_SIZE
        for upload in (i for i in items if isinstance(i, Upload)):
            if upload.size > max_size:
                original = upload.original_name[:300]
                return ValidationError(
                    "validation_file_size_limit",
                    f"Failed to upload {original} - the maximum allowed file size is {max_size} bytes.",
                    {"file": original, "maxSize": max_size},
                )
            if self.mimeTypes and not any(is_type(upload.content_type, t) for t in self.mimeTypes):
                return ValidationError(
                    "validation_invalid_mime_type",
                    f"{msgspec.json.encode(upload.name).decode()} mime type must be one of: "
                    f"{', '.join(self.mimeTypes)}.",
                )
        return None

    def new_names_error(self, value: Any, original: Any) -> ValidationError | None:
        """New files come as uploads: a name the record didn't hold before is refused."""
        known = set(self.values_of(original))
        added = [i[:250] for i in self.items_of(value) if isinstance(i, str) and i not in known]
        if not added:
            return None
        return ValidationError(
            "validation_invalid_file", f"Invalid new files: [{' '.join(added)}].", {"invalidFiles": added}
        )

    def settings_errors(self, collection: Collection, find: FindCollection) -> SettingsErrors:
        out = super().settings_errors(collection, find)
        out["maxSelect"] = count_error(self.maxSelect)
        out["maxSize"] = count_error(self.maxSize)
        thumb_errors: dict[str, ValidationError | ValidationErrors] = {}
        for i, thumb in enumerate(self.thumbs):
            error = first_error(thumb, not_in(("0x0", "0x0t", "0x0b", "0x0f")), match(THUMB_SIZE_RE))
            if error is not None:
                thumb_errors[str(i)] = error
        out["thumbs"] = ValidationErrors(thumb_errors) if thumb_errors else None
        return out
