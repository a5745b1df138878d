"""Timetable reads: courses, teachers, study plans and rooms' timetables, for GraphQL
and the FLEP API alike. Public unless OCCUPI_TIMETABLE_REQUIRES_SIGN_IN: they show
courses and rooms, and of ad-hoc bookings nothing at all."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.calendar import parse_time_zone
from domain.errors import DomainError, ErrorCode
from gateway.services.authz import Principal
from gateway.services.ports import Clock, TimetableCatalogue
from gateway.services.room_search import RoomSearch
from gateway.services.timetable_records import (
    CourseDetail,
    CourseInfo,
    RoomSchedule,
    StudyPlanDetail,
    StudyPlanSummary,
    TeacherView,
)


def missing(what: str, key: str, field: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"no {what} {key!r}", field=field)


class Timetables:
    def __init__(
        self,
        catalogue: TimetableCatalogue,
        search: RoomSearch,
        clock: Clock,
        wall_clock_zone: str | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._search = search
        self._clock = clock
        self._zone = wall_clock_zone

    async def wall_clock_zone(self) -> ZoneInfo:
        """The zone of the FLEP API's wall-clock times: OCCUPI_FLEP_TIME_ZONE, or the
        first site's zone, or UTC when there is no site yet."""
        name = self._zone or await self._catalogue.first_site_zone()
        return parse_time_zone(name) if name else ZoneInfo("UTC")

    async def courses(self, principal: Principal) -> list[CourseInfo]:
        """Every available course, by code."""
        self._search.allow(principal)
        return await self._catalogue.courses()

    async def course(self, principal: Principal, code: str) -> CourseDetail:
        """A course with its sessions and its study plans not over yet; NOT_FOUND else."""
        self._search.allow(principal)
        found = await self._catalogue.course(code.strip(), self._clock.now().date())
        if found is None:
            raise missing("course", code, "code")
        return found

    async def study_plans(self, principal: Principal, *, current: bool) -> list[StudyPlanSummary]:
        """Study plans; with `current`, only those whose semester has not ended."""
        self._search.allow(principal)
        return await self._catalogue.study_plans(self._clock.now().date() if current else None)

    async def study_plan(self, principal: Principal, plan_id: int) -> StudyPlanDetail:
        self._search.allow(principal)
        found = await self._catalogue.study_plan(plan_id)
        if found is None:
            raise missing("study plan", str(plan_id), "id")
        return found

    async def teachers(self, principal: Principal) -> list[TeacherView]:
        self._search.allow(principal)
        return await self._catalogue.teachers()

    async def room(self, principal: Principal, code: str) -> RoomSchedule:
        """A room with its timetabled sessions and events (ad-hoc bookings not shown)."""
        self._search.allow(principal)
        found = await self._catalogue.room_schedule(code.strip())
        if found is None:
            raise missing("room", code, "name")
        return found
