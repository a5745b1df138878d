"""SqlBatchReader: one look-up for many keys, grouped by key; unknown keys are absent."""

from __future__ import annotations

import pytest

from domain.bookings import Attendee
from domain.locations import LocationKind
from gateway.store.readers import SqlBatchReader
from gateway.store.uow import SqlDatabase
from tests.store.factory import Scene, add_booking, add_room, add_user, cancel_booking, span

MISSING = 9999


@pytest.fixture
def reader(db: SqlDatabase) -> SqlBatchReader:
    return SqlBatchReader(db.read_sessions())


async def test_users_by_id_leaves_out_unknown_ids(reader: SqlBatchReader, scene: Scene) -> None:
    found = await reader.users_by_id([scene.bob.id, MISSING, scene.alice.id])
    assert dict(found) == {scene.alice.id: scene.alice, scene.bob.id: scene.bob}
    assert dict(await reader.users_by_id([MISSING])) == {}
    assert dict(await reader.users_by_id([])) == {}


async def test_locations_and_rooms_by_id(reader: SqlBatchReader, scene: Scene) -> None:
    tree = scene.tree
    locations = await reader.locations_by_id([tree.site.id, tree.floor.id, MISSING])
    assert dict(locations) == {tree.site.id: tree.site, tree.floor.id: tree.floor}
    rooms = await reader.rooms_by_id([scene.room_b.id, tree.floor.id, MISSING])
    assert dict(rooms) == {scene.room_b.id: scene.room_b}


async def test_children_of_groups_by_parent_in_name_order(
    db: SqlDatabase, reader: SqlBatchReader, scene: Scene
) -> None:
    tree = scene.tree
    async with db.writing() as uow:
        annex = await uow.locations.add(
            parent_id=tree.site.id, kind=LocationKind.BUILDING, name="Annex"
        )
        await uow.commit()

    found = await reader.children_of([tree.site.id, tree.floor.id, scene.room_a.id, MISSING])

    assert set(found) == {tree.site.id, tree.floor.id}
    assert found[tree.site.id] == [annex, tree.building]
    assert [(c.id, c.kind, c.name) for c in found[tree.floor.id]] == [
        (scene.room_a.id, LocationKind.ROOM, "Room RMA"),
        (scene.room_b.id, LocationKind.ROOM, "Room RMB"),
    ]


async def test_rooms_by_location_groups_rooms_by_their_floor(
    db: SqlDatabase, reader: SqlBatchReader, scene: Scene
) -> None:
    tree = scene.tree
    async with db.writing() as uow:
        upper = await uow.locations.add(
            parent_id=tree.building.id, kind=LocationKind.FLOOR, name="Upper"
        )
        top = await add_room(uow, upper.id, "RM0")
        await uow.locations.add(parent_id=tree.building.id, kind=LocationKind.FLOOR, name="Empty")
        await uow.commit()

    found = await reader.rooms_by_location([upper.id, tree.floor.id, tree.building.id, MISSING])

    # Only floors hold rooms: the building itself has none directly.
    assert dict(found) == {
        tree.floor.id: [scene.room_a, scene.room_b],
        upper.id: [top],
    }


async def test_bookings_by_room_groups_active_overlapping_bookings_in_start_order(
    db: SqlDatabase, reader: SqlBatchReader, scene: Scene
) -> None:
    a, b, alice = scene.room_a, scene.room_b, scene.alice
    async with db.writing() as uow:
        carol = await add_user(uow, "carol")
        late = await add_booking(
            uow, "A-late", room=a, creator=alice, interval=span(3, 4), others=["x@example.com"]
        )
        early = await add_booking(uow, "A-early", room=a, creator=carol, interval=span(1, 2.5))
        await add_booking(uow, "A-before", room=a, creator=alice, interval=span(0, 1))
        await add_booking(uow, "A-after", room=a, creator=alice, interval=span(5, 6))
        gone = await add_booking(uow, "A-gone", room=a, creator=alice, interval=span(2.5, 3))
        await cancel_booking(uow, gone, by=alice)
        on_b = await add_booking(uow, "B", room=b, creator=carol, interval=span(4.5, 5.5))
        await uow.commit()

    # The window [1, 5) touches A-before and A-after only at their ends.
    found = await reader.bookings_by_room([a.id, b.id, MISSING], span(1, 5))

    assert dict(found) == {a.id: [early, late], b.id: [on_b]}
    assert found[a.id][1].attendees == (
        Attendee("alice@example.com", alice.id),
        Attendee("x@example.com"),
    )
    assert dict(await reader.bookings_by_room([b.id], span(0, 4.5))) == {}
