"""Rate buckets in Redis: two gateway processes share one caller's bucket, the rule is
domain.rate's, and Redis going away turns the limits off instead of failing writes."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.rate import TokenRate
from gateway.live.redis_buckets import RedisBuckets
from tests.live.servers import RedisServer

pytestmark = pytest.mark.redis

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)
RATE = TokenRate(3)


@pytest.fixture
async def two(redis_server: RedisServer) -> AsyncIterator[tuple[RedisBuckets, RedisBuckets]]:
    prefix = f"occupi-test-{secrets.token_hex(4)}:"
    first = RedisBuckets(redis_server.url, prefix=prefix)
    second = RedisBuckets(redis_server.url, prefix=prefix)
    yield first, second
    await first.close()
    await second.close()


async def test_two_processes_spend_one_bucket(two: tuple[RedisBuckets, RedisBuckets]) -> None:
    first, second = two
    waits = [await b.take("write:user:1", RATE, T0) for b in (first, second, first, second)]
    later = await second.take("write:user:1", RATE, T0 + timedelta(seconds=20))
    other = await first.take("write:user:2", RATE, T0)

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(20.0)
    assert later == 0.0
    assert other == 0.0


async def test_redis_going_away_lets_writes_through_and_says_so(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    buckets = RedisBuckets(redis_server.url, prefix="occupi-test-gone:", timeout=0.5)
    try:
        for _ in range(3):
            await buckets.take("write:user:1", RATE, T0)
        assert await buckets.take("write:user:1", RATE, T0) > 0
        redis_server.kill()
        with caplog.at_level(logging.WARNING, logger="gateway.live.redis_buckets"):
            assert await buckets.take("write:user:1", RATE, T0) == 0.0
    finally:
        await buckets.close()
    [warning] = [r.getMessage() for r in caplog.records if r.name == "gateway.live.redis_buckets"]
    assert warning.startswith("rate limits are off while Redis is unreachable: ")


async def test_a_clock_that_went_back_refills_nothing(
    two: tuple[RedisBuckets, RedisBuckets],
) -> None:
    first, second = two
    rate = TokenRate(1)
    assert await first.take("k", rate, T0 + timedelta(seconds=10)) == 0.0
    behind = [await second.take("k", rate, T0 + timedelta(seconds=s)) for s in (0, 5)]
    assert behind == [pytest.approx(60.0), pytest.approx(60.0)]
