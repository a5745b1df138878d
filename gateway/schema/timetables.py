"""Timetables in GraphQL: courses, study plans, teachers, rooms' timetables, free-room
search and soonest bookings. Public unless OCCUPI_TIMETABLE_REQUIRES_SIGN_IN (the
services decide); times are UTC instants."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.errors import invalid
from domain.free_rooms import Point
from domain.intervals import Interval
from gateway.schema.context import Info
from gateway.schema.ids import number
from gateway.schema.timetable_types import (
    Course,
    CourseSession,
    FreeRoom,
    SoonestBooking,
    StudyPlan,
    Teacher,
    TimetableEvent,
    TimetableRoom,
)
from gateway.services.room_search import FreeFor
from gateway.services.timetable_records import RoomFilter


@strawberry.input(description="A half-open slot [start, end); both with an offset.")
class SlotInput:
    start: datetime
    end: datetime


@strawberry.input(description="WGS84 degrees.")
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.input(description="Which rooms to consider; every set field narrows the list.")
class TimetableRoomFilter:
    building: str | None = strawberry.field(default=None, description="Building name.")
    level: int | None = strawberry.field(default=None, description="Floor number.")
    min_capacity: int | None = None
    type: str | None = strawberry.field(default=None, description="Room type, any case.")
    resources: list[str] | None = strawberry.field(
        default=None, description="The room has all of these."
    )

    def where(self) -> RoomFilter:
        return RoomFilter(
            building=self.building,
            level=self.level,
            min_capacity=self.min_capacity,
            type=self.type,
            resources=tuple(self.resources or ()),
        )


@strawberry.input(description="Which rooms to consider, and how to order them.")
class FreeRoomFilter(TimetableRoomFilter):
    free_from: datetime | None = strawberry.field(
        default=None, description="With freeForMinutes: free for that long from then."
    )
    free_for_minutes: int | None = None
    near: GeoPointInput | None = strawberry.field(
        default=None, description="Sort nearest first (rooms without coordinates last)."
    )

    def free_for(self) -> FreeFor | None:
        if self.free_from is None and self.free_for_minutes is None:
            return None
        if self.free_from is None or self.free_for_minutes is None:
            raise invalid("freeFrom and freeForMinutes go together", "freeFrom")
        return FreeFor(self.free_from, self.free_for_minutes)

    def point(self) -> Point | None:
        return Point(self.near.latitude, self.near.longitude) if self.near else None


@strawberry.type(description="A room's timetable: its sessions and events, no ad-hoc booking.")
class RoomTimetable:
    room: TimetableRoom
    sessions: list[CourseSession]
    events: list[TimetableEvent]


@strawberry.type
class TimetableQuery:
    @strawberry.field(description="Every available course, by code.")
    async def courses(self, info: Info) -> list[Course]:
        found = await info.context.app.timetables.courses(info.context.principal)
        return [Course(info=c) for c in found]

    @strawberry.field(description="A course by code (CS-305), with sessions and study plans.")
    async def course(self, info: Info, code: str) -> Course:
        found = await info.context.app.timetables.course(info.context.principal, code)
        return Course(info=found.info, detail=found)

    @strawberry.field(description="Study plans; by default only those not over yet.")
    async def study_plans(self, info: Info, current: bool = True) -> list[StudyPlan]:
        found = await info.context.app.timetables.study_plans(
            info.context.principal, current=current
        )
        return [StudyPlan(plan=p) for p in found]

    @strawberry.field(description="A study plan by its number.")
    async def study_plan(self, info: Info, id: strawberry.ID) -> StudyPlanDetails:
        plan_id = number(str(id))
        if plan_id is None:
            raise invalid(f"{id!r} is not a study plan id", "id")
        found = await info.context.app.timetables.study_plan(info.context.principal, plan_id)
        return StudyPlanDetails(
            plan=StudyPlan(plan=found.plan),
            courses=[Course(info=c) for c in found.courses],
            sessions=[CourseSession.of(s) for s in found.sessions],
        )

    @strawberry.field
    async def teachers(self, info: Info) -> list[Teacher]:
        found = await info.context.app.timetables.teachers(info.context.principal)
        return [Teacher.of(t) for t in found]

    @strawberry.field(description="Rooms as timetables know them, by code.")
    async def timetable_rooms(
        self, info: Info, filter: TimetableRoomFilter | None = None
    ) -> list[TimetableRoom]:
        where = (filter or TimetableRoomFilter()).where()
        found = await info.context.app.room_search.rooms(info.context.principal, where)
        return [TimetableRoom(facts=r) for r in found]

    @strawberry.field(description="A room (by code) with its timetabled bookings.")
    async def room_timetable(self, info: Info, code: str) -> RoomTimetable:
        found = await info.context.app.timetables.room(info.context.principal, code)
        return RoomTimetable(
            room=TimetableRoom(facts=found.room),
            sessions=[CourseSession.of(s) for s in found.sessions],
            events=[TimetableEvent.of(e) for e in found.events],
        )

    @strawberry.field(
        description="Rooms free in every slot (half-open), across ad-hoc bookings, course "
        "sessions and events; no slot: every room. By code, or nearest first."
    )
    async def free_rooms(
        self, info: Info, slots: list[SlotInput], filter: FreeRoomFilter | None = None
    ) -> list[FreeRoom]:
        wanted = filter or FreeRoomFilter()
        found = await info.context.app.room_search.free_rooms(
            info.context.principal,
            [Interval(s.start, s.end) for s in slots],
            wanted.where(),
            free_for=wanted.free_for(),
            near=wanted.point(),
        )
        return [FreeRoom(free=f) for f in found]

    @strawberry.field(
        description="Every room with its current or next block of bookings after `after`."
    )
    async def soonest_bookings(
        self, info: Info, after: datetime, filter: TimetableRoomFilter | None = None
    ) -> list[SoonestBooking]:
        where = (filter or TimetableRoomFilter()).where()
        found = await info.context.app.room_search.soonest_bookings(
            info.context.principal, after, where
        )
        return [SoonestBooking(soonest=s) for s in found]


@strawberry.type(description="A study plan with its courses and their sessions.")
class StudyPlanDetails:
    plan: StudyPlan
    courses: list[Course]
    sessions: list[CourseSession]
