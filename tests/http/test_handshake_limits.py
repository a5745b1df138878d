"""Request heads over a real socket, served as `occupi serve` serves them: a WebSocket
handshake with a header line over 8 KiB gets an HTTP 431 answer and a close at once
(uvicorn 0.54 logged 431 and answered nothing, leaving the socket open); an HTTP head
over OCCUPI_MAX_HEADER_BYTES is a 431, a target that long a 414; a head or a body that
trickles in is cut off with 408 after its deadline; other clients are served meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from gateway.settings import Settings
from tests.http.serving import Served, body_of, exchange, healthy, served, status_of

HANDSHAKE = (
    b"GET /graphql HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    limits = dataclasses.replace(settings.http, header_read_seconds=1, body_read_seconds=1)
    return dataclasses.replace(settings, http=limits)


@pytest.fixture
async def server(app: Starlette, settings: Settings) -> AsyncIterator[Served]:
    async with served(app, settings) as found:
        yield found


async def test_a_websocket_handshake_with_a_9_kib_header_gets_431_and_a_close(
    server: Served,
) -> None:
    big = HANDSHAKE + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n"
    answer, _ = await asyncio.gather(exchange(server, big), healthy(server))
    assert status_of(answer) == 431
    assert body_of(answer).startswith(b"Failed to open a WebSocket connection: read 9009 bytes")


async def test_a_websocket_handshake_within_the_limits_is_accepted(server: Served) -> None:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(HANDSHAKE + b"X-Small: " + b"a" * 4000 + b"\r\n\r\n")
    line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert line.startswith(b"HTTP/1.1 101 "), line


async def test_http_headers_over_the_limit_get_431(server: Served, settings: Settings) -> None:
    limit = settings.http.max_header_bytes
    headers = b"".join(b"X-Fill-%d: %s\r\n" % (n, b"a" * 1000) for n in range(limit // 1000 + 1))
    request = b"GET /healthz HTTP/1.1\r\nHost: test\r\n" + headers + b"\r\n"
    answer, _ = await asyncio.gather(exchange(server, request), healthy(server))
    assert status_of(answer) == 431
    assert json.loads(body_of(answer)) == {
        "message": f"the request headers are larger than {limit} bytes"
    }


async def test_a_target_over_the_limit_gets_414(server: Served, settings: Settings) -> None:
    limit = settings.http.max_header_bytes
    request = b"GET /healthz?" + b"a" * limit + b" HTTP/1.1\r\nHost: test\r\n\r\n"
    answer = await exchange(server, request)
    assert status_of(answer) == 414
    assert json.loads(body_of(answer)) == {
        "message": f"the request target is longer than {limit} bytes"
    }


async def test_a_head_that_trickles_in_is_cut_off_with_408(server: Served) -> None:
    """Slowloris: a head never finished holds no slot past OCCUPI_HEADER_READ_SECONDS."""
    answer, _ = await asyncio.gather(
        exchange(server, b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: "), healthy(server)
    )
    assert status_of(answer) == 408
    assert json.loads(body_of(answer)) == {
        "message": "the request headers did not arrive within 1 s"
    }


async def test_a_silent_connection_is_cut_off_with_408(server: Served) -> None:
    assert status_of(await exchange(server, b"")) == 408


async def test_a_body_that_trickles_in_is_cut_off_with_408(server: Served) -> None:
    request = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    answer, _ = await asyncio.gather(exchange(server, request), healthy(server))
    assert status_of(answer) == 408
    error = json.loads(body_of(answer))["errors"][0]
    assert error == {
        "message": "the request body did not arrive within 1 s",
        "extensions": {"code": "REQUEST_TIMEOUT"},
    }


async def test_keep_alive_connections_serve_several_requests(server: Served) -> None:
    """The head deadline restarts with each request on a kept-alive connection."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        for _ in range(3):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200 "), head
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
    finally:
        writer.close()


async def test_an_ingest_body_that_trickles_in_reads_as_ended_early(
    server: Served, tokens: dict[str, str]
) -> None:
    """Routes with their own body limit keep it, and get the read deadline too."""
    request = (
        b"POST /ingest/readings HTTP/1.1\r\nHost: test\r\n"
        b"Authorization: Bearer %s\r\nContent-Length: 100\r\n\r\n[" % tokens["admin"].encode()
    )
    answer = await exchange(server, request)
    assert status_of(answer) == 400
    assert json.loads(body_of(answer))["error"] == {
        "code": "INVALID_INPUT",
        "message": "the request ended before its body did",
        "field": "body",
    }
