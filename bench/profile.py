"""Where one scenario's time goes on the suite's dataset: `python -m bench.profile NAME
[--quick] [--requests N]`. Builds the dataset as the suite does (bench.bulk), serves the
real app in this process over httpx's ASGI transport (no HTTP server, no network),
sends N of the scenario's requests one at a time under cProfile, and prints the time by
package and the top functions by their own time.

The suite (`python -m bench`) measures the served process under wrk; this shows what
its slowest scenarios spend their time on.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.bulk import BenchData, build
from bench.scale import FULL, QUICK
from bench.scenarios import Request, Tokens, read_requests
from bench.suite_io import server_env
from gateway.app import create_app
from gateway.settings import Settings

SCENARIOS = ("me", "room", "nested", "upcoming", "slots", "free-rooms", "history", "rest-rooms")


async def _profile(data: BenchData, work: Path, name: str, count: int) -> pstats.Stats:
    secret = secrets.token_urlsafe(48)
    app = create_app(Settings.from_env(server_env(data, secret, work)))
    now = datetime.now(UTC)
    plan = read_requests(name, data, Tokens(secret, now, data), now)
    profiler = cProfile.Profile()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for index in range(count + 5):  # the first five warm the caches, unprofiled
                if index == 5:
                    profiler.enable()
                await _send(http, plan[index % len(plan)])
            profiler.disable()
    finally:
        await app.state.gateway.db.dispose()
    return pstats.Stats(profiler)


async def _send(http: httpx.AsyncClient, request: Request) -> None:
    headers = {"Authorization": f"Bearer {request.token}"} if request.token else {}
    if request.method == "GET":
        response = await http.get(request.path, headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        response = await http.post(request.path, content=request.body, headers=headers)
    if response.status_code != 200 or b'"errors"' in response.content:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:300]}")


def by_package(stats: pstats.Stats, count: int) -> list[str]:
    """Own time per request, summed by where the functions live."""
    totals: collections.Counter[str] = collections.Counter()
    for (path, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if "site-packages/" in path:
            where = path.split("site-packages/")[1].split("/")[0]
        elif "/gateway/" in path or "/domain/" in path or "/rest_compat/" in path:
            where = path[path.rindex("/", 0, path.rindex("/")) + 1 : path.rindex("/")]
        elif path == "~":
            where = f"built-in {function}"
        else:
            where = "python: " + Path(path).name
        totals[where] += own
    whole = sum(totals.values())
    return [
        f"{share / whole:6.1%} {share / count * 1000:8.2f} ms/request  {where}"
        for where, share in totals.most_common(12)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", choices=SCENARIOS)
    parser.add_argument("--quick", action="store_true", help="the quick run's dataset")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="occupi-profile-"))
    try:
        started = time.monotonic()
        data = build(
            f"sqlite+aiosqlite:///{work / 'bench.db'}",
            QUICK if args.quick else FULL,
            now=datetime.now(UTC),
        )
        print(f"dataset built in {time.monotonic() - started:.0f} s", file=sys.stderr)
        stats = asyncio.run(_profile(data, work, args.name, args.requests))
        print(f"## {args.name}: {args.requests} requests, one at a time\n")
        print("\n".join(by_package(stats, args.requests)))
        print()
        stats.stream = sys.stdout  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(20)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
