"""A throwaway redis-server for the live tests, and small helpers to look inside one."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.asyncio import Redis

from gateway.live.redis_broker import RedisBroker
from gateway.services.events import Event

REDIS_SERVER = shutil.which("redis-server")
# Starts a broker (a "gateway process") on a URL; the `brokers` fixture stops them all.
BrokerFactory = Callable[[str], Awaitable[RedisBroker]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server on 127.0.0.1 with nothing on disk, which a test may kill and start
    again on the same port."""

    def __init__(self, binary: str, directory: Path) -> None:
        self._binary = binary
        self._directory = directory
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        arguments = [self._binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        arguments += ["--save", "", "--appendonly", "no", "--dir", str(self._directory)]
        with (self._directory / "redis.log").open("ab") as output:
            self._process = subprocess.Popen(  # noqa: S603  (fixed arguments of our own)
                arguments, stdout=output, stderr=subprocess.STDOUT
            )
        self._wait_until_ready()

    def kill(self) -> None:
        """Stop at once, as a crash would: clients see their connections drop."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def pause(self) -> None:
        """Freeze the server: it still accepts connections, but answers nothing."""
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self.resume()
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self._process = None

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 10
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            while True:
                assert self._process is not None
                if self._process.poll() is not None:
                    log = (self._directory / "redis.log").read_text(errors="replace")
                    raise RuntimeError(f"redis-server exited early:\n{log}")
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.05)
        finally:
            client.close()


@contextmanager
def running_server(binary: str, directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(binary, directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def upstream_subscriptions(url: str, channel: str) -> int:
    """PUBSUB NUMSUB, asked from a client of its own: the connections subscribed."""
    async with Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
        ((_, count),) = await client.pubsub_numsub(channel)
        found: int = count
        return found


async def eventually(check: Callable[[], object], seconds: float = 5) -> None:
    """Poll until `check()` is truthy (an awaitable result is awaited), bounded."""
    async with asyncio.timeout(seconds):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)


async def next_event(queue: asyncio.Queue[Event], seconds: float = 5) -> Event:
    async with asyncio.timeout(seconds):
        return await queue.get()
