"""The Redis broker between two "processes" (two brokers) on one real Redis server."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from gateway.live.broker import QUEUE_SIZE
from gateway.live.codec import encode
from gateway.live.redis_broker import RedisBroker
from gateway.services.events import Event, room_bookings_topic
from tests.live.servers import BrokerFactory, eventually, next_event, upstream_subscriptions
from tests.support.events import event, mail_queued

pytestmark = pytest.mark.redis

RM000 = room_bookings_topic("RM000")
RM001 = room_bookings_topic("RM001")
# Long enough for a wrong delivery or a wrong UNSUBSCRIBE to show up on localhost.
QUIET = 0.3


def drained(queue: asyncio.Queue[Event]) -> list[Event]:
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


async def test_an_event_published_on_one_process_reaches_another(
    redis_url: str, brokers: BrokerFactory
) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    async with a.subscribe(RM000) as queue:
        await b.publish(event(1))
        assert await next_event(queue) == event(1)


async def test_topics_are_isolated(redis_url: str, brokers: BrokerFactory) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    async with (
        a.subscribe(RM000) as rm000,
        a.subscribe(RM001) as rm001,
        a.subscribe("outbox") as outbox,
    ):
        await b.publish(event(1, "RM001"))
        await b.publish(mail_queued())
        await b.publish(event(2))
        # One publisher, one subscriber connection: Redis keeps the order, so once the
        # last event is in, everything else has arrived too.
        assert await next_event(rm000) == event(2)
        assert drained(rm000) == []
        assert drained(rm001) == [event(1, "RM001")]
        assert drained(outbox) == [mail_queued()]


async def test_one_upstream_subscription_per_topic_per_process(
    redis_url: str, brokers: BrokerFactory, prefix: str
) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    async with (
        a.subscribe(RM000) as first,
        a.subscribe(RM000) as second,
        a.subscribe(RM000) as third,
        a.subscribe(RM001),
        b.subscribe(RM000) as on_b,
    ):
        assert a.subscriber_count(RM000) == 3
        assert await upstream_subscriptions(redis_url, prefix + RM000) == 2  # a and b
        assert await upstream_subscriptions(redis_url, prefix + RM001) == 1

        await b.publish(event(1))
        for queue in (first, second, third, on_b):
            assert await next_event(queue) == event(1)
        await asyncio.sleep(QUIET)
        assert [drained(q) for q in (first, second, third, on_b)] == [[], [], [], []]


async def test_the_last_local_subscriber_leaving_unsubscribes(
    redis_url: str, brokers: BrokerFactory, prefix: str
) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    channel = prefix + RM000
    async with a.subscribe(RM000) as staying:
        async with a.subscribe(RM000):
            assert await upstream_subscriptions(redis_url, channel) == 1
        await asyncio.sleep(QUIET)
        assert await upstream_subscriptions(redis_url, channel) == 1
        await b.publish(event(1))
        assert await next_event(staying) == event(1)

    assert a.subscriber_count(RM000) == 0
    await eventually(lambda: _no_subscriptions(redis_url, channel))

    async with a.subscribe(RM000) as again:
        assert await upstream_subscriptions(redis_url, channel) == 1
        await b.publish(event(2))
        assert await next_event(again) == event(2)


async def _no_subscriptions(url: str, channel: str) -> bool:
    return await upstream_subscriptions(url, channel) == 0


async def test_a_cancelled_subscriber_still_unsubscribes(
    redis_url: str, brokers: BrokerFactory, prefix: str
) -> None:
    a = await brokers(redis_url)
    entered = asyncio.Event()

    async def listen() -> None:
        async with a.subscribe(RM000) as queue:
            entered.set()
            await queue.get()

    task = asyncio.create_task(listen())
    async with asyncio.timeout(5):
        await entered.wait()
    assert await upstream_subscriptions(redis_url, prefix + RM000) == 1
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert a.subscriber_count(RM000) == 0
    await eventually(lambda: _no_subscriptions(redis_url, prefix + RM000))


async def test_a_slow_subscriber_does_not_hold_back_a_fast_one(
    redis_url: str, brokers: BrokerFactory
) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    published = QUEUE_SIZE + 10
    async with a.subscribe(RM000) as slow, a.subscribe(RM000) as fast:
        for n in range(published):
            await b.publish(event(n))
            assert await next_event(fast) == event(n)
        assert slow.full()
        assert drained(slow) == [event(n) for n in range(10, published)]


async def test_events_published_here_reach_local_subscribers_through_redis(
    redis_url: str, brokers: BrokerFactory, inspector: Redis, prefix: str
) -> None:
    a, b = await brokers(redis_url), await brokers(redis_url)
    async with (
        inspector.pubsub() as raw,
        a.subscribe(RM000) as local,
        b.subscribe(RM000) as remote,
    ):
        await raw.subscribe(prefix + RM000)
        await a.publish(event(1))
        assert await next_event(local) == event(1)
        assert await next_event(remote) == event(1)
        async with asyncio.timeout(5):
            message = None
            while message is None:  # the confirmation of the SUBSCRIBE comes back as None
                message = await raw.get_message(ignore_subscribe_messages=True, timeout=None)
        assert message["data"] == encode(event(1))


async def test_a_message_that_is_not_an_event_is_logged_and_skipped(
    redis_url: str,
    brokers: BrokerFactory,
    inspector: Redis,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a = await brokers(redis_url)
    channel = prefix + RM000
    with caplog.at_level(logging.WARNING, logger="gateway.live.redis_broker"):
        async with a.subscribe(RM000) as queue:
            await inspector.publish(channel, b"{not json")
            await inspector.publish(channel, b'{"v": 99, "type": "booking"}')
            await inspector.publish(channel, encode(event(1, "RM001")))  # the wrong topic
            await inspector.publish(channel, encode(event(2)))
            assert await next_event(queue) == event(2)
            assert drained(queue) == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.live.redis_broker"]
    assert warnings == [
        f"skipped a message on {channel} that is not an event: not JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        f"skipped a message on {channel} that is not an event: unsupported message version 99",
        f"skipped a {RM001} event that arrived on {channel}",
    ]


async def test_brokers_with_other_prefixes_do_not_hear_each_other(
    redis_url: str, brokers: BrokerFactory, prefix: str
) -> None:
    a = await brokers(redis_url)
    other = RedisBroker(redis_url, channel_prefix=prefix + "staging:")
    await other.start()
    try:
        async with a.subscribe(RM000) as queue, other.subscribe(RM000) as elsewhere:
            await other.publish(event(1))
            assert await next_event(elsewhere) == event(1)
            await a.publish(event(2))
            assert await next_event(queue) == event(2)
            assert drained(queue) == []
            assert drained(elsewhere) == []
    finally:
        await other.stop()
