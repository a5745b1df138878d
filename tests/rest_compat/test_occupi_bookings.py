"""Golden tests: book-room, check-in, cancel-booking and available-slots through the real
app, with the shapes the original's clients sent; an address naming somebody else is
refused and nothing changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.rest_compat.test_occupi_listings import CODE, FORBIDDEN, auth, book, get
from tests.support.clock import MutableClock
from tests.support.world import PASSWORD, World

# Booking and checking in are done as oneself, admins included.
NOT_OWN = {
    **FORBIDDEN,
    "error": {
        **FORBIDDEN["error"],
        "message": "only the person themselves may do this, admins included",
    },
}

BOOKED_AT = {"start": "2026-11-24T07:00:00Z", "end": "2026-11-24T08:00:00Z"}
NOT_FOUND = {
    "error": {"code": "INTERNAL_SERVER_ERROR", "details": None, "message": "Booking not found"},
    "message": "Booking not found",
    "status": 404,
}
CONFLICT = {
    "error": {
        "code": "BAD_REQUEST",
        "details": None,
        "message": "Booking coincides with another booking",
    },
    "message": "Booking coincides with another booking",
    "status": 400,
}


def booking(**more: Any) -> dict[str, Any]:
    return {
        "roomId": "RM000",
        "roomName": "Room 0",
        "emails": ["alice@example.com", "bob@example.com"],
        "creator": "alice@example.com",
        "floorNo": "1",
        "date": "2026-11-24T00:00:00Z",
        **BOOKED_AT,
        **more,
    }


async def post(http: httpx.AsyncClient, path: str, token: str, body: object) -> httpx.Response:
    return await http.post(path, json=body, headers=auth(token))


async def attendees(world: World, code: str) -> list[str]:
    view = await world.gateway.app.bookings.get(world.principal(world.admin), code)
    assert view.details is not None
    return [a.email for a in view.details.attendees]


async def test_book_room_answers_the_booking_id(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    response = await post(http, "/api/book-room", tokens["alice"], booking(floorNo=1))
    body = response.json()
    assert response.status_code == 200
    assert body == {"data": body["data"], "message": "Successfully booked!", "status": 200}
    assert CODE.match(body["data"])
    assert await attendees(world, body["data"]) == ["alice@example.com", "bob@example.com"]

    again = await post(
        http, "/api/book-room", tokens["bob"], booking(creator="bob@example.com", emails=[])
    )
    assert (again.status_code, again.json()) == (400, CONFLICT)


async def test_book_room_as_somebody_else_is_refused(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    for handle in ("bob", "admin"):
        response = await post(http, "/api/book-room", tokens[handle], booking())
        assert (response.status_code, response.json()) == (403, NOT_OWN)
    mine = await get(
        http, "/api/view-bookings", tokens["alice"], {"filter": {"email": "alice@example.com"}}
    )
    assert mine.json()["data"] is None  # nothing was booked


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({k: v for k, v in booking().items() if k != "roomId"}, "missing field required: roomId"),
        (booking(start="tomorrow"), "start: Input should be a valid datetime"),
        (booking(start="2026-11-24T09:00:00"), "start: Input should have timezone info"),
        (booking(emails="bob@example.com"), "emails: Input should be a valid array"),
        (booking(emails=["not-an-address"]), "'not-an-address' is not a valid e-mail address"),
    ],
)
async def test_bad_bookings_are_400s_naming_the_field(
    http: httpx.AsyncClient, tokens: dict[str, str], body: object, message: str
) -> None:
    response = await post(http, "/api/book-room", tokens["alice"], body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


async def test_a_booking_outside_the_rules_is_a_400_with_the_rules_words(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    early = booking(start="2026-11-24T03:00:00Z", end="2026-11-24T04:00:00Z")
    response = await post(http, "/api/book-room", tokens["alice"], early)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    unknown = await post(http, "/api/book-room", tokens["alice"], booking(roomId="RM999"))
    assert unknown.status_code == 404


@pytest.mark.parametrize("key", ["creator", "email"])
async def test_check_in_with_creator_or_email(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str], clock: MutableClock, key: str
) -> None:
    code = await book(world, 9)
    clock.advance(timedelta(hours=25))  # tomorrow 09:00 local: the check-in window is open
    token = (await world.gateway.app.accounts.login("alice@example.com", PASSWORD)).token.token
    response = await post(
        http, "/api/check-in", token, {"bookingId": code, key: "alice@example.com"}
    )
    assert response.content == b'{"data":null,"message":"Successfully checked in!","status":200}'
    view = await world.gateway.app.bookings.get(world.principal(world.alice), code)
    assert view.details is not None
    assert view.details.checked_in


async def test_check_in_for_somebody_else_or_a_missing_booking_is_refused(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    code = await book(world, 9)
    named = await post(
        http, "/api/check-in", tokens["bob"], {"bookingId": code, "email": "alice@example.com"}
    )
    assert (named.status_code, named.json()) == (403, NOT_OWN)
    outsider = await post(http, "/api/check-in", tokens["bob"], {"bookingId": code})
    assert (outsider.status_code, outsider.json()) == (404, NOT_FOUND)
    missing = await post(http, "/api/check-in", tokens["alice"], {"bookingId": "nonexistent"})
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    malformed = await http.post(
        "/api/cancel-booking", content=b'{"bookingId": 1,}', headers=auth(tokens["alice"])
    )
    assert malformed.json() == {
        "error": {"code": "BAD_REQUEST", "details": None, "message": "Invalid JSON payload"},
        "message": "Invalid request payload",
        "status": 400,
    }
    bad = await post(http, "/api/check-in", tokens["alice"], {"bookingID": code})
    assert bad.json()["error"]["message"] == "missing field required: bookingId"


async def test_cancel_booking_by_its_creator_or_an_admin_only(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    code = await book(world, 9, "bob@example.com")
    body = {"bookingId": code, "creator": "alice@example.com", "roomId": "RM000", "floorNo": "1"}
    by_bob = await post(http, "/api/cancel-booking", tokens["bob"], body)
    assert (by_bob.status_code, by_bob.json()) == (403, FORBIDDEN)
    invitee = await post(http, "/api/cancel-booking", tokens["bob"], {"bookingId": code})
    assert invitee.status_code == 403  # an invitee may not cancel: the aggregate says so
    assert invitee.json()["error"]["message"] != FORBIDDEN["error"]["message"]
    still = await world.gateway.app.bookings.get(world.principal(world.alice), code)
    assert still.status.value == "active"

    done = await post(http, "/api/cancel-booking", tokens["admin"], body)
    assert done.content == b'{"data":null,"message":"Successfully cancelled booking!","status":200}'
    again = await post(http, "/api/cancel-booking", tokens["alice"], {"bookingId": "nonexistent"})
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


async def test_available_slots_by_body_or_query(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    await book(world, 10)
    await book(world, 14)
    expected = {
        "data": [
            {"start": "2026-11-24T08:00:00+02:00", "end": "2026-11-24T10:00:00+02:00"},
            {"start": "2026-11-24T11:00:00+02:00", "end": "2026-11-24T14:00:00+02:00"},
            {"start": "2026-11-24T15:00:00+02:00", "end": "2026-11-24T17:00:00+02:00"},
        ],
        "message": "Successfully fetched available slots!",
        "status": 200,
    }
    by_body = await get(
        http,
        "/api/available-slots",
        tokens["bob"],
        {"roomId": "RM000", "date": "2026-11-24T00:00:00.000Z"},
    )
    assert (by_body.status_code, by_body.json()) == (200, expected)
    assert by_body.content.startswith(b'{"data":[{"start":"2026-11-24T08:00:00+02:00","end":')
    by_url = await get(
        http, "/api/available-slots", tokens["bob"], roomId="RM000", date="2026-11-24T00:00:00Z"
    )
    assert by_url.json() == expected


@pytest.mark.parametrize(
    "query",
    [
        {"roomId": "RM000"},
        {"date": "2026-11-24T00:00:00Z"},
        {"roomId": "RM000", "date": "monday"},
        {"roomId": 3, "date": 3},
    ],
)
async def test_available_slots_without_a_room_or_a_date_is_the_original_400(
    http: httpx.AsyncClient, tokens: dict[str, str], query: object
) -> None:
    response = await get(http, "/api/available-slots", tokens["bob"], query)
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "BAD_REQUEST",
                "details": None,
                "message": "You may have sent an empty room id or an invalid date",
            },
            "message": "Valid room id and date are required",
            "status": 400,
        },
    )


# --- add-room -----------------------------------------------------------------------------


def new_room(world: World, **more: Any) -> dict[str, Any]:
    return {
        "roomId": "RM100",
        "roomNo": "100",
        "floorNo": world.floor_id,
        "minOccupancy": 1,
        "maxOccupancy": 6,
        "description": "This is a room",
        "resources": ["projector"],
        "roomName": "Room 100",
        **more,
    }


async def test_add_room_is_for_admins(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    refused = await http.put("/api/add-room", json=new_room(world), headers=auth(tokens["alice"]))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "User not authorized to access admin route"

    added = await http.put(
        "/api/add-room",
        json=new_room(world, floorNo=str(world.floor_id)),
        headers=auth(tokens["admin"]),
    )
    assert added.content == (
        b'{"data":{"roomid":"RM100"},"message":"Successfully added room!","status":200}'
    )
    listed = await get(http, "/api/view-rooms", tokens["alice"], {"filter": {"roomId": "RM100"}})
    [room] = listed.json()["data"]
    assert (room["floorNo"], room["maxOccupancy"], room["resources"]) == (
        str(world.floor_id),
        6,
        ["projector"],
    )
    again = await http.put("/api/add-room", json=new_room(world), headers=auth(tokens["admin"]))
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "room code 'RM100' is already taken"


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ({"floorNo": "third"}, "floorNo: a floor number"),
        ({"floorNo": 999}, "no location with id '999'"),
        ({"roomId": "X100"}, None),
        ({"minOccupancy": -1}, "minimum occupancy cannot be negative"),
        ({"maxOccupancy": 0}, "maximum occupancy must be at least the minimum"),
        ({"roomName": None}, "roomName: Input should be a valid string"),
    ],
)
async def test_bad_rooms_are_400s(
    http: httpx.AsyncClient,
    world: World,
    tokens: dict[str, str],
    more: dict[str, Any],
    message: str | None,
) -> None:
    response = await http.put(
        "/api/add-room", json=new_room(world, **more), headers=auth(tokens["admin"])
    )
    assert response.status_code == 400
    if message is not None:
        assert response.json()["error"]["message"].startswith(message)
