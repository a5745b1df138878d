"""Directory use cases against in-memory fakes: the location tree and its rooms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BookableHours, SiteCalendar
from domain.errors import DomainError, ErrorCode
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.rooms import Room
from domain.users import Actor, Role
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.directory import MAX_RESOURCES, MAX_TEXT, Directory, NewRoom
from gateway.services.records import PageRequest, RoomQuery
from tests.support.fakes import FakeDatabase, rejected

ZONE = "Africa/Johannesburg"
ADMIN = Principal(actor=Actor(1, "admin@example.com", Role.ADMIN))
BASIC = Principal(actor=Actor(2, "alice@example.com", Role.BASIC))
SITE, BUILDING, FLOOR, ROOM, _ = LocationKind


@dataclass
class Tree:
    db: FakeDatabase
    directory: Directory
    site: Location
    building: Location
    floor: Location

    async def add(
        self,
        kind: LocationKind,
        parent_id: int | None,
        *,
        name: str = "Somewhere",
        time_zone: str | None = None,
        bookable_hours: BookableHours | None = None,
        principal: Principal = ADMIN,
    ) -> Location:
        return await self.directory.add_location(
            principal,
            kind=kind,
            name=name,
            parent_id=parent_id,
            time_zone=time_zone,
            bookable_hours=bookable_hours,
        )

    async def room(self, code: str = "RM001", **fields: Any) -> Room:
        new = NewRoom(floor_id=self.floor.id, code=code, name="Boardroom")
        return await self.directory.add_room(ADMIN, replace(new, **fields))

    def snapshot(self) -> tuple[int, int]:
        return self.db.commits, self.db.state.last_id


@pytest.fixture
async def tree() -> Tree:
    db = FakeDatabase()
    directory = Directory(db)
    hours = BookableHours(time(7, 30), time(18, 0))
    site = await directory.add_location(
        ADMIN, kind=SITE, name="HQ", time_zone=ZONE, bookable_hours=hours
    )
    building = await directory.add_location(ADMIN, kind=BUILDING, name="Main", parent_id=site.id)
    floor = await directory.add_location(ADMIN, kind=FLOOR, name="Ground", parent_id=building.id)
    return Tree(db, directory, site, building, floor)


# --- locations --------------------------------------------------------------------------


async def test_a_site_carries_its_zone_and_default_hours(tree: Tree) -> None:
    site = await tree.add(SITE, None, name="  Campus  ", time_zone="Europe/London")

    assert site == Location(site.id, None, SITE, "Campus", "Europe/London", BookableHours())
    assert tree.db.state.locations[site.id] == site


async def test_the_tree_is_built_site_building_floor(tree: Tree) -> None:
    assert (tree.building.parent_id, tree.building.kind) == (tree.site.id, BUILDING)
    assert (tree.floor.parent_id, tree.floor.kind) == (tree.building.id, FLOOR)
    assert (tree.building.time_zone, tree.building.bookable_hours) == (None, None)
    assert tree.site.bookable_hours == BookableHours(time(7, 30), time(18, 0))


@pytest.mark.parametrize(
    "zone",
    [None, "", "Mars/Olympus", "Europe", "africa/johannesburg", " Africa/Johannesburg"],
)
async def test_a_site_needs_a_valid_iana_zone(tree: Tree, zone: str | None) -> None:
    before = tree.snapshot()

    error = await rejected(tree.add(SITE, None, time_zone=zone))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "timeZone")
    assert tree.snapshot() == before


@pytest.mark.parametrize("kind", [BUILDING, FLOOR])
async def test_only_a_site_carries_a_zone(tree: Tree, kind: LocationKind) -> None:
    parent = tree.site if kind is BUILDING else tree.building
    before = tree.snapshot()

    error = await rejected(tree.add(kind, parent.id, time_zone=ZONE))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "timeZone")
    assert tree.snapshot() == before


async def test_only_a_site_carries_bookable_hours(tree: Tree) -> None:
    error = await rejected(tree.add(BUILDING, tree.site.id, bookable_hours=BookableHours()))

    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message == "only a site carries a time zone and bookable hours"


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (SITE, "site"),
        (SITE, "building"),
        (BUILDING, None),
        (BUILDING, "building"),
        (BUILDING, "floor"),
        (FLOOR, None),
        (FLOOR, "site"),
        (FLOOR, "floor"),
    ],
)
async def test_a_location_sits_directly_under_the_kind_above_it(
    tree: Tree, kind: LocationKind, parent: str | None
) -> None:
    parent_id = getattr(tree, parent).id if parent else None
    zone = ZONE if kind is SITE else None
    before = tree.snapshot()

    error = await rejected(tree.add(kind, parent_id, time_zone=zone))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "parentId")
    assert tree.snapshot() == before


async def test_a_location_cannot_hang_under_a_room(tree: Tree) -> None:
    room = await tree.room()

    error = await rejected(tree.add(FLOOR, room.id))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "parentId")


async def test_an_unknown_parent_is_not_found(tree: Tree) -> None:
    error = await rejected(tree.add(BUILDING, 404))

    assert (error.code, error.message, error.field) == (
        ErrorCode.NOT_FOUND,
        "no location with id '404'",
        "parentId",
    )


async def test_rooms_are_not_added_as_locations(tree: Tree) -> None:
    before = tree.snapshot()

    error = await rejected(tree.add(ROOM, tree.floor.id))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "kind")
    assert tree.snapshot() == before


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
async def test_a_location_needs_a_name(tree: Tree, name: str) -> None:
    error = await rejected(tree.add(BUILDING, tree.site.id, name=name))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "name")


@pytest.mark.parametrize(
    ("principal", "code"),
    [(BASIC, ErrorCode.FORBIDDEN), (ANONYMOUS, ErrorCode.UNAUTHENTICATED)],
    ids=["basic", "anonymous"],
)
async def test_only_admins_add_locations(tree: Tree, principal: Principal, code: ErrorCode) -> None:
    before = tree.snapshot()

    # Access is checked before the input: a bad name still gets the access error.
    error = await rejected(tree.add(BUILDING, tree.site.id, name="", principal=principal))

    assert (error.code, error.field) == (code, None)
    assert tree.snapshot() == before


# --- rooms ------------------------------------------------------------------------------


async def test_add_room_cleans_its_input_and_takes_the_site_calendar(tree: Tree) -> None:
    room = await tree.directory.add_room(
        ADMIN,
        NewRoom(
            floor_id=tree.floor.id,
            code="  RM-North_1 ",
            name=" Boardroom ",
            number=" 1.01 ",
            description="  Big table  ",
            min_occupancy=2,
            max_occupancy=12,
            resources=[" projector ", "whiteboard"],
        ),
    )

    assert room == Room(
        id=room.id,
        code="RM-North_1",
        name="Boardroom",
        number="1.01",
        description="Big table",
        floor_id=tree.floor.id,
        limits=OccupancyLimits(2, 12),
        resources=("projector", "whiteboard"),
        calendar=SiteCalendar(ZoneInfo(ZONE), BookableHours(time(7, 30), time(18, 0))),
    )
    assert tree.db.state.locations[room.id] == Location(room.id, tree.floor.id, ROOM, "Boardroom")
    assert await tree.directory.room(BASIC, "RM-North_1") == room


@pytest.mark.parametrize(
    "code",
    ["", "RM", "rm001", "XX001", "RM 01", "RM.01", "RM" + "A" * 31, "RM0\n01", "RMé"],
)
async def test_a_room_code_looks_like_rm_then_letters_or_digits(tree: Tree, code: str) -> None:
    before = tree.snapshot()

    error = await rejected(tree.room(code))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "code")
    assert tree.snapshot() == before


async def test_the_longest_room_code_is_accepted(tree: Tree) -> None:
    assert (await tree.room("RM" + "A" * 30)).code == "RM" + "A" * 30


async def test_a_room_code_is_unique(tree: Tree) -> None:
    first = await tree.room("RM001")
    before = tree.snapshot()

    error = await rejected(tree.room(" RM001", name="Another"))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "code")
    assert tree.snapshot() == before
    assert [
        r.name for r in (await tree.directory.rooms(BASIC, RoomQuery(), PageRequest())).items
    ] == [first.name]


@pytest.mark.parametrize(
    ("fields", "field_name"),
    [
        ({"min_occupancy": -1}, "minOccupancy"),
        ({"max_occupancy": 0}, "maxOccupancy"),
        ({"min_occupancy": 5, "max_occupancy": 4}, "maxOccupancy"),
        ({"resources": ["x"] * (MAX_RESOURCES + 1)}, "resources"),
        ({"resources": ["projector", "  "]}, "resources"),
        ({"resources": ["r" * 201]}, "resources"),
        ({"name": "  "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"number": "9" * 201}, "number"),
        ({"description": "d" * (MAX_TEXT + 1)}, "description"),
    ],
)
async def test_add_room_validates_its_input(
    tree: Tree, fields: dict[str, Any], field_name: str
) -> None:
    before = tree.snapshot()

    error = await rejected(tree.room(**fields))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, field_name)
    assert tree.snapshot() == before


async def test_add_room_accepts_the_limits(tree: Tree) -> None:
    room = await tree.room(
        resources=[f"r{n}" for n in range(MAX_RESOURCES)],
        description="d" * MAX_TEXT,
        min_occupancy=0,
        max_occupancy=None,
    )

    assert (len(room.resources), room.limits) == (MAX_RESOURCES, OccupancyLimits(0, None))


async def test_a_room_needs_a_known_floor(tree: Tree) -> None:
    error = await rejected(tree.room(floor_id=404))

    assert (error.code, error.message, error.field) == (
        ErrorCode.NOT_FOUND,
        "no location with id '404'",
        "floorId",
    )


@pytest.mark.parametrize("parent", ["site", "building", "room"])
async def test_a_room_sits_on_a_floor(tree: Tree, parent: str) -> None:
    parent_id = (await tree.room("RM000")).id if parent == "room" else getattr(tree, parent).id
    before = tree.snapshot()

    error = await rejected(tree.room("RM001", floor_id=parent_id))

    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "floorId")
    assert tree.snapshot() == before


@pytest.mark.parametrize(
    ("principal", "code"),
    [(BASIC, ErrorCode.FORBIDDEN), (ANONYMOUS, ErrorCode.UNAUTHENTICATED)],
    ids=["basic", "anonymous"],
)
async def test_only_admins_add_rooms(tree: Tree, principal: Principal, code: ErrorCode) -> None:
    before = tree.snapshot()
    new = NewRoom(floor_id=tree.floor.id, code="bad code", name="")

    error = await rejected(tree.directory.add_room(principal, new))

    assert (error.code, error.field) == (code, None)
    assert tree.snapshot() == before


# --- reads ------------------------------------------------------------------------------

Read = Callable[[Directory, Principal], Awaitable[object]]
READS: list[Read] = [
    lambda d, p: d.room(p, "RM001"),
    lambda d, p: d.rooms(p, RoomQuery(), PageRequest()),
    lambda d, p: d.location(p, 1),
    lambda d, p: d.locations(p, None, None, PageRequest()),
]
READ_IDS = ["room", "rooms", "location", "locations"]


@pytest.mark.parametrize("read", READS, ids=READ_IDS)
async def test_reads_need_a_signed_in_caller(tree: Tree, read: Read) -> None:
    await tree.room("RM001")

    error = await rejected(read(tree.directory, ANONYMOUS))

    assert (error.code, error.field) == (ErrorCode.UNAUTHENTICATED, None)


@pytest.mark.parametrize("read", READS, ids=READ_IDS)
async def test_reads_pass_on_a_rejected_token(tree: Tree, read: Read) -> None:
    reason = DomainError(ErrorCode.UNAUTHENTICATED, "the token has expired; sign in again")

    error = await rejected(read(tree.directory, Principal(rejection=reason)))

    assert error is reason


@pytest.mark.parametrize("read", READS, ids=READ_IDS)
async def test_any_signed_in_user_reads(tree: Tree, read: Read) -> None:
    await tree.room("RM001")

    assert await read(tree.directory, BASIC) is not None


async def test_reading_what_does_not_exist_is_not_found(tree: Tree) -> None:
    missing_room = await rejected(tree.directory.room(BASIC, "RM404"))
    missing_location = await rejected(tree.directory.location(BASIC, 404))

    assert (missing_room.code, missing_room.message) == (
        ErrorCode.NOT_FOUND,
        "no room with id 'RM404'",
    )
    assert (missing_location.code, missing_location.message) == (
        ErrorCode.NOT_FOUND,
        "no location with id '404'",
    )


async def test_location_by_id(tree: Tree) -> None:
    assert await tree.directory.location(BASIC, tree.floor.id) == tree.floor


async def test_rooms_filter_and_page(tree: Tree) -> None:
    await tree.room("RM003", name="Phone booth", max_occupancy=2)
    await tree.room("RM001", name="Boardroom", max_occupancy=12)
    await tree.room("RM002", name="Atrium", max_occupancy=None)
    other_site = await tree.add(SITE, None, name="Annex", time_zone="Europe/London")

    everything = await tree.directory.rooms(BASIC, RoomQuery(), PageRequest(first=2))
    roomy = await tree.directory.rooms(BASIC, RoomQuery(min_capacity=10), PageRequest())
    found = await tree.directory.rooms(BASIC, RoomQuery(search="BOOTH"), PageRequest())
    in_site = await tree.directory.rooms(
        BASIC, RoomQuery(under_location_id=tree.site.id), PageRequest()
    )
    elsewhere = await tree.directory.rooms(
        BASIC, RoomQuery(under_location_id=other_site.id), PageRequest()
    )

    assert ([r.code for r in everything.items], everything.total) == (["RM001", "RM002"], 3)
    assert everything.has_next
    assert [r.code for r in roomy.items] == ["RM001", "RM002"]
    assert [r.code for r in found.items] == ["RM003"]
    assert in_site.total == 3
    assert (list(elsewhere.items), elsewhere.total) == ([], 0)


async def test_locations_filter_by_kind_and_parent(tree: Tree) -> None:
    second_floor = await tree.add(FLOOR, tree.building.id, name="First")
    room = await tree.room("RM001")

    floors = await tree.directory.locations(BASIC, FLOOR, None, PageRequest())
    under_building = await tree.directory.locations(BASIC, None, tree.building.id, PageRequest())
    rooms = await tree.directory.locations(BASIC, ROOM, tree.floor.id, PageRequest())
    paged = await tree.directory.locations(BASIC, None, None, PageRequest(first=2, offset=4))

    assert list(floors.items) == [second_floor, tree.floor]  # by name
    assert list(under_building.items) == [second_floor, tree.floor]
    assert [loc.id for loc in rooms.items] == [room.id]
    assert (len(paged.items), paged.total, paged.offset, paged.has_next) == (1, 5, 4, False)
