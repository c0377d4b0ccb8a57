"""Splitting text on separators outside quotes and parentheses (PocketBase's `tools/tokenizer`).

Used for index columns, `?fields=` lists and other comma lists that may hold expressions such
as `lower(name)` or `'a,b'`.
"""

from __future__ import annotations

__all__ = ["TokenizerError", "split_tokens"]

_QUOTES = "'\"`"
_WHITESPACE = " \t\n\r\f\v"


class TokenizerError(ValueError):
    """Unbalanced parenthesis or quotes."""


def split_tokens(
    text: str, separators: str = ",", *, keep_empty: bool = False, keep_separator: bool = False
) -> list[str]:
    """The trimmed tokens of `text`; a backslash escapes the next quote or parenthesis.
    `keep_separator` leaves each token's closing separator on it."""
    tokens: list[str] = []
    trim = "".join(ch for ch in _WHITESPACE if ch not in separators)
    current: list[str] = []
    depth = 0
    quote = ""
    previous = ""
    for ch in text:
        if previous != "\\":
            if ch == "(" and not quote:
                depth += 1
            elif ch == ")" and depth > 0 and not quote:
                depth -= 1
            elif ch in _QUOTES:
                if quote == ch:
                    quote = ""
                elif not quote:
                    quote = ch
        if ch in separators and depth == 0 and not quote:
            if keep_separator:
                current.append(ch)
            _append(tokens, "".join(current).strip(trim), keep_empty)
            current, previous = [], ""
            continue
        previous = ch
        current.append(ch)
    if depth > 0 or quote:
        raise TokenizerError(f"unbalanced parenthesis or quoted expression: {''.join(current)!r}")
    if current:
        _append(tokens, "".join(current).strip(trim), keep_empty)
    return tokens


def _append(tokens: list[str], token: str, keep_empty: bool) -> None:
    if token or keep_empty:
        tokens.append(token)
