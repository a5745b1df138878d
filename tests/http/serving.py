"""A real uvicorn, configured as `occupi serve` configures it, and raw socket clients
for the requests no well-behaved client library sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.applications import Starlette

from gateway import cli
from gateway.http.server import CONFIG_ATTRIBUTE
from gateway.settings import Settings

TIMEOUT = 5.0
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"


@dataclass(frozen=True)
class Served:
    host: str
    port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


@asynccontextmanager
async def served(app: Starlette, settings: Settings) -> AsyncIterator[Served]:
    """`app` behind uvicorn with `occupi serve`'s protocols and limits, on a free port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="critical",
        proxy_headers=False,
        **cli._connection_limits(settings),
    )
    setattr(config, CONFIG_ATTRIBUTE, settings.http)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(int(TIMEOUT / 0.01)):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Served("127.0.0.1", port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, TIMEOUT)


async def exchange(served: Served, request: bytes) -> bytes:
    """Sends `request` on a new connection and reads until the server closes it (at
    most TIMEOUT seconds, else TimeoutError). A request may stop short of the body it
    declares: the answer must come anyway, without the rest."""
    reader, writer = await asyncio.open_connection(served.host, served.port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(_read_to_end(reader), TIMEOUT)
    finally:
        writer.close()


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    try:
        while chunk := await reader.read(65536):
            chunks.append(chunk)
    except ConnectionError:
        pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    line = answer.split(b"\r\n", 1)[0]
    assert line.startswith(b"HTTP/1.1 "), answer[:200]
    return int(line.split()[1])


def body_of(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


async def healthy(served: Served) -> None:
    """Another client is answered, within the bound, while the hostile one is there."""
    async with httpx.AsyncClient(base_url=served.base, timeout=TIMEOUT) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
