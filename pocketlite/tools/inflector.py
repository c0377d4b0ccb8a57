"""Text helpers shared by errors and messages."""

from __future__ import annotations

__all__ = ["sentenize"]


def sentenize(text: str) -> str:
    """Upper-case the first letter and end with a period, as PocketBase does for messages."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", "?")):
        text += "."
    return text
