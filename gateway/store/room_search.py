"""Free-room search and soonest bookings in SQL that stays on the index of active
bookings by room and start (ix_bookings_active_room_id_starts_at_ends_at): every
look-up is bounded below by `LONGEST_BOOKING` before the instant in question, so it
reads a few index entries per room, never a room's whole history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.free_rooms import LONGEST_BOOKING, Point, soonest_block
from domain.intervals import Interval
from gateway.services.timetable_records import RoomFacts, RoomFilter
from gateway.store.rooms import building, select_rooms, to_room
from gateway.store.tables import bookings, rooms

# A literal, not a bound parameter: only then may SQLite use the partial index.
ACTIVE = text("bookings.status = 'active'")
HORIZON = timedelta(days=1)
"""How far past a block's first start one statement looks for bookings that extend it."""


def select_facts(where: RoomFilter) -> Select[Any]:
    stmt = select_rooms().add_columns(building.c.name.label("building_name"))
    stmt = stmt.where(rooms.c.available.is_(True))
    if where.building is not None:
        stmt = stmt.where(func.lower(building.c.name) == where.building.lower())
    if where.level is not None:
        stmt = stmt.where(rooms.c.level == where.level)
    if where.min_capacity is not None:
        stmt = stmt.where(
            func.coalesce(rooms.c.capacity, rooms.c.max_occupancy) >= where.min_capacity
        )
    if where.type is not None:
        stmt = stmt.where(func.lower(rooms.c.room_type) == where.type.lower())
    if where.codes is not None:
        stmt = stmt.where(rooms.c.code.in_(list(where.codes)))
    return stmt.order_by(rooms.c.code)


def busy_during(slot: Interval) -> Any:
    """An active booking of the outer room that overlaps `slot` (half-open)."""
    return exists().where(
        bookings.c.room_id == rooms.c.location_id,
        ACTIVE,
        bookings.c.starts_at >= slot.start - LONGEST_BOOKING,
        bookings.c.starts_at < slot.end,
        bookings.c.ends_at > slot.start,
    )


def free_rooms_statement(slots: Sequence[Interval], where: RoomFilter) -> Select[Any]:
    stmt = select_facts(where)
    for slot in slots:
        stmt = stmt.where(~busy_during(slot))
    return stmt


def first_starts_statement(after: datetime, where: RoomFilter) -> Select[Any]:
    """Each room with the start of its first booking not over by `after` (or NULL)."""
    first = (
        select(bookings.c.starts_at)
        .where(
            bookings.c.room_id == rooms.c.location_id,
            ACTIVE,
            bookings.c.starts_at >= after - LONGEST_BOOKING,
            bookings.c.ends_at > after,
        )
        .order_by(bookings.c.starts_at)
        .limit(1)
        .scalar_subquery()
    )
    return select_facts(where).add_columns(first.label("first_start"))


def bookings_statement(room_ids: Sequence[int], window: Interval) -> Select[Any]:
    return (
        select(bookings.c.room_id, bookings.c.starts_at, bookings.c.ends_at)
        .where(
            bookings.c.room_id.in_(list(room_ids)),
            ACTIVE,
            bookings.c.starts_at >= window.start,
            bookings.c.starts_at < window.end,
        )
        .order_by(bookings.c.room_id, bookings.c.starts_at)
    )


def to_facts(row: Row[Any]) -> RoomFacts:
    room = to_room(row)
    point = None
    if row.latitude is not None and row.longitude is not None:
        point = Point(row.latitude, row.longitude)
    return RoomFacts(
        id=room.id,
        code=room.code,
        name=room.name,
        building=row.building_name,
        type=row.room_type,
        capacity=row.capacity if row.capacity is not None else row.max_occupancy,
        level=row.level,
        coordinates=point,
        resources=room.resources,
        zone=room.calendar.zone,
    )


class SqlRoomSearch:
    """The RoomSearchReader port; each call opens its own short read session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def rooms(self, where: RoomFilter) -> list[RoomFacts]:
        async with self._sessions() as session:
            return [to_facts(r) for r in await session.execute(select_facts(where))]

    async def free_rooms(self, slots: Sequence[Interval], where: RoomFilter) -> list[RoomFacts]:
        async with self._sessions() as session:
            rows = await session.execute(free_rooms_statement(slots, where))
            return [to_facts(r) for r in rows]

    async def soonest(
        self, after: datetime, where: RoomFilter
    ) -> list[tuple[RoomFacts, Interval | None]]:
        async with self._sessions() as session:
            rows = (await session.execute(first_starts_statement(after, where))).all()
            firsts = {r.location_id: r.first_start for r in rows if r.first_start is not None}
            blocks = await _blocks(session, firsts, after)
        return [(to_facts(r), blocks.get(r.location_id)) for r in rows]


async def _blocks(
    session: AsyncSession, firsts: dict[int, datetime], after: datetime
) -> dict[int, Interval]:
    """Merge each room's bookings from its first start on, a day's window at a time per
    group of rooms whose blocks start on the same UTC date, until every block has ended
    inside the window it was read with."""
    groups: dict[Any, list[int]] = defaultdict(list)
    for room_id, start in firsts.items():
        groups[start.date()].append(room_id)
    busy: dict[int, list[Interval]] = defaultdict(list)
    blocks: dict[int, Interval] = {}
    pending = [(ids, min(firsts[i] for i in ids)) for ids in groups.values()]
    while pending:
        ids, start = pending.pop()
        window = Interval(start, max(firsts[i] for i in ids) + HORIZON)
        for r in await session.execute(bookings_statement(ids, window)):
            busy[r.room_id].append(Interval(r.starts_at, r.ends_at))
        unfinished = []
        for room_id in ids:
            block = soonest_block(busy[room_id], after)
            assert block is not None  # its first booking is inside the window
            blocks[room_id] = block
            if block.end >= window.end:
                unfinished.append(room_id)
                firsts[room_id] = window.end
        if unfinished:
            pending.append((unfinished, window.end))
    return blocks
