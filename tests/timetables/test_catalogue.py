"""Courses, study plans, teachers and rooms' timetables as imported, withdrawn records
left out."""

from __future__ import annotations

import json

import pytest

from domain.errors import DomainError, ErrorCode
from domain.timetable_format import parse_timetable
from domain.timetables import SemesterType
from gateway.services.authz import ANONYMOUS
from tests.support.clock import MutableClock
from tests.support.world import World
from tests.timetables.support import document


async def load(world: World, doc: object | None = None) -> None:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(doc or document()))
    )


async def test_courses_carry_teachers_semester_type_sessions_and_plans(world: World) -> None:
    await load(world)
    timetables = world.gateway.app.timetables
    listed = await timetables.courses(ANONYMOUS)
    assert [(c.code, c.semester_type, c.in_study_plan) for c in listed] == [
        ("CS-305", SemesterType.FALL, True),
        ("CS-320", SemesterType.FALL, True),
    ]
    course = await timetables.course(ANONYMOUS, "CS-320")
    assert course.info.teachers == ()
    assert [(s.label, s.rooms) for s in course.sessions] == [("exercise", ("RM000", "RM001"))] * 2
    assert [p.unit.code for p in course.study_plans] == ["IN-BA5"]
    [teacher] = await timetables.teachers(ANONYMOUS)
    assert (teacher.name, teacher.people_url) == ("Thandi Nkosi", "https://people.example/tn")


async def test_study_plans_and_their_courses_and_sessions(
    world: World, clock: MutableClock
) -> None:
    await load(world)
    timetables = world.gateway.app.timetables
    [plan] = await timetables.study_plans(ANONYMOUS, current=True)
    assert (plan.unit.name, plan.semester.name) == ("Computer science BA5", "Fall 2026")
    detail = await timetables.study_plan(ANONYMOUS, plan.id)
    assert [c.code for c in detail.courses] == ["CS-305", "CS-320"]
    assert len(detail.sessions) == 5
    clock.set(clock.now().replace(year=2027))
    assert await timetables.study_plans(ANONYMOUS, current=True) == []
    assert len(await timetables.study_plans(ANONYMOUS, current=False)) == 1


async def test_a_room_lists_its_sessions_and_events_but_no_ad_hoc_booking(world: World) -> None:
    await load(world)
    schedule = await world.gateway.app.timetables.room(ANONYMOUS, "RM001")
    assert (schedule.room.type, schedule.room.capacity, schedule.room.level) == (
        "laboratory",
        8,
        1,
    )
    assert [s.course_code for s in schedule.sessions] == ["CS-320", "CS-320"]
    assert [e.name for e in schedule.events] == ["Open day"]


async def test_withdrawn_records_are_left_out(world: World) -> None:
    await load(world)
    smaller = document()
    smaller["courses"] = smaller["courses"][:1]
    smaller["study_plans"][0]["courses"] = ["CS-305"]
    smaller["schedules"] = smaller["schedules"][:1]
    await load(world, smaller)
    timetables = world.gateway.app.timetables
    assert [c.code for c in await timetables.courses(ANONYMOUS)] == ["CS-305"]
    with pytest.raises(DomainError) as raised:
        await timetables.course(ANONYMOUS, "CS-320")
    assert raised.value.code is ErrorCode.NOT_FOUND
    schedule = await timetables.room(ANONYMOUS, "RM001")
    assert schedule.sessions == ()


async def test_unknown_keys_are_not_found(world: World) -> None:
    timetables = world.gateway.app.timetables
    for ask in (
        timetables.course(ANONYMOUS, "XX-000"),
        timetables.room(ANONYMOUS, "RM999"),
        timetables.study_plan(ANONYMOUS, 999),
    ):
        with pytest.raises(DomainError) as raised:
            await ask
        assert raised.value.code is ErrorCode.NOT_FOUND
