"""The datetime input PocketBase accepts (its own layout, then spf13/cast's layouts with Go's
parsing rules) and how it prints it, each row checked against PocketBase 0.40.6."""

from __future__ import annotations

import pytest

from pocketlite.core.fields.go_time import format_datetime, go_time_string, parse_datetime, rfc3339


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("2024-01-02 10:00:00.123Z", "2024-01-02 10:00:00.123Z"),
        ("2024-01-02", "2024-01-02 00:00:00.000Z"),
        ("2024-01-02 10:00:00", "2024-01-02 10:00:00.000Z"),
        ("2024-01-02T10:00:00+02:00", "2024-01-02 08:00:00.000Z"),
        ("2024-01-02T10:00:00.123456789Z", "2024-01-02 10:00:00.123Z"),
        ("2024-01-02 10:00:00.1234Z", "2024-01-02 10:00:00.123Z"),
        ("2006-01-02 15:04:05,5", "2006-01-02 15:04:05.500Z"),
        ("2006-01-02 9:04:05", "2006-01-02 09:04:05.000Z"),
        ("2024-01-02T10:00:00-0700", "2024-01-02 17:00:00.000Z"),
        ("2024-01-02 10:00:00 +0200", "2024-01-02 08:00:00.000Z"),
        ("Tue, 02 Jan 2024 10:00:00 GMT", "2024-01-02 10:00:00.000Z"),
        ("tue, 02 jan 2024 10:00:00 GMT", "2024-01-02 10:00:00.000Z"),
        ("Fri, 02 Jan 2024 10:00:00 PST", "2024-01-02 10:00:00.000Z"),  # a zone name keeps the clock
        ("Tue, 02 Jan 2024 10:00:00 GMT+2", "2024-01-02 12:00:00.000Z"),
        ("02 Jan 24 10:00 UTC", "2024-01-02 10:00:00.000Z"),
        ("02 Jan 70 15:04 -0700", "1970-01-02 22:04:00.000Z"),
        ("Mon Jan  2 15:04:05 2006", "2006-01-02 15:04:05.000Z"),
        ("Mon Jan 02 15:04:05 -0700 2006", "2006-01-02 22:04:05.000Z"),
        ("2006-01-02 15:04:05.123456 -0700 PST", "2006-01-02 22:04:05.123Z"),
        ("02 Jan 2006", "2006-01-02 00:00:00.000Z"),
        ("3:04PM", "0000-01-01 15:04:00.000Z"),
        ("Jan 02 15:04:05.123", "0000-01-02 15:04:05.123Z"),
        ("0000-01-01T00:30:00+01:00", "-0001-12-31 23:30:00.000Z"),
        ("9999-12-31 23:59:59.999Z", "9999-12-31 23:59:59.999Z"),
    ],
)
def test_accepted_layouts(text: str, printed: str) -> None:
    instant = parse_datetime(text)
    assert instant is not None and format_datetime(instant) == printed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "2024-01-02 10:00",
        "2024-01-02T10:00",
        " 2024-01-02 ",
        "2024-1-2",
        "20240102",
        "2024/01/02",
        "2024-02-30",
        "2024-01-02 24:00:00",
        "2024-01-02T10:00:00z",
        "2024-01-02T10:00:00+25:00",
        "2 Jan 2006",
        "3:04pm",
        "Tue, 02 Jan 2024 10:00:00 ABCD",
        "1700000000",
        "0001-01-01 00:00:00.000Z",  # Go's zero time is the empty value
    ],
)
def test_refused_input(text: str) -> None:
    assert parse_datetime(text) is None


def test_go_prints_of_an_instant() -> None:
    instant = parse_datetime("2024-01-01 00:00:00.500Z")
    assert instant is not None
    assert (rfc3339(instant), go_time_string(instant)) == (
        "2024-01-01T00:00:00.5Z",
        "2024-01-01 00:00:00.5 +0000 UTC",
    )
