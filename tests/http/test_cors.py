"""CORS and WebSocket origins from OCCUPI_CORS_ORIGINS: by default none, so browsers on
other origins get no CORS grant and their WebSocket handshakes are refused with 403;
the origins configured get both."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from gateway.settings import Settings
from tests.http.serving import Served, healthy, served

APP_ORIGIN = "https://app.example.com"
FOREIGN = "https://evil.example"
PROTOCOL = Subprotocol("graphql-transport-ws")
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


async def preflight(app: Starlette, origin: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.options("/graphql", headers={"Origin": origin, **PREFLIGHT})


async def cross_origin_query(app: Starlette, origin: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": origin}
        )


async def handshake(server: Served, origin: str) -> None:
    url = f"ws://{server.host}:{server.port}/graphql"
    async with connect(url, subprotocols=[PROTOCOL], origin=Origin(origin)) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}


@pytest.fixture
async def server(app: Starlette, settings: Settings) -> AsyncIterator[Served]:
    async with served(app, settings) as found:
        yield found


async def test_by_default_no_origin_gets_a_cors_grant(app: Starlette) -> None:
    response = await cross_origin_query(app, APP_ORIGIN)
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in (await preflight(app, APP_ORIGIN)).headers


async def test_by_default_a_foreign_websocket_handshake_is_refused_with_403(
    server: Served,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await handshake(server, FOREIGN)
    assert refused.value.response.status_code == 403
    await handshake(server, f"http://{server.host}:{server.port}")  # its own origin
    await healthy(server)


class TestWithAnAppOrigin:
    """OCCUPI_CORS_ORIGINS=https://app.example.com"""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        limits = dataclasses.replace(settings.http, cors_origins=(APP_ORIGIN,))
        return dataclasses.replace(settings, http=limits)

    async def test_the_origin_gets_a_cors_grant(self, app: Starlette) -> None:
        allowed = await preflight(app, APP_ORIGIN)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "POST" in allowed.headers["access-control-allow-methods"]
        query = await cross_origin_query(app, APP_ORIGIN)
        assert query.json() == {"data": {"__typename": "Query"}}
        assert query.headers["access-control-allow-origin"] == APP_ORIGIN

    async def test_other_origins_still_get_none(self, app: Starlette) -> None:
        refused = await preflight(app, FOREIGN)
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
        assert "access-control-allow-origin" not in (await cross_origin_query(app, FOREIGN)).headers

    async def test_its_websocket_handshakes_are_accepted(self, server: Served) -> None:
        await handshake(server, APP_ORIGIN)
        with pytest.raises(InvalidStatus) as refused:
            await handshake(server, FOREIGN)
        assert refused.value.response.status_code == 403
