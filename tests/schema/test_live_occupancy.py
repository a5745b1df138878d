"""liveOccupancy over real WebSockets (uvicorn): 50 subscribers on one location, one of
which never reads; one upstream subscription and one computation per change; coalesced
bursts; both protocols; user and API tokens in connection_init."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from domain.api_tokens import TokenScope
from domain.locations import LocationKind
from gateway.app import Gateway
from gateway.schema.shared_live import SharedLive
from gateway.services.authz import Principal
from gateway.services.events import occupancy_topic
from gateway.settings import Settings
from tests.schema.test_subscriptions import TIMEOUT, receive, send, serving, until
from tests.support.clock import MutableClock
from tests.support.world import World

TRANSPORT_WS = Subprotocol("graphql-transport-ws")
LEGACY_WS = Subprotocol("graphql-ws")
LIVE = """
subscription Live($id: ID!) {
  liveOccupancy(locationId: $id) { number count percentage isActive childCounts { name count } }
}
"""


@pytest.fixture
def coalesce() -> timedelta:
    return timedelta(0)


@pytest.fixture
def recheck() -> timedelta:
    return Settings.live_recheck


@pytest.fixture
def settings(settings: Settings, coalesce: timedelta, recheck: timedelta) -> Settings:
    return replace(settings, live_coalesce=coalesce, live_recheck=recheck)


@pytest.fixture
async def host(app: Starlette, world: World) -> AsyncIterator[str]:
    async with serving(app) as where:
        yield where


@pytest.fixture
async def http(host: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=TIMEOUT) as client:
        yield client


@pytest.fixture
async def lobby(world: World) -> int:
    admin = Principal(actor=world.admin.as_actor())
    zone = await world.gateway.app.directory.add_location(
        admin, kind=LocationKind.ZONE, name="Lobby", parent_id=world.floor_id, capacity=200
    )
    return zone.id


async def api_token(world: World, scope: TokenScope, location: int | None = None) -> str:
    admin = Principal(actor=world.admin.as_actor())
    issued = await world.gateway.app.api_tokens.create(
        admin, name="t", location_id=location, scopes=frozenset({scope})
    )
    return issued.secret


@asynccontextmanager
async def subscriber(
    host: str, credential: str, location: int, *, protocol: Subprotocol = TRANSPORT_WS, **ws: Any
) -> AsyncIterator[ClientConnection]:
    async with connect(f"ws://{host}/graphql", subprotocols=[protocol], **ws) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {credential}"}}
        await send(socket, init)
        assert (await receive(socket))["type"] == "connection_ack"
        kind = "subscribe" if protocol == TRANSPORT_WS else "start"
        payload = {"query": LIVE, "variables": {"id": str(location)}}
        await send(socket, {"id": "live", "type": kind, "payload": payload})
        yield socket


async def pushed(socket: ClientConnection) -> dict[str, Any]:
    message = await receive(socket)
    assert message["type"] in ("next", "data"), message
    data: dict[str, Any] = message["payload"]["data"]["liveOccupancy"]
    return data


async def ingest(
    http: httpx.AsyncClient, sensor: str, location: int, clock: MutableClock, count: int
) -> None:
    body = [{"locationId": location, "time": clock.now().isoformat(), "count": count}]
    response = await http.post(
        "/ingest/readings", json=body, headers={"Authorization": f"Bearer {sensor}"}
    )
    assert response.status_code == 200
    assert response.json()["accepted"] == 1


async def test_fifty_subscribers_get_every_change_and_one_that_never_reads_holds_nobody(
    host: str,
    http: httpx.AsyncClient,
    app: Starlette,
    gateway: Gateway,
    world: World,
    lobby: int,
    tokens: dict[str, str],
    clock: MutableClock,
) -> None:
    sensor = await api_token(world, TokenScope.INGEST)
    reader = await api_token(world, TokenScope.READ, world.floor_id)
    live = gateway.app.live_occupancy
    async with AsyncExitStack() as stack:
        # The one that never reads: the smallest receive queue, and nobody calls recv.
        await stack.enter_async_context(subscriber(host, reader, lobby, max_queue=1))
        readers = [
            await stack.enter_async_context(
                subscriber(host, tokens["alice"] if n % 2 else reader, lobby)
            )
            for n in range(49)
        ]
        firsts = await asyncio.gather(*(pushed(s) for s in readers))
        assert {f["count"] for f in firsts} == {0}
        assert gateway.broker.subscriber_count(occupancy_topic(lobby)) == 1
        assert live.channel_count() == 1
        # People and tokens alike: one execution of the one selection for all fifty.
        shared: SharedLive = app.state.shared_live
        assert (shared.executions(), shared.subscribers()) == (1, 50)
        for step in range(1, 6):
            clock.advance(timedelta(seconds=1))
            await ingest(http, sensor, lobby, clock, step * 10)
            got = await asyncio.gather(*(pushed(s) for s in readers))
            assert {g["count"] for g in got} == {step * 10}
            assert {g["percentage"] for g in got} == {step * 10 / 200}
        # One computation per change for all fifty, not one per subscriber.
        assert live.updates(lobby) == 5
    await until(lambda: live.channel_count() == 0)
    assert gateway.broker.subscriber_count(occupancy_topic(lobby)) == 0
    assert shared.executions() == 0


@pytest.mark.parametrize("coalesce", [timedelta(seconds=60)])
async def test_a_burst_is_coalesced_into_one_push(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    world: World,
    lobby: int,
    clock: MutableClock,
) -> None:
    sensor = await api_token(world, TokenScope.INGEST)
    reader = await api_token(world, TokenScope.READ)
    async with subscriber(host, reader, lobby) as socket:
        assert (await pushed(socket))["count"] == 0
        await ingest(http, sensor, lobby, clock, 7)
        assert (await pushed(socket))["count"] == 7
        for count in (8, 9, 10):
            clock.advance(timedelta(seconds=1))
            await ingest(http, sensor, lobby, clock, count)
        # The channel is sleeping out its interval: the burst is one pending update.
        assert gateway.app.live_occupancy.updates(lobby) == 1


async def test_the_legacy_protocol_and_a_parent_with_child_counts(
    host: str, http: httpx.AsyncClient, world: World, lobby: int, clock: MutableClock
) -> None:
    sensor = await api_token(world, TokenScope.INGEST)
    reader = await api_token(world, TokenScope.READ)
    async with subscriber(host, reader, world.floor_id, protocol=LEGACY_WS) as socket:
        first = await pushed(socket)
        assert first["number"] == world.floor_id
        await ingest(http, sensor, lobby, clock, 12)
        floor = await pushed(socket)
        assert floor["count"] == 12
        assert {"name": "Lobby", "count": 12} in floor["childCounts"]


async def test_tokens_out_of_scope_or_without_read_are_refused(
    host: str, world: World, lobby: int
) -> None:
    elsewhere = await api_token(world, TokenScope.READ, world.site_id)
    admin = Principal(actor=world.admin.as_actor())
    other_site = await world.gateway.app.directory.add_location(
        admin, kind=LocationKind.SITE, name="Other", time_zone="UTC"
    )
    scoped = await api_token(world, TokenScope.READ, other_site.id)
    sensor = await api_token(world, TokenScope.INGEST)
    for credential, message in [
        (scoped, f"location {lobby} is not accessible with this token"),
        (sensor, "this needs an API token with read"),
    ]:
        async with subscriber(host, credential, lobby) as socket:
            answer = await receive(socket)
            assert answer["type"] == "next"
            assert answer["payload"]["data"] is None
            [error] = answer["payload"]["errors"]
            assert (error["message"], error["extensions"]["code"]) == (message, "UNAUTHENTICATED")
    async with subscriber(host, elsewhere, lobby) as socket:
        assert (await pushed(socket))["count"] == 0


OTHER_SELECTION = "subscription S($id: ID!) { liveOccupancy(locationId: $id) { count } }"


async def test_distinct_selections_run_apart(
    host: str, app: Starlette, world: World, lobby: int, tokens: dict[str, str]
) -> None:
    shared: SharedLive = app.state.shared_live
    async with subscriber(host, tokens["alice"], lobby) as first:
        await pushed(first)
        async with connect(f"ws://{host}/graphql", subprotocols=[TRANSPORT_WS]) as second:
            init = {"Authorization": f"Bearer {tokens['bob']}"}
            await send(second, {"type": "connection_init", "payload": init})
            assert (await receive(second))["type"] == "connection_ack"
            payload = {"query": OTHER_SELECTION, "variables": {"id": str(lobby)}}
            await send(second, {"id": "s", "type": "subscribe", "payload": payload})
            assert (await pushed(second)) == {"count": 0}
            assert shared.executions() == 2


@pytest.mark.parametrize("recheck", [timedelta(0)])
async def test_a_revoked_token_ends_its_shared_subscription(
    host: str, world: World, lobby: int, tokens: dict[str, str]
) -> None:
    admin = Principal(actor=world.admin.as_actor())
    issued = await world.gateway.app.api_tokens.create(
        admin, name="screen", location_id=None, scopes=frozenset({TokenScope.READ})
    )
    async with (
        subscriber(host, tokens["alice"], lobby) as person,
        subscriber(host, issued.secret, lobby) as screen,
    ):
        assert (await pushed(person))["count"] == 0
        assert (await pushed(screen))["count"] == 0
        await world.gateway.app.api_tokens.revoke(admin, issued.token.id)
        ended = await receive(screen)
        assert ended["payload"]["errors"][0]["message"] == "the API token was revoked"
        assert (await receive(screen))["type"] == "complete"
