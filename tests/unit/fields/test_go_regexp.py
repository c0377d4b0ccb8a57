"""Field patterns in Go's syntax: Go's compile errors word for word, and Go's meaning where
Python's `re` differs (each row checked against PocketBase 0.40.6)."""

from __future__ import annotations

import pytest

from pocketlite.core.fields.go_regexp import RegexSyntaxError, compile_go


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?<=x)", "invalid named capture: `(?<=x)`"),
        ("(?=x)", "invalid or unsupported Perl syntax: `(?=`"),
        ("(?>x)", "invalid or unsupported Perl syntax: `(?>`"),
        ("(?#c)", "invalid or unsupported Perl syntax: `(?#`"),
        ("(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"),
        ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
        ("(?P<>a)", "invalid named capture: `(?P<>`"),
        ("(a", "missing closing ): `(a`"),
        ("a)", "unexpected ): `a)`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("a*?*?", "invalid nested repetition operator: `*?*?`"),
        ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("a|*", "missing argument to repetition operator: `*`"),
        ("(?i)*", "missing argument to repetition operator: `*`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("a{2,1}", "invalid repeat count: `{2,1}`"),
        (r"\1", "invalid escape sequence: `\\1`"),
        (r"\Z", "invalid escape sequence: `\\Z`"),
        (r"\x{zz}", "invalid escape sequence: `\\x{z`"),
        (r"\x{1100000}", "invalid escape sequence: `\\x{110000`"),
        ("a\\", "trailing backslash at end of expression: ``"),
        (r"\pX", "invalid character class range: `\\pX`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
        ("[]", "missing closing ]: `[]`"),
        (r"[\b]", "invalid escape sequence: `\\b`"),
    ],
)
def test_go_compile_errors(pattern: str, message: str) -> None:
    with pytest.raises(RegexSyntaxError) as raised:
        compile_go(pattern)
    assert str(raised.value) == f"error parsing regexp: {message}"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("^[a-z]+$", "abc\n", False),  # $ is the end of the text
        (r"^\d+$", "١٢٣", False),  # \d, \w, \s are ASCII
        (r"^\w+$", "ñ", False),
        (r"^\s$", "\v", False),
        (r"\bfoo\b", "éfooé", True),
        ("[[:alpha:]]+$", "ñ", False),
        (r"^\p{Lu}$", "Ñ", True),
        ("a{,2}", "a{,2}", True),  # not a repeat in Go: literal braces
        ("a{01}", "a{01}", True),
        (r"^\Qa.b\E$", "axb", False),
        (r"x\z", "x", True),
        ("(?m)^b$", "a\nb\nc", True),
        ("(?s)a.b", "a\nb", True),
        ("a.b", "a\nb", False),
        ("(?i)[^a]", "A", False),
        ("^(?i:a)b", "AB", False),
        ("a(?i)*", "", True),  # the flag group leaves `a` to repeat
        ("^*$", "", True),
        ("(?P<n>a)(?<m>b)", "ab", True),
    ],
)
def test_go_meaning(pattern: str, value: str, matches: bool) -> None:
    assert (compile_go(pattern).search(value) is not None) is matches


def test_go_script_classes_are_not_available() -> None:
    # NB: a known difference: PocketBase accepts \p{Greek}; Python has no script tables.
    with pytest.raises(RegexSyntaxError, match="invalid character class range"):
        compile_go(r"\p{Greek}")
