"""Free-room search and soonest bookings read bookings through the index of active
bookings by room and start, never by scanning the bookings table: the statements they
really run are captured and explained (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
PostgreSQL, there with sequential scans discouraged, since its tables here are tiny)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import event

from domain.intervals import Interval
from domain.timetable_format import parse_timetable
from gateway.services.authz import ANONYMOUS
from tests.support.bookings import JOHANNESBURG
from tests.support.databases import ON_POSTGRES
from tests.support.world import World
from tests.timetables.support import document

INDEX = "ix_bookings_active_room_id_starts_at_ends_at"


def at(day: int, hour: int) -> datetime:
    return datetime.combine(date(2026, 11, day), time(hour), JOHANNESBURG)


async def plans(world: World, read: Callable[[], Awaitable[object]]) -> list[str]:
    """The plan of every statement `read` runs that touches bookings."""
    engine = world.gateway.db.engine
    ran: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "bookings" in statement:
            ran.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await read()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert ran, "the read ran no statement over bookings"
    explained = []
    async with engine.connect() as connection:
        if ON_POSTGRES:
            await connection.exec_driver_sql("SET enable_seqscan = off")
        prefix = "EXPLAIN " if ON_POSTGRES else "EXPLAIN QUERY PLAN "
        for statement, parameters in ran:
            rows = await connection.exec_driver_sql(prefix + statement, parameters)
            explained.append("\n".join(str(r[-1]) for r in rows))
    return explained


def assert_indexed(plan: str) -> None:
    if ON_POSTGRES:
        assert "Seq Scan on bookings" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert "SCAN bookings" not in plan.replace(
            f"SCAN bookings USING COVERING INDEX {INDEX}", ""
        ), plan
        assert INDEX in plan, plan


async def test_free_room_search_reads_bookings_through_the_index(world: World) -> None:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(document()))
    )
    slots = [Interval(at(24, h), at(24, h + 1)) for h in (9, 11, 14)]
    search = world.gateway.app.room_search
    for plan in await plans(world, lambda: search.free_rooms(ANONYMOUS, slots)):
        assert_indexed(plan)


async def test_soonest_bookings_read_bookings_through_the_index(world: World) -> None:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(document()))
    )
    search = world.gateway.app.room_search
    found = await plans(world, lambda: search.soonest_bookings(ANONYMOUS, at(24, 9)))
    assert len(found) >= 2  # the first starts, then the blocks
    for plan in found:
        assert_indexed(plan)
