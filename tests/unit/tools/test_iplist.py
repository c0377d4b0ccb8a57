"""IP lists as PocketBase's `isIPInList` reads them."""

from __future__ import annotations

import pytest

from pocketlite.tools.iplist import ip_in_list


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("10.1.2.3", True),
        ("10.1.3.1", False),
        ("192.168.0.7", True),
        ("192.168.0.8", False),
        ("0000:0000:0000:0000:0000:0000:0000:0001", True),
        ("::2", False),
        ("not an ip", False),
        ("", False),
    ],
)
def test_addresses_and_ranges(ip: str, expected: bool) -> None:
    assert ip_in_list(ip, ["10.1.2.9/24", "192.168.0.7", "::1", "junk", ""]) is expected


def test_an_empty_list_holds_nothing() -> None:
    assert ip_in_list("127.0.0.1", []) is False
