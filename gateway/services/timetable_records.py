"""Values the timetable use cases exchange with their ports: what is stored of sessions
and events (for the import's diff), rooms as the timetable reads show them, and the
import's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.free_rooms import Point
from domain.intervals import Interval
from domain.timetables import SemesterType


@dataclass(frozen=True)
class StoredRoom:
    """A session's booking of one room; the booking is active while `available`."""

    room_id: int
    booking_id: int
    available: bool


@dataclass(frozen=True)
class StoredSession:
    id: int
    course: str
    label: str
    interval: Interval
    available: bool
    rooms: tuple[StoredRoom, ...] = ()

    @property
    def key(self) -> tuple[str, str, datetime, datetime]:
        return (self.course, self.label, self.interval.start, self.interval.end)


@dataclass(frozen=True)
class StoredEvent:
    id: int
    room_code: str
    name: str
    interval: Interval
    booking_id: int
    available: bool

    @property
    def key(self) -> tuple[str, str, datetime, datetime]:
        return (self.room_code, self.name, self.interval.start, self.interval.end)


class CollisionPolicy(StrEnum):
    """What an import does with an ad-hoc booking in the way of a session or an event."""

    TIMETABLE_WINS = "timetable_wins"
    """Cancel the ad-hoc booking and tell its people."""
    REFUSE = "refuse"
    """Import nothing, and report every collision."""


@dataclass(frozen=True)
class Collision:
    origin: str
    room_code: str
    booking_code: str
    interval: Interval


@dataclass
class ImportReport:
    """What an import changed; a second import of the same file changes nothing."""

    sessions_added: int = 0
    sessions_restored: int = 0
    sessions_withdrawn: int = 0
    events_added: int = 0
    events_restored: int = 0
    events_withdrawn: int = 0
    collisions: list[Collision] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.sessions_added,
                self.sessions_restored,
                self.sessions_withdrawn,
                self.events_added,
                self.events_restored,
                self.events_withdrawn,
            )
        )


@dataclass(frozen=True)
class RoomFacts:
    """A room as the timetable reads show it: what FLEP knows of it, with the zone of its
    site (the REST shim renders local wall-clock times in it)."""

    id: int
    code: str
    name: str
    building: str
    type: str | None
    capacity: int | None
    level: int | None
    coordinates: Point | None
    resources: tuple[str, ...]
    zone: ZoneInfo


@dataclass(frozen=True)
class SemesterView:
    name: str
    type: SemesterType
    start_date: date
    end_date: date
    skip_dates: tuple[date, ...]


@dataclass(frozen=True)
class RoomFilter:
    """Which rooms a timetable read considers; every set field narrows the result.
    `resources`: the room has all of them. `codes`: only these rooms."""

    building: str | None = None
    level: int | None = None
    min_capacity: int | None = None
    type: str | None = None
    resources: tuple[str, ...] = ()
    codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UnitView:
    code: str
    name: str
    section: str
    promo: str | None


@dataclass(frozen=True)
class StudyPlanSummary:
    id: int
    unit: UnitView
    semester: SemesterView


@dataclass(frozen=True)
class TeacherView:
    name: str
    people_url: str


@dataclass(frozen=True)
class SessionView:
    """A course session and the rooms (codes) it holds."""

    course_code: str
    course_name: str
    label: str
    interval: Interval
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class EventView:
    name: str
    description: str | None
    interval: Interval
    room_code: str


@dataclass(frozen=True)
class CourseInfo:
    code: str
    name: str
    credits: int
    edu_url: str
    language: str | None
    teachers: tuple[TeacherView, ...]
    semester_type: SemesterType
    """fall or spring if a study plan of that semester type lists it, otherwise year."""
    in_study_plan: bool


@dataclass(frozen=True)
class CourseDetail:
    info: CourseInfo
    sessions: tuple[SessionView, ...]
    study_plans: tuple[StudyPlanSummary, ...]


@dataclass(frozen=True)
class StudyPlanDetail:
    plan: StudyPlanSummary
    courses: tuple[CourseInfo, ...]
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True)
class RoomSchedule:
    room: RoomFacts
    sessions: tuple[SessionView, ...]
    events: tuple[EventView, ...]
