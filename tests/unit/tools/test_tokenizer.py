"""`split_tokens`: PocketBase's tokenizer, splitting outside quotes and parentheses."""

from __future__ import annotations

import pytest

from pocketlite.tools.tokenizer import TokenizerError, split_tokens


@pytest.mark.parametrize(
    ("text", "separators", "tokens"),
    [
        ("a, b ,c", ",", ["a", "b", "c"]),
        ("a,,b", ",", ["a", "b"]),
        ("lower(a, b), c", ",", ["lower(a, b)", "c"]),
        ("'x,y', \"p,q\", `r,s`", ",", ["'x,y'", '"p,q"', "`r,s`"]),
        ("f(g(1, 2), 3), h", ",", ["f(g(1, 2), 3)", "h"]),
        ("a.b.c", ".", ["a", "b", "c"]),
        ("one two\tthree\nfour", " \t\n", ["one", "two", "three", "four"]),
        ("'it\\'s, here', b", ",", ["'it\\'s, here'", "b"]),
        ("", ",", []),
    ],
)
def test_split(text: str, separators: str, tokens: list[str]) -> None:
    assert split_tokens(text, separators) == tokens


def test_empty_tokens_can_be_kept() -> None:
    assert split_tokens("a,,b", keep_empty=True) == ["a", "", "b"]


def test_separators_can_be_kept_on_their_token() -> None:
    assert split_tokens("select a, b from t", ", ", keep_separator=True) == [
        "select ",
        "a,",
        " ",
        "b ",
        "from ",
        "t",
    ]


@pytest.mark.parametrize("text", ["f(a, b", "'open, x", 'a, "b'])
def test_unbalanced_input_is_an_error(text: str) -> None:
    with pytest.raises(TokenizerError, match="unbalanced parenthesis or quoted expression"):
        split_tokens(text)
