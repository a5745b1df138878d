"""The broker going away never takes queries or mutations down: a committed booking
stands, and only live events are lost."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest

from gateway.settings import Settings
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
