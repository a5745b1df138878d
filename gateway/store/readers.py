"""Batch readers behind the DataLoaders: one short read session and a fixed number of
statements per call, however many keys arrive."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.bookings import Booking, BookingStatus
from domain.intervals import Interval
from domain.locations import Location
from domain.rooms import Room
from domain.users import Actor, User
from gateway.services.views import PrivateParts, SecuritySettings
from gateway.store.bookings import involving, overlapping, select_bookings, with_attendees
from gateway.store.locations import select_locations, to_location
from gateway.store.profiles import PROFILE_COLUMNS, to_profile
from gateway.store.rooms import room_loc, select_rooms, to_room
from gateway.store.tables import booking_attendees, bookings, locations, rooms, users
from gateway.store.users import select_users, to_user


class SqlBatchReader:
    """`sessions` begin a transaction, for the reads of several statements that must
    agree (bookings and their attendees); `single` (default: the same) are for reads
    of one statement, which need none (SqlDatabase.single_read_sessions)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        single: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessions = sessions
        self._single = single or sessions

    async def users_by_id(self, ids: Sequence[int]) -> Mapping[int, User]:
        async with self._single() as session:
            rows = await session.execute(select_users().where(users.c.id.in_(ids)))
            return {row.id: to_user(row) for row in rows}

    async def sharing_a_booking(self, viewer: Actor, ids: Sequence[int]) -> set[int]:
        mine = select(bookings.c.id).where(involving(viewer.user_id, viewer.email))
        created = select(bookings.c.creator_id.label("user_id")).where(
            bookings.c.id.in_(mine), bookings.c.creator_id.in_(ids)
        )
        attending = select(booking_attendees.c.user_id).where(
            booking_attendees.c.booking_id.in_(mine), booking_attendees.c.user_id.in_(ids)
        )
        async with self._single() as session:
            return set((await session.scalars(union(created, attending))).all())

    async def locations_by_id(self, ids: Sequence[int]) -> Mapping[int, Location]:
        async with self._single() as session:
            rows = await session.execute(select_locations().where(locations.c.id.in_(ids)))
            return {row.id: to_location(row) for row in rows}

    async def children_of(self, ids: Sequence[int]) -> Mapping[int, list[Location]]:
        stmt = (
            select_locations()
            .where(locations.c.parent_id.in_(ids))
            .order_by(locations.c.name, locations.c.id)
        )
        found: dict[int, list[Location]] = defaultdict(list)
        async with self._single() as session:
            for row in await session.execute(stmt):
                found[row.parent_id].append(to_location(row))
        return found

    async def rooms_by_location(self, ids: Sequence[int]) -> Mapping[int, list[Room]]:
        """Rooms directly on each floor (rooms hang under floors only)."""
        stmt = select_rooms().where(room_loc.c.parent_id.in_(ids)).order_by(rooms.c.code)
        found: dict[int, list[Room]] = defaultdict(list)
        async with self._single() as session:
            for row in await session.execute(stmt):
                found[row.floor_id].append(to_room(row))
        return found

    async def rooms_by_id(self, ids: Sequence[int]) -> Mapping[int, Room]:
        async with self._single() as session:
            rows = await session.execute(select_rooms().where(rooms.c.location_id.in_(ids)))
            return {row.location_id: to_room(row) for row in rows}

    async def bookings_by_room(
        self, room_ids: Sequence[int], within: Interval
    ) -> Mapping[int, list[Booking]]:
        """Active bookings of each room overlapping `within`, in start order."""
        stmt = (
            select_bookings()
            .where(
                bookings.c.room_id.in_(room_ids),
                bookings.c.status == BookingStatus.ACTIVE.value,
                overlapping(within),
            )
            .order_by(bookings.c.starts_at, bookings.c.id)
        )
        found: dict[int, list[Booking]] = defaultdict(list)
        async with self._sessions() as session:
            rows = (await session.execute(stmt)).all()
            for booking in await with_attendees(session, rows):
                found[booking.room_id].append(booking)
        return found

    async def private_parts(self, ids: Sequence[int]) -> Mapping[int, PrivateParts]:
        stmt: Select[Any] = select(users.c.id, users.c.mfa_enabled, *PROFILE_COLUMNS).where(
            users.c.id.in_(ids)
        )
        async with self._single() as session:
            rows = await session.execute(stmt)
            return {
                row.id: PrivateParts(to_profile(row), SecuritySettings(mfa=row.mfa_enabled))
                for row in rows
            }
