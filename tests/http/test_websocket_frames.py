"""Malformed and idle WebSocket clients over a real socket (uvicorn as `occupi serve`
runs it): graphql-transport-ws closes with 4400 and a reason for frames it cannot act
on, graphql-ws answers them with an `error` message instead of a masked INTERNAL, both
close sockets that never send `connection_init` (4408) or sit idle (1001), and another
client is served meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.schema.ws import BAD_FRAME, BAD_START, BAD_SUBSCRIBE
from gateway.settings import Settings
from tests.http.serving import Served, healthy, served
from tests.support.world import room_gid

TIMEOUT = 5.0
TRANSPORT = Subprotocol("graphql-transport-ws")
LEGACY = Subprotocol("graphql-ws")
HELLO = {"query": "subscription { __typename }"}
BOOKING_CHANGED = "subscription($room: ID!) { bookingChanged(roomId: $room) { change } }"


@pytest.fixture
async def server(app: Starlette, settings: Settings) -> AsyncIterator[Served]:
    async with served(app, settings) as found:
        yield found


@asynccontextmanager
async def opened(server: Served, protocol: Subprotocol) -> AsyncIterator[ClientConnection]:
    async with connect(f"ws://{server.host}:{server.port}/graphql", subprotocols=[protocol]) as ws:
        assert ws.subprotocol == protocol
        yield ws


async def initialised(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)) == {"type": "connection_ack"}


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """The close frame the server sent (not a dropped connection: that has no frame)."""
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(_drain(ws), TIMEOUT)
    frame = closed.value.rcvd
    assert frame is not None, "the connection dropped without a close frame"
    return frame.code, frame.reason


async def _drain(ws: ClientConnection) -> None:
    while True:
        await ws.recv()


async def still_served(server: Served) -> None:
    await healthy(server)
    async with opened(server, TRANSPORT) as other:
        await initialised(other)


MALFORMED = {
    "null": BAD_FRAME,
    "[1,2]": BAD_FRAME,
    '"start"': BAD_FRAME,
    '{"type": 7}': BAD_FRAME,
    "[" * 50_000 + "]" * 50_000: "WebSocket message must be valid JSON",
    '{"type": "subscribe", "id": "1", "payload": null}': BAD_SUBSCRIBE,
    '{"type": "subscribe", "id": 1, "payload": {"query": "{ __typename }"}}': BAD_SUBSCRIBE,
    '{"type": "subscribe", "id": "1", "payload": {"query": 5}}': BAD_SUBSCRIBE,
    '{"type": "subscribe", "id": "1", "payload": {"query": "", "variables": []}}': BAD_SUBSCRIBE,
}


async def test_a_malformed_transport_ws_frame_closes_with_4400(server: Served) -> None:
    """The finding: `null`, `[1,2]`, 50,000-deep JSON and `subscribe` with a null
    payload dropped the connection without a close frame. Each on a socket of its own."""
    for frame, reason in MALFORMED.items():
        async with opened(server, TRANSPORT) as ws:
            await initialised(ws)
            await ws.send(frame)
            assert await closed_with(ws) == (4400, reason), frame[:80]
        await still_served(server)


async def test_a_legacy_start_without_id_or_payload_is_an_error_message(server: Served) -> None:
    async with opened(server, LEGACY) as ws:
        await initialised(ws)
        await ws.send(json.dumps({"type": "start"}))
        error = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert error == {"type": "error", "payload": {"message": "`start` needs a string `id`"}}
        await ws.send(json.dumps({"type": "start", "id": "1", "payload": None}))
        error = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert error == {"type": "error", "id": "1", "payload": {"message": BAD_START}}
        await ws.send("null")
        error = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert error == {"type": "error", "payload": {"message": BAD_FRAME}}
        # The socket is still good for a well-formed operation.
        await ws.send(json.dumps({"type": "start", "id": "2", "payload": HELLO}))
        data = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert data["type"] in ("data", "error", "complete"), data
        assert data.get("id") == "2"
    await still_served(server)


class TestShortDeadlines:
    """OCCUPI_WS_INIT_SECONDS=1 and OCCUPI_WS_IDLE_SECONDS=1."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        limits = dataclasses.replace(settings.http, ws_init_seconds=1, ws_idle_seconds=1)
        return dataclasses.replace(settings, http=limits)

    @pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
    async def test_a_socket_that_never_initialises_is_closed_with_4408(
        self, server: Served, protocol: Subprotocol
    ) -> None:
        async with opened(server, protocol) as ws:
            assert await closed_with(ws) == (4408, "Connection initialisation timeout")
        await healthy(server)

    @pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
    async def test_an_idle_socket_is_closed_with_1001(
        self, server: Served, protocol: Subprotocol
    ) -> None:
        async with opened(server, protocol) as ws:
            await initialised(ws)
            assert await closed_with(ws) == (1001, "idle for 1 s")
        await healthy(server)


class TestIdleWithARunningSubscription:
    """OCCUPI_WS_IDLE_SECONDS=1: a subscriber that only listens is not idle."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(
            settings, http=dataclasses.replace(settings.http, ws_idle_seconds=1)
        )

    async def test_a_socket_with_a_running_subscription_stays_open(
        self, server: Served, tokens: dict[str, str]
    ) -> None:
        url = f"ws://{server.host}:{server.port}/graphql"
        headers = {"Authorization": f"Bearer {tokens['alice']}"}
        async with connect(url, subprotocols=[TRANSPORT], additional_headers=headers) as ws:
            await initialised(ws)
            subscribe = {"query": BOOKING_CHANGED, "variables": {"room": room_gid("RM000")}}
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": subscribe}))
            await asyncio.sleep(2.5)  # past the idle time, twice over
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)) == {"type": "pong"}
