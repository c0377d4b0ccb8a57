"""Field patterns in Go's regexp syntax (RE2), run by Python's `re`.

PocketBase validates `pattern`/`autogeneratePattern` with Go's `regexp.Compile` and matches with
`regexp.MatchString`. This module parses the Go syntax the way `regexp/syntax` does, so the same
patterns are refused with the same messages, and translates each construct to a Python
equivalent with Go's meaning: `$` is the end of the text (Python's `$` also matches before a
final newline), `\\d`, `\\w`, `\\s`, `\\b` and POSIX classes are ASCII-only, `\\z` is `\\Z`,
`{` that is not a valid repeat is a literal, and all groups become non-capturing.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

__all__ = ["RegexSyntaxError", "compile_go"]

_MAX_RUNE = 0x10FFFF
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_REPEAT_RE = re.compile(r"\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}")
_WORD = "[0-9A-Za-z_]"
# NB: Go's \b and \B look at ASCII word characters only.
_WORD_BOUNDARY = f"(?:(?<!{_WORD})(?={_WORD})|(?<={_WORD})(?!{_WORD}))"
_NOT_WORD_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"

Ranges = list[tuple[int, int]]

_PERL_CLASSES: dict[str, Ranges] = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}

_POSIX_CLASSES: dict[str, Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}

# Go's Unicode general categories (`C` excludes unassigned code points, as in Go).
_CATEGORIES = frozenset(
    major + minor
    for major, minors in {
        "C": "cfos",
        "L": "lmotu",
        "M": "cen",
        "N": "dlo",
        "P": "cdefios",
        "S": "ckmo",
        "Z": "lps",
    }.items()
    for minor in ("", *minors)
)

_FOLD, _MULTILINE, _DOT_NL = 1, 2, 4


class RegexSyntaxError(ValueError):
    """A pattern Go's `regexp.Compile` refuses; the message is Go's error text."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


@lru_cache(maxsize=512)
def compile_go(pattern: str) -> re.Pattern[str]:
    """The Python regex with the meaning of the Go `pattern`; raises `RegexSyntaxError`."""
    try:
        translated = _Parser(pattern).parse()
    except RecursionError as exc:
        raise RegexSyntaxError("expression nests too deeply", pattern) from exc
    try:
        return re.compile(translated)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexSyntaxError("expression too large", pattern) from exc


class _Parser:
    """A recursive descent over Go's grammar, emitting Python syntax as it goes."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.i = 0

    def parse(self) -> str:
        body = self._alternation(0)
        if self.i < len(self.s):  # a `)` closed the top level
            raise RegexSyntaxError("unexpected )", self.s)
        return body

    # --- structure ----------------------------------------------------------------------------

    def _alternation(self, flags: int) -> str:
        """Alternatives up to a `)` or the end; flags set by `(?i)` last until the group ends."""
        s = self.s
        branches: list[str] = []
        seq: list[str] = []
        last_repeat = -1  # where the previous repetition operator started, if the last token was one
        while self.i < len(s) and s[self.i] != ")":
            start = self.i
            c = s[start]
            repeat_start = -1
            if c == "|":
                branches.append("".join(seq))
                seq = []
                self.i += 1
            elif c == "(":
                atom, flags = self._group(flags)
                if atom is not None:
                    seq.append(atom)
            elif c in "*+?":
                self.i += 1
                self._repeat(seq, c, start, last_repeat)
                repeat_start = start
            elif c == "{" and (bounds := self._repeat_bounds()) is not None:
                self._repeat(seq, bounds, start, last_repeat)
                repeat_start = start
            elif c == "{":
                seq.append(re.escape(c))
                self.i += 1
            elif c == "^":
                seq.append("(?m:^)" if flags & _MULTILINE else "(?:\\A)")
                self.i += 1
            elif c == "$":
                seq.append("(?m:$)" if flags & _MULTILINE else "(?:\\Z)")
                self.i += 1
            elif c == ".":
                seq.append("(?s:.)" if flags & _DOT_NL else "(?:.)")
                self.i += 1
            elif c == "[":
                seq.append(self._class(flags))
            elif c == "\\":
                seq.extend(self._escape_atoms(flags))
            else:
                seq.append(_literal(ord(c), flags))
                self.i += 1
            last_repeat = repeat_start
        branches.append("".join(seq))
        return "|".join(branches)

    def _group(self, flags: int) -> tuple[str | None, int]:
        """A `(...)` group → its atom (None for a bare flag change) and the flags after it."""
        s, start = self.s, self.i
        inner = flags
        if s.startswith("(?", start):
            named = self._named_group_end(start)
            if named is not None:
                self.i = named
            else:
                outcome = self._flag_group(start, flags)
                if outcome[1] is False:  # `(?i)`: no group, the flags change from here on
                    return None, outcome[0]
                inner = outcome[0]
        else:
            self.i += 1
        body = self._alternation(inner)
        if self.i >= len(s):
            raise RegexSyntaxError("missing closing )", s)
        self.i += 1
        return f"(?:{body})", flags

    def _named_group_end(self, start: int) -> int | None:
        """`(?P<name>` or `(?<name>`: the index after the header; None for other `(?` forms."""
        t = self.s[start:]
        if not ((len(t) > 4 and t[2] == "P" and t[3] == "<") or (len(t) > 3 and t[2] == "<")):
            return None
        end = t.find(">")
        if end < 0:
            raise RegexSyntaxError("invalid named capture", t)
        name = t[4 if t[2] == "P" else 3 : end]
        if not name or not all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in name):
            raise RegexSyntaxError("invalid named capture", t[: end + 1])
        return start + end + 1

    def _flag_group(self, start: int, flags: int) -> tuple[int, bool]:
        """`(?flags)` or `(?flags:` → (the new flags, whether a group opens)."""
        s = self.s
        i = start + 2
        sign, saw_flag, new = 1, False, flags
        while i < len(s):
            c = s[i]
            i += 1
            if c in "imsU":
                bit = {"i": _FOLD, "m": _MULTILINE, "s": _DOT_NL, "U": 0}[c]
                new = new | bit if sign > 0 else new & ~bit
                saw_flag = True
            elif c == "-" and sign > 0:
                sign, saw_flag = -1, False
            elif c in ":)" and (sign > 0 or saw_flag):
                self.i = i
                return new, c == ":"
            else:
                break
        else:
            raise RegexSyntaxError("invalid or unsupported Perl syntax", s[start:])
        raise RegexSyntaxError("invalid or unsupported Perl syntax", s[start:i])

    def _repeat_bounds(self) -> str | None:
        """`{n}`, `{n,}`, `{n,m}` as Python text, consuming it; None (nothing consumed) when the
        brace is a literal, as Go reads `{,5}` or `{01}`."""
        found = _REPEAT_RE.match(self.s, self.i)
        if found is None:
            return None
        low = int(found.group(1))
        high = int(found.group(3)) if found.group(3) else (-1 if found.group(2) else low)
        if low > 1000 or high > 1000 or (high >= 0 and low > high):
            raise RegexSyntaxError("invalid repeat count", found.group(0))
        self.i = found.end()
        return f"{{{low},{'' if high < 0 else high}}}"

    def _repeat(self, seq: list[str], op: str, start: int, last_repeat: int) -> None:
        """Apply a repetition operator (its `?` non-greedy suffix only changes match extents)."""
        if self.s.startswith("?", self.i):
            self.i += 1
        if last_repeat >= 0:
            # NB: Go refuses stacked operators (`a**`, `a*+`), which Python reads differently.
            raise RegexSyntaxError("invalid nested repetition operator", self.s[last_repeat : self.i])
        if not seq:
            raise RegexSyntaxError("missing argument to repetition operator", self.s[start : self.i])
        seq[-1] = f"(?:{seq[-1]}){op}"

    # --- escapes and classes -----------------------------------------------------------------

    def _escape_atoms(self, flags: int) -> list[str]:
        """A backslash sequence outside a class: assertions, `\\Q...\\E`, classes, a literal."""
        s, start = self.s, self.i
        nxt = s[start + 1 : start + 2]
        simple = {"A": "(?:\\A)", "z": "(?:\\Z)", "b": _WORD_BOUNDARY, "B": _NOT_WORD_BOUNDARY}
        if nxt in simple:
            self.i += 2
            return [simple[nxt]]
        if nxt == "C":
            raise RegexSyntaxError("invalid escape sequence", "\\C")
        if nxt == "Q":
            end = s.find("\\E", start + 2)
            literal = s[start + 2 :] if end < 0 else s[start + 2 : end]
            self.i = len(s) if end < 0 else end + 2
            return [_literal(ord(ch), flags) for ch in literal]
        ranges = self._class_escape()
        if ranges is not None:
            return [_class_text(ranges, False, flags)]
        return [_literal(self._escape_char(), flags)]

    def _class_escape(self) -> Ranges | None:
        """`\\pN`, `\\p{Greek}`, `\\PL` or `\\d`-style classes at the cursor, consumed; or None."""
        s, start = self.s, self.i
        kind = s[start + 1 : start + 2]
        if kind in ("d", "s", "w", "D", "S", "W"):
            self.i += 2
            ranges = _PERL_CLASSES[kind.lower()]
            return _negate(ranges) if kind.isupper() else ranges
        if kind not in ("p", "P"):
            return None
        negate = kind == "P"
        if s[start + 2 : start + 3] == "{":
            end = s.find("}", start)
            if end < 0:
                raise RegexSyntaxError("invalid character class range", s[start:])
            seq, name = s[start : end + 1], s[start + 3 : end]
        else:
            seq = s[start : start + 3]
            name = seq[2:]
        if name.startswith("^"):
            negate, name = not negate, name[1:]
        table = _unicode_ranges(name)
        if table is None:
            # NB: Go also knows script names (`\p{Greek}`); Python's tables don't, so they fail here.
            raise RegexSyntaxError("invalid character class range", seq)
        self.i = start + len(seq)
        return _negate(table) if negate else table

    def _escape_char(self) -> int:
        """Go's `parseEscape`: the code point of a single-character escape."""
        s, start = self.s, self.i
        if start + 1 >= len(s):
            raise RegexSyntaxError("trailing backslash at end of expression", "")
        c = s[start + 1]
        self.i = start + 2
        if c.isascii() and not c.isalnum():
            return ord(c)
        if c in "01234567":
            octal = re.match(r"[0-7]{1,3}", s[start + 1 :])
            assert octal is not None
            if c != "0" and len(octal.group(0)) == 1:
                raise RegexSyntaxError("invalid escape sequence", s[start : self.i])
            self.i = start + 1 + len(octal.group(0))
            return int(octal.group(0), 8)
        if c == "x":
            return self._hex_escape(start)
        controls = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
        if c in controls:
            return controls[c]
        raise RegexSyntaxError("invalid escape sequence", s[start : self.i])

    def _hex_escape(self, start: int) -> int:
        """`\\x41` or `\\x{1F600}`; the error shows the text up to the offending character."""
        s = self.s
        i = start + 2
        if s.startswith("{", i):
            value, i = 0, i + 1
            while i < len(s) and s[i] != "}":
                if s[i] not in _HEX_DIGITS or (value := value * 16 + int(s[i], 16)) > _MAX_RUNE:
                    raise RegexSyntaxError("invalid escape sequence", s[start : i + 1])
                i += 1
            if i >= len(s) or i == start + 3:
                raise RegexSyntaxError("invalid escape sequence", s[start : i + 1])
            self.i = i + 1
            return value
        pair = s[i : i + 2]
        if len(pair) == 2 and all(ch in _HEX_DIGITS for ch in pair):
            self.i = i + 2
            return int(pair, 16)
        raise RegexSyntaxError("invalid escape sequence", s[start : i + len(pair)])

    def _class(self, flags: int) -> str:
        """`[...]`: ranges, escapes, `[:alpha:]` and `\\p` groups; `]` and `-` may be literals."""
        s, whole = self.s, self.i
        self.i += 1
        negated = s.startswith("^", self.i)
        if negated:
            self.i += 1
        ranges: Ranges = []
        first = True
        while first or s[self.i : self.i + 1] != "]":
            if self.i >= len(s):
                raise RegexSyntaxError("missing closing ]", s[whole:])
            first = False
            named = self._posix_class()
            escaped = named if named is not None else self._class_escape() if s[self.i] == "\\" else None
            if escaped is not None:
                ranges.extend(escaped)
                continue
            item_start = self.i
            low = self._class_char(whole)
            high = low
            if s[self.i : self.i + 1] == "-" and s[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                high = self._class_char(whole)
                if high < low:
                    raise RegexSyntaxError("invalid character class range", s[item_start : self.i])
            ranges.append((low, high))
        self.i += 1
        return _class_text(ranges, negated, flags)

    def _posix_class(self) -> Ranges | None:
        s = self.s
        if not s.startswith("[:", self.i):
            return None
        end = s.find(":]", self.i + 2)
        if end < 0:
            return None
        name = s[self.i : end + 2]
        inner = name[2:-2]
        negate = inner.startswith("^")
        ranges = _POSIX_CLASSES.get(inner[1:] if negate else inner)
        if ranges is None:
            raise RegexSyntaxError("invalid character class range", name)
        self.i = end + 2
        return _negate(ranges) if negate else ranges

    def _class_char(self, whole: int) -> int:
        s = self.s
        if self.i >= len(s):
            raise RegexSyntaxError("missing closing ]", s[whole:])
        if s[self.i] == "\\":
            return self._escape_char()
        self.i += 1
        return ord(s[self.i - 1])


def _literal(code: int, flags: int) -> str:
    text = re.escape(chr(code))
    return f"(?i:{text})" if flags & _FOLD else text


def _class_text(ranges: Ranges, negated: bool, flags: int) -> str:
    parts = "".join(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
    if not parts:  # nothing in the class: match nothing
        text = "[^\\x00-\\U0010ffff]" if not negated else "[\\x00-\\U0010ffff]"
    else:
        text = f"[{'^' if negated else ''}{parts}]"
    return f"(?i:{text})" if flags & _FOLD else text


def _negate(ranges: Ranges) -> Ranges:
    out: Ranges = []
    nxt = 0
    for low, high in sorted(ranges):
        if low > nxt:
            out.append((nxt, low - 1))
        nxt = max(nxt, high + 1)
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _unicode_ranges(name: str) -> Ranges | None:
    if name == "Any":
        return [(0, _MAX_RUNE)]
    if name not in _CATEGORIES:
        return None
    tables = _category_tables()
    if len(name) == 2:
        return list(tables.get(name, []))
    return sorted(r for category, found in tables.items() if category[0] == name for r in found)


@cache
def _category_tables() -> dict[str, Ranges]:
    """Code point ranges of every assigned general category (built once, on first use)."""
    tables: dict[str, Ranges] = {}
    category = unicodedata.category
    run_start, run_category = 0, category("\x00")
    for code in range(1, sys.maxunicode + 2):
        current = category(chr(code)) if code <= sys.maxunicode else ""
        if current != run_category:
            if run_category != "Cn":
                tables.setdefault(run_category, []).append((run_start, code - 1))
            run_start, run_category = code, current
    return tables
