"""Gateway processes as a user starts them: `occupi serve [--workers N]`, pinned."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procstat import command_line, descendants

READY_SECONDS = 60
STOP_SECONDS = 20


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    workers: int

    def serving_pids(self) -> list[int]:
        """The processes that answer requests: the one process, or uvicorn's workers."""
        if self.workers == 1:
            return [self.pid]
        return [
            pid
            for pid in descendants(self.pid)
            if "multiprocessing" in (line := command_line(pid)) and "resource_tracker" not in line
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def post_graphql(url: str, token: str, body: Mapping[str, Any]) -> Any:
    """One request from this process, for checks outside the measurement."""
    request = urllib.request.Request(  # noqa: S310 - a loopback http:// URL we built
        f"{url}/graphql",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - see above
        return json.load(answer)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def serving(env: Mapping[str, str], workers: int, cpus: str, log: Path) -> Iterator[Server]:
    """Start the gateway on a free loopback port, yield it once it answers, then stop it."""
    port = free_port()
    command = ["taskset", "--cpu-list", cpus, sys.executable, "-m", "gateway.cli", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, env=dict(env), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(f"http://127.0.0.1:{port}", process.pid, workers)
    try:
        _wait_until_ready(server, process, log)
        yield server
    finally:
        stop(process)


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: the gateway exited early:\n{log.read_text()}")
        if healthy(server.url) and len(server.serving_pids()) == server.workers:
            return
        time.sleep(0.2)
    raise SystemExit(f"bench: the gateway did not come up in {READY_SECONDS} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn stops its workers too), then SIGKILL to the group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_SECONDS)
    # Whatever uvicorn left behind in the group the server was started in.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
