"""Timetables over GraphQL through the real app: the reads, free rooms and soonest
bookings (public by default, showing busy time only), precise errors for bad input, and
a course session making bookRoom on its slot fail with SLOT_TAKEN."""

from __future__ import annotations

import json
from datetime import UTC, date

from domain.timetable_format import parse_timetable
from tests.support.bookings import book, codes, local, slot
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World
from tests.timetables.support import document

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)

FREE_ROOMS = """
query Free($slots: [SlotInput!]!, $filter: FreeRoomFilter) {
  freeRooms(slots: $slots, filter: $filter) {
    room { id code building type capacity level latitude longitude timeZone }
    distanceMeters
  }
}
"""
SOONEST = """
query Soonest($after: DateTime!, $filter: TimetableRoomFilter) {
  soonestBookings(after: $after, filter: $filter) { room { code } block { start end } }
}
"""


async def load(world: World) -> None:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(document()))
    )


def at(hhmm: str, day: date = TUESDAY) -> str:
    return local(hhmm, day).isoformat()


async def free_codes(client: GraphQLClient, *slots: tuple[str, str], **kw: object) -> list[str]:
    variables = {"slots": [{"start": s, "end": e} for s, e in slots], **kw}
    data = await client.data(FREE_ROOMS, variables)
    return [f["room"]["code"] for f in data["freeRooms"]]


async def test_free_rooms_need_no_sign_in_and_see_every_source(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await load(world)
    assert await free_codes(client, (at("10:00"), at("11:00"))) == ["RM001"]
    assert await free_codes(client, (at("13:00"), at("14:00"))) == ["RM000", "RM001"]
    payload = await book(
        client,
        tokens["alice"],
        room="RM001",
        start=local("13:00", TUESDAY),
        end=local("14:00", TUESDAY),
    )
    assert payload["errors"] == []
    assert await free_codes(client, (at("13:00"), at("14:00"))) == ["RM000"]


async def test_a_course_session_makes_book_room_on_its_slot_fail(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await load(world)
    payload = await book(
        client,
        tokens["bob"],
        room="RM000",
        start=local("11:00", TUESDAY),
        end=local("12:30", TUESDAY),
    )
    assert codes(payload) == ["SLOT_TAKEN"]
    data = await client.data(
        "query($id: ID!, $d: Date!) { availableSlots(roomId: $id, date: $d) { start end } }",
        {"id": "RM000", "d": TUESDAY.isoformat()},
        token=tokens["bob"],
    )
    assert slot("10:00", "12:00", TUESDAY) not in data["availableSlots"]
    assert data["availableSlots"][0] == slot("08:00", "10:00", TUESDAY)
    assert data["availableSlots"][1] == slot("12:00", "17:00", TUESDAY)


async def test_filters_and_distance(client: GraphQLClient, world: World) -> None:
    await load(world)
    quiet = (at("15:00", date(2026, 11, 23)), at("16:00", date(2026, 11, 23)))
    found = await client.data(
        FREE_ROOMS,
        {
            "slots": [{"start": quiet[0], "end": quiet[1]}],
            "filter": {"near": {"latitude": -26.11, "longitude": 28.06}},
        },
    )
    rooms = found["freeRooms"]
    assert [r["room"]["code"] for r in rooms] == ["RM000", "RM001"]
    assert rooms[0]["distanceMeters"] > 0
    assert rooms[1]["distanceMeters"] is None
    assert rooms[0]["room"]["building"] == "Main"
    assert rooms[0]["room"]["timeZone"] == "Africa/Johannesburg"
    assert await free_codes(client, quiet, filter={"minCapacity": 50}) == ["RM000"]
    assert await free_codes(client, quiet, filter={"type": "laboratory", "level": 1}) == ["RM001"]
    two_hours = {"freeFrom": at("09:00"), "freeForMinutes": 120}
    assert await free_codes(client, filter=two_hours) == ["RM001"]


async def test_soonest_bookings_use_the_given_time(client: GraphQLClient, world: World) -> None:
    await load(world)
    data = await client.data(SOONEST, {"after": at("11:00")})
    found = {s["room"]["code"]: s["block"] for s in data["soonestBookings"]}
    assert found["RM000"] == slot("10:00", "12:00", TUESDAY)
    assert found["RM001"] == slot("14:00", "15:00", WEDNESDAY)
    data = await client.data(SOONEST, {"after": "2030-01-01T00:00:00Z"})
    assert [s["block"] for s in data["soonestBookings"]] == [None, None]
    data = await client.data(SOONEST, {"after": at("11:00"), "filter": {"type": "auditorium"}})
    assert [s["room"]["code"] for s in data["soonestBookings"]] == ["RM000"]
    data = await client.data("{ timetableRooms(filter: {level: 1}) { code type capacity } }")
    assert data["timetableRooms"] == [{"code": "RM001", "type": "laboratory", "capacity": 8}]


async def test_courses_study_plans_teachers_and_room_timetables(
    client: GraphQLClient, world: World
) -> None:
    await load(world)
    data = await client.data(
        """{ courses { code semesterType teachers { name } }
             course(code: "CS-305") { name credits language sessions { label start roomCodes }
                                      studyPlans { id unit { code } } }
             studyPlans { id unit { code name section promo } semester { name type skipDates } }
             teachers { name peopleUrl }
             roomTimetable(code: "RM001") { room { code } sessions { courseCode }
                                           events { name start end } } }"""
    )
    assert [c["code"] for c in data["courses"]] == ["CS-305", "CS-320"]
    assert data["courses"][0]["semesterType"] == "FALL"
    course = data["course"]
    assert course["sessions"][0] == {
        "label": "lecture",
        "start": local("10:00", TUESDAY).astimezone(UTC).isoformat(),
        "roomCodes": ["RM000"],
    }
    [plan] = data["studyPlans"]
    assert plan["semester"]["skipDates"] == ["2026-12-02"]
    assert course["studyPlans"] == [{"id": plan["id"], "unit": {"code": "IN-BA5"}}]
    assert data["teachers"] == [{"name": "Thandi Nkosi", "peopleUrl": "https://people.example/tn"}]
    assert data["roomTimetable"]["events"][0]["name"] == "Open day"
    detail = await client.data(
        "query($id: ID!) { studyPlan(id: $id) { plan { id } courses { code } "
        "sessions { label } } }",
        {"id": plan["id"]},
    )
    assert [c["code"] for c in detail["studyPlan"]["courses"]] == ["CS-305", "CS-320"]


async def test_bad_input_gets_a_precise_error(client: GraphQLClient, world: World) -> None:
    await load(world)
    cases: list[tuple[str, JSON, str]] = [
        (FREE_ROOMS, {"slots": [{"start": "2026-11-24T10:00:00", "end": at("11:00")}]}, "start"),
        (FREE_ROOMS, {"slots": [{"start": at("11:00"), "end": at("10:00")}]}, "end"),
        (FREE_ROOMS, {"slots": [], "filter": {"freeForMinutes": 30}}, "freeFrom"),
        (
            FREE_ROOMS,
            {"slots": [], "filter": {"near": {"latitude": 91, "longitude": 0}}},
            "latitude",
        ),
        (SOONEST, {"after": "2026-11-24T10:00:00"}, "after"),
        ('query { studyPlan(id: "abc") { plan { id } } }', {}, "id"),
    ]
    for query, variables, field in cases:
        body = await client.run(query, variables)
        assert error_codes(body) == ["INVALID_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == field
    body = await client.run('{ course(code: "XX-000") { name } }')
    assert error_codes(body) == ["NOT_FOUND"]
    body = await client.run('{ roomTimetable(code: "RM999") { room { code } } }')
    assert error_codes(body) == ["NOT_FOUND"]


async def test_the_answers_show_busy_time_only_never_who_booked(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """An ad-hoc booking reaches these reads only as busy time: the types have no field
    that leads to a booking or a person, so bob learns nothing of alice's booking."""
    await load(world)
    payload = await book(
        client,
        tokens["alice"],
        room="RM001",
        start=local("09:00", TUESDAY),
        end=local("10:00", TUESDAY),
        title="Secret interview",
    )
    assert payload["errors"] == []
    data = await client.data(SOONEST, {"after": at("08:00")}, token=tokens["bob"])
    assert json.dumps(data).count("Secret") == 0
    schema = (
        await client.run(
            '{ a: __type(name: "SoonestBooking") { fields { name } } '
            'b: __type(name: "FreeRoom") { fields { name } } '
            'c: __type(name: "TimetableRoom") { fields { name } } }'
        )
    )["data"]
    names = {f["name"] for t in schema.values() for f in t["fields"]}
    assert not names & {"booking", "bookings", "createdBy", "attendees", "title", "user"}
