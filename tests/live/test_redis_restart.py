"""The Redis broker across a restart of the Redis server, on a server of the test's own."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from gateway.live.redis_broker import BrokerUnavailable, RedisBroker
from gateway.services.events import room_bookings_topic
from tests.live.servers import (
    BrokerFactory,
    RedisServer,
    eventually,
    next_event,
    upstream_subscriptions,
)
from tests.support.events import event

pytestmark = pytest.mark.redis

RM000 = room_bookings_topic("RM000")
LOGGER = "gateway.live.redis_broker"


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER]


async def resubscribed(server: RedisServer, channel: str) -> bool:
    try:
        return await upstream_subscriptions(server.url, channel) == 1
    except OSError:  # redis-py's ConnectionError is one: the server is not up yet
        return False


async def test_a_subscription_survives_a_redis_restart(
    redis_server: RedisServer,
    brokers: BrokerFactory,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a, b = await brokers(redis_server.url), await brokers(redis_server.url)
    channel = prefix + RM000
    where = f"redis://127.0.0.1:{redis_server.port}/0"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        async with a.subscribe(RM000) as queue:
            await b.publish(event(1))
            assert await next_event(queue) == event(1)

            redis_server.kill()
            loop = asyncio.get_running_loop()
            began = loop.time()
            with pytest.raises(BrokerUnavailable, match=f"could not publish to {channel}"):
                async with asyncio.timeout(5):
                    await b.publish(event(2))
            assert loop.time() - began < 2.5  # 2 x the 1 s timeout, and some slack
            await asyncio.sleep(1)  # a few reconnection attempts fail meanwhile

            redis_server.start()
            await eventually(lambda: resubscribed(redis_server, channel), seconds=10)
            await b.publish(event(3))
            assert await next_event(queue) == event(3)
            assert queue.empty()
            # b subscribes to nothing, so nothing above waited for its reader.
            await eventually(lambda: len(logged(caplog)) == 4)

    # One line each way per broker ("process"): a with its subscription, b without.
    lines = sorted(logged(caplog))
    assert lines[:2] == [
        (logging.INFO, f"redis broker at {where} is back; topics resubscribed: 0"),
        (logging.INFO, f"redis broker at {where} is back; topics resubscribed: 1"),
    ]
    assert [level for level, _ in lines[2:]] == [logging.WARNING, logging.WARNING]
    for _, line in lines[2:]:
        assert line.startswith(f"lost the redis broker at {where} (")
        assert line.endswith("); live events pause until it is back")


async def test_publishing_to_a_frozen_redis_times_out_instead_of_hanging(
    redis_server: RedisServer, brokers: BrokerFactory
) -> None:
    a, b = await brokers(redis_server.url), await brokers(redis_server.url)
    async with a.subscribe(RM000) as queue:
        redis_server.pause()
        try:
            loop = asyncio.get_running_loop()
            began = loop.time()
            with pytest.raises(BrokerUnavailable, match="TimeoutError"):
                async with asyncio.timeout(5):
                    await b.publish(event(1))
            assert 1.5 < loop.time() - began < 2.5  # 2 x the 1 s timeout
        finally:
            redis_server.resume()
        await b.publish(event(2))
        # The frozen server may still have read the timed-out PUBLISH before its client
        # hung up: a failed publish means "not confirmed", not "not delivered".
        arrived = [await next_event(queue)]
        if arrived == [event(1)]:
            arrived.append(await next_event(queue))
        assert arrived[-1] == event(2)


async def test_a_broker_started_while_redis_is_down_connects_when_it_comes_up(
    redis_server: RedisServer,
    brokers: BrokerFactory,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis_server.kill()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        async with asyncio.timeout(5):
            a = await brokers(redis_server.url)
            async with a.subscribe(RM000) as queue:
                assert a.subscriber_count(RM000) == 1
                redis_server.start()
                await eventually(lambda: resubscribed(redis_server, prefix + RM000))
                await a.publish(event(1))
                assert await next_event(queue) == event(1)
    levels = [level for level, _ in logged(caplog)]
    assert levels == [logging.WARNING, logging.INFO]
    assert logged(caplog)[0][1].startswith("cannot reach the redis broker at ")


async def test_stop_closes_every_connection(
    redis_server: RedisServer, brokers: BrokerFactory
) -> None:
    async with Redis.from_url(redis_server.url, socket_timeout=2) as inspector:
        alone = len(await inspector.client_list())
        a = await brokers(redis_server.url)
        async with a.subscribe(RM000):
            await a.publish(event(1))
            assert len(await inspector.client_list()) == alone + 2  # reader and publisher
        async with asyncio.timeout(5):
            await a.stop()
        await eventually(lambda: _clients_are(inspector, alone))


async def _clients_are(inspector: Redis, count: int) -> bool:
    return len(await inspector.client_list()) == count


async def test_a_connection_gone_silent_is_noticed_by_ping_and_replaced(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    broker = RedisBroker(
        redis_server.url, channel_prefix=prefix, timeout=0.5, ping_interval=0.2, max_backoff=0.3
    )
    await broker.start()
    try:
        with caplog.at_level(logging.INFO, logger=LOGGER):
            async with broker.subscribe(RM000) as queue:
                redis_server.pause()  # no FIN, no RST: only the missing PONG tells
                try:
                    await eventually(lambda: logged(caplog))
                finally:
                    redis_server.resume()
                await eventually(lambda: resubscribed(redis_server, prefix + RM000))
                await eventually(lambda: len(logged(caplog)) == 2)
                await broker.publish(event(1))
                assert await next_event(queue) == event(1)
    finally:
        await broker.stop()
    (warning, warned), (info, _) = logged(caplog)
    assert (warning, info) == (logging.WARNING, logging.INFO)
    assert "(no reply to PING in 0.2 s)" in warned
