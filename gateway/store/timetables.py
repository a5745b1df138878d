"""The timetable repository: sessions and events with the bookings that hold their rooms
(records are synced by gateway.store.timetable_records)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import exists, insert, select, update

from domain.bookings import Booking, BookingStatus
from domain.intervals import Interval
from domain.rooms import Room
from domain.timetables import RoomDetails, TimetableEvent
from gateway.services.timetable_records import StoredEvent, StoredRoom, StoredSession
from gateway.store.bookings import overlapping, select_bookings, with_attendees
from gateway.store.rooms import select_rooms, to_room
from gateway.store.tables import (
    bookings,
    course_sessions,
    courses,
    rooms,
    session_rooms,
    timetable_events,
)
from gateway.store.timetable_records import SqlTimetableRecords


class SqlTimetables(SqlTimetableRecords):
    """The TimetableRepository port: records (SqlTimetableRecords), sessions, events."""

    async def rooms_by_code(self, codes: Sequence[str]) -> Mapping[str, Room]:
        if not codes:
            return {}
        rows = await self._session.execute(select_rooms().where(rooms.c.code.in_(list(codes))))
        return {room.code: room for room in map(to_room, rows)}

    async def save_room_details(self, room_id: int, details: RoomDetails) -> None:
        point = details.coordinates
        await self._session.execute(
            update(rooms)
            .where(rooms.c.location_id == room_id)
            .values(
                room_type=details.type,
                capacity=details.capacity,
                level=details.level,
                latitude=point.latitude if point else None,
                longitude=point.longitude if point else None,
                available=details.available,
            )
        )

    async def sessions(self) -> list[StoredSession]:
        stmt = select(course_sessions, courses.c.code).join(
            courses, courses.c.id == course_sessions.c.course_id
        )
        held: dict[int, list[StoredRoom]] = defaultdict(list)
        for r in await self._session.execute(select(session_rooms)):
            held[r.session_id].append(StoredRoom(r.room_id, r.booking_id, r.available))
        return [
            StoredSession(
                r.id,
                r.code,
                r.label,
                Interval(r.starts_at, r.ends_at),
                r.available,
                tuple(held[r.id]),
            )
            for r in await self._session.execute(stmt)
        ]

    async def add_session(self, course_id: int, label: str, interval: Interval) -> int:
        session_id = await self._session.scalar(
            insert(course_sessions)
            .values(
                course_id=course_id,
                label=label,
                starts_at=interval.start,
                ends_at=interval.end,
                available=True,
            )
            .returning(course_sessions.c.id)
        )
        assert session_id is not None
        return int(session_id)

    async def set_session_available(self, session_id: int, available: bool) -> None:
        await self._session.execute(
            update(course_sessions)
            .where(course_sessions.c.id == session_id)
            .values(available=available)
        )

    async def add_session_room(self, session_id: int, room_id: int, booking_id: int) -> None:
        await self._session.execute(
            insert(session_rooms).values(
                session_id=session_id, room_id=room_id, booking_id=booking_id, available=True
            )
        )

    async def set_session_room_available(
        self, session_id: int, room_id: int, available: bool
    ) -> None:
        await self._session.execute(
            update(session_rooms)
            .where(session_rooms.c.session_id == session_id, session_rooms.c.room_id == room_id)
            .values(available=available)
        )

    async def events(self) -> list[StoredEvent]:
        stmt = select(timetable_events, rooms.c.code).join(
            rooms, rooms.c.location_id == timetable_events.c.room_id
        )
        return [
            StoredEvent(
                r.id, r.code, r.name, Interval(r.starts_at, r.ends_at), r.booking_id, r.available
            )
            for r in await self._session.execute(stmt)
        ]

    async def add_event(self, event: TimetableEvent, room_id: int, booking_id: int) -> None:
        await self._session.execute(
            insert(timetable_events).values(
                room_id=room_id,
                booking_id=booking_id,
                name=event.name,
                description=event.description,
                starts_at=event.interval.start,
                ends_at=event.interval.end,
                available=True,
            )
        )

    async def set_event_available(self, event_id: int, available: bool) -> None:
        await self._session.execute(
            update(timetable_events)
            .where(timetable_events.c.id == event_id)
            .values(available=available)
        )

    async def set_bookings_active(
        self, booking_ids: Sequence[int], active: bool, at: datetime, by: int
    ) -> list[Booking]:
        if not booking_ids:
            return []
        status = BookingStatus.ACTIVE if active else BookingStatus.CANCELLED
        wanted = bookings.c.id.in_(list(booking_ids))
        await self._session.execute(
            update(bookings)
            .where(wanted)
            .values(
                status=status.value,
                cancelled_at=None if active else at,
                cancelled_by=None if active else by,
            )
        )
        rows = (await self._session.execute(select_bookings().where(wanted))).all()
        return await with_attendees(self._session, rows)

    async def clashing(self, room_id: int, interval: Interval) -> list[Booking]:
        stmt = select_bookings().where(
            bookings.c.room_id == room_id,
            bookings.c.status == BookingStatus.ACTIVE.value,
            overlapping(interval),
        )
        rows = (await self._session.execute(stmt)).all()
        return await with_attendees(self._session, rows)

    async def has_courses(self) -> bool:
        return bool(await self._session.scalar(select(exists().where(courses.c.id.is_not(None)))))
