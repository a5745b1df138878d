"""Golden tests of the FLEP API through the real app: each endpoint's body to the byte,
each documented error, the wall-clock-with-Z convention, and the two ways it meets the
rest of the gateway (an ad-hoc booking made over GraphQL leaves find_free_rooms; a
course session makes bookRoom fail with SLOT_TAKEN)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from domain.timetable_format import parse_timetable
from tests.support.bookings import book, codes, local
from tests.support.graphql import GraphQLClient
from tests.support.world import World
from tests.timetables.support import document

JSON_UTF8 = "application/json; charset=utf-8"
TUESDAY = date(2026, 11, 24)
# 10:00-11:00 on Tuesday, Johannesburg wall clock labelled Z (FLEP's convention).
LECTURE_HOUR = {"start": "2026-11-24T10:00:00.000Z", "end": "2026-11-24T11:00:00.000Z"}
ROOMS = (
    b'[{"name":"RM000","type":"auditorium","coordinates":[-26.1076,28.0567],"building":"Main"},'
    b'{"name":"RM001","type":"laboratory","coordinates":null,"building":"Main"}]'
)


async def load(world: World) -> None:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(document()))
    )


async def answer(
    http: httpx.AsyncClient, method: str, path: str, body: object = None
) -> tuple[int, bytes]:
    if body is None:
        response = await http.request(method, path)
    else:
        response = await http.request(method, path, content=json.dumps(body))
    if response.status_code != 404 or response.content.startswith(b"{"):
        assert response.headers["content-type"] == JSON_UTF8
    return response.status_code, response.content


async def test_rooms(http: httpx.AsyncClient, world: World) -> None:
    await load(world)
    assert await answer(http, "GET", "/api/rooms") == (200, ROOMS)


async def test_a_room_and_its_timetable_in_local_wall_clock(
    http: httpx.AsyncClient, world: World
) -> None:
    await load(world)
    assert await answer(http, "GET", "/api/rooms/RM001") == (
        200,
        b'{"name":"RM001","type":"laboratory","link":null,"coordinates":null,"building":"Main",'
        b'"capacity":8,"level":1,"schedules":['
        b'{"course":{"code":"CS-320","name":"Compilers"},"start_datetime":'
        b'"2026-11-25T14:00:00.000Z","end_datetime":"2026-11-25T15:00:00.000Z",'
        b'"label":"exercise"},'
        b'{"course":{"code":"CS-320","name":"Compilers"},"start_datetime":'
        b'"2026-12-09T14:00:00.000Z","end_datetime":"2026-12-09T15:00:00.000Z",'
        b'"label":"exercise"},'
        b'{"name":"Open day","start_datetime":"2026-11-27T09:00:00.000Z",'
        b'"end_datetime":"2026-11-27T11:00:00.000Z","label":"event"}]}',
    )
    assert await answer(http, "GET", "/api/rooms/RM404") == (404, b'{"message":"Room not found"}')


async def test_find_free_rooms(http: httpx.AsyncClient, world: World) -> None:
    await load(world)
    near = {"latitude": -26.11, "longitude": 28.06}
    status, body = await answer(
        http, "POST", "/api/rooms/find_free_rooms", {"selection": [LECTURE_HOUR]}
    )
    assert (status, body) == (200, b'[{"name":"RM001","type":"laboratory","coordinates":null}]')
    quiet = {"start": "2026-11-23T15:00", "end": "2026-11-23T16:00"}
    status, body = await answer(
        http, "POST", "/api/rooms/find_free_rooms", {"selection": [quiet], "coordinates": near}
    )
    assert status == 200
    found = json.loads(body)
    assert [r["name"] for r in found] == ["RM000", "RM001"]
    assert found[0]["distance"] == pytest.approx(424, abs=1)
    assert found[1]["distance"] is None
    # An empty selection lists every room, in the room list's shape; the first API's
    # bare-array body is accepted too.
    assert await answer(http, "POST", "/api/rooms/find_free_rooms", {"selection": []}) == (
        200,
        ROOMS,
    )
    assert await answer(http, "POST", "/api/rooms/find_free_rooms", [LECTURE_HOUR]) == (
        200,
        b'[{"name":"RM001","type":"laboratory","coordinates":null}]',
    )


async def test_find_soonest_bookings_uses_after_date_consistently(
    http: httpx.AsyncClient, world: World
) -> None:
    await load(world)
    assert await answer(
        http, "POST", "/api/rooms/find_soonest_bookings", {"after_date": "2026-11-24T11:00"}
    ) == (
        200,
        b'[{"name":"RM000","soonest_booking":{"start_datetime":"2026-11-24T10:00:00.000Z",'
        b'"end_datetime":"2026-11-24T12:00:00.000Z"}},'
        b'{"name":"RM001","soonest_booking":{"start_datetime":"2026-11-25T14:00:00.000Z",'
        b'"end_datetime":"2026-11-25T15:00:00.000Z"}}]',
    )
    assert await answer(
        http, "POST", "/api/rooms/find_soonest_bookings", {"after_date": "2031-01-01T00:00Z"}
    ) == (200, b'[{"name":"RM000","soonest_booking":null},{"name":"RM001","soonest_booking":null}]')


async def test_courses_and_study_plans(http: httpx.AsyncClient, world: World) -> None:
    await load(world)
    assert await answer(http, "GET", "/api/courses") == (
        200,
        b'[{"_id":"CS-305","name":"Software engineering","code":"CS-305","credits":4,'
        b'"semesterType":"fall"},{"_id":"CS-320","name":"Compilers","code":"CS-320",'
        b'"credits":6,"semesterType":"fall"}]',
    )
    status, body = await answer(http, "GET", "/api/courses/CS-305")
    assert status == 200
    assert body.startswith(
        b'{"name":"Software engineering","code":"CS-305","credits":4,"edu_url":"",'
        b'"language":"English","teachers":[{"name":"Thandi Nkosi",'
        b'"people_url":"https://people.example/tn"}],"schedules":[{"start_datetime":'
        b'"2026-11-24T10:00:00.000Z","end_datetime":"2026-11-24T12:00:00.000Z",'
        b'"label":"lecture","rooms":[{"name":"RM000"}]},'
    )
    plans = (
        b'[{"_id":"1","unit":{"name":"Computer science BA5","section":"IN","code":"IN-BA5",'
        b'"promo":"BA5"},"semester":{"name":"Fall 2026","type":"fall"}}]'
    )
    assert body.endswith(b'"studyplans":' + plans + b"}")
    assert await answer(http, "GET", "/api/studyplans") == (200, plans)
    status, body = await answer(http, "GET", "/api/studyplans/1")
    assert status == 200
    detail = json.loads(body)
    assert detail["semester"] == {
        "name": "Fall 2026",
        "type": "fall",
        "skip_dates": ["2026-12-02T00:00:00.000Z"],
    }
    assert [c["code"] for c in detail["courses"]] == ["CS-305", "CS-320"]
    assert detail["courses"][1] == {
        "name": "Compilers",
        "code": "CS-320",
        "credits": 6,
        "edu_url": "",
        "language": None,
        "available": True,
        "teachers": [],
    }
    assert detail["schedules"][1]["rooms"] == [{"name": "RM000"}, {"name": "RM001"}]


FREE = "/api/rooms/find_free_rooms"
SOONEST = "/api/rooms/find_soonest_bookings"
SHAPE = b'{"message":"Selection must be an array of objects with start and end properties"}'
BAD_DATES = b'{"message":"Selection start and end must be dates, with start before end"}'
COORDS = b'{"message":"Coordinates must have latitude and longitude properties"}'


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("POST", FREE, {}, (400, b'{"message":"Missing selection"}')),
        (
            "POST",
            FREE,
            {"selection": {"start": "x"}},
            (400, b'{"message":"Selection must be an array"}'),
        ),
        ("POST", FREE, {"selection": [{"start": "2026-11-24T10:00"}]}, (400, SHAPE)),
        ("POST", FREE, {"selection": ["10:00"]}, (400, SHAPE)),
        ("POST", FREE, {"selection": [{"start": "soon", "end": "later"}]}, (400, BAD_DATES)),
        (
            "POST",
            FREE,
            {"selection": [{"start": "2026-11-24T11:00", "end": "2026-11-24T10:00"}]},
            (400, BAD_DATES),
        ),
        (
            "POST",
            FREE,
            {"selection": [], "coordinates": [1, 2]},
            (400, b'{"message":"Coordinates must be an object"}'),
        ),
        ("POST", FREE, {"selection": [], "coordinates": {"latitude": 46.5}}, (400, COORDS)),
        (
            "POST",
            FREE,
            {"selection": [], "coordinates": {"latitude": 95, "longitude": 0}},
            (400, COORDS),
        ),
        ("POST", SOONEST, {}, (400, b'{"message":"Missing after_date"}')),
        ("POST", SOONEST, {"after_date": "tomorrow"}, (400, b'{"message":"Invalid after_date"}')),
        ("POST", SOONEST, {"after_date": 12}, (400, b'{"message":"Invalid after_date"}')),
        ("GET", "/api/courses/XX-000", None, (404, b'{"message":"Course not found"}')),
        ("GET", "/api/studyplans/999", None, (404, b'{"message":"Studyplan not found"}')),
        (
            "GET",
            "/api/studyplans/65a0c0ffee0000000000beef",
            None,
            (404, b'{"message":"Studyplan not found"}'),
        ),
        ("GET", "/api/rooms/nowhere", None, (404, b'{"message":"Room not found"}')),
    ],
)
async def test_each_documented_error(
    http: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    body: Any,
    expected: tuple[int, bytes],
) -> None:
    await load(world)
    assert await answer(http, method, path, body) == expected


async def test_a_body_that_is_not_json_is_a_400(http: httpx.AsyncClient, world: World) -> None:
    response = await http.post(FREE, content=b"{selection")
    assert (response.status_code, response.content) == (400, b'{"message":"Invalid JSON body"}')
    response = await http.post(SOONEST, content=b"\xff\xfe")
    assert response.status_code == 400


async def test_an_ad_hoc_booking_made_over_graphql_leaves_find_free_rooms_as_busy_time(
    http: httpx.AsyncClient, client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await load(world)
    slot = {"start": "2026-11-24T13:00:00.000Z", "end": "2026-11-24T14:00:00.000Z"}
    assert await answer(http, "POST", FREE, {"selection": [slot]}) == (
        200,
        b'[{"name":"RM000","type":"auditorium","coordinates":[-26.1076,28.0567]},'
        b'{"name":"RM001","type":"laboratory","coordinates":null}]',
    )
    payload = await book(
        client,
        tokens["alice"],
        room="RM001",
        start=local("13:00", TUESDAY),
        end=local("14:00", TUESDAY),
        title="Private chat",
        attendees=[world.bob.email],
    )
    assert payload["errors"] == []
    assert await answer(http, "POST", FREE, {"selection": [slot]}) == (
        200,
        b'[{"name":"RM000","type":"auditorium","coordinates":[-26.1076,28.0567]}]',
    )
    status, body = await answer(http, "POST", SOONEST, {"after_date": "2026-11-24T12:30"})
    assert status == 200
    assert json.loads(body)[1] == {
        "name": "RM001",
        "soonest_booking": {
            "start_datetime": "2026-11-24T13:00:00.000Z",
            "end_datetime": "2026-11-24T14:00:00.000Z",
        },
    }
    assert b"Private" not in body
    assert b"alice" not in body


async def test_a_course_session_makes_book_room_fail_with_slot_taken(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await load(world)
    payload = await book(
        client,
        tokens["alice"],
        room="RM000",
        start=local("09:30", TUESDAY),
        end=local("10:30", TUESDAY),
    )
    assert codes(payload) == ["SLOT_TAKEN"]


async def test_a_setting_can_require_a_sign_in(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    search = world.gateway.app.room_search
    monkeypatch.setattr(search, "_requires_sign_in", True)
    response = await http.get("/api/rooms")
    assert response.status_code == 401
    assert response.json()["message"].startswith("sign in first")
    response = await http.get("/api/rooms", headers={"Authorization": f"Bearer {tokens['bob']}"})
    assert response.status_code == 200
