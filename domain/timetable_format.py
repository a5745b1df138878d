"""The timetable file formats (docs/timetables.md): a JSON document, and CSV rows of
schedules. Parsing is all-or-nothing: the first bad record raises INVALID_INPUT naming it
(a JSON path such as `$.courses[2].credits`, or `line 7` of a CSV file) and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from domain.calendar import parse_time_zone
from domain.errors import DomainError, invalid
from domain.free_rooms import Point
from domain.timetables import (
    Course,
    RoomDetails,
    Semester,
    SemesterType,
    Session,
    StudyPlan,
    Teacher,
    Timetable,
    TimetableEvent,
    Unit,
    WeeklyPattern,
    bounded,
)

T = TypeVar("T")
CSV_COLUMNS = ("course", "label", "rooms", "semester", "weekday", "date", "start", "end")


class Record:
    """One JSON object and where it sits in the document."""

    def __init__(self, value: object, path: str, *, csv_row: bool = False) -> None:
        if not isinstance(value, dict):
            raise invalid(f"{path}: must be an object", path)
        self.value: Mapping[str, object] = value
        self.path = path
        self._csv_row = csv_row

    def at(self, key: str) -> str:
        """Where a field is: `$.courses[2].credits`, or `line 7, column start`."""
        return f"{self.path}, column {key}" if self._csv_row else f"{self.path}.{key}"

    def typed(self, key: str, kind: type | tuple[type, ...], required: bool) -> Any:
        """The value at `key` if it has the type `kind`; None when absent and optional."""
        where = self.at(key)
        if key not in self.value or self.value[key] is None:
            if required:
                raise invalid(f"{where}: is required", where)
            return None
        found = self.value[key]
        if not isinstance(found, kind) or (isinstance(found, bool) and kind is not bool):
            raise invalid(f"{where}: has the wrong type", where)
        return found

    def text(self, key: str, *, required: bool = True, longest: int = 200) -> Any:
        found = self.typed(key, str, required)
        where = self.at(key)
        if found is not None and not (0 < len(found.strip()) <= longest):
            raise invalid(f"{where}: must be 1 to {longest} characters", where)
        return found.strip() if found is not None else None

    def integer(self, key: str, *, required: bool = True) -> Any:
        return self.typed(key, int, required)

    def texts(self, key: str) -> tuple[str, ...]:
        found = self.typed(key, list, False) or []
        for i, item in enumerate(found):
            if not isinstance(item, str) or not item.strip():
                raise invalid(f"{self.at(key)}[{i}]: must be a non-empty string", self.path)
        return tuple(item.strip() for item in found)

    def parsed(self, key: str, parse: Callable[[str], T], what: str) -> T:
        raw = self.text(key)
        where = self.at(key)
        try:
            return parse(raw)
        except ValueError:
            raise invalid(f"{where}: {raw!r} is not {what}", where) from None


def records(document: Mapping[str, object], key: str) -> list[Record]:
    found = document.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise invalid(f"$.{key}: must be an array", f"$.{key}")
    return [Record(item, f"$.{key}[{i}]") for i, item in enumerate(found)]


def parse_timetable(text: str, schedule_csv: str | None = None) -> Timetable:
    """The timetable a JSON document (plus, optionally, CSV schedule rows) describes."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise invalid(f"$: not valid JSON ({error})", "$") from None
    top = Record(document, "$")
    zone = _zone(top)
    weekly, sessions = _schedules(records(top.value, "schedules"), zone)
    if schedule_csv is not None:
        more_weekly, more_sessions = _schedules(csv_records(schedule_csv), zone)
        weekly, sessions = weekly + more_weekly, sessions + more_sessions
    return Timetable(
        zone=zone,
        rooms=tuple(_room(r) for r in records(top.value, "rooms")),
        semesters=tuple(_semester(r) for r in records(top.value, "semesters")),
        teachers=tuple(
            Teacher(r.text("name"), r.text("people_url", required=False) or "")
            for r in records(top.value, "teachers")
        ),
        courses=tuple(_course(r) for r in records(top.value, "courses")),
        units=tuple(
            Unit(
                r.text("code", longest=40),
                r.text("name"),
                r.text("section", longest=40),
                r.text("promo", required=False, longest=40),
            )
            for r in records(top.value, "units")
        ),
        study_plans=tuple(
            StudyPlan(r.text("unit", longest=40), r.text("semester"), r.texts("courses"))
            for r in records(top.value, "study_plans")
        ),
        weekly=tuple(weekly),
        sessions=tuple(sessions),
        events=tuple(_event(r, zone) for r in records(top.value, "events")),
    )


def csv_records(text: str) -> list[Record]:
    """CSV schedule rows as records named `line N` (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"course", "label", "rooms", "start", "end"} - set(reader.fieldnames or ())
    if missing:
        raise invalid(f"line 1: missing columns {', '.join(sorted(missing))}", "line 1")
    rows = []
    for row in reader:
        where = f"line {reader.line_num}"
        unknown = set(row) - set(CSV_COLUMNS)
        if unknown - {None} or None in row:
            raise invalid(f"{where}: unexpected columns", where)
        value: dict[str, object] = {k: v for k, v in row.items() if v not in ("", None)}
        value["rooms"] = [r for r in str(row.get("rooms") or "").split(";") if r.strip()]
        if "weekday" in value:
            weekday = str(value["weekday"])
            value["weekday"] = int(weekday) if weekday.isdigit() else weekday
        rows.append(Record(value, where, csv_row=True))
    return rows


def _zone(top: Record) -> ZoneInfo:
    name = top.text("time_zone", longest=64)
    try:
        return parse_time_zone(name)
    except DomainError:
        raise invalid(f"$.time_zone: unknown time zone {name!r}", "$.time_zone") from None


def _room(r: Record) -> RoomDetails:
    coordinates = r.typed("coordinates", list, False)
    point = None
    if coordinates is not None:
        if len(coordinates) != 2 or not all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates
        ):
            raise invalid(f"{r.path}.coordinates: must be [latitude, longitude]", r.path)
        try:
            point = Point(float(coordinates[0]), float(coordinates[1]))
        except DomainError as error:
            raise invalid(f"{r.path}.coordinates: {error.message}", r.path) from None
    capacity = r.integer("capacity", required=False)
    if capacity is not None and capacity < 0:
        raise invalid(f"{r.path}.capacity: cannot be negative", r.path)
    available = r.typed("available", bool, False)
    return RoomDetails(
        r.text("code", longest=40),
        r.text("type", required=False, longest=100),
        capacity,
        r.integer("level", required=False),
        point,
        available is not False,
    )


def _semester(r: Record) -> Semester:
    kind = r.parsed("type", SemesterType, "fall, spring or year")
    start = r.parsed("start_date", date.fromisoformat, "a date (YYYY-MM-DD)")
    end = r.parsed("end_date", date.fromisoformat, "a date (YYYY-MM-DD)")
    if end < start:
        raise invalid(f"{r.path}.end_date: is before start_date", r.path)
    skips = []
    for i, raw in enumerate(r.texts("skip_dates")):
        try:
            skips.append(date.fromisoformat(raw))
        except ValueError:
            where = f"{r.path}.skip_dates[{i}]"
            raise invalid(f"{where}: {raw!r} is not a date (YYYY-MM-DD)", where) from None
    return Semester(r.text("name"), kind, start, end, tuple(skips))


def _course(r: Record) -> Course:
    credits = r.integer("credits")
    if credits < 0:
        raise invalid(f"{r.path}.credits: cannot be negative", r.path)
    return Course(
        r.text("code", longest=40),
        r.text("name"),
        credits,
        r.text("edu_url", required=False, longest=500) or "",
        r.text("language", required=False, longest=40),
        r.texts("teachers"),
    )


def _schedules(rows: list[Record], zone: ZoneInfo) -> tuple[list[WeeklyPattern], list[Session]]:
    weekly: list[WeeklyPattern] = []
    sessions: list[Session] = []
    for r in rows:
        course, label = r.text("course", longest=40), r.text("label", longest=40)
        rooms = r.texts("rooms")
        if not rooms:
            raise invalid(f"{r.at('rooms')}: at least one room is required", r.path)
        start = r.parsed("start", time.fromisoformat, "a time (HH:MM)")
        end = r.parsed("end", time.fromisoformat, "a time (HH:MM)")
        if "date" in r.value:
            day = r.parsed("date", date.fromisoformat, "a date (YYYY-MM-DD)")
            interval = bounded(
                datetime.combine(day, start, tzinfo=zone),
                datetime.combine(day, end, tzinfo=zone),
                r.path,
            )
            sessions.append(Session(r.path, course, label, interval, rooms))
            continue
        weekday = r.integer("weekday")
        if not 1 <= weekday <= 7:
            raise invalid(f"{r.at('weekday')}: must be 1 (Monday) to 7 (Sunday)", r.path)
        if not start < end:
            raise invalid(f"{r.path}: start must be before end", r.path)
        weekly.append(
            WeeklyPattern(r.path, course, r.text("semester"), weekday, start, end, label, rooms)
        )
    return weekly, sessions


def _event(r: Record, zone: ZoneInfo) -> TimetableEvent:
    def local(key: str) -> datetime:
        moment = r.parsed(key, datetime.fromisoformat, "a date and time (YYYY-MM-DDTHH:MM)")
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)

    return TimetableEvent(
        r.path,
        r.text("room", longest=40),
        r.text("name"),
        bounded(local("start"), local("end"), r.path),
        r.text("description", required=False, longest=1000),
    )
