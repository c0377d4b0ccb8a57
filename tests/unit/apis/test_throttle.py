"""The empty-list throttle counts per client and collection within a sliding window."""

from __future__ import annotations

from pocketlite.apis.throttle import EmptyListThrottle


def test_the_fourth_empty_list_within_three_seconds_is_delayed() -> None:
    throttle = EmptyListThrottle()
    assert [throttle.record("1.2.3.4", "posts", now=t) for t in (0.0, 0.5, 1.0, 1.5)] == [
        False,
        False,
        False,
        True,
    ]


def test_clients_and_collections_count_apart() -> None:
    throttle = EmptyListThrottle()
    for t in (0.0, 0.1, 0.2):
        throttle.record("1.2.3.4", "posts", now=t)
    assert throttle.record("5.6.7.8", "posts", now=0.3) is False
    assert throttle.record("1.2.3.4", "notes", now=0.3) is False
    assert throttle.record("1.2.3.4", "posts", now=0.3) is True


def test_old_hits_leave_the_window() -> None:
    throttle = EmptyListThrottle()
    for t in (0.0, 0.1, 0.2):
        throttle.record("1.2.3.4", "posts", now=t)
    assert throttle.record("1.2.3.4", "posts", now=3.5) is False
