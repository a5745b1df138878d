"""The limits in the real `occupi serve` process, configured from OCCUPI_* settings
alone: its protocols answer an oversized WebSocket handshake (431), a slow head (408)
and an oversized body (413), and it keeps answering other clients."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.http.serving import Served, exchange, healthy, status_of

HANDSHAKE = (
    b"GET /graphql HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[Served]:
    """`occupi serve` on a copy of the migrated test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env |= {
        "OCCUPI_DATA_DIR": str(tmp_path / "var"),
        "OCCUPI_DATABASE_URL": database_url,
        "OCCUPI_HEADER_READ_SECONDS": "1",
        "OCCUPI_MAX_BODY_BYTES": "4096",
        "OCCUPI_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "gateway.cli"]
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [*command, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None, "occupi serve exited"
        yield Served("127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_occupi_serve_answers_each_refusal_and_keeps_serving(server: Served) -> None:
    async def probe() -> list[int]:
        answers = await asyncio.gather(
            exchange(server, HANDSHAKE + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n"),
            exchange(server, b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: "),
            exchange(
                server,
                b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                b"Content-Length: 50000000\r\n\r\n{",
            ),
            healthy(server),
        )
        await healthy(server)
        return [status_of(answer) for answer in answers[:3]]

    assert asyncio.run(probe()) == [431, 408, 413]
