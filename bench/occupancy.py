"""`python -m bench.occupancy [--quick]`: the occupancy side on the embedded SQLite, in
one process, through the real migrations and use cases. Prints Markdown:

- ingest rate: minute readings of 20 locations, 1,000 per request (one transaction
  each), for 90 days (2 in a quick run), which also fills the history;
- history: daily occupancy, the hourly profile, visitors and dwell over those days for
  the building (a parent of the 20) and for one of them, p50/p99;
- booking latency: bookings one after another, alone and during sustained ingest;
- fan-out: one location's liveOccupancy at 1,000, 5,000 and 10,000 subscribers (100,
  500 and 1,000 quick): the served path, the hub alone, and plain Strawberry
  (bench.fanout).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.fanout import measure, percentile
from domain.locations import Location, LocationKind
from domain.users import Role
from gateway.app import Gateway, build_gateway
from gateway.migrate import upgrade
from gateway.seed import generate_password
from gateway.services.authz import Principal
from gateway.services.bookings import BookingRequest
from gateway.services.directory import NewRoom
from gateway.settings import Settings

LEAVES = 20
PLAIN_MAX = 1000
BATCH = 1000
ZONE = "Europe/Zurich"


def _ms(seconds: list[float]) -> str:
    millis = [s * 1000 for s in seconds]
    return f"{percentile(millis, 0.5):.1f} | {percentile(millis, 0.99):.1f}"


async def _timed(call: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        spent.append(time.perf_counter() - started)
    return spent


class Bench:
    def __init__(self, gateway: Gateway, quick: bool, sizes: Sequence[int] | None = None) -> None:
        self.gateway = gateway
        self.app = gateway.app
        self.quick = quick
        self.sizes = sizes or ((100, 500, 1000) if quick else (1000, 5000, 10_000))
        self.lines: list[str] = []

    async def setup(self) -> None:
        accounts = self.app.accounts
        password = generate_password()
        admin = await accounts.provision(
            email="bench-admin@occupi.example", name="Admin", password=password, role=Role.ADMIN
        )
        person = await accounts.provision(
            email="bench-person@occupi.example", name="Person", password=password, role=Role.BASIC
        )
        self.admin = Principal(actor=admin.as_actor())
        self.person = Principal(actor=person.as_actor())
        add = self.app.directory.add_location
        site = await add(self.admin, kind=LocationKind.SITE, name="Campus", time_zone=ZONE)
        self.building = await add(
            self.admin, kind=LocationKind.BUILDING, name="Library", parent_id=site.id
        )
        self.leaves: list[Location] = []
        for floor_number in range(2):
            floor = await add(
                self.admin,
                kind=LocationKind.FLOOR,
                name=f"Floor {floor_number}",
                parent_id=self.building.id,
            )
            for n in range(LEAVES // 2):
                self.leaves.append(
                    await add(
                        self.admin,
                        kind=LocationKind.ZONE,
                        name=f"Zone {floor_number}.{n}",
                        parent_id=floor.id,
                        capacity=50,
                    )
                )
        await self.app.directory.add_room(
            self.admin, NewRoom(floor_id=floor.id, code="RMBENCH", name="Bench room")
        )

    async def fill(self, days: float) -> None:
        """Minute readings, oldest first, BATCH per request."""
        now = self.app.clock.now().replace(second=0, microsecond=0)
        start = now - timedelta(days=days)
        minutes = int(days * 24 * 60)
        per_request = BATCH // LEAVES
        requests, started = 0, time.perf_counter()
        for first in range(0, minutes, per_request):
            readings = [
                {
                    "locationId": leaf.id,
                    "time": (start + timedelta(minutes=m)).isoformat(),
                    "count": (m * 7 + n * 13) % 50,
                }
                for m in range(first, min(first + per_request, minutes))
                for n, leaf in enumerate(self.leaves)
            ]
            await self.app.ingest.submit(self.admin, readings)
            requests += 1
        spent = time.perf_counter() - started
        total = minutes * LEAVES
        self.history_days = max(1, round(days))
        self.lines += [
            "### Ingest",
            "",
            "| readings | requests | seconds | readings/s |",
            "|---:|---:|---:|---:|",
            f"| {total:,} | {requests:,} | {spent:.1f} | {total / spent:,.0f} |",
            "",
        ]

    async def history(self) -> None:
        today = self.app.clock.now().date()
        first = today - timedelta(days=self.history_days)
        repeats = 5 if self.quick else 20
        rows = []
        for label, location in (
            ("building (20 leaves)", self.building),
            ("one leaf", self.leaves[0]),
        ):

            async def answer(location: Location = location) -> None:
                found = await self.app.history.of(self.person, location.id, first, today)
                found.history.daily_occupancy()
                found.history.hourly_profile()
                found.history.daily_visitors()
                found.history.daily_dwell(self.app.clock.now())

            rows.append(
                f"| {label} | {self.history_days + 1} | {_ms(await _timed(answer, repeats))} |"
            )
        self.lines += [
            "### History (daily occupancy, hourly profile, visitors, dwell)",
            "",
            "| location | days | p50 ms | p99 ms |",
            "|---|---:|---:|---:|",
            *rows,
            "",
        ]

    async def bookings(self) -> None:
        count = 10 if self.quick else 40
        slots = iter(range(10_000))

        async def book() -> None:
            n = next(slots)
            day = (self.app.clock.now() + timedelta(days=2 + n // 16)).date()
            opening = datetime.combine(day, time_of_day(8), ZoneInfo(ZONE))
            start = opening + timedelta(minutes=30 * (n % 16))
            request = BookingRequest("RMBENCH", start, start + timedelta(minutes=30))
            await self.app.bookings.book(self.person, request)

        alone = await _timed(book, count)
        stop = asyncio.Event()
        ingested = 0

        async def sustained() -> None:
            nonlocal ingested
            while not stop.is_set():
                now = self.app.clock.now()
                readings = [
                    {
                        "locationId": leaf.id,
                        "time": (now - timedelta(microseconds=m)).isoformat(),
                        "count": m % 50,
                    }
                    for m in range(BATCH // LEAVES)
                    for leaf in self.leaves
                ]
                await self.app.ingest.submit(self.admin, readings)
                ingested += len(readings)

        feeder = asyncio.create_task(sustained())
        await asyncio.sleep(0.5)
        started = time.perf_counter()
        during = await _timed(book, count)
        rate = ingested / (time.perf_counter() - started + 0.5)
        stop.set()
        await feeder
        self.lines += [
            "### Booking latency",
            "",
            "| while | bookings | p50 ms | p99 ms |",
            "|---|---:|---:|---:|",
            f"| nothing else runs | {count} | {_ms(alone)} |",
            f"| ingest runs (~{rate:,.0f} readings/s) | {count} | {_ms(during)} |",
            "",
        ]

    async def fanout(self) -> None:
        sizes = self.sizes
        updates = 3
        target = self.leaves[0]

        async def change(count: int) -> None:
            reading = {
                "locationId": target.id,
                "time": self.app.clock.now().isoformat(),
                "count": count,
            }
            await self.app.ingest.submit(self.admin, [reading])

        rows = []
        for size in sizes:
            # Plain Strawberry reads the database once per subscriber and update: past
            # PLAIN_MAX subscribers it waits on the connection pool until it times out,
            # which measures the pool, not the fan-out.
            subjects = ("gateway", "hub", "plain") if size <= PLAIN_MAX else ("gateway", "hub")
            found = {
                subject: await measure(
                    self.app, self.admin, change, target.id, subject, size, updates
                )
                for subject in subjects
            }
            cells = " | ".join(
                f"{f.p50_ms:.0f} | {f.p99_ms:.0f} | {f.computations:,}" for f in found.values()
            )
            if "plain" in found:
                ratio = f"{found['plain'].p99_ms / found['gateway'].p99_ms:.1f}x"
            else:
                cells += " | not run | not run | —"
                ratio = "—"
            failed = " / ".join(str(f.failures) for f in found.values())
            rows.append(f"| {size:,} | {cells} | {ratio} | {failed} |")
        self.lines += [
            f"### Subscription fan-out ({updates} updates each)",
            "",
            "| subscribers | gateway p50 ms | gateway p99 ms | computations | "
            "hub p50 ms | hub p99 ms | computations | plain p50 ms | plain p99 ms | "
            "computations | p99 plain/gateway | failed subscribers |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]


async def _stage(name: str, work: Awaitable[None]) -> None:
    """Runs one part, saying on stderr how long it took (stdout is the Markdown)."""
    print(f"bench.occupancy: {name}...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    await work
    print(f"bench.occupancy: {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr)


async def _run(quick: bool, work: Path) -> list[str]:
    url = f"sqlite+aiosqlite:///{work / 'occupi.db'}"
    await asyncio.to_thread(upgrade, url)  # alembic runs its own event loop
    settings = Settings(data_dir=work, database_url=url, jwt_secret=secrets.token_urlsafe(48))
    # Pushes as fast as changes come: the fan-out measures delivery, not the coalescing.
    settings = replace(settings, live_coalesce=timedelta(0), log_level="warning")
    gateway = build_gateway(settings)
    bench = Bench(gateway, quick)
    try:
        await bench.setup()
        await _stage("ingest", bench.fill(2 if quick else 90))
        await _stage("history", bench.history())
        await _stage("bookings", bench.bookings())
        await _stage("fan-out", bench.fanout())
    finally:
        with contextlib.suppress(Exception):
            await gateway.app.live_occupancy.stop()
        await gateway.db.dispose()
    return bench.lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.occupancy", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    quick = parser.parse_args(argv).quick
    work = Path(tempfile.mkdtemp(prefix="occupi-occupancy-bench-"))
    try:
        lines = asyncio.run(_run(quick, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mode = "quick" if quick else "full"
    print(f"## Occupancy ({mode} run, SQLite, one process)\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
