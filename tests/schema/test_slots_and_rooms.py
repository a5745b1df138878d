"""Available slots, browsing rooms and locations, and adding them, through GraphQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.locations import LocationKind
from tests.support.bookings import (
    TODAY,
    TOMORROW,
    book,
    booked,
    cancel,
    codes,
    instant,
    local,
    slot,
    utc_iso,
)
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World, room_gid

LONDON = ZoneInfo("Europe/London")
SUMMER = date(2027, 6, 1)  # British Summer Time: UTC+1

SLOTS = """
query Slots($room: ID!, $date: Date!) {
  availableSlots(roomId: $room, date: $date) { start end }
  room(id: $room) { availableSlots(date: $date) { start end } }
}
"""

ADD_LOCATION = """
mutation AddLocation($input: AddLocationInput!) {
  addLocation(input: $input) {
    location { id kind name timeZone parent { id } }
    errors { code message field }
  }
}
"""

ADD_ROOM = """
mutation AddRoom($input: AddRoomInput!) {
  addRoom(input: $input) {
    room {
      id code name number description minOccupancy maxOccupancy resources timeZone
      floor { id name }
    }
    errors { code message field }
  }
}
"""

ROOM_FIELDS = """
id code name number description minOccupancy maxOccupancy resources timeZone
floor { name kind parent { name } }
"""

ROOMS = """
query Rooms($filter: RoomFilter, $first: Int! = 20, $after: String) {
  rooms(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id code } }
  }
}
"""


async def slots(client: GraphQLClient, token: str, day: date, room: str = "RM000") -> list[JSON]:
    """The free slots of a room; the root field and Room.availableSlots must agree."""
    data = await client.data(SLOTS, {"room": room, "date": day.isoformat()}, token=token)
    assert data["availableSlots"] == data["room"]["availableSlots"]
    found: list[JSON] = data["availableSlots"]
    return found


async def mutate(client: GraphQLClient, token: str | None, mutation: str, **fields: Any) -> JSON:
    """The payload of addLocation or addRoom."""
    kwargs: dict[str, Any] = {} if token is None else {"token": token}
    data = await client.data(mutation, {"input": fields}, **kwargs)
    payload: JSON = next(iter(data.values()))
    return payload


async def add_tree(
    client: GraphQLClient, token: str, name: str, zone: str, **hours: str
) -> dict[str, str]:
    """A site, a building and a floor through the API; their ids by kind."""
    site = await mutate(client, token, ADD_LOCATION, kind="SITE", name=name, timeZone=zone, **hours)
    building = await mutate(
        client, token, ADD_LOCATION, kind="BUILDING", name="Wing", parentId=site["location"]["id"]
    )
    floor = await mutate(
        client, token, ADD_LOCATION, kind="FLOOR", name="First", parentId=building["location"]["id"]
    )
    for payload in (site, building, floor):
        assert payload["errors"] == []
    return {
        "site": site["location"]["id"],
        "building": building["location"]["id"],
        "floor": floor["location"]["id"],
    }


# --- availableSlots ------------------------------------------------------------------------


async def test_a_free_day_is_one_slot(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    assert await slots(client, tokens["alice"], TOMORROW) == [slot("08:00", "17:00")]


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        pytest.param(
            [("10:00", "12:00"), ("14:00", "15:00")],
            [("08:00", "10:00"), ("12:00", "14:00"), ("15:00", "17:00")],
            id="two-bookings",
        ),
        pytest.param(
            [("14:00", "15:00"), ("10:00", "12:00")],
            [("08:00", "10:00"), ("12:00", "14:00"), ("15:00", "17:00")],
            id="booked-out-of-order",
        ),
        pytest.param([("08:00", "09:00"), ("16:00", "17:00")], [("09:00", "16:00")], id="edges"),
        pytest.param([("08:00", "12:00"), ("12:00", "17:00")], [], id="back-to-back-all-day"),
        pytest.param([("08:00", "17:00")], [], id="one-all-day"),
    ],
)
async def test_slots_are_the_gaps_between_bookings(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    busy: list[tuple[str, str]],
    expected: list[tuple[str, str]],
) -> None:
    for start, end in busy:
        await booked(client, tokens["alice"], start, end)
    await booked(client, tokens["bob"], "11:00", "16:00", room="RM001")  # another room

    assert await slots(client, tokens["bob"], TOMORROW) == [slot(s, e) for s, e in expected]


async def test_slots_of_another_day_are_not_affected(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await booked(client, tokens["alice"], "08:00", "17:00")
    day_after = TOMORROW + timedelta(days=1)
    assert await slots(client, tokens["alice"], day_after) == [slot("08:00", "17:00", day_after)]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Tokens are issued at 08:00 (the clock's start); they are not valid before.
        pytest.param("08:00", [("08:00", "13:00"), ("14:00", "17:00")], id="opening"),
        pytest.param("11:30", [("11:30", "13:00"), ("14:00", "17:00")], id="late-morning"),
        pytest.param("13:30", [("14:00", "17:00")], id="during-a-booking"),
        pytest.param("16:59", [("16:59", "17:00")], id="last-minute"),
        pytest.param("17:00", [], id="closed"),
    ],
)
async def test_todays_slots_start_now(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    now: str,
    expected: list[tuple[str, str]],
) -> None:
    await booked(client, tokens["alice"], "13:00", "14:00", day=TODAY)
    clock.set(instant(now, TODAY))
    assert await slots(client, tokens["alice"], TODAY) == [slot(s, e, TODAY) for s, e in expected]


async def test_a_past_day_has_no_slots(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    assert await slots(client, tokens["alice"], TODAY - timedelta(days=1)) == []


async def test_cancelled_bookings_leave_their_slot_free(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    kept = await booked(client, tokens["alice"], "14:00", "15:00")
    dropped = await booked(client, tokens["alice"], "10:00", "12:00")
    assert codes(await cancel(client, tokens["alice"], dropped)) == []
    assert kept != dropped
    assert await slots(client, tokens["alice"], TOMORROW) == [
        slot("08:00", "14:00"),
        slot("15:00", "17:00"),
    ]


ONE_FORM = pytest.mark.parametrize(
    "query",
    [
        "query($r: ID!, $d: Date!) { availableSlots(roomId: $r, date: $d) { start } }",
        "query($r: ID!, $d: Date!) { room(id: $r) { availableSlots(date: $d) { start } } }",
    ],
    ids=["root", "room"],
)


@ONE_FORM
@pytest.mark.parametrize(
    ("who", "room", "code"),
    [("alice", "RM999", "NOT_FOUND"), (None, "RM000", "UNAUTHENTICATED")],
    ids=["unknown-room", "anonymous"],
)
async def test_slots_refused(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    query: str,
    who: str | None,
    room: str,
    code: str,
) -> None:
    kwargs: dict[str, Any] = {} if who is None else {"token": tokens[who]}
    body = await client.run(query, {"r": room, "d": TOMORROW.isoformat()}, **kwargs)
    assert error_codes(body) == [code]
    assert body["data"] is None


async def test_slots_of_many_rooms_and_days_in_one_query(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """Room.availableSlots is batched; each room and day still gets its own answer."""
    day_after = TOMORROW + timedelta(days=1)
    await booked(client, tokens["alice"], "10:00", "12:00")
    await booked(client, tokens["alice"], "16:00", "17:00")
    await booked(client, tokens["alice"], "08:00", "09:00", day=day_after)
    await booked(client, tokens["bob"], "14:00", "15:00", room="RM001")
    query = """
    query($one: Date!, $two: Date!) {
      rooms { edges { node {
        id
        first: availableSlots(date: $one) { start end }
        second: availableSlots(date: $two) { start end }
      } } }
    }
    """
    variables = {"one": TOMORROW.isoformat(), "two": day_after.isoformat()}

    data = await client.data(query, variables, token=tokens["carol"])

    assert [e["node"] for e in data["rooms"]["edges"]] == [
        {
            "id": room_gid("RM000"),
            "first": [slot("08:00", "10:00"), slot("12:00", "16:00")],
            "second": [slot("09:00", "17:00", day_after)],
        },
        {
            "id": room_gid("RM001"),
            "first": [slot("08:00", "14:00"), slot("15:00", "17:00")],
            "second": [slot("08:00", "17:00", day_after)],
        },
    ]


# --- rooms, room and locations -------------------------------------------------------------


async def more_rooms(client: GraphQLClient, world: World, tokens: dict[str, str]) -> dict[str, str]:
    """RM002 (no upper limit) on HQ's floor, and RMLON (at most 4) in an Annex site.

    The ids of every location, by name: HQ's site and floor by number, the rest by the
    global ids the API returned (filters take either)."""
    await world.add_rooms(1, max_occupancy=None)
    annex = await add_tree(client, tokens["admin"], "Annex", "Europe/London")
    added = await mutate(
        client,
        tokens["admin"],
        ADD_ROOM,
        floorId=annex["floor"],
        code="RMLON",
        name="Boardroom",
        maxOccupancy=4,
    )
    assert added["errors"] == []
    locations = await client.data(
        "query($p: ID) { locations(filter: {parentId: $p}) { edges { node { id } } } }",
        {"p": str(world.site_id)},
        token=tokens["admin"],
    )
    [main] = [e["node"]["id"] for e in locations["locations"]["edges"]]
    return {
        "HQ": str(world.site_id),
        "Main": main,
        "Ground": str(world.floor_id),
        "Annex": annex["site"],
        "Wing": annex["building"],
        "First": annex["floor"],
    }


def codes_of(edges: list[JSON]) -> list[str]:
    """The codes of a page of rooms, after checking that each id is the room's global id."""
    for edge in edges:
        assert edge["node"]["id"] == room_gid(edge["node"]["code"])
    return [edge["node"]["code"] for edge in edges]


async def room_codes(client: GraphQLClient, token: str, **variables: Any) -> list[str]:
    data = await client.data(ROOMS, variables, token=token)
    return codes_of(data["rooms"]["edges"])


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        pytest.param(None, ["RM000", "RM001", "RM002", "RMLON"], id="everywhere"),
        pytest.param("HQ", ["RM000", "RM001", "RM002"], id="site"),
        pytest.param("Main", ["RM000", "RM001", "RM002"], id="building"),
        pytest.param("Ground", ["RM000", "RM001", "RM002"], id="floor"),
        pytest.param("Annex", ["RMLON"], id="other-site"),
        pytest.param("First", ["RMLON"], id="other-floor"),
    ],
)
async def test_rooms_under_a_location(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    location: str | None,
    expected: list[str],
) -> None:
    ids = await more_rooms(client, world, tokens)
    room_filter = {} if location is None else {"locationId": ids[location]}
    assert await room_codes(client, tokens["alice"], filter=room_filter) == expected


@pytest.mark.parametrize(
    ("room_filter", "expected"),
    [
        pytest.param({"minCapacity": 4}, ["RM000", "RM001", "RM002", "RMLON"], id="cap-4"),
        pytest.param({"minCapacity": 5}, ["RM000", "RM001", "RM002"], id="cap-5"),
        pytest.param({"minCapacity": 11}, ["RM002"], id="cap-11-unlimited-only"),
        pytest.param({"search": "board"}, ["RMLON"], id="name"),
        pytest.param({"search": "ROOM 1"}, ["RM001"], id="name-any-case"),
        pytest.param({"search": "rm00"}, ["RM000", "RM001", "RM002"], id="code"),
        pytest.param({"search": "%"}, [], id="percent-is-literal"),
        pytest.param({"search": "_"}, [], id="underscore-is-literal"),
        pytest.param({"search": "room", "minCapacity": 11}, ["RM002"], id="combined"),
    ],
)
async def test_rooms_by_capacity_and_search(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    room_filter: JSON,
    expected: list[str],
) -> None:
    await more_rooms(client, world, tokens)
    assert await room_codes(client, tokens["alice"], filter=room_filter) == expected


async def test_rooms_pages(client: GraphQLClient, world: World, tokens: dict[str, str]) -> None:
    await world.add_rooms(3)
    first = (await client.data(ROOMS, {"first": 3}, token=tokens["alice"]))["rooms"]
    rest = (
        await client.data(
            ROOMS, {"first": 3, "after": first["pageInfo"]["endCursor"]}, token=tokens["alice"]
        )
    )["rooms"]

    assert codes_of(first["edges"]) == ["RM000", "RM001", "RM002"]
    assert codes_of(rest["edges"]) == ["RM003", "RM004"]
    assert (first["totalCount"], rest["totalCount"]) == (5, 5)
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True


async def test_room_by_id(client: GraphQLClient, world: World, tokens: dict[str, str]) -> None:
    data = await client.data(f'{{ room(id: "RM001") {{ {ROOM_FIELDS} }} }}', token=tokens["bob"])
    assert data["room"] == {
        "id": room_gid("RM001"),
        "code": "RM001",
        "name": "Room 1",
        "number": "1",
        "description": "",
        "minOccupancy": 1,
        "maxOccupancy": 10,
        "resources": [],
        "timeZone": "Africa/Johannesburg",
        "floor": {"name": "Ground", "kind": "FLOOR", "parent": {"name": "Main"}},
    }


async def test_an_unknown_room(client: GraphQLClient, world: World, tokens: dict[str, str]) -> None:
    body = await client.run('{ room(id: "RM999") { id } }', token=tokens["bob"])
    assert error_codes(body) == ["NOT_FOUND"]


async def test_the_location_tree(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await more_rooms(client, world, tokens)
    data = await client.data(
        """
        {
          locations(filter: {kind: SITE}) {
            totalCount
            edges { node {
              kind name timeZone parent { name } rooms { code }
              children {
                kind name timeZone rooms { code }
                children { kind name timeZone rooms { code } parent { name } }
              }
            } }
          }
        }
        """,
        token=tokens["carol"],
    )

    def site(name: str, zone: str, building: str, floor: str, rooms: list[str]) -> JSON:
        return {
            "kind": "SITE",
            "name": name,
            "timeZone": zone,
            "parent": None,
            "rooms": [],
            "children": [
                {
                    "kind": "BUILDING",
                    "name": building,
                    "timeZone": None,
                    "rooms": [],
                    "children": [
                        {
                            "kind": "FLOOR",
                            "name": floor,
                            "timeZone": None,
                            "rooms": [{"code": r} for r in rooms],
                            "parent": {"name": building},
                        }
                    ],
                }
            ],
        }

    assert data["locations"]["totalCount"] == 2
    assert [e["node"] for e in data["locations"]["edges"]] == [
        site("Annex", "Europe/London", "Wing", "First", ["RMLON"]),
        site("HQ", "Africa/Johannesburg", "Main", "Ground", ["RM000", "RM001", "RM002"]),
    ]


# --- addLocation and addRoom ---------------------------------------------------------------


@pytest.mark.parametrize(("who", "code"), [("alice", "FORBIDDEN"), (None, "UNAUTHENTICATED")])
async def test_only_admins_add_locations_and_rooms(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str | None, code: str
) -> None:
    token = None if who is None else tokens[who]
    site = await mutate(client, token, ADD_LOCATION, kind="SITE", name="X", timeZone="UTC")
    room = await mutate(
        client, token, ADD_ROOM, floorId=str(world.floor_id), code="RMNEW", name="New"
    )
    for payload, key in ((site, "location"), (room, "room")):
        assert payload[key] is None
        assert codes(payload) == [code]
    assert await room_codes(client, tokens["admin"]) == ["RM000", "RM001"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"kind": "SITE", "name": "Nowhere"}, "timeZone", id="site-without-zone"),
        pytest.param(
            {"kind": "SITE", "name": "Mars", "timeZone": "Mars/Olympus"}, "timeZone", id="bad-zone"
        ),
        pytest.param(
            {"kind": "SITE", "name": "X", "timeZone": "UTC", "opensAt": "18:00"},
            "closesAt",
            id="opens-after-closing",
        ),
        pytest.param({"kind": "SITE", "name": "  ", "timeZone": "UTC"}, "name", id="blank-name"),
        pytest.param({"kind": "BUILDING", "name": "Orphan"}, "parentId", id="building-alone"),
        pytest.param({"kind": "ROOM", "name": "R", "parentId": "FLOOR"}, "kind", id="room-kind"),
        pytest.param(
            {"kind": "BUILDING", "name": "B", "parentId": "SITE", "timeZone": "UTC"},
            "timeZone",
            id="zone-on-building",
        ),
        pytest.param({"kind": "FLOOR", "name": "F", "parentId": "SITE"}, "parentId", id="skip"),
        pytest.param(
            {"kind": "SITE", "name": "S", "parentId": "SITE", "timeZone": "UTC"},
            "parentId",
            id="nested-site",
        ),
    ],
)
async def test_add_location_checks_its_input(
    client: GraphQLClient, world: World, tokens: dict[str, str], fields: JSON, field: str
) -> None:
    ids = {"SITE": str(world.site_id), "FLOOR": str(world.floor_id)}
    if "parentId" in fields:
        fields = fields | {"parentId": ids[fields["parentId"]]}
    payload = await mutate(client, tokens["admin"], ADD_LOCATION, **fields)
    assert payload["location"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)]


async def test_add_location_under_an_unknown_parent(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    payload = await mutate(
        client, tokens["admin"], ADD_LOCATION, kind="BUILDING", name="B", parentId="9999"
    )
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", "parentId")]


async def test_add_a_site_and_a_room(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    site = await mutate(
        client,
        tokens["admin"],
        ADD_LOCATION,
        kind="SITE",
        name=" London ",
        timeZone="Europe/London",
    )
    assert site["errors"] == []
    assert site["location"] == {
        "id": site["location"]["id"],
        "kind": "SITE",
        "name": "London",
        "timeZone": "Europe/London",
        "parent": None,
    }
    tree = await add_tree(client, tokens["admin"], "Leeds", "Europe/London")

    payload = await mutate(
        client,
        tokens["admin"],
        ADD_ROOM,
        floorId=tree["floor"],
        code="RMLDS1",
        name="Studio",
        number="1.01",
        description="Quiet room",
        minOccupancy=2,
        maxOccupancy=8,
        resources=["projector", " whiteboard "],
    )

    assert payload["errors"] == []
    expected = {
        "id": room_gid("RMLDS1"),
        "code": "RMLDS1",
        "name": "Studio",
        "number": "1.01",
        "description": "Quiet room",
        "minOccupancy": 2,
        "maxOccupancy": 8,
        "resources": ["projector", "whiteboard"],
        "timeZone": "Europe/London",
        "floor": {"id": tree["floor"], "name": "First"},
    }
    assert payload["room"] == expected
    fetched = await client.data(
        "query($id: ID!) { room(id: $id) { id code name number description minOccupancy"
        " maxOccupancy resources timeZone floor { id name } } }",
        {"id": payload["room"]["id"]},
        token=tokens["bob"],
    )
    assert fetched["room"] == expected


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        pytest.param({"code": "RM000"}, "INVALID_INPUT", "code", id="taken"),
        pytest.param({"code": "LAB1"}, "INVALID_INPUT", "code", id="bad-code"),
        pytest.param({"floorId": "SITE"}, "INVALID_INPUT", "floorId", id="not-a-floor"),
        pytest.param({"floorId": "9999"}, "NOT_FOUND", "floorId", id="unknown-floor"),
        pytest.param(
            {"minOccupancy": 5, "maxOccupancy": 4}, "INVALID_INPUT", "maxOccupancy", id="limits"
        ),
        pytest.param({"name": " "}, "INVALID_INPUT", "name", id="blank-name"),
    ],
)
async def test_add_room_checks_its_input(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    fields: JSON,
    code: str,
    field: str | None,
) -> None:
    room = {"floorId": str(world.floor_id), "code": "RMNEW", "name": "New"} | fields
    if room["floorId"] == "SITE":
        room["floorId"] = str(world.site_id)
    payload = await mutate(client, tokens["admin"], ADD_ROOM, **room)
    assert payload["room"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await room_codes(client, tokens["admin"]) == ["RM000", "RM001"]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param({"opensAt": "07:00", "closesAt": "19:00"}, ("07:00", "19:00"), id="both"),
        pytest.param({"opensAt": "09:30"}, ("09:30", "17:00"), id="opens-only"),
        pytest.param({"closesAt": "12:00"}, ("08:00", "12:00"), id="closes-only"),
        pytest.param({}, ("08:00", "17:00"), id="default"),
    ],
)
async def test_custom_bookable_hours_are_honoured(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    hours: dict[str, str],
    expected: tuple[str, str],
) -> None:
    tree = await add_tree(client, tokens["admin"], "Leeds", "Europe/London", **hours)
    added = await mutate(
        client, tokens["admin"], ADD_ROOM, floorId=tree["floor"], code="RMLDS1", name="Studio"
    )
    assert added["errors"] == []
    opens, closes = expected

    found = await slots(client, tokens["alice"], SUMMER, room="RMLDS1")

    assert found == [slot(opens, closes, SUMMER, LONDON)]
    early = local(opens, SUMMER, LONDON) - timedelta(minutes=30)
    refused = await book(
        client, tokens["alice"], room="RMLDS1", start=early, end=local(closes, SUMMER, LONDON)
    )
    whole_day = await book(
        client,
        tokens["alice"],
        room="RMLDS1",
        start=local(opens, SUMMER, LONDON),
        end=local(closes, SUMMER, LONDON),
    )
    assert codes(refused) == ["OUTSIDE_BOOKABLE_HOURS"]
    assert codes(whole_day) == []
    assert whole_day["booking"]["start"] == utc_iso(local(opens, SUMMER, LONDON))
    assert await slots(client, tokens["alice"], SUMMER, room="RMLDS1") == []


async def test_a_location_by_kind_is_listed(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data(
        "query($k: LocationKind) { locations(filter: {kind: $k}) { edges { node { name } } } }",
        {"k": LocationKind.FLOOR.name},
        token=tokens["alice"],
    )
    assert [e["node"]["name"] for e in data["locations"]["edges"]] == ["Ground"]
