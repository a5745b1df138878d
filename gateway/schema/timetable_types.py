"""GraphQL types of timetables: rooms as the timetable knows them, courses, sessions,
study plans, free rooms and soonest blocks. Every time is a UTC instant; rooms carry the
IANA zone their local times are in."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.timetables import SemesterType as SemesterKind
from gateway.schema.ids import ROOM, global_id
from gateway.schema.types import TimeSlot
from gateway.services.room_search import FreeRoom as Free
from gateway.services.room_search import SoonestBooking as Soonest
from gateway.services.timetable_records import (
    CourseDetail,
    CourseInfo,
    EventView,
    RoomFacts,
    SessionView,
    StudyPlanSummary,
    TeacherView,
)

SemesterType = strawberry.enum(SemesterKind, name="SemesterType")


@strawberry.type(description="A room with what timetables know of it.")
class TimetableRoom:
    facts: strawberry.Private[RoomFacts]

    @strawberry.field(description="The room's global id (as Room.id).")
    def id(self) -> strawberry.ID:
        return global_id(ROOM, self.facts.code)

    @strawberry.field(description="The room's code, RM…; FLEP's room name.")
    def code(self) -> str:
        return self.facts.code

    @strawberry.field
    def name(self) -> str:
        return self.facts.name

    @strawberry.field(description="The name of the room's building.")
    def building(self) -> str:
        return self.facts.building

    @strawberry.field(description="What the room is used as (auditorium, laboratory, …).")
    def type(self) -> str | None:
        return self.facts.type

    @strawberry.field(description="Seats; the room's maximum occupancy when not imported.")
    def capacity(self) -> int | None:
        return self.facts.capacity

    @strawberry.field(description="The floor number.")
    def level(self) -> int | None:
        return self.facts.level

    @strawberry.field(description="WGS84 degrees; null when unknown.")
    def latitude(self) -> float | None:
        return self.facts.coordinates.latitude if self.facts.coordinates else None

    @strawberry.field(description="WGS84 degrees; null when unknown.")
    def longitude(self) -> float | None:
        return self.facts.coordinates.longitude if self.facts.coordinates else None

    @strawberry.field
    def resources(self) -> list[str]:
        return list(self.facts.resources)

    @strawberry.field(description="The IANA time zone of the room's site.")
    def time_zone(self) -> str:
        return self.facts.zone.key


@strawberry.type(description="A room free in every selected slot.")
class FreeRoom:
    free: strawberry.Private[Free]

    @strawberry.field
    def room(self) -> TimetableRoom:
        return TimetableRoom(facts=self.free.room)

    @strawberry.field(
        description="Metres from the point searched near (haversine); null without one, or "
        "when the room has no coordinates."
    )
    def distance_meters(self) -> float | None:
        return self.free.distance_m


@strawberry.type(description="A room and its current or next block of bookings.")
class SoonestBooking:
    soonest: strawberry.Private[Soonest]

    @strawberry.field
    def room(self) -> TimetableRoom:
        return TimetableRoom(facts=self.soonest.room)

    @strawberry.field(
        description="Bookings of any source that touch or overlap, merged; null when the "
        "room has nothing left after the given time."
    )
    def block(self) -> TimeSlot | None:
        return TimeSlot.of(self.soonest.block) if self.soonest.block else None


@strawberry.type
class Teacher:
    name: str
    people_url: str

    @classmethod
    def of(cls, teacher: TeacherView) -> Teacher:
        return cls(name=teacher.name, people_url=teacher.people_url)


@strawberry.type(description="A dated course session and the rooms it holds.")
class CourseSession:
    course_code: str
    course_name: str
    label: str
    start: datetime
    end: datetime
    room_codes: list[str]

    @classmethod
    def of(cls, s: SessionView) -> CourseSession:
        return cls(
            course_code=s.course_code,
            course_name=s.course_name,
            label=s.label,
            start=s.interval.start,
            end=s.interval.end,
            room_codes=list(s.rooms),
        )


@strawberry.type(description="A one-off event in a room.")
class TimetableEvent:
    name: str
    description: str | None
    start: datetime
    end: datetime
    room_code: str

    @classmethod
    def of(cls, e: EventView) -> TimetableEvent:
        return cls(
            name=e.name,
            description=e.description,
            start=e.interval.start,
            end=e.interval.end,
            room_code=e.room_code,
        )


@strawberry.type
class Semester:
    name: str
    type: SemesterType  # type: ignore[valid-type]
    start_date: date
    end_date: date
    skip_dates: list[date]


@strawberry.type(description="A study programme's unit (section and year).")
class StudyUnit:
    code: str
    name: str
    section: str
    promo: str | None


@strawberry.type(description="A unit's courses in one semester.")
class StudyPlan:
    plan: strawberry.Private[StudyPlanSummary]

    @strawberry.field(description="The study plan's number (FLEP's id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.plan.id))

    @strawberry.field
    def unit(self) -> StudyUnit:
        u = self.plan.unit
        return StudyUnit(code=u.code, name=u.name, section=u.section, promo=u.promo)

    @strawberry.field
    def semester(self) -> Semester:
        s = self.plan.semester
        return Semester(
            name=s.name,
            type=s.type,
            start_date=s.start_date,
            end_date=s.end_date,
            skip_dates=list(s.skip_dates),
        )


@strawberry.type
class Course:
    info: strawberry.Private[CourseInfo]
    detail: strawberry.Private[CourseDetail | None] = None

    @strawberry.field
    def code(self) -> str:
        return self.info.code

    @strawberry.field
    def name(self) -> str:
        return self.info.name

    @strawberry.field
    def credits(self) -> int:
        return self.info.credits

    @strawberry.field
    def edu_url(self) -> str:
        return self.info.edu_url

    @strawberry.field
    def language(self) -> str | None:
        return self.info.language

    @strawberry.field
    def teachers(self) -> list[Teacher]:
        return [Teacher.of(t) for t in self.info.teachers]

    @strawberry.field(
        description="fall or spring if a study plan of that kind lists it; year else."
    )
    def semester_type(self) -> SemesterType:  # type: ignore[valid-type]
        return self.info.semester_type

    @strawberry.field(description="Its sessions; only on `course(code:)`, empty in lists.")
    def sessions(self) -> list[CourseSession]:
        return [CourseSession.of(s) for s in self.detail.sessions] if self.detail else []

    @strawberry.field(
        description="Study plans whose semester has not ended; only on `course(code:)`."
    )
    def study_plans(self) -> list[StudyPlan]:
        return [StudyPlan(plan=p) for p in self.detail.study_plans] if self.detail else []
