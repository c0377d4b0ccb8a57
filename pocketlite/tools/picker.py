"""`?fields=` projection of JSON responses, with the `:excerpt(n, ellipsis)` modifier.

The expression is a comma separated list of dotted paths; `*` selects every key at its level.
Arrays are projected element-wise. A bad expression raises `ValueError`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, TypeAlias

__all__ = ["FieldTree", "excerpt", "parse_fields", "pick"]

# key -> (modifier or None, sub-tree); an empty sub-tree means "the whole value".
FieldTree: TypeAlias = "dict[str, tuple[tuple[int, bool] | None, FieldTree]]"

_MODIFIER_RE = re.compile(r"^(?P<key>[^:]+):excerpt\((?P<args>[^)]*)\)$")


def parse_fields(expr: str) -> FieldTree:
    """Parse `a,b.c,d:excerpt(10,true)` into a tree."""
    tree: FieldTree = {}
    for raw in _split_top_level(expr):
        item = raw.strip()
        if not item:
            continue
        modifier = None
        if ":" in item:
            m = _MODIFIER_RE.match(item)
            if m is None:
                raise ValueError(f"invalid field modifier in {item!r}")
            item, modifier = m["key"], _parse_excerpt_args(m["args"])
        parts = item.split(".")
        node = tree
        for i, part in enumerate(parts):
            if not part:
                raise ValueError(f"invalid field path {item!r}")
            last = i == len(parts) - 1
            old_mod, sub = node.get(part, (None, {}))
            node[part] = (modifier if last else old_mod, sub)
            node = sub
    return tree


def _split_top_level(expr: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in expr:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return items


def _parse_excerpt_args(raw: str) -> tuple[int, bool]:
    args = [a.strip() for a in raw.split(",")]
    if not 1 <= len(args) <= 2:
        raise ValueError("excerpt expects 1 or 2 arguments")
    try:
        max_length = int(args[0])
    except ValueError:
        raise ValueError("excerpt max length must be an integer") from None
    if max_length <= 0:
        raise ValueError("excerpt max length must be greater than 0")
    ellipsis = False
    if len(args) == 2:
        if args[1].lower() not in ("true", "false", "1", "0", "t", "f"):
            raise ValueError("excerpt ellipsis must be a bool")
        ellipsis = args[1].lower() in ("true", "1", "t")
    return max_length, ellipsis


def pick(value: Any, tree: FieldTree) -> Any:
    """Project `value` (builtins from JSON) on `tree`."""
    if not tree:
        return value
    if isinstance(value, list):
        return [pick(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    if "*" in tree:
        out.update(value)
    for key, (modifier, sub) in tree.items():
        if key == "*" or key not in value:
            continue
        picked = pick(value[key], sub)
        if modifier is not None:
            picked = excerpt(picked, *modifier)
        out[key] = picked
    return out


_SKIPPED_TAGS = frozenset(
    [
        "head",
        "style",
        "script",
        "iframe",
        "embed",
        "applet",
        "object",
        "svg",
        "img",
        "picture",
        "dialog",
        "template",
        "button",
        "form",
        "textarea",
        "input",
        "select",
        "option",
    ]
)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "details",
        "dialog",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "td",
        "th",
        "ul",
    ]
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def excerpt(value: Any, max_length: int, with_ellipsis: bool = False) -> str:
    """Plain text of an HTML value, whitespace collapsed, cut to `max_length` characters."""
    parser = _TextExtractor()
    parser.feed(value if isinstance(value, str) else ("" if value is None else str(value)))
    parser.close()
    text = " ".join("".join(parser.parts).split())
    if len(text) <= max_length:
        return text
    text = text[:max_length].strip()
    return text + "..." if with_ellipsis else text
