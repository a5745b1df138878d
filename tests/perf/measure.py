"""Milliseconds per request of each benchmark document, in process: the real app over
httpx's ASGI transport on a migrated, seeded SQLite file (tests/perf/dataset.py), one
request at a time. With --profile NAME, the top functions of that scenario (cProfile).

    .venv/bin/python -m tests.perf.measure [--runs 200] [--profile NESTED]

This is the quick loop behind the profile in docs/benchmarks.md, not the benchmark
(bench/): no HTTP server, no network, no concurrency; what it shows is the server's own
time per request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from bench import queries
from gateway.app import create_app
from gateway.auth.passwords import Argon2Hasher
from gateway.migrate import upgrade
from gateway.settings import Settings
from tests.perf.dataset import PerfData, seed
from tests.perf.test_statement_counts import CALLER, documents
from tests.support.clock import MutableClock
from tests.support.world import build_world

SECRET = "profile-secret-that-is-long-enough-for-hs256-0123456789"


async def _measure(directory: Path, runs: int, profiled: str | None) -> None:
    url = f"sqlite+aiosqlite:///{directory / 'occupi.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(data_dir=directory, database_url=url, jwt_secret=SECRET)
    # One caller sending hundreds of writes a second is the measurement, not abuse.
    settings = replace(
        settings,
        rate_writes_per_minute=0,
        rate_address_writes_per_minute=0,
        rate_ingest_per_minute=0,
    )
    hasher = Argon2Hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app(settings, clock=MutableClock(), hasher=hasher)
    gateway = app.state.gateway
    try:
        data = await seed(await build_world(gateway))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://perf") as http:
            for name, document in documents().items():
                await _scenario(http, data, name, document, runs, profiled == name)
    finally:
        await gateway.pushes.stop()
        await gateway.broker.stop()
        await gateway.db.dispose()


async def _scenario(
    http: httpx.AsyncClient, data: PerfData, name: str, document: str, runs: int, profile: bool
) -> None:
    caller = CALLER.get(name, "alice")
    headers = {"Authorization": f"Bearer {data.tokens[caller]}"} if caller else {}

    async def once() -> float:
        body = {"query": document, "variables": data.variables(name)}
        started = time.perf_counter()
        response = await http.post("/graphql", json=body, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text
        return elapsed

    for _ in range(min(runs, 20)):  # warm the caches and the connection pool
        await once()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    cpu = time.process_time()
    times = [await once() for _ in range(runs)]
    cpu = (time.process_time() - cpu) / runs
    if profiler:
        profiler.disable()
    median, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    sys.stdout.write(
        f"{name:<11} median {median * 1000:6.2f} ms   p90 {p90 * 1000:6.2f} ms"
        f"   cpu {cpu * 1000:6.2f} ms/request\n"
    )
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", choices=sorted(queries.__dict__), default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(_measure(Path(directory), args.runs, args.profile))


if __name__ == "__main__":
    main()
