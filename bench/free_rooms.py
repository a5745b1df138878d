"""Free-room search and soonest bookings at size: 2,000 rooms and 500,000 bookings.

    .venv/bin/python -m bench.free_rooms [--quick] [--rooms N] [--bookings N]

Builds the dataset in a migrated SQLite file (bench.free_rooms_data), then measures, in
the same run and on the same data, the gateway's reads (gateway.services.room_search
over gateway.store.room_search) against a baseline: the same questions answered the
straightforward way, as the original FLEP server did (every booking overlapping a slot,
with no bound the index can use; every booking not yet over, merged in Python). Prints
Markdown: median milliseconds per call and the baseline/gateway ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bench.free_rooms_data import HOURS_PER_DAY, Dataset, build
from domain.free_rooms import soonest_block
from domain.intervals import Interval
from gateway.migrate import upgrade
from gateway.services.authz import ANONYMOUS
from gateway.services.room_search import RoomSearch
from gateway.store.engine import create_engine
from gateway.store.room_search import SqlRoomSearch
from gateway.store.tables import bookings, rooms

Timed = Callable[[], Awaitable[object]]


def slots_of(data: Dataset, rng: random.Random) -> list[Interval]:
    """Three one-hour slots on one working day in the middle of the data."""
    day = data.day(rng.randrange(data.days // 4, 3 * data.days // 4))
    hours = sorted(rng.sample(range(HOURS_PER_DAY), 3))
    return [Interval(day + timedelta(hours=h), day + timedelta(hours=h + 1)) for h in hours]


async def median_ms(call: Timed, repeat: int) -> float:
    await call()  # warm the caches once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(path: Path, data: Dataset, repeat: int) -> list[tuple[str, float, float, int]]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    search = RoomSearch(SqlRoomSearch(async_sessionmaker(engine, expire_on_commit=False)))
    rng = random.Random(11)
    slots = slots_of(data, rng)
    after = slots[0].start + timedelta(minutes=30)

    async def ours_free() -> object:
        return await search.free_rooms(ANONYMOUS, slots)

    async def baseline_free() -> set[int]:
        overlap = or_(
            *((bookings.c.starts_at < s.end) & (bookings.c.ends_at > s.start) for s in slots)
        )
        booked_stmt = select(bookings.c.room_id).where(bookings.c.status == "active", overlap)
        async with engine.connect() as c:
            booked = set((await c.scalars(booked_stmt)).all())
            every = set((await c.scalars(select(rooms.c.location_id))).all())
        return every - booked

    async def ours_soonest() -> object:
        return await search.soonest_bookings(ANONYMOUS, after)

    async def baseline_soonest() -> dict[int, Interval | None]:
        stmt = select(bookings.c.room_id, bookings.c.starts_at, bookings.c.ends_at).where(
            bookings.c.status == "active", bookings.c.ends_at >= after
        )
        busy: dict[int, list[Interval]] = defaultdict(list)
        async with engine.connect() as c:
            for room_id, start, end in await c.execute(stmt):
                busy[room_id].append(Interval(start, end))
        return {room: soonest_block(b, after) for room, b in busy.items()}

    same_free = {f.room.id for f in await search.free_rooms(ANONYMOUS, slots)}
    assert same_free == await baseline_free(), "the two searches disagree"
    blocks = {s.room.id: s.block for s in await search.soonest_bookings(ANONYMOUS, after)}
    expected = await baseline_soonest()
    assert all(blocks[room] == block for room, block in expected.items()), "blocks disagree"
    results = []
    for name, ours, baseline, count in (
        ("free rooms, 3 slots", ours_free, baseline_free, len(same_free)),
        ("soonest bookings", ours_soonest, baseline_soonest, data.rooms),
    ):
        mine = await median_ms(ours, repeat)
        theirs = await median_ms(baseline, repeat)
        results.append((name, mine, theirs, count))
    await engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.free_rooms")
    parser.add_argument("--quick", action="store_true", help="5 calls per median, not 30")
    parser.add_argument("--rooms", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=500_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="occupi-bench-") as work:
        path = Path(work) / "bench.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        started = time.perf_counter()
        data = build(path, args.rooms, args.bookings)
        built = time.perf_counter() - started
        results = asyncio.run(measure(path, data, 5 if args.quick else 30))
    print(
        f"SQLite, {data.rooms:,} rooms, {data.bookings:,} bookings over {data.days} "
        f"working days (built in {built:.1f} s); median of {5 if args.quick else 30} calls.\n"
    )
    print("| read | rooms answered | gateway (ms) | baseline (ms) | baseline / gateway |")
    print("|---|---:|---:|---:|---:|")
    for name, mine, theirs, count in results:
        print(f"| {name} | {count:,} | {mine:.1f} | {theirs:.1f} | {theirs / mine:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
