"""The suite's dealings with the outside: its servers' processes and HTTP, the database
file's counts, and what the report says of the machine's pinning and the dataset."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine

from bench.bulk import BenchData
from bench.counting import STATEMENTS_PATH
from bench.scenarios import Request
from bench.servers import free_port, healthy, stop

SERVER_CPUS, LOADGEN_CPUS = "0", "1"
READY_SECONDS = 60


def call(url: str, request: Request) -> Any:
    """One request from this process, for the checks outside the measurement."""
    headers = {"Content-Type": "application/json"} if request.body else {}
    if request.token:
        headers["Authorization"] = f"Bearer {request.token}"
    sent = urllib.request.Request(  # noqa: S310 - a loopback http:// URL we built
        url + request.path,
        data=request.body.encode() if request.body else None,
        headers=headers,
        method=request.method,
    )
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:  # noqa: S310 - see above
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return {"errors": [f"HTTP {error.code}: {error.read()[:300]!r}"]}


def statements(url: str) -> int | None:
    """The server's statement count so far; None if it has no counter."""
    try:
        with urllib.request.urlopen(url + STATEMENTS_PATH, timeout=10) as answer:  # noqa: S310
            return int(json.load(answer)["statements"])
    except urllib.error.HTTPError:
        return None


@contextmanager
def serving(kind: str, env: Mapping[str, str], log: Path) -> Iterator[str]:
    """Start one server on the server core; yield its URL once it answers; stop it."""
    port = free_port()
    command = ["taskset", "--cpu-list", SERVER_CPUS, sys.executable, "-m", "bench.bench_server"]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [*command, kind, "--port", str(port)],
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: the {kind} server did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        stop(process)


COUNTED = ("users", "rooms", "bookings", "booking_attendees", "course_sessions", "occupancy_hours")


def counts(database_url: str, where: str = "") -> dict[str, int]:
    """Rows per table of COUNTED (`where`: a condition on bookings only)."""

    async def counted() -> dict[str, int]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as db:
                found = {}
                for name in COUNTED:
                    condition = f" WHERE {where}" if where and name == "bookings" else ""
                    query = f"SELECT count(*) FROM {name}{condition}"  # noqa: S608 - our names
                    found[name] = int((await db.exec_driver_sql(query)).scalar_one())
                return found
        finally:
            await engine.dispose()

    return asyncio.run(counted())


def active_bookings(database_url: str) -> int:
    return counts(database_url, "status = 'active'")["bookings"]


def server_env(data: BenchData, secret: str, work: Path) -> dict[str, str]:
    """The product's defaults but for where the data is, the secret the tokens use and
    the write limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env.update(
        OCCUPI_DATA_DIR=str(work / "var"),
        OCCUPI_DATABASE_URL=data.database_url,
        OCCUPI_JWT_SECRET=secret,
        # One load generator from one address is no abuse to refuse: the write limits
        # (OCCUPI_RATE_*) would measure their 429s, not the gateway.
        OCCUPI_RATE_WRITES_PER_MINUTE="0",
        OCCUPI_RATE_ADDRESS_WRITES_PER_MINUTE="0",
        OCCUPI_RATE_INGEST_PER_MINUTE="0",
    )
    return env


def describe_data(data: BenchData, seconds: float) -> list[str]:
    count = counts(data.database_url)
    return [
        f"## Dataset ({data.scale.name}, built in {seconds:.1f} s)",
        "",
        f"- 1 site, {count['rooms']} rooms, {count['bookings']} bookings "
        f"({count['booking_attendees']} attendees), {count['users']} users",
        f"- a timetable: {data.scale.courses} courses, {count['course_sessions']} sessions "
        "(each holding its room through a booking)",
        f"- {data.scale.reading_days} days of sensor readings for {data.sensor_rooms} rooms: "
        f"{count['occupancy_hours']} hourly rollups",
        f"- read day {data.read_day}; the nested floor: 10 rooms x 5 bookings x 3 attendees",
    ]


def pinning(database_url: str) -> list[str]:
    database = "PostgreSQL (`scripts/test_services.py`, started under `taskset --cpu-list 0`)"
    return [
        "## Pinning",
        "",
        f"- servers: `taskset --cpu-list {SERVER_CPUS} python -m bench.bench_server KIND`",
        f"- load generator: `taskset --cpu-list {LOADGEN_CPUS} wrk --threads=1 --connections=N`",
        f"- this driver, measured affinity: {sorted(os.sched_getaffinity(0))}",
        f"- database: {database if database_url.startswith('postgresql') else 'a SQLite file'}",
    ]
