"""govalidator's `IsURL` and Go's `url.Parse` host, as PocketBase 0.40.6 applies them to url
fields (each row checked against it)."""

from __future__ import annotations

import pytest

from pocketlite.core.fields.url_syntax import ParsedURL, is_url, parse_url


@pytest.mark.parametrize(
    "value",
    [
        "http://a.com",
        "https://example.com/a?b=1",
        "a.com",
        "ftp://a.com",
        "ws://x.io",
        "http://localhost:8080/x",
        "http://a",
        "http://a_b.com",
        "http://a.com.",
        "http://[::1]:80/",
        "http://[fe80::1%25eth0]/",
        "http://1.2.3.4",
        "1.2.3.4",
        "mailto:a@b.co",
        "http://user:pw@a.com",
        "http://u@a.com@b.com",
        "http://a.com:99999",
        "http://ñ.com",
        "http://例え.jp",
        "www.example.com",
        "http://a.com?%zz",
        "http://a.com#\x01",
    ],
)
def test_urls_pocketbase_accepts(value: str) -> None:
    assert is_url(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ab",
        "abc",
        "localhost",
        "a.b",
        "//a.com",
        " http://a.com",
        "http://a.com/ x",
        "HTTP://A.COM",
        "http:/a.com",
        "x://a.com",
        "javascript:alert(1)",
        "http://-a.com",
        "http://.com",
        ".a.com",
        "http://a..com",
        "http://a.com:abc",
        "http://a.com:",
        "http://[::1",
        "http://256.1.1.1",
        "http://1.2.3.4.5",
        "http://a%20b.com",
        "http://usér@a.com",
        "http://a.com/%zz",
        "http://a.com#%zz",
        "http://a.com/\x01",
        "http://a.com\\b",
        "a:b",
    ],
)
def test_urls_pocketbase_refuses(value: str) -> None:
    assert is_url(value) is False


@pytest.mark.parametrize(
    "value",
    [
        "a" * 2000 + "!",
        "a-" * 1000 + "!",
        "a." * 1000 + "!",
        "a@" * 1000,
        "1." * 1000 + "x",
        "a_" * 1000 + "!",
    ],
)
def test_inputs_that_make_the_regex_backtrack_are_decided_in_linear_time(value: str) -> None:
    assert is_url(value) is False


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("http://user:pw@a.com:8080/x?y#z", ParsedURL("a.com:8080", "/x")),
        ("https://A.COM", ParsedURL("A.COM", "")),
        ("a.com/x", ParsedURL("", "a.com/x")),
        ("mailto:a@b.co", ParsedURL("", "")),
        ("http://a.com/%41", ParsedURL("a.com", "/A")),
        ("http://a.com/%zz", None),
        (":x", None),
    ],
)
def test_go_url_parse_host_and_path(raw: str, parsed: ParsedURL | None) -> None:
    assert parse_url(raw) == parsed
