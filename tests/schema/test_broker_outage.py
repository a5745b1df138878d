"""The broker going away never takes queries or mutations down: a committed booking
stands, and only live events are lost; the write limits' Redis buckets let writes through.
Redis unreachable from the start, and Redis dying between two bookings."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest

from gateway.settings import Settings
from tests.live.servers import REDIS_SERVER, RedisServer, running_server
from tests.support.bookings import book, local
from tests.support.graphql import GraphQLClient


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A loopback port nobody listens on (bound without listening, so nothing else can)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture
def settings(settings: Settings, dead_port: int) -> Settings:
    return replace(settings, broker_url=f"redis://127.0.0.1:{dead_port}/0")


async def test_bookings_are_made_while_redis_is_unreachable(
    client: GraphQLClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        first = await book(client, tokens["alice"], start=local("10:00"), end=local("11:00"))
        again = await book(client, tokens["bob"], start=local("10:30"), end=local("11:30"))
        mine = await client.data("{ myBookings { totalCount } }", token=tokens["alice"])

    assert first["errors"] == []
    assert first["booking"]["code"].startswith("BOOKOCCUPI")
    assert [e["code"] for e in again["errors"]] == ["SLOT_TAKEN"]
    assert mine["myBookings"]["totalCount"] == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "the lost live event is logged"
    assert all(w.startswith("publishing room:RM000:bookings failed: ") for w in warnings)


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it kills."""
    if REDIS_SERVER is None:
        pytest.skip("no redis-server on PATH")
    with running_server(REDIS_SERVER, tmp_path_factory.mktemp("redis")) as server:
        yield server


class TestRedisDyingMidRun:
    """Redis was there, and goes away between two bookings."""

    @pytest.fixture
    def settings(self, settings: Settings, redis_server: RedisServer) -> Settings:
        """Live events and the write limits' buckets in Redis (the limits on, so that
        they are asked too)."""
        return replace(settings, broker_url=redis_server.url, rate_writes_per_minute=100)

    async def test_neither_writes_nor_reads_go_down(
        self,
        client: GraphQLClient,
        tokens: dict[str, str],
        redis_server: RedisServer,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        before = await book(client, tokens["alice"], start=local("09:00"), end=local("10:00"))
        redis_server.kill()
        with caplog.at_level(logging.WARNING):
            after = await book(client, tokens["alice"], start=local("10:00"), end=local("11:00"))
            mine = await client.data("{ myBookings { totalCount } }", token=tokens["alice"])

        assert before["errors"] == []
        assert after["errors"] == []
        assert mine["myBookings"]["totalCount"] == 2
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any(w.startswith("publishing room:RM000:bookings failed: ") for w in warnings)
        assert any(w.startswith("rate limits are off while Redis is unreachable") for w in warnings)
