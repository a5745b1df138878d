"""Redis for the live tests: a throwaway redis-server per test module, or the server
that OCCUPI_TEST_BROKER_URL names (`make test-pg` sets it)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from gateway.live.redis_broker import RedisBroker
from tests.live.servers import REDIS_SERVER, BrokerFactory, RedisServer, running_server

BROKER_URL_VARIABLE = "OCCUPI_TEST_BROKER_URL"
# Fast reconnection keeps the restart tests short; deployments keep the defaults.
TEST_MAX_BACKOFF = 0.3


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module's server; tests keep apart by their channel prefix."""
    configured = os.environ.get(BROKER_URL_VARIABLE)
    if configured:
        yield configured
        return
    if REDIS_SERVER is None:
        pytest.skip(f"no redis-server on PATH and {BROKER_URL_VARIABLE} is unset")
    with running_server(REDIS_SERVER, tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A server of the test's own, always local: a shared one cannot be restarted."""
    if REDIS_SERVER is None:
        pytest.skip("no redis-server on PATH: restart tests start and kill their own")
    with running_server(REDIS_SERVER, tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid4().hex[:12]}:"


@pytest.fixture
async def brokers(prefix: str) -> AsyncIterator[BrokerFactory]:
    """Starts brokers ("gateway processes") on a URL; all stop when the test ends."""
    started: list[RedisBroker] = []

    async def start(url: str) -> RedisBroker:
        broker = RedisBroker(url, channel_prefix=prefix, max_backoff=TEST_MAX_BACKOFF)
        started.append(broker)
        await broker.start()
        return broker

    yield start
    for broker in started:
        await broker.stop()


@pytest.fixture
async def inspector(redis_url: str) -> AsyncIterator[Redis]:
    """A plain client beside the brokers, for raw messages."""
    client = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    yield client
    await client.aclose()
