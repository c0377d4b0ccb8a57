"""The filter grammar (filter-and-rules.md §1); accepted/refused as PocketBase 0.40.6 does
(the refusals were checked with `GET /api/collections?filter=…` on the real server)."""

from __future__ import annotations

import pytest

from pocketlite.search.fexpr import (
    AND,
    OR,
    Comparison,
    FilterSyntaxError,
    Group,
    Token,
    count_comparisons,
    parse,
)

IDENT, NUM, TEXT = "identifier", "number", "text"


def cmp(left: Token, sign: str, right: Token) -> Comparison:
    return Comparison(left, sign, right)


def test_a_comparison() -> None:
    assert parse("title = 'x'") == (Group(AND, cmp(Token(IDENT, "title"), "=", Token(TEXT, "x"))),)


def test_joins_and_groups() -> None:
    a = cmp(Token(IDENT, "a"), "=", Token(NUM, "1"))
    b = cmp(Token(IDENT, "b"), "!=", Token(TEXT, "x"))
    c = cmp(Token(IDENT, "c"), "~", Token(TEXT, "y"))
    assert parse("a=1&&(b!=\"x\" || c ~ 'y')") == (Group(AND, a), Group(AND, (Group(AND, b), Group(OR, c))))


@pytest.mark.parametrize(
    "sign", ["=", "!=", "~", "!~", "<", "<=", ">", ">=", "?=", "?!=", "?~", "?!~", "?<", "?<=", "?>", "?>="]
)
def test_every_sign(sign: str) -> None:
    assert parse(f"a {sign} 1")[0].item == cmp(Token(IDENT, "a"), sign, Token(NUM, "1"))


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("@request.auth.id", Token(IDENT, "@request.auth.id")),
        ("tags:length", Token(IDENT, "tags:length")),
        ("@collection.users:u.name", Token(IDENT, "@collection.users:u.name")),
        ("#x", Token(IDENT, "#x")),
        ("-5.5", Token(NUM, "-5.5")),
        ("'it\\'s'", Token(TEXT, "it's")),
        ('"a \\"b\\""', Token(TEXT, 'a "b"')),
        ("'back\\\\slash'", Token(TEXT, "back\\\\slash")),
        (
            "geoDistance(lon, lat, 1.5, -2,)",
            Token(
                "function",
                "geoDistance",
                (Token(IDENT, "lon"), Token(IDENT, "lat"), Token(NUM, "1.5"), Token(NUM, "-2")),
            ),
        ),
        (
            "f(g(h('x')))",
            Token("function", "f", (Token("function", "g", (Token("function", "h", (Token(TEXT, "x"),)),)),)),
        ),
    ],
)
def test_operands(text: str, token: Token) -> None:
    assert parse(f"{text} = 1")[0].item == cmp(token, "=", Token(NUM, "1"))


def test_comments_and_whitespace_are_ignored() -> None:
    assert parse("a = 1 // first\n\t&& b = 2") == parse("a = 1 && b = 2")


def test_nested_groups_are_counted() -> None:
    assert count_comparisons(parse("a = 1 && (b = 2 || (c = 3 && d = 4))")) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty filter expression"),
        ("  // only a comment", "empty filter expression"),
        ("a = 1 &&", "invalid or incomplete filter expression"),
        ("a =", "invalid or incomplete filter expression"),
        ("a = 1 b = 2", 'expected && or ||, got "b" (identifier)'),
        ("a = 1 &&& b = 2", 'invalid join operator "&&&"'),
        ("a == 1", 'invalid sign operator "=="'),
        ("a 1", 'expected a sign operator, got "1" (number)'),
        ("= 1", 'expected left operand (identifier, function, text or number), got "=" (sign)'),
        ("a = &&", 'expected right operand (identifier, function text or number), got "&&" (join)'),
        (".5 = a", "unexpected character '.'"),
        ("a = 5.", 'invalid number "5."'),
        ("a = -", 'invalid number "-"'),
        ("@ = 1", 'invalid identifier "@"'),
        ("a. = 1", 'invalid identifier "a."'),
        ("a: = 1", 'invalid identifier "a:"'),
        ("(a = 1", "invalid formatted group - missing 1 closing bracket(s)"),
        ("a = 'x", 'invalid quoted text "\'x"'),
        ("a = {:x}", "unexpected character '{'"),
        ("a\r\n= 1", "unexpected character '\\r'"),
        ("a = 1 / b", "invalid comment"),
        ("f(1 2) = 1", 'expected comma after the last argument in function "f"'),
        ("f(,1) = 1", 'unexpected comma in function "f"'),
        ("f(1", "invalid or incomplete function \"f\" (expected ')')"),
        ("f(=) = 1", "unsupported argument character '=' in function \"f\""),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_functions_nest_three_deep_at_most() -> None:
    with pytest.raises(FilterSyntaxError, match=r"max nested function arguments reached \(max: 3\)"):
        parse("a(b(c(d(1)))) = 1")


@pytest.mark.parametrize(
    "text",
    ["n\0=1", "n=1\0", "n=1\0\0junk", "n= \0 1", "n=1 // note\0"],
)
def test_a_nul_ends_a_token_or_the_filter(text: str) -> None:
    # NB: fexpr reads a NUL rune as its end of input (checked against PocketBase 0.40.6).
    assert parse(text) == (Group(AND, cmp(Token(IDENT, "n"), "=", Token(NUM, "1"))),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\0n=1", "empty filter expression"),
        ("n=1\0junk", 'expected && or ||, got "junk" (identifier)'),
        ("n='a\0b'", 'invalid quoted text "\'a"'),
        ("(n=1\0)", "invalid formatted group - missing 1 closing bracket(s)"),
        ("f(\0a)", "invalid or incomplete function \"f\" (expected ')')"),
    ],
)
def test_a_nul_where_the_grammar_needs_more(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert str(caught.value) == message
