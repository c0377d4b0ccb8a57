"""`parse_query` reads query strings as Go's `net/url.ParseQuery`."""

from __future__ import annotations

from pocketlite.tools.goquery import parse_query


def test_pairs_in_order_with_plus_and_escapes_decoded() -> None:
    assert parse_query(b"a=1&b=x+y&a=%41%e2%82%ac&flag&&=v") == (
        [("a", "1"), ("b", "x y"), ("a", "A€"), ("flag", ""), ("", "v")],
        True,
    )


def test_a_bad_escape_drops_its_pair_and_fails_the_parse() -> None:
    assert parse_query(b"a=1&b=%ZZ&c=%4&d=2") == ([("a", "1"), ("d", "2")], False)


def test_a_semicolon_drops_its_pair_and_fails_the_parse() -> None:
    assert parse_query(b"a=1;b=2&c=3") == ([("c", "3")], False)


def test_nothing_is_nothing() -> None:
    assert parse_query(b"") == ([], True)
