"""The Redis broker with no Redis at all: nothing hangs, nothing but publish fails."""

from __future__ import annotations

import asyncio

import pytest

from gateway.live.redis_broker import BrokerUnavailable, RedisBroker
from gateway.services.events import room_bookings_topic
from tests.live.servers import free_port
from tests.support.events import event

RM000 = room_bookings_topic("RM000")


async def test_publishing_to_an_unreachable_redis_raises_quickly() -> None:
    broker = RedisBroker(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await broker.start()
    try:
        with pytest.raises(BrokerUnavailable, match="could not publish to occupi:room:RM000"):
            async with asyncio.timeout(5):
                await broker.publish(event(1))
        async with asyncio.timeout(5), broker.subscribe(RM000):
            assert broker.subscriber_count(RM000) == 1
    finally:
        await broker.stop()
    assert loop.time() - began < 3
