"""Free-room search and soonest bookings on the real store, over bookings of every
source: a withdrawn session leaves the search, an ad-hoc booking enters it, filters and
distance sorting, and the same answers as the domain rule for random bookings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.bookings import BookingSource
from domain.errors import DomainError, ErrorCode
from domain.free_rooms import Point, free_in_every_slot
from domain.intervals import Interval
from domain.timetable_format import parse_timetable
from gateway.services.authz import ANONYMOUS
from gateway.services.bookings import BookingRequest
from gateway.services.directory import NewRoom
from gateway.services.room_search import FreeFor, RoomSearch
from gateway.services.timetable_records import RoomFilter
from gateway.store.room_search import SqlRoomSearch
from gateway.store.tables import bookings
from tests.support.bookings import JOHANNESBURG
from tests.support.world import World
from tests.timetables.support import document

CAMPUS = Point(-26.1076, 28.0567)  # RM000's coordinates in the test timetable


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2026, 11, day), time(hour, minute), JOHANNESBURG)


def slot(day: int, start: int, end: int) -> Interval:
    return Interval(at(day, start), at(day, end))


async def imported(world: World, doc: object | None = None) -> RoomSearch:
    await world.gateway.app.timetable_import.run(
        world.principal(world.admin), parse_timetable(json.dumps(doc or document()))
    )
    return world.gateway.app.room_search


async def free(search: RoomSearch, *slots: Interval, **options: object) -> list[str]:
    found = await search.free_rooms(ANONYMOUS, list(slots), **options)  # type: ignore[arg-type]
    return [f.room.code for f in found]


async def test_sessions_events_and_ad_hoc_bookings_all_take_rooms_out(world: World) -> None:
    search = await imported(world)
    assert await free(search) == ["RM000", "RM001"]  # no slot: every room
    assert await free(search, slot(24, 10, 12)) == ["RM001"]  # the CS-305 lecture
    assert await free(search, slot(24, 12, 13)) == ["RM000", "RM001"]  # back to back
    assert await free(search, slot(25, 14, 15)) == []  # the exercise holds both rooms
    assert await free(search, slot(27, 9, 10)) == ["RM000"]  # the open day
    # Free in every slot: RM001 is free in the first slot but not in the second.
    assert await free(search, slot(24, 10, 12), slot(27, 10, 11)) == []
    await world.gateway.app.bookings.book(
        world.principal(world.alice),
        BookingRequest(room_code="RM000", start=at(24, 14), end=at(24, 15)),
    )
    assert await free(search, slot(24, 14, 16)) == ["RM001"]


async def test_a_withdrawn_session_leaves_the_search(world: World) -> None:
    search = await imported(world)
    assert await free(search, slot(24, 10, 12)) == ["RM001"]
    shorter = document()
    shorter["schedules"] = shorter["schedules"][1:]
    await imported(world, shorter)
    assert await free(search, slot(24, 10, 12)) == ["RM000", "RM001"]


async def test_a_room_the_timetable_withdraws_leaves_every_read(world: World) -> None:
    doc = document()
    doc["rooms"][1]["available"] = False
    search = await imported(world, doc)
    assert await free(search, slot(23, 15, 16)) == ["RM000"]
    assert [r.code for r in await search.rooms(ANONYMOUS)] == ["RM000"]
    assert [s.room.code for s in await search.soonest_bookings(ANONYMOUS, at(23, 9))] == ["RM000"]
    doc["rooms"][1]["available"] = True
    await imported(world, doc)
    assert await free(search, slot(23, 15, 16)) == ["RM000", "RM001"]


async def test_filters_narrow_the_rooms(world: World) -> None:
    await world.gateway.app.directory.add_room(
        world.principal(world.admin),
        NewRoom(world.floor_id, "RM900", "Studio", max_occupancy=30, resources=["Projector"]),
    )
    world.rooms.append("RM900")
    search = await imported(world)
    quiet = slot(23, 15, 16)
    assert await free(search, quiet, where=RoomFilter(min_capacity=20)) == ["RM000", "RM900"]
    assert await free(search, quiet, where=RoomFilter(type="Laboratory")) == ["RM001"]
    assert await free(search, quiet, where=RoomFilter(level=1)) == ["RM001"]
    assert await free(search, quiet, where=RoomFilter(resources=("projector",))) == ["RM900"]
    assert await free(search, quiet, where=RoomFilter(building="main")) == [
        "RM000",
        "RM001",
        "RM900",
    ]
    assert await free(search, quiet, where=RoomFilter(building="Annex")) == []
    # Free for two hours from 09:00 on Tuesday: the lecture at 10:00 is in the way.
    for_two_hours = FreeFor(at(24, 9), 120)
    assert await free(search, free_for=for_two_hours) == ["RM001", "RM900"]


async def test_near_sorts_by_haversine_distance_rooms_without_coordinates_last(
    world: World,
) -> None:
    doc = document()
    doc["rooms"][1]["coordinates"] = [-26.2041, 28.0473]  # about 10.8 km south
    search = await imported(world, doc)
    await world.gateway.app.directory.add_room(
        world.principal(world.admin), NewRoom(world.floor_id, "RM900", "Studio")
    )
    near = Point(-26.2, 28.05)
    found = await search.free_rooms(ANONYMOUS, [slot(23, 15, 16)], near=near)
    assert [f.room.code for f in found] == ["RM001", "RM000", "RM900"]
    assert found[1].distance_m == pytest.approx(10_300, rel=0.05)
    assert found[2].distance_m is None


async def test_soonest_bookings_merge_touching_bookings_and_list_idle_rooms(
    world: World,
) -> None:
    search = await imported(world)
    await world.gateway.app.bookings.book(
        world.principal(world.alice),
        BookingRequest(room_code="RM000", start=at(24, 12), end=at(24, 13)),
    )
    found = {s.room.code: s.block for s in await search.soonest_bookings(ANONYMOUS, at(24, 9))}
    assert found["RM000"] == Interval(at(24, 10), at(24, 13))
    assert found["RM001"] == Interval(at(25, 14), at(25, 15))
    during = {s.room.code: s.block for s in await search.soonest_bookings(ANONYMOUS, at(24, 11))}
    assert during["RM000"] == Interval(at(24, 10), at(24, 13))  # the current block
    late = {
        s.room.code: s.block
        for s in await search.soonest_bookings(ANONYMOUS, datetime(2027, 1, 1, tzinfo=UTC))
    }
    assert late == {"RM000": None, "RM001": None}


async def test_the_search_needs_a_sign_in_only_when_the_setting_says_so(world: World) -> None:
    strict = RoomSearch(SqlRoomSearch(world.gateway.db.read_sessions()), requires_sign_in=True)
    with pytest.raises(DomainError) as raised:
        await strict.free_rooms(ANONYMOUS, [])
    assert raised.value.code is ErrorCode.UNAUTHENTICATED
    assert len(await strict.free_rooms(world.principal(world.bob), [])) == 2


def test_bad_wishes_are_refused_with_their_field() -> None:
    with pytest.raises(DomainError) as raised:
        FreeFor(at(24, 9), 0)
    assert raised.value.field == "freeForMinutes"


@st.composite
def room_bookings(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Non-overlapping bookings of one room, in quarter hours after 06:00 on 30 Nov."""
    edges = sorted(set(draw(st.lists(st.integers(0, 48), max_size=8))))
    pairs = list(zip(edges[::2], edges[1::2], strict=False))
    return [(a, b) for a, b in pairs if a < b]


def quarter(n: int) -> datetime:
    return datetime(2026, 11, 30, 6, tzinfo=UTC) + timedelta(minutes=15 * n)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    layout=st.lists(room_bookings(), min_size=2, max_size=2),
    slots=st.lists(st.tuples(st.integers(0, 47), st.integers(1, 8)), max_size=3),
    sources=st.lists(st.sampled_from(list(BookingSource)), min_size=16, max_size=16),
)
async def test_the_sql_search_agrees_with_the_domain_rule(
    world: World,
    layout: list[list[tuple[int, int]]],
    slots: list[tuple[int, int]],
    sources: list[BookingSource],
) -> None:
    """A room reported free has no booking of any source overlapping any slot; a room
    left out has one."""
    room_ids = [
        (await world.gateway.app.directory.room(world.principal(world.admin), c)).id
        for c in world.rooms
    ]
    wanted = [Interval(quarter(s), quarter(s + n)) for s, n in slots]
    async with world.gateway.db.engine.begin() as connection:
        await connection.execute(bookings.delete())
    async with world.gateway.db.writing() as uow:
        n = 0
        for room_id, intervals in zip(room_ids, layout, strict=True):
            for a, b in intervals:
                await uow.bookings.add(
                    code=f"BOOKTEST{n}",
                    room_id=room_id,
                    creator_id=world.admin.id,
                    interval=Interval(quarter(a), quarter(b)),
                    source=sources[n % len(sources)],
                    title="",
                    attendees=(),
                    created_at=quarter(0),
                )
                n += 1
        await uow.commit()
    found = set(await free(world.gateway.app.room_search, *wanted))
    for code, intervals in zip(world.rooms, layout, strict=True):
        busy = [Interval(quarter(a), quarter(b)) for a, b in intervals]
        assert (code in found) == free_in_every_slot(busy, wanted)
