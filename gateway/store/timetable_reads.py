"""Timetable catalogue reads: courses, teachers, study plans, and rooms' timetables.
Only available records (FLEP's soft deletion); a fixed number of statements per call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.intervals import Interval
from domain.locations import LocationKind
from domain.timetables import SemesterType
from gateway.services.timetable_records import (
    CourseDetail,
    CourseInfo,
    EventView,
    RoomFilter,
    RoomSchedule,
    SemesterView,
    SessionView,
    StudyPlanDetail,
    StudyPlanSummary,
    TeacherView,
    UnitView,
)
from gateway.store.room_search import select_facts, to_facts
from gateway.store.tables import (
    course_sessions,
    course_teachers,
    courses,
    locations,
    rooms,
    semesters,
    session_rooms,
    study_plan_courses,
    study_plans,
    teachers,
    timetable_events,
    units,
)


def _plans() -> Select[Any]:
    return (
        select(
            study_plans.c.id,
            units.c.code.label("unit_code"),
            units.c.name.label("unit_name"),
            units.c.section,
            units.c.promo,
            semesters.c.name.label("semester_name"),
            semesters.c.type,
            semesters.c.start_date,
            semesters.c.end_date,
            semesters.c.skip_dates,
        )
        .join(units, units.c.id == study_plans.c.unit_id)
        .join(semesters, semesters.c.id == study_plans.c.semester_id)
        .where(study_plans.c.available.is_(True))
        .order_by(study_plans.c.id)
    )


def _plan(r: Any) -> StudyPlanSummary:
    return StudyPlanSummary(
        r.id,
        UnitView(r.unit_code, r.unit_name, r.section, r.promo),
        SemesterView(
            r.semester_name,
            SemesterType(r.type),
            r.start_date,
            r.end_date,
            tuple(date.fromisoformat(d) for d in r.skip_dates),
        ),
    )


class SqlTimetableCatalogue:
    """The TimetableCatalogue port; each call opens its own short read session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def courses(self, codes: Sequence[str] | None = None) -> list[CourseInfo]:
        async with self._sessions() as session:
            return await _courses(session, codes)

    async def course(self, code: str, plans_ending_after: date) -> CourseDetail | None:
        async with self._sessions() as session:
            found = await _courses(session, [code])
            if not found:
                return None
            course_id = await session.scalar(select(courses.c.id).where(courses.c.code == code))
            stmt = _plans().where(
                study_plans.c.id.in_(
                    select(study_plan_courses.c.study_plan_id).where(
                        study_plan_courses.c.course_id == course_id
                    )
                ),
                semesters.c.end_date > plans_ending_after,
            )
            plans = tuple(_plan(r) for r in await session.execute(stmt))
            return CourseDetail(found[0], tuple(await _sessions(session, [code])), plans)

    async def study_plans(self, ending_after: date | None) -> list[StudyPlanSummary]:
        stmt = _plans()
        if ending_after is not None:
            stmt = stmt.where(semesters.c.end_date > ending_after)
        async with self._sessions() as session:
            return [_plan(r) for r in await session.execute(stmt)]

    async def study_plan(self, plan_id: int) -> StudyPlanDetail | None:
        async with self._sessions() as session:
            row = (await session.execute(_plans().where(study_plans.c.id == plan_id))).first()
            if row is None:
                return None
            codes = list(
                await session.scalars(
                    select(courses.c.code)
                    .join(study_plan_courses, study_plan_courses.c.course_id == courses.c.id)
                    .where(
                        study_plan_courses.c.study_plan_id == plan_id,
                        courses.c.available.is_(True),
                    )
                )
            )
            listed = await _courses(session, codes)
            return StudyPlanDetail(
                _plan(row), tuple(listed), tuple(await _sessions(session, codes))
            )

    async def teachers(self) -> list[TeacherView]:
        stmt = select(teachers).where(teachers.c.available.is_(True)).order_by(teachers.c.name)
        async with self._sessions() as session:
            return [TeacherView(r.name, r.people_url) for r in await session.execute(stmt)]

    async def room_schedule(self, code: str) -> RoomSchedule | None:
        async with self._sessions() as session:
            row = (await session.execute(select_facts(RoomFilter(codes=(code,))))).first()
            if row is None:
                return None
            room = to_facts(row)
            found = await _sessions(session, None, room_id=room.id)
            stmt = (
                select(timetable_events)
                .where(
                    timetable_events.c.room_id == room.id, timetable_events.c.available.is_(True)
                )
                .order_by(timetable_events.c.starts_at)
            )
            events = tuple(
                EventView(r.name, r.description, Interval(r.starts_at, r.ends_at), code)
                for r in await session.execute(stmt)
            )
            return RoomSchedule(room, tuple(found), events)

    async def first_site_zone(self) -> str | None:
        stmt = (
            select(locations.c.time_zone)
            .where(locations.c.kind == LocationKind.SITE.value)
            .order_by(locations.c.id)
            .limit(1)
        )
        async with self._sessions() as session:
            return await session.scalar(stmt)


async def _courses(session: AsyncSession, codes: Sequence[str] | None) -> list[CourseInfo]:
    stmt = select(courses).where(courses.c.available.is_(True)).order_by(courses.c.code)
    if codes is not None:
        stmt = stmt.where(courses.c.code.in_(list(codes)))
    rows = (await session.execute(stmt)).all()
    ids = [r.id for r in rows]
    taught: dict[int, list[TeacherView]] = defaultdict(list)
    types: dict[int, set[str]] = defaultdict(set)
    if ids:
        stmt_t = (
            select(course_teachers.c.course_id, teachers.c.name, teachers.c.people_url)
            .join(teachers, teachers.c.id == course_teachers.c.teacher_id)
            .where(course_teachers.c.course_id.in_(ids))
            .order_by(course_teachers.c.course_id, course_teachers.c.position)
        )
        for t in await session.execute(stmt_t):
            taught[t.course_id].append(TeacherView(t.name, t.people_url))
        stmt_p = (
            select(study_plan_courses.c.course_id, semesters.c.type)
            .join(study_plans, study_plans.c.id == study_plan_courses.c.study_plan_id)
            .join(semesters, semesters.c.id == study_plans.c.semester_id)
            .where(study_plan_courses.c.course_id.in_(ids), study_plans.c.available.is_(True))
        )
        for p in await session.execute(stmt_p):
            types[p.course_id].add(p.type)
    return [
        CourseInfo(
            r.code,
            r.name,
            r.credits,
            r.edu_url,
            r.language,
            tuple(taught[r.id]),
            _semester_type(types[r.id]),
            bool(types[r.id]),
        )
        for r in rows
    ]


def _semester_type(found: set[str]) -> SemesterType:
    for kind in (SemesterType.FALL, SemesterType.SPRING):
        if kind.value in found:
            return kind
    return SemesterType.YEAR


async def _sessions(
    session: AsyncSession, codes: Sequence[str] | None, *, room_id: int | None = None
) -> list[SessionView]:
    """Available sessions of these courses (or in this room), with their available rooms."""
    stmt = (
        select(
            course_sessions.c.id,
            course_sessions.c.label,
            course_sessions.c.starts_at,
            course_sessions.c.ends_at,
            courses.c.code,
            courses.c.name,
            rooms.c.code.label("room_code"),
        )
        .join(courses, courses.c.id == course_sessions.c.course_id)
        .join(session_rooms, session_rooms.c.session_id == course_sessions.c.id)
        .join(rooms, rooms.c.location_id == session_rooms.c.room_id)
        .where(course_sessions.c.available.is_(True), session_rooms.c.available.is_(True))
        .order_by(course_sessions.c.starts_at, course_sessions.c.id, rooms.c.code)
    )
    if codes is not None:
        stmt = stmt.where(courses.c.code.in_(list(codes)))
    if room_id is not None:
        stmt = stmt.where(session_rooms.c.room_id == room_id)
    grouped: dict[int, list[Any]] = defaultdict(list)
    for r in await session.execute(stmt):
        grouped[r.id].append(r)
    return [
        SessionView(
            rs[0].code,
            rs[0].name,
            rs[0].label,
            Interval(rs[0].starts_at, rs[0].ends_at),
            tuple(r.room_code for r in rs),
        )
        for rs in grouped.values()
    ]
