"""Caps on the subscriptions open at once: per WebSocket connection and per user over
all their connections; over a cap, a clear error for that operation only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from gateway.schema.limits_subscriptions import SubscriptionCaps
from gateway.settings import Settings
from tests.schema.test_subscriptions import receive, send, serving, socket, subscribe, until
from tests.support.world import World

PER_CONNECTION = 2
PER_USER = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings, subscriptions_per_connection=PER_CONNECTION, subscriptions_per_user=PER_USER
    )


@pytest.fixture
async def host(app: Starlette, world: World) -> AsyncIterator[str]:
    async with serving(app) as where:
        yield where


@pytest.fixture
def caps(app: Starlette) -> SubscriptionCaps:
    found: SubscriptionCaps = app.state.subscription_caps
    return found


async def _open(ws: ClientConnection, ids: list[str]) -> None:
    for operation in ids:
        await subscribe(ws, operation, "RM000")


async def _stop(ws: ClientConnection, operation: str) -> None:
    await send(ws, {"id": operation, "type": "complete"})


async def test_one_connection_may_hold_only_so_many(
    host: str, world: World, tokens: dict[str, str], caps: SubscriptionCaps
) -> None:
    async with socket(host, tokens["alice"]) as ws:
        await _open(ws, ["a", "b"])
        await until(lambda: caps.open_for(world.alice.id) == PER_CONNECTION)
        await subscribe(ws, "c", "RM000")
        refused = await receive(ws)
        assert refused["type"] == "error"
        assert refused["id"] == "c"
        assert refused["payload"][0]["message"] == "Subscription limit reached"

        async with socket(host, tokens["bob"]) as other:  # served meanwhile
            await _open(other, ["x"])
            await until(lambda: caps.open_for(world.bob.id) == 1)

        await _stop(ws, "a")
        await until(lambda: caps.open_for(world.alice.id) == 1)
        await subscribe(ws, "d", "RM000")
        await until(lambda: caps.open_for(world.alice.id) == PER_CONNECTION)


async def test_one_user_may_hold_only_so_many_over_all_connections(
    host: str, world: World, tokens: dict[str, str], caps: SubscriptionCaps
) -> None:
    async with socket(host, tokens["alice"]) as first, socket(host, tokens["alice"]) as second:
        await _open(first, ["a", "b"])
        await _open(second, ["c"])
        await until(lambda: caps.open_for(world.alice.id) == PER_USER)
        await subscribe(second, "d", "RM000")
        refused = await receive(second)
        assert refused["type"] == "error"
        assert refused["id"] == "d"
        (error,) = refused["payload"]
        assert error["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": PER_USER}
        assert f"already have {PER_USER} subscriptions open" in error["message"]
        assert caps.open_for(world.alice.id) == PER_USER

        async with socket(host, tokens["bob"]) as other:  # another user is not affected
            await _open(other, ["x", "y"])
            await until(lambda: caps.open_for(world.bob.id) == 2)

        await _stop(first, "a")
        await until(lambda: caps.open_for(world.alice.id) == PER_USER - 1)
        await subscribe(second, "e", "RM000")
        await until(lambda: caps.open_for(world.alice.id) == PER_USER)
    await until(lambda: caps.open_for(world.alice.id) == 0)
