"""The in-memory broker: per-topic fan-out, unsubscribe on exit, bounded queues."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.live.broker import QUEUE_SIZE, InMemoryBroker
from gateway.services.events import (
    BookingChange,
    Event,
    MailQueued,
    room_bookings_topic,
)
from tests.support.events import AT, event

RM000 = room_bookings_topic("RM000")
RM001 = room_bookings_topic("RM001")


def drained(queue: asyncio.Queue[Event]) -> list[Event]:
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


def test_topics() -> None:
    assert RM000 == "room:RM000:bookings"
    assert event(1).topic == RM000
    assert event(1, "RM001").topic == RM001
    assert MailQueued(AT).topic == "outbox"


async def test_subscribers_get_only_their_topic() -> None:
    broker = InMemoryBroker()
    async with (
        broker.subscribe(RM000) as first,
        broker.subscribe(RM000) as second,
        broker.subscribe(RM001) as other,
        broker.subscribe("outbox") as outbox,
    ):
        await broker.publish(event(1))
        await broker.publish(event(2, "RM001"))
        await broker.publish(event(3, change=BookingChange.CANCELLED))
        await broker.publish(MailQueued(AT))

        assert drained(first) == [event(1), event(3, change=BookingChange.CANCELLED)]
        assert drained(second) == [event(1), event(3, change=BookingChange.CANCELLED)]
        assert drained(other) == [event(2, "RM001")]
        assert drained(outbox) == [MailQueued(AT)]


async def test_publishing_without_subscribers_is_a_no_op() -> None:
    broker = InMemoryBroker()
    await broker.publish(event(1))
    assert broker.subscriber_count(RM000) == 0


async def test_a_subscriber_waits_for_the_next_event() -> None:
    broker = InMemoryBroker()
    async with broker.subscribe(RM000) as queue:
        waiting = asyncio.create_task(queue.get())
        await asyncio.sleep(0)
        assert not waiting.done()
        await broker.publish(event(1))
        assert await asyncio.wait_for(waiting, 1) == event(1)


async def test_leaving_unsubscribes() -> None:
    broker = InMemoryBroker()
    async with broker.subscribe(RM000) as staying:
        async with broker.subscribe(RM000) as leaving:
            assert broker.subscriber_count(RM000) == 2
        assert broker.subscriber_count(RM000) == 1

        await broker.publish(event(1))

        assert drained(staying) == [event(1)]
        assert drained(leaving) == []
    assert broker.subscriber_count(RM000) == 0


async def test_leaving_on_an_error_unsubscribes() -> None:
    broker = InMemoryBroker()
    counted: list[int] = []

    async def fail_inside() -> None:
        async with broker.subscribe(RM000):
            counted.append(broker.subscriber_count(RM000))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_inside()
    assert counted == [1]
    assert broker.subscriber_count(RM000) == 0


async def test_a_cancelled_subscriber_unsubscribes() -> None:
    broker = InMemoryBroker()
    entered = asyncio.Event()

    async def listen() -> None:
        async with broker.subscribe(RM000) as queue:
            entered.set()
            await queue.get()

    task = asyncio.create_task(listen())
    await asyncio.wait_for(entered.wait(), 1)
    assert broker.subscriber_count(RM000) == 1
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert broker.subscriber_count(RM000) == 0


async def test_a_full_queue_drops_the_oldest(caplog: pytest.LogCaptureFixture) -> None:
    broker = InMemoryBroker()
    extra = 3
    async with broker.subscribe(RM000) as slow:
        with caplog.at_level(logging.WARNING, logger="gateway.live.broker"):
            for n in range(QUEUE_SIZE + extra):
                await broker.publish(event(n))

        assert slow.qsize() == QUEUE_SIZE
        assert drained(slow) == [event(n) for n in range(extra, QUEUE_SIZE + extra)]
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.live.broker"]
    assert warnings == [f"subscriber on {RM000} is slow; dropped an event"] * extra


async def test_a_slow_subscriber_does_not_hold_back_a_fast_one() -> None:
    broker = InMemoryBroker()
    async with broker.subscribe(RM000) as slow, broker.subscribe(RM000) as fast:
        for n in range(QUEUE_SIZE + 10):
            await broker.publish(event(n))
            assert fast.get_nowait() == event(n)
        assert slow.full()
        assert fast.empty()
