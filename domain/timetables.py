"""Timetables: semesters, courses, teachers, study plans, and the sessions and events
that become bookings of rooms (source `timetable` and `external`).

A timetable as imported is a plain value; weekly patterns are expanded here, over the
semester minus its skipped dates, into dated sessions in the timetable's zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from domain.errors import invalid
from domain.free_rooms import LONGEST_BOOKING, Point
from domain.intervals import Interval


class SemesterType(StrEnum):
    FALL = "fall"
    SPRING = "spring"
    YEAR = "year"


@dataclass(frozen=True)
class Semester:
    name: str
    type: SemesterType
    start_date: date
    end_date: date
    skip_dates: tuple[date, ...] = ()

    def teaching_days(self, weekday: int) -> list[date]:
        """Every date with this ISO weekday from start to end (inclusive), skips left out."""
        skipped = set(self.skip_dates)
        day = self.start_date + timedelta(days=(weekday - self.start_date.isoweekday()) % 7)
        days = []
        while day <= self.end_date:
            if day not in skipped:
                days.append(day)
            day += timedelta(days=7)
        return days


@dataclass(frozen=True)
class Teacher:
    name: str
    people_url: str = ""


@dataclass(frozen=True)
class Course:
    code: str
    name: str
    credits: int
    edu_url: str = ""
    language: str | None = None
    teachers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    section: str
    promo: str | None = None


@dataclass(frozen=True)
class StudyPlan:
    unit: str
    semester: str
    courses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoomDetails:
    """What a timetable says about a room the directory already has."""

    code: str
    type: str | None = None
    capacity: int | None = None
    level: int | None = None
    coordinates: Point | None = None
    available: bool = True
    """False hides the room from every timetable read and search (soft deletion)."""


@dataclass(frozen=True)
class WeeklyPattern:
    """A course's session every week of a semester, in local wall time."""

    origin: str
    course: str
    semester: str
    weekday: int
    start: time
    end: time
    label: str
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """One dated course session in some rooms; `origin` names the record it came from."""

    origin: str
    course: str
    label: str
    interval: Interval
    rooms: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, datetime, datetime]:
        return (self.course, self.label, self.interval.start, self.interval.end)


@dataclass(frozen=True)
class TimetableEvent:
    """A one-off booking of a room (source `external`)."""

    origin: str
    room: str
    name: str
    interval: Interval
    description: str | None = None

    @property
    def key(self) -> tuple[str, str, datetime, datetime]:
        return (self.room, self.name, self.interval.start, self.interval.end)


@dataclass(frozen=True)
class Timetable:
    zone: ZoneInfo
    rooms: tuple[RoomDetails, ...] = ()
    semesters: tuple[Semester, ...] = ()
    teachers: tuple[Teacher, ...] = ()
    courses: tuple[Course, ...] = ()
    units: tuple[Unit, ...] = ()
    study_plans: tuple[StudyPlan, ...] = ()
    weekly: tuple[WeeklyPattern, ...] = ()
    sessions: tuple[Session, ...] = ()
    events: tuple[TimetableEvent, ...] = ()


def local_interval(day: date, start: time, end: time, zone: ZoneInfo, origin: str) -> Interval:
    """[start, end) on a local day, as UTC instants; longer than a booking may be: refused."""
    begins = datetime.combine(day, start, tzinfo=zone)
    ends = datetime.combine(day, end, tzinfo=zone)
    return bounded(begins, ends, origin)


def bounded(start: datetime, end: datetime, origin: str) -> Interval:
    if not start < end:
        raise invalid(f"{origin}: start must be before end", origin)
    if end - start > LONGEST_BOOKING:
        raise invalid(f"{origin}: a session may last at most {LONGEST_BOOKING}", origin)
    return Interval(start, end)


def expand(timetable: Timetable) -> list[Session]:
    """Dated sessions and every occurrence of the weekly patterns, checked for references
    to unknown records and for two bookings of one room at once (rooms themselves are
    checked against the directory by the import)."""
    check_references(timetable)
    semesters = {s.name: s for s in timetable.semesters}
    courses = {c.code for c in timetable.courses}
    sessions = list(timetable.sessions)
    for pattern in timetable.weekly:
        semester = semesters.get(pattern.semester)
        if semester is None:
            where = pattern.origin
            raise invalid(f"{where}: unknown semester {pattern.semester!r}", where)
        for day in semester.teaching_days(pattern.weekday):
            interval = local_interval(
                day, pattern.start, pattern.end, timetable.zone, pattern.origin
            )
            sessions.append(
                Session(pattern.origin, pattern.course, pattern.label, interval, pattern.rooms)
            )
    for session in sessions:
        if session.course not in courses:
            raise invalid(f"{session.origin}: unknown course {session.course!r}", session.origin)
    check_no_double_booking(sessions, timetable.events)
    return sessions


def check_no_double_booking(sessions: Sequence[Session], events: Iterable[TimetableEvent]) -> None:
    """Two timetabled bookings of one room may not overlap: the database refuses it too."""
    by_room: dict[str, list[tuple[Interval, str]]] = defaultdict(list)
    seen: set[tuple[str, str, datetime, datetime]] = set()
    for session in sessions:
        if session.key in seen:
            raise invalid(f"{session.origin}: the same session is listed twice", session.origin)
        seen.add(session.key)
        for room in session.rooms:
            by_room[room].append((session.interval, session.origin))
    for event in events:
        by_room[event.room].append((event.interval, event.origin))
    for room, taken in by_room.items():
        taken.sort(key=lambda t: (t[0].start, t[0].end))
        for (first, where), (second, origin) in pairwise(taken):
            if first.overlaps(second):
                raise invalid(
                    f"{origin}: {room} is already taken at {second.start.isoformat()} by {where}",
                    origin,
                )


def check_references(timetable: Timetable) -> None:
    """Courses name known teachers; study plans name known units, semesters and courses."""
    teachers = {t.name for t in timetable.teachers}
    for i, course in enumerate(timetable.courses):
        for name in course.teachers:
            if name not in teachers:
                where = f"$.courses[{i}].teachers"
                raise invalid(f"{where}: unknown teacher {name!r}", where)
    units = {u.code for u in timetable.units}
    semesters = {s.name for s in timetable.semesters}
    courses = {c.code for c in timetable.courses}
    for i, plan in enumerate(timetable.study_plans):
        where = f"$.study_plans[{i}]"
        if plan.unit not in units:
            raise invalid(f"{where}.unit: unknown unit {plan.unit!r}", where)
        if plan.semester not in semesters:
            raise invalid(f"{where}.semester: unknown semester {plan.semester!r}", where)
        for code in plan.courses:
            if code not in courses:
                raise invalid(f"{where}.courses: unknown course {code!r}", where)
    _unique("$.semesters", [s.name for s in timetable.semesters])
    _unique("$.teachers", [t.name for t in timetable.teachers])
    _unique("$.courses", [c.code for c in timetable.courses])
    _unique("$.units", [u.code for u in timetable.units])
    _unique("$.study_plans", [(p.unit, p.semester) for p in timetable.study_plans])
    _unique("$.rooms", [r.code for r in timetable.rooms])
    _unique("$.events", [e.key for e in timetable.events])


def _unique(path: str, keys: Sequence[object]) -> None:
    seen: set[object] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise invalid(f"{path}[{i}]: listed twice", f"{path}[{i}]")
        seen.add(key)
