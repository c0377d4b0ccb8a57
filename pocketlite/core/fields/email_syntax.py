"""What PocketBase accepts as an email address and as a domain.

Emails: govalidator's `IsEmail` regex (the version PocketBase pins), which allows Unicode letters,
one trailing dot and a quoted local part, but no IP literals. The regex is decided piecewise in
linear time; as one backtracking regex it would take exponential time on some inputs.
Domains (`onlyDomains`/`exceptDomains` entries): ozzo-validation's `is.Domain`.
"""

from __future__ import annotations

import re

__all__ = ["is_domain", "is_email"]

# NB: the Unicode ranges of govalidator's email regex, which differ from its URL regex. In a
# character class they cost ~3 ms of start each (the regex compiler visits every code point of
# a range), so the classes hold one stand-in for them and `_fold` maps the ranges onto it.
_RANGES = ((0x00A0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF))
_U = "\u00a0"
_ATOM = f"[a-zA-Z0-9!#$%&'*+\\-/=?^_`{{|}}~{_U}]"
_DOT_ATOM_RE = re.compile(f"{_ATOM}++(?:\\.{_ATOM}++)*+")
_LABELS_RE = re.compile(f"[a-zA-Z0-9{_U}](?:[a-zA-Z0-9{_U}._~-]*[a-zA-Z0-9{_U}])?\\.")
_TLD_RE = re.compile(f"[a-zA-Z{_U}](?:[a-zA-Z0-9{_U}_~-]*[a-zA-Z{_U}])?")

# NB: ozzo's domain regex only allows a lower-case letter or digit at the end of a label
# (`Ab.com` passes, `AB.com` doesn't) and no `xn--` top-level domain (its alternative starts
# with a stray space).
_DOMAIN_RE = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-z0-9])?\.)+[a-zA-Z]{1,63}")

_QTEXT_RE = re.compile(f"[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x21\\x23-\\x5b\\x5d-\\x7e{_U}]")
_PAIRED_RE = re.compile("[\\x01-\\x09\\x0b\\x0c\\x0d-\\x7f]")


def is_domain(value: str) -> bool:
    """ozzo-validation's `is.Domain`: at most 255 characters of dotted labels and a letter TLD."""
    return len(value) <= 255 and _DOMAIN_RE.fullmatch(value) is not None


def _fold(value: str) -> str:
    """`value` with each character of the Unicode ranges replaced by the stand-in `_U`."""
    if value.isascii():
        return value
    return "".join(_U if any(lo <= ord(ch) <= hi for lo, hi in _RANGES) else ch for ch in value)


def is_email(value: str) -> bool:
    """govalidator's `IsEmail`: `local@domain`; the domain is dotted labels of letters, digits
    and `-._~` ending in a letter-only top-level label, with an optional final dot."""
    local, at, domain = _fold(value).rpartition("@")
    if not at:
        return False
    if not (_DOT_ATOM_RE.fullmatch(local) or _is_quoted(local)):
        return False
    domain = domain.removesuffix(".")
    labels, dot, tld = domain.rpartition(".")
    return bool(dot) and _LABELS_RE.fullmatch(labels + dot) is not None and _TLD_RE.fullmatch(tld) is not None


def _is_quoted(local: str) -> bool:
    """The regex's quoted alternative. NB: a misplaced parenthesis in govalidator makes it
    `("  FWS? item)*  FWS? "`: every item comes after its own quote, so `"a"` passes and `"ab"`
    doesn't. An item is qtext or `(` plus one ASCII character (the regex has `\\(` where a
    backslash was meant); FWS is `(WSP* CRLF)? WSP+`. `(` is ambiguous, so a set of states runs."""
    states = {"boundary"}
    for ch in local:
        states = {after for state in states for after in _step(state, ch)}
        if not states:
            return False
    return "end" in states


# Folding white space inside a pair (`p`) or before the closing quote (`t`): a WSP run, or
# WSP* then CR, LF and a WSP run.
_FWS = {
    ("p", " "): "p-space",
    ("p-space", " "): "p-space",
    ("p", "\r"): "p-cr",
    ("p-space", "\r"): "p-cr",
    ("p-cr", "\n"): "p-lf",
    ("p-lf", " "): "p-folded",
    ("p-folded", " "): "p-folded",
    ("t", " "): "t-space",
    ("t-space", " "): "t-space",
    ("t", "\r"): "t-cr",
    ("t-space", "\r"): "t-cr",
    ("t-cr", "\n"): "t-lf",
    ("t-lf", " "): "t-folded",
    ("t-folded", " "): "t-folded",
}


def _step(state: str, ch: str) -> set[str]:
    """States: `boundary` (start, or after an item), `p` (after a pair's quote), `p-*`/`t-*`
    (folding white space in a pair / before the end), `pair` (after `(`), `end`."""
    if state == "end":
        return set()
    if state == "pair":
        return {"boundary"} if _PAIRED_RE.fullmatch(ch) else set()
    if state == "boundary":
        if ch == '"':
            return {"p", "end"}
        state = "t"
    if state.startswith("t") and ch == '"' and state in ("t-space", "t-folded"):
        return {"end"}
    folded = _FWS.get((state, " " if ch == "\t" else ch))
    if folded is not None:
        return {folded}
    if state in ("p", "p-space", "p-folded"):
        if ch == "(":
            return {"boundary", "pair"}
        if _QTEXT_RE.fullmatch(ch):
            return {"boundary"}
    return set()
