"""Reading JSON the way Go's `encoding/json` reads it into typed data.

Go writes a nil slice or map as `null` and reads `null` back into one as the zero value (an empty
list, an empty map, an unchanged struct). Data PocketBase wrote — collection fields and options,
settings, `.attrs` sidecars — therefore holds `null` wherever a Go value was nil, and older
PocketBase versions wrote many of them. msgspec refuses `null` for a `list`/`dict`/struct type;
`convert` first drops those nulls so the typed defaults apply, keeping the keys whose null means
something of its own (an API rule that is "superusers only", a `pkce` left to auto-detection).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec

__all__ = ["convert", "decode", "drop_nulls"]

T = TypeVar("T")


def drop_nulls(value: Any, keep: Iterable[str] = ()) -> Any:
    """`value` with every `"key": null` pair removed at any depth, except for the keys in `keep`."""
    kept = frozenset(keep)
    return _drop(value, kept)


def _drop(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v, keep) for k, v in value.items() if v is not None or k in keep}
    if isinstance(value, list):
        return [_drop(item, keep) for item in value]
    return value


def convert(value: Any, type_: type[T], keep: Iterable[str] = ()) -> T:
    """`msgspec.convert` of already-decoded JSON, Go's null semantics first."""
    return msgspec.convert(drop_nulls(value, keep), type_)


def decode(raw: bytes | str, type_: type[T], keep: Iterable[str] = ()) -> T:
    """Decode JSON text into `type_` with Go's null semantics."""
    return convert(msgspec.json.decode(raw), type_, keep)
