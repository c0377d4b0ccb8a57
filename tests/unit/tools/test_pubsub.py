"""The bus under the cross-process broker (tools/pubsub.py): every member gets every message,
its own included, all in one order."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest

from pocketlite.tools.pubsub import Hub, Member


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub()
    running.start()
    yield running
    running.close()


async def _joined(member: Member, name: bytes) -> None:
    """Publish a hello until it comes back: the hub forwards only once the subscription arrived."""
    while True:
        member.publish(name)
        try:
            while await asyncio.wait_for(member.receive(), 0.05) != name:
                pass
            return
        except TimeoutError:
            continue


async def test_every_member_gets_every_message_in_one_order(hub: Hub) -> None:
    members = [Member(hub.endpoints) for _ in range(3)]
    try:
        for i, member in enumerate(members):
            await _joined(member, b"hello %d" % i)
        # Drain the other members' hellos.
        await asyncio.sleep(0.1)
        for member in members:
            while True:
                try:
                    await asyncio.wait_for(member.receive(), 0.05)
                except TimeoutError:
                    break

        async def talk(i: int) -> None:
            for n in range(200):
                members[i].publish(b"%d:%d" % (i, n))
                if n % 50 == 0:
                    await asyncio.sleep(0)

        await asyncio.gather(*(talk(i) for i in range(3)))
        streams = [[await asyncio.wait_for(m.receive(), 5) for _ in range(600)] for m in members]
        assert all(stream == streams[0] for stream in streams)
        assert sorted(streams[0]) == sorted(b"%d:%d" % (i, n) for i in range(3) for n in range(200))
        for i in range(3):  # each publisher's messages keep their order
            own = [m for m in streams[0] if m.startswith(b"%d:" % i)]
            assert own == [b"%d:%d" % (i, n) for n in range(200)]
    finally:
        for member in members:
            member.close()


async def test_a_message_back_at_its_publisher_is_ahead_of_any_published_later(hub: Hub) -> None:
    # What commit order across workers rests on: a writer commits once its changes came back.
    first, second, observer = (Member(hub.endpoints) for _ in range(3))
    try:
        for i, member in enumerate((first, second, observer)):
            await _joined(member, b"hello %d" % i)
        await asyncio.sleep(0.1)

        async def publish_until_back(member: Member, message: bytes) -> None:
            member.publish(message)
            while await asyncio.wait_for(member.receive(), 5) != message:
                pass

        for n in range(100):  # two writers taking turns, as commits do
            await publish_until_back(first, b"a%d" % n)
            await publish_until_back(second, b"b%d" % n)
        seen = []
        while len([m for m in seen if m[:1] in (b"a", b"b")]) < 200:
            seen.append(await asyncio.wait_for(observer.receive(), 5))
        ordered = [m for m in seen if m[:1] in (b"a", b"b")]
        assert ordered == [m for n in range(100) for m in (b"a%d" % n, b"b%d" % n)]
    finally:
        for member in (first, second, observer):
            member.close()


def test_the_endpoints_are_private_files(hub: Hub) -> None:
    inbound = hub.endpoints.split()[0].removeprefix("ipc://")
    assert os.stat(os.path.dirname(inbound)).st_mode & 0o777 == 0o700


def test_closing_removes_the_endpoints() -> None:
    hub = Hub()
    hub.start()
    folder = os.path.dirname(hub.endpoints.split()[0].removeprefix("ipc://"))
    hub.close()
    assert not os.path.exists(folder)
