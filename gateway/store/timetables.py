"""The timetable repository: records synced by natural key with soft deletion, sessions
and events with the bookings that hold their rooms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.bookings import Booking, BookingStatus
from domain.intervals import Interval
from domain.rooms import Room
from domain.timetables import (
    Course,
    RoomDetails,
    Semester,
    StudyPlan,
    Teacher,
    TimetableEvent,
    Unit,
)
from gateway.services.timetable_records import StoredEvent, StoredRoom, StoredSession
from gateway.store.bookings import overlapping, select_bookings, with_attendees
from gateway.store.rooms import select_rooms, to_room
from gateway.store.tables import (
    bookings,
    course_sessions,
    course_teachers,
    courses,
    rooms,
    semesters,
    session_rooms,
    study_plan_courses,
    study_plans,
    teachers,
    timetable_events,
    units,
)


class SqlTimetables:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
            )
        )

    async def _sync(
        self, table: Table, key: str, wanted: Sequence[dict[str, Any]]
    ) -> dict[Any, int]:
        """Make `table` match `wanted` by the column `key`; absent rows are withdrawn."""
        stored = {
            row._mapping[key]: row._mapping for row in await self._session.execute(select(table))
        }
        ids: dict[Any, int] = {}
        for values in wanted:
            values = {**values, "available": True}
            found = stored.get(values[key])
            if found is None:
                new_id = await self._session.scalar(
                    insert(table).values(**values).returning(table.c.id)
                )
                assert new_id is not None
                ids[values[key]] = new_id
                continue
            ids[values[key]] = found["id"]
            if any(found[column] != value for column, value in values.items()):
                await self._session.execute(
                    update(table).where(table.c.id == found["id"]).values(**values)
                )
        gone = [row["id"] for k, row in stored.items() if k not in ids and row["available"]]
        if gone:
            await self._session.execute(
                update(table).where(table.c.id.in_(gone)).values(available=False)
            )
        return ids

    async def sync_semesters(self, wanted: Sequence[Semester]) -> Mapping[str, int]:
        return await self._sync(
            semesters,
            "name",
            [
                {
                    "name": s.name,
                    "type": s.type.value,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                    "skip_dates": [d.isoformat() for d in s.skip_dates],
                }
                for s in wanted
            ],
        )

    async def sync_teachers(self, wanted: Sequence[Teacher]) -> Mapping[str, int]:
        return await self._sync(
            teachers, "name", [{"name": t.name, "people_url": t.people_url} for t in wanted]
        )

    async def sync_courses(
        self, wanted: Sequence[Course], teacher_ids: Mapping[str, int]
    ) -> Mapping[str, int]:
        ids = await self._sync(
            courses,
            "code",
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "credits": c.credits,
                    "edu_url": c.edu_url,
                    "language": c.language,
                }
                for c in wanted
            ],
        )
        links = [
            {"course_id": ids[c.code], "teacher_id": teacher_ids[name], "position": i}
            for c in wanted
            for i, name in enumerate(dict.fromkeys(c.teachers))
        ]
        await self._replace(course_teachers, "course_id", list(ids.values()), links)
        return ids

    async def sync_units(self, wanted: Sequence[Unit]) -> Mapping[str, int]:
        return await self._sync(
            units,
            "code",
            [
                {"code": u.code, "name": u.name, "section": u.section, "promo": u.promo}
                for u in wanted
            ],
        )

    async def sync_study_plans(
        self,
        plans: Sequence[StudyPlan],
        unit_ids: Mapping[str, int],
        semester_ids: Mapping[str, int],
        course_ids: Mapping[str, int],
    ) -> None:
        stored = {
            (r.unit_id, r.semester_id): (r.id, r.available)
            for r in await self._session.execute(select(study_plans))
        }
        kept: dict[int, list[int]] = {}
        for plan in plans:
            key = (unit_ids[plan.unit], semester_ids[plan.semester])
            plan_id, available = stored.get(key, (None, False))
            if plan_id is None:
                plan_id = await self._session.scalar(
                    insert(study_plans)
                    .values(unit_id=key[0], semester_id=key[1], available=True)
                    .returning(study_plans.c.id)
                )
                assert plan_id is not None
            elif not available:
                await self._session.execute(
                    update(study_plans).where(study_plans.c.id == plan_id).values(available=True)
                )
            kept[plan_id] = [course_ids[c] for c in dict.fromkeys(plan.courses)]
        gone = [i for i, on in stored.values() if on and i not in kept]
        if gone:
            await self._session.execute(
                update(study_plans).where(study_plans.c.id.in_(gone)).values(available=False)
            )
        links = [
            {"study_plan_id": plan_id, "course_id": c} for plan_id, cs in kept.items() for c in cs
        ]
        await self._replace(study_plan_courses, "study_plan_id", list(kept), links)

    async def _replace(
        self, table: Table, owner: str, owners: list[int], rows: list[dict[str, Any]]
    ) -> None:
        """Replace the link rows of these owners, writing only when they differ."""
        if not owners:
            return
        current = [
            dict(r._mapping)
            for r in await self._session.execute(select(table).where(table.c[owner].in_(owners)))
        ]

        def canonical(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return sorted(tuple(sorted(i.items())) for i in items)

        if canonical(current) == canonical(rows):
            return
        await self._session.execute(delete(table).where(table.c[owner].in_(owners)))
        if rows:
            await self._session.execute(insert(table), rows)

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
    ) -> None:
        if not booking_ids:
            return
        status = BookingStatus.ACTIVE if active else BookingStatus.CANCELLED
        await self._session.execute(
            update(bookings)
            .where(bookings.c.id.in_(list(booking_ids)))
            .values(
                status=status.value,
                cancelled_at=None if active else at,
                cancelled_by=None if active else by,
            )
        )

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
