"""The client address through the real app: forwarding headers are believed only from
the trusted proxies of OCCUPI_TRUSTED_PROXIES, over HTTP and over a real WebSocket, and
sign-in throttling counts failures against the address they resolve to."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from domain.addresses import parse_networks
from gateway import cli
from gateway.settings import Settings
from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import PASSWORD, World

PROXY = "10.0.0.2"
CLIENT = "198.51.100.7"
OTHER = "203.0.113.9"
ADDRESS = "{ addressInfo { address } }"
LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { token errors { code message } } }
"""
Via = Callable[[str], AbstractAsyncContextManager[GraphQLClient]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with the proxies in 10/8 trusted, and the loopback address, from
    which the WebSocket test's uvicorn sees its client."""
    return dataclasses.replace(settings, trusted_proxies=parse_networks("10.0.0.0/8, 127.0.0.1"))


@pytest.fixture
def via(app: Starlette) -> Via:
    """A client whose requests reach the app from the peer address given."""

    @asynccontextmanager
    async def client_from(peer: str) -> AsyncIterator[GraphQLClient]:
        transport = httpx.ASGITransport(app=app, client=(peer, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http)

    return client_from


async def seen_as(client: GraphQLClient, token: str, headers: dict[str, str]) -> str:
    data = await client.data(ADDRESS, token=token, headers=headers)
    address: str = data["addressInfo"]["address"]
    return address


async def test_a_trusted_proxy_forwards_the_client_address(
    via: Via, tokens: dict[str, str]
) -> None:
    admin = tokens["admin"]
    async with via(PROXY) as proxy:
        assert await seen_as(proxy, admin, {"X-Forwarded-For": CLIENT}) == CLIENT
        assert (
            await seen_as(proxy, admin, {"X-Forwarded-For": f"{OTHER}, {CLIENT}, 10.9.9.9"})
            == CLIENT
        )
        assert (
            await seen_as(proxy, admin, {"Forwarded": f'for="{CLIENT}:80";proto=https'}) == CLIENT
        )
        both = {"X-Forwarded-For": CLIENT, "Forwarded": f"for={CLIENT}"}
        assert await seen_as(proxy, admin, both) == CLIENT
        assert await seen_as(proxy, admin, {}) == PROXY


async def test_malformed_or_disagreeing_headers_leave_the_proxy_as_the_client(
    via: Via, tokens: dict[str, str]
) -> None:
    admin = tokens["admin"]
    async with via(PROXY) as proxy:
        assert await seen_as(proxy, admin, {"X-Forwarded-For": "not-an-address"}) == PROXY
        assert await seen_as(proxy, admin, {"X-Forwarded-For": f"{CLIENT},"}) == PROXY
        assert await seen_as(proxy, admin, {"Forwarded": "proto=https"}) == PROXY
        forged = {"X-Forwarded-For": CLIENT, "Forwarded": f"for={OTHER}"}
        assert await seen_as(proxy, admin, forged) == PROXY


async def test_an_untrusted_peers_headers_are_ignored(via: Via, tokens: dict[str, str]) -> None:
    forged = {"X-Forwarded-For": PROXY, "Forwarded": f"for={PROXY}"}
    async with via(CLIENT) as direct:
        assert await seen_as(direct, tokens["admin"], forged) == CLIENT
    async with via(f"::ffff:{CLIENT}") as mapped:
        assert await seen_as(mapped, tokens["admin"], {}) == CLIENT


async def test_sign_in_throttling_counts_the_forwarded_client(via: Via, world: World) -> None:
    """Twenty failures from one client behind the proxy hold that client back, and not
    the others behind the same proxy."""
    wrong = [
        {"input": {"email": f"nobody{n}@example.com", "password": "Wrong-1a!"}} for n in range(20)
    ]
    right = {"input": {"email": world.alice.email, "password": PASSWORD}}
    async with via(PROXY) as proxy:
        for variables in wrong:
            await proxy.data(LOGIN, variables, headers={"X-Forwarded-For": CLIENT})
        held = (await proxy.data(LOGIN, right, headers={"X-Forwarded-For": CLIENT}))["login"]
        assert [e["code"] for e in held["errors"]] == ["RATE_LIMITED"]
        other = (await proxy.data(LOGIN, right, headers={"X-Forwarded-For": OTHER}))["login"]
        assert other["errors"] == []
        assert other["token"]


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """uvicorn configured as `occupi serve` configures it (see the test below)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 5)


async def test_a_websocket_from_a_trusted_proxy_sees_the_forwarded_client(
    app: Starlette, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['admin']}", "X-Forwarded-For": CLIENT}
    protocol = Subprotocol("graphql-transport-ws")
    async with (
        serving(app) as host,
        connect(f"ws://{host}/graphql", subprotocols=[protocol], additional_headers=headers) as ws,
    ):
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ADDRESS}}))
        answer: JSON = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert answer == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"addressInfo": {"address": CLIENT}}},
    }


def test_occupi_serve_leaves_forwarding_headers_to_the_gateway(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1 on its own."""
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_, **kwargs: runs.append(kwargs))
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_BROKER_URL", "redis://127.0.0.1:1")
    assert cli.main(["serve"]) == 0
    assert cli.main(["serve", "--workers", "2"]) == 0
    assert [run["proxy_headers"] for run in runs] == [False, False]
