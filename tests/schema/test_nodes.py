"""Relay global object identification through the real app: `node(id:)`, global ids or
legacy keys wherever an object is referenced, and keyset cursors."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest

from gateway.schema.ids import global_id
from gateway.services.records import encode_cursor
from tests.support.bookings import BOOK_ROOM, TOMORROW, book, booked, local
from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import World, booking_gid, location_gid, room_gid, user_gid

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Room { code name }
    ... on Booking { code start room { code } }
    ... on Location { number name kind }
    ... on User { name email }
  }
}
"""
UNKNOWN_BOOKING = "BOOKOCCUPI2026ZZZZZZZZ"


async def node(client: GraphQLClient, token: str, node_id: str) -> JSON | None:
    """`node(id:)`, which must answer without errors."""
    data = await client.data(NODE, {"id": node_id}, token=token)
    found: JSON | None = data["node"]
    return found


def user_gid_of(key: int | str) -> str:
    """The global id of a user who may not exist."""
    return str(global_id("User", key))


def error_of(body: JSON) -> JSON:
    """The response's only error: its message and its extensions (code, field)."""
    [error] = body["errors"]
    return {"message": error["message"], **error.get("extensions", {})}


# --- node(id:) round trips -----------------------------------------------------------------


async def test_a_room_is_fetched_by_the_id_a_query_returned(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data("{ rooms(first: 1) { edges { node { id } } } }", token=tokens["bob"])
    [edge] = data["rooms"]["edges"]
    assert edge["node"]["id"] == room_gid("RM000")

    assert await node(client, tokens["bob"], edge["node"]["id"]) == {
        "__typename": "Room",
        "id": room_gid("RM000"),
        "code": "RM000",
        "name": "Room 0",
    }


async def test_a_booking_is_fetched_by_the_id_a_mutation_returned(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    payload = await book(client, tokens["alice"], start=local("10:00"), end=local("11:00"))
    made = payload["booking"]
    assert made["id"] == booking_gid(made["code"])

    assert await node(client, tokens["alice"], made["id"]) == {
        "__typename": "Booking",
        "id": made["id"],
        "code": made["code"],
        "start": made["start"],
        "room": {"code": "RM000"},
    }


async def test_a_location_is_fetched_by_the_id_a_query_returned(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data(
        "{ locations(filter: {kind: FLOOR}) { edges { node { id number } } } }",
        token=tokens["carol"],
    )
    [edge] = data["locations"]["edges"]
    assert edge["node"] == {"id": location_gid(world.floor_id), "number": world.floor_id}

    assert await node(client, tokens["carol"], edge["node"]["id"]) == {
        "__typename": "Location",
        "id": location_gid(world.floor_id),
        "number": world.floor_id,
        "name": "Ground",
        "kind": "FLOOR",
    }


async def test_a_user_is_fetched_by_the_id_a_query_returned(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    me = (await client.data("{ me { id } }", token=tokens["alice"]))["me"]
    assert me["id"] == user_gid(world.alice)

    assert await node(client, tokens["alice"], me["id"]) == {
        "__typename": "User",
        "id": user_gid(world.alice),
        "name": "Alice",
        "email": "alice@example.com",
    }
    # An admin sees anybody's account, address included.
    assert await node(client, tokens["admin"], me["id"]) == {
        "__typename": "User",
        "id": user_gid(world.alice),
        "name": "Alice",
        "email": "alice@example.com",
    }


async def test_a_location_reached_through_a_room_has_the_same_id(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data('{ room(id: "RM000") { floor { id } } }', token=tokens["bob"])
    floor = data["room"]["floor"]["id"]
    found = await node(client, tokens["bob"], floor)
    assert found is not None
    assert (found["id"], found["number"]) == (floor, world.floor_id)


# --- what node(id:) does not show ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [("alice", True), ("bob", True), ("admin", True), ("carol", False)],
)
async def test_a_booking_node_is_null_for_those_outside_it(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str, sees: bool
) -> None:
    made = await booked(client, tokens["alice"], "10:00", "11:00", attendees=["bob@example.com"])

    found = await node(client, tokens[who], made)

    if sees:
        assert found is not None
        assert (found["__typename"], found["id"]) == ("Booking", made)
    else:
        # Exactly what a booking that does not exist gives.
        assert found is None
        assert await node(client, tokens[who], booking_gid(UNKNOWN_BOOKING)) is None


async def test_a_basic_user_sees_only_people_they_share_a_booking_with(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    carol = user_gid(world.carol)
    strangers_before = await node(client, tokens["bob"], carol)
    await booked(client, tokens["carol"], "10:00", "11:00", attendees=["bob@example.com"])

    shared = await node(client, tokens["bob"], carol)
    stranger = await node(client, tokens["alice"], carol)
    as_admin = await node(client, tokens["admin"], carol)

    # Accounts cannot be enumerated by counting ids: a stranger is like a missing id.
    assert strangers_before is None
    assert stranger is None
    assert shared == {"__typename": "User", "id": carol, "name": "Carol", "email": None}
    assert as_admin == {
        "__typename": "User",
        "id": carol,
        "name": "Carol",
        "email": world.carol.email,
    }


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param(lambda w: room_gid("RM999"), id="room"),
        pytest.param(lambda w: booking_gid(UNKNOWN_BOOKING), id="booking"),
        pytest.param(lambda w: location_gid(9999), id="location"),
        pytest.param(lambda w: user_gid_of(9999), id="user"),
        pytest.param(lambda w: location_gid(2**63), id="location-beyond-64-bits"),
        pytest.param(lambda w: user_gid_of("99999999999999999999"), id="user-beyond-64-bits"),
        pytest.param(lambda w: str(global_id("Location", "first")), id="location-not-a-number"),
        pytest.param(lambda w: str(global_id("Location", "-1")), id="location-negative"),
        pytest.param(
            lambda w: str(global_id("Location", "\N{ARABIC-INDIC DIGIT ONE}")),
            id="location-non-ascii-digit",
        ),
        pytest.param(lambda w: room_gid(""), id="empty-key"),
        pytest.param(lambda w: room_gid("RM" + "0" * 500), id="huge-key"),
        pytest.param(lambda w: str(global_id("Course", "1")), id="unknown-type"),
        pytest.param(lambda w: str(global_id("PageInfo", "1")), id="type-that-is-not-a-node"),
        pytest.param(lambda w: str(global_id("Mutation", "1")), id="root-type"),
    ],
)
async def test_a_well_formed_id_of_nothing_is_null(
    client: GraphQLClient, world: World, tokens: dict[str, str], missing: Any
) -> None:
    for who in ("carol", "admin"):
        assert await node(client, tokens[who], missing(world)) is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("!!not an id!!", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("RM000", id="a-code-is-not-a-global-id"),
        pytest.param("42", id="a-number-is-not-a-global-id"),
        pytest.param("Um9vbQ==", id="base64-without-a-colon"),
        pytest.param("//79", id="base64-of-bytes-that-are-not-text"),
    ],
)
async def test_a_malformed_node_id_gets_a_clear_error(
    client: GraphQLClient, world: World, tokens: dict[str, str], raw: str
) -> None:
    body = await client.run(NODE, {"id": raw}, token=tokens["carol"])

    assert body["data"] == {"node": None}
    assert error_of(body) == {
        "message": f"{raw!r} is not a valid id",
        "code": "INVALID_INPUT",
        "field": "id",
    }


async def test_node_needs_a_token(client: GraphQLClient, world: World) -> None:
    body = await client.run(NODE, {"id": room_gid("RM000")})
    assert error_of(body) == {
        "message": "sign in first: this needs a valid token",
        "code": "UNAUTHENTICATED",
    }


# --- a global id or a legacy key: the same object --------------------------------------------

SLOTS = """
query Slots($room: ID!, $date: Date!) {
  availableSlots(roomId: $room, date: $date) { start end }
  room(id: $room) { id code availableSlots(date: $date) { start end } }
}
"""


async def test_available_slots_by_global_id_and_by_code_agree(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await booked(client, tokens["alice"], "10:00", "12:00", room="RM001")
    variables = {"date": TOMORROW.isoformat()}

    by_id = await client.data(SLOTS, {**variables, "room": room_gid("RM001")}, token=tokens["bob"])
    by_code = await client.data(SLOTS, {**variables, "room": "RM001"}, token=tokens["bob"])

    assert by_id == by_code
    assert by_id["room"]["code"] == "RM001"
    assert len(by_id["availableSlots"]) == 2  # around the booking, so RM001 it was


async def test_book_room_by_global_id_and_by_code_book_the_same_room(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    by_id = await book(
        client, tokens["alice"], room=room_gid("RM001"), start=local("10:00"), end=local("11:00")
    )
    assert by_id["errors"] == []
    assert by_id["booking"]["room"] == {"id": room_gid("RM001"), "code": "RM001"}

    # The same slot by code: the same room, so it is taken.
    by_code = await book(
        client, tokens["bob"], room="RM001", start=local("10:00"), end=local("11:00")
    )
    assert [e["code"] for e in by_code["errors"]] == ["SLOT_TAKEN"]
    elsewhere = await book(
        client, tokens["bob"], room="RM000", start=local("10:00"), end=local("11:00")
    )
    assert elsewhere["errors"] == []


async def test_a_room_code_that_happens_to_be_base64_is_still_a_code(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """ "RMOpOjEy" is a legal room code and also the base64 of "Dé:12"."""
    added = await client.data(
        "mutation($input: AddRoomInput!) { addRoom(input: $input) { room { id code } errors "
        "{ code } } }",
        {"input": {"floorId": str(world.floor_id), "code": "RMOpOjEy", "name": "Odd"}},
        token=tokens["admin"],
    )
    assert added["addRoom"] == {
        "room": {"id": room_gid("RMOpOjEy"), "code": "RMOpOjEy"},
        "errors": [],
    }

    payload = await book(client, tokens["alice"], room="RMOpOjEy")

    assert payload["errors"] == []
    assert payload["booking"]["room"]["code"] == "RMOpOjEy"


# --- a global id of the wrong type -------------------------------------------------------------


def wrong_type(raw: str, actual: str, expected: str, field: str) -> JSON:
    return {
        "message": f"{raw!r} is the id of a {actual}, not of a {expected}",
        "code": "INVALID_INPUT",
        "field": field,
    }


@pytest.mark.parametrize(
    ("query", "make", "actual", "expected", "field"),
    [
        pytest.param(
            "query($id: ID!) { room(id: $id) { id } }",
            lambda w: user_gid(w.alice),
            "User",
            "Room",
            "id",
            id="room",
        ),
        pytest.param(
            'query($id: ID!) { availableSlots(roomId: $id, date: "2026-11-24") { start } }',
            lambda w: location_gid(w.floor_id),
            "Location",
            "Room",
            "roomId",
            id="available-slots",
        ),
        pytest.param(
            "query($id: ID!) { booking(id: $id) { id } }",
            lambda w: room_gid("RM000"),
            "Room",
            "Booking",
            "id",
            id="booking",
        ),
        pytest.param(
            "query($id: ID!) { location(id: $id) { id } }",
            lambda w: room_gid("RM000"),
            "Room",
            "Location",
            "id",
            id="location",
        ),
        pytest.param(
            "query($id: ID!) { rooms(filter: {locationId: $id}) { edges { cursor } } }",
            lambda w: user_gid(w.bob),
            "User",
            "Location",
            "locationId",
            id="rooms-under",
        ),
        pytest.param(
            "query($id: ID!) { locations(filter: {parentId: $id}) { edges { cursor } } }",
            lambda w: room_gid("RM000"),
            "Room",
            "Location",
            "parentId",
            id="locations-under",
        ),
        pytest.param(
            "query($id: ID!) { myBookings(filter: {roomId: $id}) { edges { cursor } } }",
            lambda w: location_gid(w.floor_id),
            "Location",
            "Room",
            "roomId",
            id="bookings-of-a-room",
        ),
    ],
)
async def test_queries_refuse_a_global_id_of_the_wrong_type(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    query: str,
    make: Any,
    actual: str,
    expected: str,
    field: str,
) -> None:
    raw = make(world)
    body = await client.run(query, {"id": raw}, token=tokens["admin"])

    assert body["data"] is None
    assert error_of(body) == wrong_type(raw, actual, expected, field)


ADD_ROOM = """
mutation($input: AddRoomInput!) {
  addRoom(input: $input) { room { id } errors { code message field } }
}
"""
ADD_LOCATION = """
mutation($input: AddLocationInput!) {
  addLocation(input: $input) { location { id } errors { code message field } }
}
"""
CANCEL = """
mutation($id: ID!) {
  cancelBooking(input: {bookingId: $id}) { booking { id } errors { code message field } }
}
"""
CHECK_IN = """
mutation($id: ID!) {
  checkIn(input: {bookingId: $id}) { booking { id } errors { code message field } }
}
"""


@pytest.mark.parametrize(
    ("mutation", "variables", "raw", "actual", "expected", "field"),
    [
        pytest.param(
            BOOK_ROOM,
            lambda raw: {
                "input": {
                    "roomId": raw,
                    "start": local("10:00").isoformat(),
                    "end": local("11:00").isoformat(),
                }
            },
            lambda w: location_gid(w.floor_id),
            "Location",
            "Room",
            "roomId",
            id="book-room",
        ),
        pytest.param(
            CANCEL,
            lambda raw: {"id": raw},
            lambda w: room_gid("RM000"),
            "Room",
            "Booking",
            "bookingId",
            id="cancel-booking",
        ),
        pytest.param(
            CHECK_IN,
            lambda raw: {"id": raw},
            lambda w: user_gid(w.alice),
            "User",
            "Booking",
            "bookingId",
            id="check-in",
        ),
        pytest.param(
            ADD_ROOM,
            lambda raw: {"input": {"floorId": raw, "code": "RMNEW", "name": "New"}},
            lambda w: room_gid("RM000"),
            "Room",
            "Location",
            "floorId",
            id="add-room",
        ),
        pytest.param(
            ADD_LOCATION,
            lambda raw: {"input": {"kind": "BUILDING", "name": "Annex", "parentId": raw}},
            lambda w: booking_gid(UNKNOWN_BOOKING),
            "Booking",
            "Location",
            "parentId",
            id="add-location",
        ),
    ],
)
async def test_mutations_refuse_a_global_id_of_the_wrong_type(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    mutation: str,
    variables: Any,
    raw: Any,
    actual: str,
    expected: str,
    field: str,
) -> None:
    wrong = raw(world)
    data = await client.data(mutation, variables(wrong), token=tokens["admin"])

    [payload] = data.values()
    assert payload["errors"] == [wrong_type(wrong, actual, expected, field)]
    assert all(value is None for key, value in payload.items() if key != "errors")


# --- keyset cursors ----------------------------------------------------------------------------

ROOMS = """
query Rooms($first: Int!, $after: String) {
  rooms(first: $first, after: $after) {
    edges { cursor node { id code } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MY_BOOKINGS = """
query Mine($first: Int!, $after: String) {
  myBookings(first: $first, after: $after) {
    edges { node { id start } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def walk(
    client: GraphQLClient, token: str, query: str, field: str, first: int = 2
) -> list[list[JSON]]:
    """Every page of `field`, `first` at a time, following endCursor."""
    pages: list[list[JSON]] = []
    after: str | None = None
    for _ in range(20):  # bounded
        data = await client.data(query, {"first": first, "after": after}, token=token)
        connection = data[field]
        pages.append([edge["node"] for edge in connection["edges"]])
        if not connection["pageInfo"]["hasNextPage"]:
            return pages
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError("more pages than expected")


async def test_walking_rooms_two_at_a_time_gives_every_room_once_in_order(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await world.add_rooms(5)

    pages = await walk(client, tokens["alice"], ROOMS, "rooms")

    codes = [room["code"] for page in pages for room in page]
    assert codes == [f"RM00{n}" for n in range(7)]
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert all(room["id"] == room_gid(room["code"]) for page in pages for room in page)


async def test_a_room_added_before_the_cursor_does_not_shift_the_next_page(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await world.add_rooms(3)  # RM000 to RM004
    first = (await client.data(ROOMS, {"first": 2}, token=tokens["alice"]))["rooms"]
    assert [e["node"]["code"] for e in first["edges"]] == ["RM000", "RM001"]

    # "RM0005" sorts between RM000 and RM001, before the cursor; "RM0025" after it.
    for code in ("RM0005", "RM0025"):
        added = await client.data(
            "mutation($input: AddRoomInput!) { addRoom(input: $input) { errors { code } } }",
            {"input": {"floorId": str(world.floor_id), "code": code, "name": code}},
            token=tokens["admin"],
        )
        assert added["addRoom"]["errors"] == []
    after = first["pageInfo"]["endCursor"]
    second = await client.data(ROOMS, {"first": 2, "after": after}, token=tokens["alice"])

    assert [e["node"]["code"] for e in second["rooms"]["edges"]] == ["RM002", "RM0025"]


async def test_a_booking_made_before_the_cursor_does_not_shift_later_pages(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    hours = ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    made = [await booked(client, tokens["alice"], start, end) for start, end in pairwise(hours)]
    first = (await client.data(MY_BOOKINGS, {"first": 2}, token=tokens["alice"]))["myBookings"]
    assert [e["node"]["id"] for e in first["edges"]] == made[0:2]

    earlier = await booked(client, tokens["alice"], "09:00", "10:00")  # sorts first
    after: str | None = first["pageInfo"]["endCursor"]
    rest: list[str] = []
    while after is not None:
        data = await client.data(MY_BOOKINGS, {"first": 2, "after": after}, token=tokens["alice"])
        page = data["myBookings"]
        rest += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None

    assert rest == made[2:]
    everything = await walk(client, tokens["alice"], MY_BOOKINGS, "myBookings")
    assert [b["id"] for page in everything for b in page] == [earlier, *made]


async def test_a_cursor_is_opaque_but_stable(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """The same position gives the same cursor, whichever page it was read on."""
    await world.add_rooms(2)
    whole = (await client.data(ROOMS, {"first": 4}, token=tokens["bob"]))["rooms"]
    first = (await client.data(ROOMS, {"first": 2}, token=tokens["bob"]))["rooms"]
    second = (
        await client.data(
            ROOMS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=tokens["bob"]
        )
    )["rooms"]

    assert [e["cursor"] for e in whole["edges"]] == [
        e["cursor"] for e in first["edges"] + second["edges"]
    ]


def shifted(cursor: str, offset: timedelta) -> str:
    """The same booking cursor with its instant written at another UTC offset."""
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    collection, start, key = raw
    moved = datetime.fromisoformat(start).astimezone(timezone(offset))
    return encode_cursor(collection, [moved.isoformat(), key])


@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=-5), timedelta(hours=2), timedelta(hours=14), timedelta(hours=-12)],
    ids=["minus-5", "plus-2", "plus-14", "minus-12"],
)
async def test_a_cursor_at_another_offset_pages_like_the_utc_cursor(
    client: GraphQLClient, world: World, tokens: dict[str, str], offset: timedelta
) -> None:
    hours = ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00"]
    made = [await booked(client, tokens["alice"], start, end) for start, end in pairwise(hours)]
    first = (await client.data(MY_BOOKINGS, {"first": 2}, token=tokens["alice"]))["myBookings"]
    utc_cursor = first["pageInfo"]["endCursor"]
    elsewhere = shifted(utc_cursor, offset)
    assert elsewhere != utc_cursor

    pages = [
        (await client.data(MY_BOOKINGS, {"first": 2, "after": c}, token=tokens["alice"]))[
            "myBookings"
        ]
        for c in (utc_cursor, elsewhere)
    ]

    assert pages[0] == pages[1]
    assert [e["node"]["id"] for e in pages[1]["edges"]] == made[2:4]
