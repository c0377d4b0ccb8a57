"""The broker's clients: subscription options as PocketBase reads them, and bounded queues."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest

from pocketlite.core.realtime import MAX_PENDING, Client, Message, Options, parse_options


def _with(options: object) -> str:
    return "posts/*?options=" + quote(json.dumps(options))


@pytest.mark.parametrize(
    ("subscription", "expected"),
    [
        ("posts/*", Options()),
        (
            _with({"query": {"filter": "a=1", "n": 2, "f": 1.5, "b": True, "x": None}}),
            Options({"filter": "a=1", "n": "2", "f": "1.5", "b": "true", "x": ""}),
        ),
        (
            _with({"headers": {"X-Custom": "1", "myHeader": "v"}}),
            Options({}, {"x_custom": "1", "my_header": "v"}),
        ),
        (_with({"query": {"nested": {"a": 1}, "list": [1]}}), Options({"nested": "", "list": ""})),
        (_with({"query": "not an object"}), Options()),
        (_with(["not", "an", "object"]), Options()),
        ("posts/*?options=%7Bbroken", Options()),
    ],
)
def test_options_are_read_as_pocketbase_does(subscription: str, expected: Options) -> None:
    assert parse_options(subscription) == expected


def test_subscriptions_are_kept_verbatim_and_matched_by_topic() -> None:
    client = Client()
    with_options = _with({"query": {"fields": "id"}})
    client.subscribe(["posts/*", with_options, "", "posts/*", "posts/abc"])
    assert client.subscriptions == ["posts/*", with_options, "posts/abc"]
    assert [sub.name for sub in client.topics["posts/*"]] == ["posts/*", with_options]
    assert client.has_subscription(with_options) and not client.has_subscription("posts")
    client.unsubscribe(["posts/*"])
    assert client.subscriptions == [with_options, "posts/abc"]
    client.unsubscribe()
    assert client.subscriptions == []


def test_events_come_out_in_order_then_none_after_close() -> None:
    async def run() -> list[Message | None]:
        client = Client()
        client.send(Message("a", b"1"))
        client.send(Message("a", b"2"))
        received = [await client.receive(), await client.receive()]
        waiter = asyncio.create_task(client.receive())
        await asyncio.sleep(0)
        client.close()
        return [*received, await waiter]

    assert asyncio.run(run()) == [Message("a", b"1"), Message("a", b"2"), None]


def test_a_client_that_falls_too_far_behind_is_disconnected() -> None:
    async def run() -> tuple[bool, Message | None]:
        client = Client()
        for i in range(MAX_PENDING):
            client.send(Message("a", str(i).encode()))
        assert not client.closed
        client.send(Message("a", b"one too many"))
        return client.closed, await client.receive()

    assert asyncio.run(run()) == (True, None)


def test_a_wait_ends_at_its_own_timeout_whatever_the_earlier_ones() -> None:
    async def run() -> list[str]:
        client = Client()
        outcomes = []
        loop = asyncio.get_running_loop()
        # A short wait that an event ends, then a longer one: the timer set for the first must
        # not end the second early.
        waiter = asyncio.create_task(client.receive(0.05))
        await asyncio.sleep(0.01)
        client.send(Message("a", b"1"))
        outcomes.append(str(await waiter))
        started = loop.time()
        try:
            await client.receive(0.2)
        except TimeoutError:
            outcomes.append(f"timed out after {'>=' if loop.time() - started >= 0.19 else '<'} 0.19 s")
        # And a short wait after a long one that an event ended still ends on time.
        waiter = asyncio.create_task(client.receive(5))
        await asyncio.sleep(0.01)
        client.send(Message("a", b"2"))
        await waiter
        started = loop.time()
        try:
            await client.receive(0.05)
        except TimeoutError:
            outcomes.append(f"timed out before {'0.15' if loop.time() - started < 0.15 else 'never'} s")
        client.close()
        outcomes.append(str(await client.receive(1)))
        return outcomes

    assert asyncio.run(run()) == [
        str(Message("a", b"1")),
        "timed out after >= 0.19 s",
        "timed out before 0.15 s",
        "None",
    ]
