"""Text helpers shared by errors and messages."""

from __future__ import annotations

import itertools
import re

__all__ = ["sentenize", "snakecase"]

# NB: Go's `\W` is ASCII-only, so every non-ASCII character separates words too.
_SNAKE_SPLIT_RE = re.compile(r"[^0-9A-Za-z]+")


def sentenize(text: str) -> str:
    """Upper-case the first letter and end with a period, as PocketBase does for messages."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", "?")):
        text += "."
    return text


def snakecase(text: str) -> str:
    """`My Document` → `my_document`, `MyFile` → `my_file`, `X-Custom` → `x_custom`: words split
    at every non-word character and `_`, with `_` before an upper-case letter that follows a
    non-upper-case one (PocketBase's inflector)."""
    words: list[str] = []
    for word in _SNAKE_SPLIT_RE.split(text):
        if not word:
            continue
        out = [word[0]]
        for previous, char in itertools.pairwise(word):
            if char.isupper() and not previous.isupper():
                out.append("_")
            out.append(char)
        words.append("".join(out))
    return "_".join(words).lower()
