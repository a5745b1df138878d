"""SqlBookings: attendees in order, overlap look-ups, cancel, check-in and listing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus
from domain.intervals import Interval
from domain.rooms import Room
from gateway.services.records import BookingQuery, PageRequest
from gateway.store.tables import bookings
from gateway.store.uow import SqlDatabase
from tests.store.factory import Scene, add_booking, at, span
from tests.support.clock import START

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")


async def fetch(db: SqlDatabase, code: str) -> Booking:
    async with db.reading() as uow:
        found = await uow.bookings.by_code(code)
    assert found is not None, code
    return found


async def listed(
    db: SqlDatabase, query: BookingQuery, page: PageRequest | None = None
) -> list[str]:
    async with db.reading() as uow:
        found = await uow.bookings.list(query, page or PageRequest())
    return [b.code for b in found.items]


async def test_a_booking_round_trips_with_its_attendees_in_order(
    db: SqlDatabase, scene: Scene
) -> None:
    local = Interval(at(3).astimezone(JOHANNESBURG), at(4).astimezone(JOHANNESBURG))
    async with db.writing() as uow:
        added = await uow.bookings.add(
            code="BK1",
            room_id=scene.room_a.id,
            creator_id=scene.bob.id,
            interval=local,
            source=BookingSource.TIMETABLE,
            title="Stand-up",
            attendees=[
                Attendee("bob@example.com", scene.bob.id),
                Attendee("zoe@example.com"),
                Attendee("alice@example.com", scene.alice.id),
                Attendee("adam@example.com"),
            ],
            created_at=START,
        )
        await uow.commit()

    expected = Booking(
        id=added.id,
        code="BK1",
        room_id=scene.room_a.id,
        creator_id=scene.bob.id,
        interval=span(3, 4),
        status=BookingStatus.ACTIVE,
        source=BookingSource.TIMETABLE,
        attendees=(
            Attendee("bob@example.com", scene.bob.id),
            Attendee("zoe@example.com"),
            Attendee("alice@example.com", scene.alice.id),
            Attendee("adam@example.com"),
        ),
        created_at=START,
        title="Stand-up",
    )
    assert added == expected
    assert added.interval.start.tzinfo is UTC
    found = await fetch(db, "BK1")
    assert found == expected
    assert found.interval.start.tzinfo is UTC
    assert found.interval.end.tzinfo is UTC
    assert found.created_at.tzinfo is UTC


async def test_an_unknown_code_is_none(db: SqlDatabase, scene: Scene) -> None:
    async with db.reading() as uow:
        assert await uow.bookings.by_code("BK-missing") is None


async def test_active_intervals_are_the_active_overlapping_ones(
    db: SqlDatabase, scene: Scene
) -> None:
    async with db.writing() as uow:

        async def book(code: str, interval: Interval, room: Room = scene.room_a) -> Booking:
            return await add_booking(uow, code, room=room, creator=scene.alice, interval=interval)

        await book("before", span(0, 1))
        await book("touching-start", span(1, 2))
        await book("inside", span(2.25, 2.5))
        await book("straddling-end", span(2.75, 3.5))
        await book("touching-end", span(4, 5))
        cancelled = await book("cancelled", span(2, 2.25))
        await uow.bookings.cancel(cancelled.id, by_user_id=scene.alice.id, at=START)
        await book("other-room", span(2, 4), scene.room_b)
        await uow.commit()

    async with db.reading() as uow:
        found = await uow.bookings.active_intervals(scene.room_a.id, span(2, 4))
        around_start = await uow.bookings.active_intervals(scene.room_a.id, span(1.5, 2.25))
        other_room = await uow.bookings.active_intervals(scene.room_b.id, span(0, 9))
        nothing = await uow.bookings.active_intervals(scene.room_a.id, span(5, 6))
    # Half-open: [1, 2) and [4, 5) only touch [2, 4); the cancelled [2, 2.25) is ignored.
    assert sorted(found) == [span(2.25, 2.5), span(2.75, 3.5)]
    assert sorted(around_start) == [span(1, 2)]
    assert other_room == [span(2, 4)]
    assert nothing == []


async def test_cancel_marks_the_booking_and_records_who_and_when(
    db: SqlDatabase, scene: Scene
) -> None:
    async with db.writing() as uow:
        booking = await add_booking(
            uow, "BK1", room=scene.room_a, creator=scene.alice, interval=span(3, 4)
        )
        other = await add_booking(
            uow, "BK2", room=scene.room_a, creator=scene.alice, interval=span(5, 6)
        )
        await uow.commit()

    async with db.writing() as uow:
        await uow.bookings.cancel(booking.id, by_user_id=scene.bob.id, at=at(1))
        await uow.commit()

    cancelled = await fetch(db, "BK1")
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancelled_at == at(1)
    assert cancelled == replace(booking, status=BookingStatus.CANCELLED, cancelled_at=at(1))
    assert await fetch(db, "BK2") == other
    async with db.engine.connect() as conn:
        by = await conn.scalar(select(bookings.c.cancelled_by).where(bookings.c.id == booking.id))
    assert by == scene.bob.id


async def test_check_in_sets_the_time_once_for_that_attendee_only(
    db: SqlDatabase, scene: Scene
) -> None:
    async with db.writing() as uow:
        booking = await add_booking(
            uow,
            "BK1",
            room=scene.room_a,
            creator=scene.alice,
            interval=span(3, 4),
            others=["bob@example.com", "guest@example.com"],
        )
        await uow.commit()

    for minutes in (-5, 10):  # the second check-in must not move the first time
        async with db.writing() as uow:
            await uow.bookings.check_in(
                booking.id, email="bob@example.com", at=at(3 + minutes / 60)
            )
            await uow.commit()

    checked = await fetch(db, "BK1")
    assert checked.attendees == (
        Attendee("alice@example.com", scene.alice.id, None),
        Attendee("bob@example.com", None, at(3 - 5 / 60)),
        Attendee("guest@example.com", None, None),
    )
    assert checked.attendees[1].checked_in_at is not None
    assert checked.attendees[1].checked_in_at.tzinfo is UTC


@pytest.fixture
async def agenda(db: SqlDatabase, scene: Scene) -> Scene:
    """Bookings, by start: A1 [1,2) room A by alice with bob; B1 [2,3) room B by bob, timetabled;
    A2 [3,4) room A by bob, cancelled; B2 [4,5) room B by alice with carol."""
    async with db.writing() as uow:
        a, b, alice, bob = scene.room_a, scene.room_b, scene.alice, scene.bob
        await add_booking(
            uow, "B2", room=b, creator=alice, interval=span(4, 5), others=["carol@example.com"]
        )
        await add_booking(
            uow, "A1", room=a, creator=alice, interval=span(1, 2), others=["bob@example.com"]
        )
        a2 = await add_booking(uow, "A2", room=a, creator=bob, interval=span(3, 4))
        await add_booking(
            uow, "B1", room=b, creator=bob, interval=span(2, 3), source=BookingSource.TIMETABLE
        )
        await uow.bookings.cancel(a2.id, by_user_id=bob.id, at=START)
        await uow.commit()
    return scene


ACTIVE_AND_CANCELLED = (BookingStatus.ACTIVE, BookingStatus.CANCELLED)


async def test_list_defaults_to_active_bookings_in_start_order(
    db: SqlDatabase, agenda: Scene
) -> None:
    assert await listed(db, BookingQuery()) == ["A1", "B1", "B2"]
    assert await listed(db, BookingQuery(statuses=ACTIVE_AND_CANCELLED)) == [
        "A1",
        "B1",
        "A2",
        "B2",
    ]
    assert await listed(db, BookingQuery(statuses=(BookingStatus.CANCELLED,))) == ["A2"]


async def test_list_by_room(db: SqlDatabase, agenda: Scene) -> None:
    a, b = agenda.room_a.id, agenda.room_b.id
    assert await listed(db, BookingQuery(room_ids=(a,))) == ["A1"]
    assert await listed(db, BookingQuery(room_ids=(b,))) == ["B1", "B2"]
    assert await listed(db, BookingQuery(room_ids=(a, b), statuses=ACTIVE_AND_CANCELLED)) == [
        "A1",
        "B1",
        "A2",
        "B2",
    ]
    assert await listed(db, BookingQuery(room_ids=())) == []


async def test_list_involving_an_email(db: SqlDatabase, agenda: Scene) -> None:
    assert await listed(db, BookingQuery(involving_email="bob@example.com")) == ["A1", "B1"]
    assert await listed(db, BookingQuery(involving_email="carol@example.com")) == ["B2"]
    assert await listed(
        db, BookingQuery(involving_email="bob@example.com", statuses=ACTIVE_AND_CANCELLED)
    ) == ["A1", "B1", "A2"]
    assert await listed(db, BookingQuery(involving_email="nobody@example.com")) == []


async def test_list_by_source(db: SqlDatabase, agenda: Scene) -> None:
    assert await listed(db, BookingQuery(sources=(BookingSource.TIMETABLE,))) == ["B1"]
    assert await listed(db, BookingQuery(sources=(BookingSource.ADHOC,))) == ["A1", "B2"]


async def test_list_by_window_is_half_open(db: SqlDatabase, agenda: Scene) -> None:
    # ends_after is strict: A1 ends at 2 and is not "after" 2.
    assert await listed(db, BookingQuery(ends_after=at(2))) == ["B1", "B2"]
    # starts_before is strict: B2 starts at 4 and is not "before" 4.
    assert await listed(db, BookingQuery(starts_before=at(4))) == ["A1", "B1"]
    assert await listed(db, BookingQuery(ends_after=at(2), starts_before=at(4))) == ["B1"]
    assert await listed(
        db,
        BookingQuery(
            ends_after=at(2).astimezone(JOHANNESBURG),
            starts_before=at(4.5).astimezone(JOHANNESBURG),
        ),
    ) == ["B1", "B2"]


async def test_list_pages_and_loads_attendees(db: SqlDatabase, agenda: Scene) -> None:
    async with db.reading() as uow:
        page = await uow.bookings.list(BookingQuery(), PageRequest(first=1, offset=2))
    assert (page.total, page.offset, page.has_next) == (3, 2, False)
    assert [(b.code, b.attendees) for b in page.items] == [
        (
            "B2",
            (Attendee("alice@example.com", agenda.alice.id), Attendee("carol@example.com")),
        )
    ]
