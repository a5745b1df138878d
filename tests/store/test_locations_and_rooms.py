"""SqlLocations and SqlRooms: the tree, rooms with their site's calendar, room queries."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BookableHours, SiteCalendar
from domain.errors import DomainError, ErrorCode
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.rooms import Room
from gateway.services.records import PageRequest, RoomQuery
from gateway.store.uow import SqlDatabase
from tests.store.factory import ZONE, Tree, add_room, add_tree

LATE = BookableHours(time(7, 30), time(21, 15))


async def room_codes(
    db: SqlDatabase, query: RoomQuery, page: PageRequest | None = None
) -> list[str]:
    async with db.reading() as uow:
        found = await uow.rooms.list(query, page or PageRequest())
    return [r.code for r in found.items]


async def test_a_tree_reads_back_as_added(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        tree = await add_tree(uow, "HQ")
        await uow.commit()

    site, building, floor = tree.site, tree.building, tree.floor
    assert site == Location(site.id, None, LocationKind.SITE, "HQ", ZONE, BookableHours())
    assert building == Location(building.id, site.id, LocationKind.BUILDING, "HQ building")
    assert floor == Location(floor.id, building.id, LocationKind.FLOOR, "HQ floor")
    async with db.reading() as uow:
        assert await uow.locations.get(site.id) == site
        assert await uow.locations.get(building.id) == building
        assert await uow.locations.get(floor.id) == floor
        assert await uow.locations.get(floor.id + 100) is None


async def test_a_site_keeps_custom_bookable_hours(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        tree = await add_tree(uow, "Late", time_zone="Europe/London", hours=LATE)
        await uow.commit()

    async with db.reading() as uow:
        site = await uow.locations.get(tree.site.id)
    assert site == Location(tree.site.id, None, LocationKind.SITE, "Late", "Europe/London", LATE)


async def test_locations_list_by_kind_and_parent(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        hq = await add_tree(uow, "HQ")
        annex = await uow.locations.add(
            parent_id=hq.site.id, kind=LocationKind.BUILDING, name="Annex"
        )
        await add_tree(uow, "Branch")
        await uow.commit()

    async with db.reading() as uow:
        sites = await uow.locations.list(LocationKind.SITE, None, PageRequest())
        under_hq = await uow.locations.list(None, hq.site.id, PageRequest())
        everything = await uow.locations.list(None, None, PageRequest(first=2, offset=1))

    assert [s.name for s in sites.items] == ["Branch", "HQ"]
    assert sites.total == 2
    assert list(under_hq.items) == [annex, hq.building]
    # By name: Annex, Branch, Branch building, Branch floor, HQ, HQ building, HQ floor.
    assert [x.name for x in everything.items] == ["Branch", "Branch building"]
    assert everything.total == 7


async def test_a_room_carries_its_site_calendar(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        tree = await add_tree(uow, "Late", time_zone="Europe/London", hours=LATE)
        added = await add_room(
            uow,
            tree.floor.id,
            "RM101",
            name="Boardroom",
            limits=OccupancyLimits(2, None),
            resources=["projector", "whiteboard"],
        )
        await uow.commit()

    expected = Room(
        id=added.id,
        code="RM101",
        name="Boardroom",
        number="101",
        description="about RM101",
        floor_id=tree.floor.id,
        limits=OccupancyLimits(2, None),
        resources=("projector", "whiteboard"),
        calendar=SiteCalendar(ZoneInfo("Europe/London"), LATE),
    )
    assert added == expected
    async with db.reading() as uow:
        assert await uow.rooms.by_code("RM101") == expected
        assert await uow.rooms.by_id(added.id) == expected
        assert await uow.rooms.by_code("RM999") is None
        assert await uow.rooms.by_id(tree.floor.id) is None
        # A room is a location too.
        assert await uow.locations.get(added.id) == Location(
            added.id, tree.floor.id, LocationKind.ROOM, "Boardroom"
        )


async def test_a_room_under_a_default_site_gets_the_default_hours(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        tree = await add_tree(uow)
        await add_room(uow, tree.floor.id, "RM1")
        await uow.commit()

    async with db.reading() as uow:
        room = await uow.rooms.by_code("RM1")
    assert room is not None
    assert room.calendar == SiteCalendar(ZoneInfo(ZONE), BookableHours(time(8), time(17)))


async def test_a_taken_room_code_is_refused_and_leaves_no_trace(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        tree = await add_tree(uow)
        first = await add_room(uow, tree.floor.id, "RM1", name="First")
        with pytest.raises(DomainError) as raised:
            await add_room(uow, tree.floor.id, "RM1", name="Second")
        third = await add_room(uow, tree.floor.id, "RM3", name="Third")
        await uow.commit()

    assert raised.value.code is ErrorCode.INVALID_INPUT
    assert raised.value.field == "code"
    assert "RM1" in raised.value.message
    async with db.reading() as uow:
        rooms = await uow.locations.list(LocationKind.ROOM, None, PageRequest())
        assert await uow.rooms.by_code("RM1") == first
    # The location row of the refused room was rolled back with its savepoint.
    assert [r.id for r in rooms.items] == [first.id, third.id]
    assert await room_codes(db, RoomQuery()) == ["RM1", "RM3"]


@pytest.fixture
async def campus(db: SqlDatabase) -> tuple[Tree, Tree, list[Room]]:
    """Two sites; HQ has two floors (RM1, RM2 on one, RM3 on the other), Branch has RM4."""
    async with db.writing() as uow:
        hq = await add_tree(uow, "HQ")
        upper = await uow.locations.add(
            parent_id=hq.building.id, kind=LocationKind.FLOOR, name="Upper"
        )
        branch = await add_tree(uow, "Branch")
        rooms = [
            await add_room(uow, hq.floor.id, "RM1", name="Quiet pod", limits=OccupancyLimits(1, 2)),
            await add_room(uow, hq.floor.id, "RM2", name="Hall", limits=OccupancyLimits(1, None)),
            await add_room(uow, upper.id, "RM3", name="Boardroom", limits=OccupancyLimits(1, 12)),
            await add_room(uow, branch.floor.id, "RM4", name="Studio 50%"),
        ]
        await uow.commit()
    return hq, branch, rooms


async def test_rooms_under_a_site_building_floor_or_room(
    db: SqlDatabase, campus: tuple[Tree, Tree, list[Room]]
) -> None:
    hq, branch, rooms = campus
    assert await room_codes(db, RoomQuery()) == ["RM1", "RM2", "RM3", "RM4"]
    assert await room_codes(db, RoomQuery(under_location_id=hq.site.id)) == ["RM1", "RM2", "RM3"]
    assert await room_codes(db, RoomQuery(under_location_id=hq.building.id)) == [
        "RM1",
        "RM2",
        "RM3",
    ]
    assert await room_codes(db, RoomQuery(under_location_id=hq.floor.id)) == ["RM1", "RM2"]
    assert await room_codes(db, RoomQuery(under_location_id=rooms[2].floor_id)) == ["RM3"]
    assert await room_codes(db, RoomQuery(under_location_id=branch.site.id)) == ["RM4"]
    assert await room_codes(db, RoomQuery(under_location_id=rooms[1].id)) == ["RM2"]
    assert await room_codes(db, RoomQuery(under_location_id=9999)) == []


async def test_rooms_with_room_for_at_least(
    db: SqlDatabase, campus: tuple[Tree, Tree, list[Room]]
) -> None:
    # RM1 takes 2, RM2 has no upper limit, RM3 takes 12, RM4 takes 10.
    assert await room_codes(db, RoomQuery(min_capacity=2)) == ["RM1", "RM2", "RM3", "RM4"]
    assert await room_codes(db, RoomQuery(min_capacity=3)) == ["RM2", "RM3", "RM4"]
    assert await room_codes(db, RoomQuery(min_capacity=11)) == ["RM2", "RM3"]
    assert await room_codes(db, RoomQuery(min_capacity=13)) == ["RM2"]


async def test_rooms_search_name_or_code(
    db: SqlDatabase, campus: tuple[Tree, Tree, list[Room]]
) -> None:
    hq, _, _ = campus
    assert await room_codes(db, RoomQuery(search="ROOM")) == ["RM3"]
    assert await room_codes(db, RoomQuery(search="rm4")) == ["RM4"]
    assert await room_codes(db, RoomQuery(search="o")) == ["RM1", "RM3", "RM4"]
    assert await room_codes(db, RoomQuery(search="50%")) == ["RM4"]
    assert await room_codes(db, RoomQuery(search="%")) == ["RM4"]
    assert await room_codes(db, RoomQuery(search="R_")) == []
    assert await room_codes(db, RoomQuery(search="o", under_location_id=hq.floor.id)) == ["RM1"]


async def test_rooms_pages(db: SqlDatabase, campus: tuple[Tree, Tree, list[Room]]) -> None:
    async with db.reading() as uow:
        page = await uow.rooms.list(RoomQuery(min_capacity=3), PageRequest(first=2, offset=1))
    assert [r.code for r in page.items] == ["RM3", "RM4"]
    assert (page.total, page.offset, page.has_next) == (3, 1, False)
