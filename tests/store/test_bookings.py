"""SqlBookings: attendees in order, overlap look-ups, storing a cancellation and check-ins,
and listing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus, CheckInWindow
from domain.intervals import Interval
from domain.rooms import Room
from domain.users import Actor, Role, User
from gateway.services.records import BookingQuery, PageRequest
from gateway.store.tables import bookings
from gateway.store.uow import SqlDatabase
from tests.store.factory import Scene, add_booking, add_user, at, cancel_booking, span
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
        await cancel_booking(uow, cancelled, by=scene.alice)
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


async def test_save_cancellation_stores_the_status_time_and_canceller(
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
    # What the aggregate decided: an admin (here bob stands in for one) cancels at 1.
    decided = replace(
        booking, status=BookingStatus.CANCELLED, cancelled_at=at(1), cancelled_by=scene.bob.id
    )

    async with db.writing() as uow:
        await uow.bookings.save_cancellation(decided)
        await uow.commit()

    cancelled = await fetch(db, "BK1")
    assert (cancelled.status, cancelled.cancelled_at, cancelled.cancelled_by) == (
        BookingStatus.CANCELLED,
        at(1),
        scene.bob.id,
    )
    assert cancelled == decided
    assert cancelled.cancelled_at is not None
    assert cancelled.cancelled_at.tzinfo is UTC
    assert await fetch(db, "BK2") == other
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(bookings.c.status, bookings.c.cancelled_by).where(
                    bookings.c.id == booking.id
                )
            )
        ).one()
    assert (row.status, row.cancelled_by) == ("cancelled", scene.bob.id)


async def test_a_cancellation_decided_by_the_aggregate_round_trips(
    db: SqlDatabase, scene: Scene
) -> None:
    async with db.writing() as uow:
        booking = await add_booking(
            uow, "BK1", room=scene.room_a, creator=scene.alice, interval=span(3, 4)
        )
        await uow.commit()
    cancelled, _ = booking.cancel(scene.alice.as_actor(), at(2))

    async with db.writing() as uow:
        await uow.bookings.save_cancellation(cancelled)
        await uow.commit()

    assert await fetch(db, "BK1") == cancelled
    assert cancelled.cancelled_by == scene.alice.id


def checked_in(booking: Booking, **times: datetime) -> Booking:
    """`booking` with the attendees named by their address's local part checked in."""
    return replace(
        booking,
        attendees=tuple(
            replace(a, checked_in_at=times.get(a.email.split("@")[0], a.checked_in_at))
            for a in booking.attendees
        ),
    )


async def test_save_check_ins_stores_the_times_the_aggregate_holds(
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
        other = await add_booking(
            uow, "BK2", room=scene.room_b, creator=scene.alice, interval=span(3, 4)
        )
        await uow.commit()

    async with db.writing() as uow:
        await uow.bookings.save_check_ins(checked_in(booking, bob=at(3 - 5 / 60)))
        await uow.commit()

    checked = await fetch(db, "BK1")
    assert checked.attendees == (
        Attendee("alice@example.com", scene.alice.id, None),
        Attendee("bob@example.com", None, at(3 - 5 / 60)),
        Attendee("guest@example.com", None, None),
    )
    assert checked.attendees[1].checked_in_at is not None
    assert checked.attendees[1].checked_in_at.tzinfo is UTC
    assert await fetch(db, "BK2") == other


async def test_save_check_ins_keeps_an_already_stored_time(db: SqlDatabase, scene: Scene) -> None:
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
    first = at(3 - 5 / 60)
    async with db.writing() as uow:
        await uow.bookings.save_check_ins(checked_in(booking, bob=first))
        await uow.commit()

    # A stale copy of the booking saw nobody checked in: bob's later time, the creator's
    # new one and the guest's untouched None all come from that copy.
    async with db.writing() as uow:
        await uow.bookings.save_check_ins(checked_in(booking, bob=at(3.25), alice=at(3)))
        await uow.commit()

    checked = await fetch(db, "BK1")
    assert [a.checked_in_at for a in checked.attendees] == [at(3), first, None]


async def test_save_check_ins_with_nobody_checked_in_changes_nothing(
    db: SqlDatabase, scene: Scene
) -> None:
    async with db.writing() as uow:
        booking = await add_booking(
            uow, "BK1", room=scene.room_a, creator=scene.alice, interval=span(3, 4)
        )
        await uow.commit()

    async with db.writing() as uow:
        await uow.bookings.save_check_ins(booking)
        await uow.commit()

    assert await fetch(db, "BK1") == booking


async def test_the_creators_check_in_under_a_new_address_is_stored(
    db: SqlDatabase, scene: Scene
) -> None:
    """The aggregate records it on the creator's own entry, stored under the old address."""
    async with db.writing() as uow:
        booking = await add_booking(
            uow,
            "BK1",
            room=scene.room_a,
            creator=scene.alice,
            interval=span(3, 4),
            others=["bob@example.com"],
        )
        await uow.commit()
    renamed = Actor(scene.alice.id, "alice.new@example.com", Role.BASIC)
    checked, _ = booking.check_in(renamed, at(3), CheckInWindow())

    async with db.writing() as uow:
        await uow.bookings.save_check_ins(checked)
        await uow.commit()

    assert [a.checked_in_at for a in (await fetch(db, "BK1")).attendees] == [at(3), None]


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
        await cancel_booking(uow, a2, by=bob)
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


async def test_list_involving_a_person(db: SqlDatabase, agenda: Scene) -> None:
    """In the agenda bob created B1 and A2 and was invited to A1 by address only."""
    bob, carol = agenda.bob.as_actor(), Actor(999, "carol@example.com", Role.BASIC)
    assert await listed(db, BookingQuery(involving=bob)) == ["A1", "B1"]
    assert await listed(db, BookingQuery(involving=carol)) == ["B2"]
    assert await listed(db, BookingQuery(involving=bob, statuses=ACTIVE_AND_CANCELLED)) == [
        "A1",
        "B1",
        "A2",
    ]
    nobody = Actor(998, "nobody@example.com", Role.BASIC)
    assert await listed(db, BookingQuery(involving=nobody)) == []


async def test_list_involving_matches_attendees_by_user_id_before_email(
    db: SqlDatabase, scene: Scene
) -> None:
    alice, bob = scene.alice, scene.bob

    async def book(code: str, hour: int, creator: User, attendee: Attendee) -> None:
        await uow.bookings.add(
            code=code,
            room_id=scene.room_a.id,
            creator_id=creator.id,
            interval=span(hour, hour + 1),
            source=BookingSource.ADHOC,
            title="",
            attendees=[Attendee(creator.email, creator.id), attendee],
            created_at=START,
        )

    async with db.writing() as uow:
        carol = await add_user(uow, "carol")
        await book("created", 0, bob, Attendee("x@example.com"))
        # Invited as bob's account under the address he had then.
        await book("by-id", 1, alice, Attendee("bob.old@example.com", bob.id))
        # Invited by address before the address had an account.
        await book("by-email", 2, alice, Attendee("bob@example.com"))
        # The row belongs to carol's account, whatever its address says now.
        await book("other-account", 3, alice, Attendee("bob@example.com", carol.id))
        await book("unrelated", 4, alice, Attendee("carol@example.com", carol.id))
        await uow.commit()

    assert await listed(db, BookingQuery(involving=bob.as_actor())) == [
        "created",
        "by-id",
        "by-email",
    ]
    # Under a new address bob keeps what is his by id, not what matched his old address.
    renamed = Actor(bob.id, "bob.new@example.com", Role.BASIC)
    assert await listed(db, BookingQuery(involving=renamed)) == ["created", "by-id"]
    # Somebody who took over bob's old address gets only the address-only rows for it.
    newcomer = Actor(999, "bob@example.com", Role.BASIC)
    assert await listed(db, BookingQuery(involving=newcomer)) == ["by-email"]
    assert await listed(db, BookingQuery(involving=carol.as_actor())) == [
        "other-account",
        "unrelated",
    ]


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
