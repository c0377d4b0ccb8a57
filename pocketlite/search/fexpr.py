"""Scanner and parser of PocketBase's filter expressions (the `fexpr` grammar, spec §1).

`parse(text)` returns the expression as a tuple of `Group`s: each joins (`&&`/`||`) either a
`Comparison` or a nested tuple of groups. Parsed expressions are immutable and cached, since the
same filters and rules are parsed on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "AND",
    "OR",
    "SIGNS",
    "Comparison",
    "Expression",
    "FilterSyntaxError",
    "Group",
    "Token",
    "count_comparisons",
    "parse",
]

AND, OR = "&&", "||"
SIGNS = frozenset(
    {"=", "!=", "~", "!~", "<", "<=", ">", ">=", "?=", "?!=", "?~", "?!~", "?<", "?<=", "?>", "?>="}
)
MAX_FUNCTION_DEPTH = 3
_NUL = "\0"

TokenKind = Literal[
    "identifier", "function", "number", "text", "sign", "join", "group", "whitespace", "comment"
]


class FilterSyntaxError(ValueError):
    """A filter that doesn't follow the grammar; the message is fexpr's."""


@dataclass(frozen=True, slots=True)
class Token:
    """An operand: identifier, function (with `args`), number or text (unquoted)."""

    kind: TokenKind
    literal: str
    args: tuple[Token, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """`left sign right`."""

    left: Token
    sign: str
    right: Token


@dataclass(frozen=True, slots=True)
class Group:
    """An item and the join (`&&` or `||`) that attaches it to the previous one."""

    join: str
    item: Comparison | Expression


Expression = tuple[Group, ...]


def parse(text: str) -> Expression:
    """The parsed expression; `FilterSyntaxError` for anything outside the grammar."""
    return _parse_cached(text)


def count_comparisons(expression: Expression) -> int:
    """How many comparisons the expression holds, nested groups included."""
    return sum(
        1 if isinstance(group.item, Comparison) else count_comparisons(group.item) for group in expression
    )


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> Expression:
    result: list[Group] = []
    scanner = _Scanner(text)
    step = "left"
    join = AND
    left: Token | None = None
    sign = ""
    while True:
        token = scanner.scan()
        if token is None:
            break
        if token.kind in ("whitespace", "comment"):
            continue
        if token.kind == "group":
            nested = _parse_cached(token.literal)
            if nested:
                result.append(Group(join, nested))
            step = "join"
            continue
        if step == "left":
            if token.kind not in ("identifier", "text", "number", "function"):
                raise FilterSyntaxError(
                    "expected left operand (identifier, function, text or number), "
                    f"got {_q(token.literal)} ({token.kind})"
                )
            left, step = token, "sign"
        elif step == "sign":
            if token.kind != "sign":
                raise FilterSyntaxError(f"expected a sign operator, got {_q(token.literal)} ({token.kind})")
            sign, step = token.literal, "right"
        elif step == "right":
            if token.kind not in ("identifier", "text", "number", "function"):
                raise FilterSyntaxError(
                    "expected right operand (identifier, function text or number), "
                    f"got {_q(token.literal)} ({token.kind})"
                )
            assert left is not None
            result.append(Group(join, Comparison(left, sign, token)))
            step = "join"
        else:
            if token.kind != "join":
                raise FilterSyntaxError(f"expected && or ||, got {_q(token.literal)} ({token.kind})")
            join = OR if token.literal == OR else AND
            step = "left"
    if step != "join":
        if not result and left is None:
            raise FilterSyntaxError("empty filter expression")
        raise FilterSyntaxError("invalid or incomplete filter expression")
    return tuple(result)


def _q(text: str) -> str:
    """Go's `%q` for the texts in error messages."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _is_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


_WHITESPACE = " \t\n"
_SIGN_CHARS = "=?!><~"
_JOIN_CHARS = "&|"
_SPECIAL_START = "@_#"
_COMBINE = ".:"


def _is_identifier_start(ch: str) -> bool:
    return _is_letter(ch) or ch in _SPECIAL_START


def _valid_identifier(literal: str) -> bool:
    return literal[-1] not in _COMBINE and (len(literal) != 1 or literal[0] not in _SPECIAL_START)


class _Scanner:
    """One pass over the text, a token at a time.

    NB: fexpr's reader returns rune 0 as its end-of-input marker, so a NUL in the text ends the
    token being scanned (which consumes it) and, where a token would start, the whole expression:
    `n<NUL>=1` is `n=1`, so is `n=1<NUL><NUL>junk`; a NUL inside quotes leaves them unclosed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _read(self) -> str:
        if self.pos >= len(self.text):
            self.pos += 1  # so that the matching unread() stays balanced
            return ""
        ch = self.text[self.pos]
        self.pos += 1
        return ch

    def _unread(self) -> None:
        if self.pos > 0:
            self.pos -= 1

    def _peek(self) -> str:
        ch = self.text[self.pos] if self.pos < len(self.text) else ""
        return "" if ch == _NUL else ch

    def _end_token(self) -> None:
        """Consume the NUL that ended the token just scanned, as fexpr's scanners do."""
        if self.pos < len(self.text) and self.text[self.pos] == _NUL:
            self.pos += 1

    def scan(self) -> Token | None:
        ch = self._peek()
        if not ch:
            return None
        if ch in _WHITESPACE:
            return self._while("whitespace", lambda c: c in _WHITESPACE)
        if ch == "(":
            return self._group()
        if _is_identifier_start(ch):
            return self._identifier(MAX_FUNCTION_DEPTH)
        if ch == "-" or _is_digit(ch):
            return self._number()
        if ch in "'\"":
            return self._text(preserve_quotes=False)
        if ch in _SIGN_CHARS:
            token = self._while("sign", lambda c: c in _SIGN_CHARS)
            if token.literal not in SIGNS:
                raise FilterSyntaxError(f"invalid sign operator {_q(token.literal)}")
            return token
        if ch in _JOIN_CHARS:
            token = self._while("join", lambda c: c in _JOIN_CHARS)
            if token.literal not in (AND, OR):
                raise FilterSyntaxError(f"invalid join operator {_q(token.literal)}")
            return token
        if ch == "/":
            return self._comment()
        raise FilterSyntaxError(f"unexpected character {_q_rune(ch)}")

    def _while(self, kind: TokenKind, accept: Callable[[str], bool]) -> Token:
        start = self.pos
        while self.pos < len(self.text) and accept(self.text[self.pos]):
            self.pos += 1
        token = Token(kind, self.text[start : self.pos])
        self._end_token()
        return token

    def _number(self) -> Token:
        start = self.pos
        had_dot = False
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            length = self.pos - start
            if not _is_digit(ch) and (ch != "-" or length != 0) and (ch != "." or had_dot):
                break
            had_dot = had_dot or ch == "."
            self.pos += 1
        literal = self.text[start : self.pos]
        self._end_token()
        if literal == "-" or literal[0] == "." or literal[-1] == ".":
            raise FilterSyntaxError(f"invalid number {_q(literal)}")
        return Token("number", literal)

    def _text(self, preserve_quotes: bool) -> Token:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        previous = ""
        closed = False
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == _NUL:
                break
            self.pos += 1
            if ch == quote and previous != "\\":
                closed = True
                break
            previous = ch
        literal = self.text[start : self.pos]
        if not closed:
            raise FilterSyntaxError(f"invalid quoted text {_q(literal)}")
        if preserve_quotes:
            return Token("text", literal)
        return Token("text", literal[1:-1].replace("\\" + quote, quote))

    def _comment(self) -> Token:
        if self.text[self.pos : self.pos + 2] != "//":
            raise FilterSyntaxError("invalid comment")
        ends = [i for i in (self.text.find("\n", self.pos), self.text.find(_NUL, self.pos)) if i >= 0]
        end = min(ends, default=len(self.text))
        literal = self.text[self.pos + 2 : end].strip()
        self.pos = end + 1 if end < len(self.text) else end
        return Token("comment", literal)

    def _identifier(self, depth: int) -> Token:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "(":
                name = self.text[start : self.pos]
                if depth <= 0:
                    raise FilterSyntaxError(
                        f"max nested function arguments reached (max: {MAX_FUNCTION_DEPTH})"
                    )
                if not _valid_identifier(name):
                    raise FilterSyntaxError(f"invalid function name {_q(name)}")
                return self._function_args(name, depth)
            if not (_is_letter(ch) or _is_digit(ch) or ch in _COMBINE or ch == "_"):
                break
            self.pos += 1
        literal = self.text[start : self.pos]
        self._end_token()
        if not _valid_identifier(literal):
            raise FilterSyntaxError(f"invalid identifier {_q(literal)}")
        return Token("identifier", literal)

    def _group(self) -> Token:
        self.pos += 1
        parts: list[str] = []
        depth = 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == _NUL:
                break
            if ch == "(":
                depth += 1
            elif ch in "'\"":
                parts.append(self._text(preserve_quotes=True).literal)
                continue
            elif ch == ")":
                depth -= 1
                if depth <= 0:
                    self.pos += 1
                    break
            parts.append(ch)
            self.pos += 1
        if depth > 0:
            raise FilterSyntaxError(f"invalid formatted group - missing {depth} closing bracket(s)")
        return Token("group", "".join(parts))

    def _function_args(self, name: str, depth: int) -> Token:
        self.pos += 1  # "("
        args: list[Token] = []
        expect_comma = False
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == _NUL:
                break
            if ch == ")":
                self.pos += 1
                return Token("function", name, tuple(args))
            if ch in _WHITESPACE:
                self._while("whitespace", lambda c: c in _WHITESPACE)
                continue
            if ch == "/":
                try:
                    self._comment()
                except FilterSyntaxError as exc:
                    raise FilterSyntaxError(f"failed to scan comment in function {_q(name)}: {exc}") from exc
                continue
            is_comma = ch == ","
            if expect_comma and not is_comma:
                raise FilterSyntaxError(f"expected comma after the last argument in function {_q(name)}")
            if not expect_comma and is_comma:
                raise FilterSyntaxError(f"unexpected comma in function {_q(name)}")
            expect_comma = False
            if is_comma:
                self.pos += 1
                continue
            args.append(self._argument(ch, name, depth))
            expect_comma = True
        raise FilterSyntaxError(f"invalid or incomplete function {_q(name)} (expected ')')")

    def _argument(self, ch: str, name: str, depth: int) -> Token:
        scan: Callable[[], Token]
        if _is_identifier_start(ch):
            kind, scan = "identifier", lambda: self._identifier(depth - 1)
        elif ch == "-" or _is_digit(ch):
            kind, scan = "number", self._number
        elif ch in "'\"":
            kind, scan = "text", lambda: self._text(preserve_quotes=False)
        else:
            raise FilterSyntaxError(f"unsupported argument character {_q_rune(ch)} in function {_q(name)}")
        start = self.pos
        try:
            return scan()
        except FilterSyntaxError as exc:
            literal = self.text[start : self.pos]
            raise FilterSyntaxError(
                f"invalid {kind} argument {_q(literal)} in function {_q(name)}: {exc}"
            ) from exc


def _q_rune(ch: str) -> str:
    """Go's `%q` of a rune."""
    escapes = {"'": "\\'", "\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}
    if ch in escapes:
        return f"'{escapes[ch]}'"
    return f"'{ch}'" if ch.isprintable() else f"'\\x{ord(ch):02x}'"
