"""GET /api/courses, /api/courses/:code, /api/studyplans, /api/studyplans/:id."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from domain.ids import MAX_ROW_ID
from gateway.services.timetable_records import (
    CourseInfo,
    SessionView,
    StudyPlanSummary,
    TeacherView,
)
from rest_compat.flep import times
from rest_compat.flep.envelopes import success
from rest_compat.routing import Call

MAX_ID = MAX_ROW_ID  # the databases' id columns are 32-bit


def not_found(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, message, field=field)


def teacher(t: TeacherView) -> dict[str, Any]:
    return {"name": t.name, "people_url": t.people_url}


def plan(p: StudyPlanSummary, *, skip_dates: bool = False) -> dict[str, Any]:
    semester: dict[str, Any] = {"name": p.semester.name, "type": p.semester.type.value}
    if skip_dates:
        semester["skip_dates"] = [times.render_date(d) for d in p.semester.skip_dates]
    u = p.unit
    return {
        "_id": str(p.id),
        "unit": {"name": u.name, "section": u.section, "code": u.code, "promo": u.promo},
        "semester": semester,
    }


def schedule(s: SessionView, zone: ZoneInfo, *, with_course: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {"course": {"code": s.course_code, "name": s.course_name}}
    if not with_course:
        shown = {}
    shown |= {
        "start_datetime": times.render(s.interval.start, zone),
        "end_datetime": times.render(s.interval.end, zone),
        "label": s.label,
        "rooms": [{"name": code} for code in s.rooms],
    }
    return shown


def course_fields(c: CourseInfo) -> dict[str, Any]:
    return {
        "name": c.name,
        "code": c.code,
        "credits": c.credits,
        "edu_url": c.edu_url,
        "language": c.language,
    }


async def courses(call: Call[None]) -> Response:
    """Courses that some study plan lists, with their semester type (fall or spring if
    such a study plan lists them, otherwise year); `_id` is the course code."""
    found = await call.app.timetables.courses(call.principal)
    return success(
        [
            {
                "_id": c.code,
                "name": c.name,
                "code": c.code,
                "credits": c.credits,
                "semesterType": c.semester_type.value,
            }
            for c in found
            if c.in_study_plan
        ]
    )


async def course(call: Call[None]) -> Response:
    """A course with its teachers, its sessions and rooms, and its study plans whose
    semester has not ended."""
    code = call.request.path_params["code"]
    try:
        found = await call.app.timetables.course(call.principal, code)
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise not_found("Course not found", "code") from None
        raise
    zone = await call.app.timetables.wall_clock_zone()
    return success(
        course_fields(found.info)
        | {
            "teachers": [teacher(t) for t in found.info.teachers],
            "schedules": [schedule(s, zone, with_course=False) for s in found.sessions],
            "studyplans": [plan(p) for p in found.study_plans],
        }
    )


async def study_plans(call: Call[None]) -> Response:
    """Study plans whose semester has not ended."""
    found = await call.app.timetables.study_plans(call.principal, current=True)
    return success([plan(p) for p in found])


async def study_plan(call: Call[None]) -> Response:
    """A study plan (of any semester) with its sessions and courses. An id that is not
    one of ours is simply not found (the original hung on it)."""
    raw = call.request.path_params["id"]
    plan_id = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    if plan_id is None:
        raise not_found("Studyplan not found", "id")
    try:
        found = await call.app.timetables.study_plan(call.principal, plan_id)
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise not_found("Studyplan not found", "id") from None
        raise
    zone = await call.app.timetables.wall_clock_zone()
    return success(
        plan(found.plan, skip_dates=True)
        | {
            "schedules": [schedule(s, zone, with_course=True) for s in found.sessions],
            "courses": [
                course_fields(c) | {"available": True, "teachers": [teacher(t) for t in c.teachers]}
                for c in found.courses
            ],
        }
    )
