"""Bookings use cases against in-memory fakes: book, cancel, check in, get, search, slots."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.bookings import (
    MAX_ATTENDEES,
    Attendee,
    Booking,
    BookingChange,
    BookingChanged,
    BookingSource,
    BookingStatus,
    CheckInWindow,
)
from domain.errors import DomainError, ErrorCode
from domain.intervals import Interval
from domain.locations import LocationKind, OccupancyLimits
from domain.rooms import Room
from domain.users import Actor, Role, User
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.bookings import (
    MAX_TITLE_LENGTH,
    BookingPolicy,
    BookingRequest,
    Bookings,
    BookingSearch,
)
from gateway.services.events import BookingEvent, MailQueued, NotificationEvent
from gateway.services.reads import Reads
from gateway.services.records import PageRequest
from gateway.services.views import BookingDetails, BookingView, PersonView
from tests.support.clock import MutableClock
from tests.support.fakes import (
    FakeBatchReader,
    FakeDatabase,
    RecordingPublisher,
    rejected,
    signed_in,
)

ZONE = ZoneInfo("Africa/Johannesburg")
# The clock starts on Monday 23 November 2026 at 08:00 in Johannesburg, when rooms open.
TODAY = date(2026, 11, 23)
TOMORROW = date(2026, 11, 24)
CODE = re.compile(r"^BOOKOCCUPI2026[0-9A-HJKMNP-TV-Z]{8}$")


def local(hhmm: str, day: date = TOMORROW) -> datetime:
    """Site-local wall time on `day`, as a UTC instant."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZONE).astimezone(UTC)


def request(
    start: str,
    end: str,
    *,
    room: str = "RM001",
    day: date = TOMORROW,
    attendees: Sequence[str] = (),
    title: str = "",
) -> BookingRequest:
    return BookingRequest(room, local(start, day), local(end, day), attendees, title)


@dataclass
class World:
    db: FakeDatabase
    clock: MutableClock
    publisher: RecordingPublisher
    bookings: Bookings
    people: dict[str, User] = field(default_factory=dict)
    room_ids: dict[str, int] = field(default_factory=dict)

    def as_(self, handle: str) -> Principal:
        return signed_in(self.people[handle])

    def email(self, handle: str) -> str:
        return self.people[handle].email

    async def book(self, handle: str, req: BookingRequest) -> BookingView:
        return await self.bookings.book(self.as_(handle), req)

    def stored(self, code: str) -> Booking:
        found = self.db.state.booking(code)
        assert found is not None
        return found

    def forget_side_effects(self) -> None:
        """Start counting events and mails from here."""
        self.publisher.events.clear()
        self.publisher.seen.clear()

    def unchanged_since(self, commits: int, mails: int, bookings: int) -> None:
        assert self.db.commits == commits
        assert len(self.db.state.mails) == mails
        assert len(self.db.state.bookings) == bookings
        assert self.publisher.events == []


async def build_world(clock: MutableClock, policy: BookingPolicy | None = None) -> World:
    db = FakeDatabase()
    publisher = RecordingPublisher(db)
    reads = Reads(FakeBatchReader(db), clock)
    world = World(db, clock, publisher, Bookings(db, clock, publisher, reads, policy))
    rooms = {
        "RM001": ("Boardroom", OccupancyLimits(1, 10)),
        "RM002": ("Phone booth", OccupancyLimits(1, 2)),
        "RM003": ("Pair room", OccupancyLimits(2, 4)),
    }
    async with db.writing() as uow:
        for handle in ("admin", "alice", "bob", "carol"):
            role = Role.ADMIN if handle == "admin" else Role.BASIC
            world.people[handle] = await uow.users.add(
                email=f"{handle}@example.com", name=handle.title(), role=role, password_hash="x"
            )
        site = await uow.locations.add(
            parent_id=None, kind=LocationKind.SITE, name="HQ", time_zone=ZONE.key
        )
        building = await uow.locations.add(
            parent_id=site.id, kind=LocationKind.BUILDING, name="Main"
        )
        floor = await uow.locations.add(
            parent_id=building.id, kind=LocationKind.FLOOR, name="Ground"
        )
        for code, (name, limits) in rooms.items():
            room = await uow.rooms.add(
                floor_id=floor.id,
                code=code,
                name=name,
                number="",
                description="",
                limits=limits,
                resources=(),
            )
            world.room_ids[code] = room.id
        await uow.commit()
    return world


@pytest.fixture
async def world(clock: MutableClock) -> World:
    return await build_world(clock)


# --- book -------------------------------------------------------------------------------


async def test_book_stores_the_booking_with_the_creator_first(world: World) -> None:
    req = request(
        "09:00",
        "10:00",
        attendees=[
            "Bob@Example.com",
            " carol@example.com ",
            "bob@example.com",
            "ALICE@example.com",
            "guest@outside.org",
        ],
        title="  Stand-up  ",
    )

    view = await world.book("alice", req)

    assert CODE.fullmatch(view.code), view.code
    attendees = (
        Attendee("alice@example.com", world.people["alice"].id),
        Attendee("bob@example.com", world.people["bob"].id),
        Attendee("carol@example.com", world.people["carol"].id),
        Attendee("guest@outside.org", None),
    )
    stored = world.stored(view.code)
    assert stored == Booking(
        id=stored.id,
        code=view.code,
        room_id=world.room_ids["RM001"],
        creator_id=world.people["alice"].id,
        interval=Interval(local("09:00"), local("10:00")),
        status=BookingStatus.ACTIVE,
        source=BookingSource.ADHOC,
        attendees=attendees,
        created_at=world.clock.now(),
        title="Stand-up",
    )
    # The creator gets their own booking back in full.
    assert view == BookingView(
        code=stored.code,
        room_id=world.room_ids["RM001"],
        interval=Interval(local("09:00"), local("10:00")),
        status=BookingStatus.ACTIVE,
        source=BookingSource.ADHOC,
        cancelled_at=None,
        details=BookingDetails(
            title="Stand-up",
            creator_id=world.people["alice"].id,
            attendees=attendees,
            created_at=world.clock.now(),
            checked_in=False,
        ),
    )


async def test_book_queues_the_mails_in_the_same_unit_of_work(world: World) -> None:
    commits = world.db.commits

    booking = await world.book(
        "alice", request("09:00", "10:00", attendees=["bob@example.com", "guest@outside.org"])
    )

    assert world.db.commits == commits + 1
    confirmation, invitation = world.db.state.mails
    assert (confirmation.to, confirmation.bcc, confirmation.subject) == (
        ("alice@example.com",),
        (),
        "Booking confirmed: Boardroom",
    )
    assert (invitation.to, invitation.bcc, invitation.subject) == (
        (),
        ("bob@example.com", "guest@outside.org"),
        "You're invited: Boardroom",
    )
    for mail in (confirmation, invitation):
        assert f"Booking: {booking.code}\n" in mail.body
        assert "Tuesday 24 November 2026, 09:00 to 10:00 (Africa/Johannesburg)" in mail.body
    assert invitation.body.startswith("alice@example.com invited you to a booking.")


async def test_booking_alone_sends_no_invitation(world: World) -> None:
    await world.book("alice", request("09:00", "10:00", attendees=["Alice@example.com"]))

    [mail] = world.db.state.mails
    assert mail.to == ("alice@example.com",)


async def test_book_announces_after_the_commit(world: World) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))

    now = world.clock.now()
    booking = world.stored(view.code)
    assert world.publisher.events[:2] == [
        BookingEvent(BookingChanged(BookingChange.CREATED, booking, now), "RM001"),
        MailQueued(now),
    ]
    # Then the invitation, to the invited person with an account only.
    (invited,) = world.publisher.events[2:]
    assert isinstance(invited, NotificationEvent)
    assert invited.notification.recipient_id == world.people["bob"].id
    event = world.publisher.events[0]
    assert isinstance(event, BookingEvent)
    assert (event.topic, event.change, event.booking_code, event.occurred_at) == (
        "room:RM001:bookings",
        BookingChange.CREATED,
        view.code,
        now,
    )
    for seen in world.publisher.seen:
        assert seen.booking(view.code) == booking
        assert len(seen.mails) == 2


async def test_the_first_slot_of_the_day_can_be_booked_right_now(world: World) -> None:
    booking = await world.book("alice", request("08:00", "09:00", day=TODAY))

    assert booking.interval.start == world.clock.now()


async def test_back_to_back_bookings_do_not_overlap(world: World) -> None:
    await world.book("alice", request("10:00", "11:00"))

    before = await world.book("bob", request("09:00", "10:00"))
    after = await world.book("carol", request("11:00", "12:00"))

    assert before.interval.end == local("10:00")
    assert after.interval.start == local("11:00")


async def test_a_title_of_the_maximum_length_is_accepted(world: World) -> None:
    view = await world.book("alice", request("09:00", "10:00", title="t" * MAX_TITLE_LENGTH))

    assert view.details is not None
    assert view.details.title == "t" * MAX_TITLE_LENGTH
    assert world.stored(view.code).title == "t" * MAX_TITLE_LENGTH


BOOKING_ERRORS = [
    pytest.param(
        request("10:00", "11:00", day=TODAY - timedelta(days=1)),
        ErrorCode.IN_THE_PAST,
        "start",
        id="in-the-past",
    ),
    pytest.param(
        BookingRequest("RM001", local("16:00"), local("09:00", date(2026, 11, 25))),
        ErrorCode.INVALID_INPUT,
        "end",
        id="across-midnight",
    ),
    pytest.param(request("07:30", "09:00"), ErrorCode.OUTSIDE_BOOKABLE_HOURS, "start", id="early"),
    pytest.param(request("16:30", "17:30"), ErrorCode.OUTSIDE_BOOKABLE_HOURS, "end", id="late"),
    pytest.param(request("10:00", "09:00"), ErrorCode.INVALID_INPUT, "end", id="end-first"),
    pytest.param(request("10:00", "10:00"), ErrorCode.INVALID_INPUT, "end", id="empty"),
    pytest.param(
        request("09:00", "10:00", room="RM002", attendees=["bob@example.com", "c@x.org"]),
        ErrorCode.OCCUPANCY_OUT_OF_RANGE,
        "attendees",
        id="too-many-for-the-room",
    ),
    pytest.param(
        request("09:00", "10:00", room="RM003"),
        ErrorCode.OCCUPANCY_OUT_OF_RANGE,
        "attendees",
        id="too-few-for-the-room",
    ),
    pytest.param(
        request("09:00", "10:00", attendees=["bob@example.com", "not-an-address"]),
        ErrorCode.INVALID_INPUT,
        "attendees[1]",
        id="bad-attendee",
    ),
    pytest.param(
        request("09:00", "10:00", attendees=[f"p{n}@example.com" for n in range(MAX_ATTENDEES)]),
        ErrorCode.INVALID_INPUT,
        "attendees",
        id="too-many-attendees",
    ),
    pytest.param(
        request("09:00", "10:00", title="t" * (MAX_TITLE_LENGTH + 1)),
        ErrorCode.INVALID_INPUT,
        "title",
        id="long-title",
    ),
    pytest.param(
        request("09:00", "10:00", room="RM999"), ErrorCode.NOT_FOUND, "roomId", id="unknown-room"
    ),
]


@pytest.mark.parametrize(("req", "code", "field_name"), BOOKING_ERRORS)
async def test_a_refused_booking_writes_and_publishes_nothing(
    world: World, req: BookingRequest, code: ErrorCode, field_name: str
) -> None:
    commits = world.db.commits

    error = await rejected(world.book("alice", req))

    assert (error.code, error.field) == (code, field_name)
    world.unchanged_since(commits, mails=0, bookings=0)


@pytest.mark.parametrize(
    ("start", "end"),
    [("10:30", "11:30"), ("09:30", "10:30"), ("09:00", "12:00"), ("10:15", "10:45")],
)
async def test_an_overlapping_booking_is_refused(world: World, start: str, end: str) -> None:
    await world.book("alice", request("10:00", "11:00"))
    world.forget_side_effects()
    commits = world.db.commits

    error = await rejected(world.book("bob", request(start, end)))

    assert (error.code, error.field) == (ErrorCode.SLOT_TAKEN, None)
    world.unchanged_since(commits, mails=1, bookings=1)


async def test_only_active_bookings_of_the_same_room_block_a_slot(world: World) -> None:
    cancelled = await world.book("alice", request("10:00", "11:00"))
    await world.bookings.cancel(world.as_("alice"), cancelled.code)
    await world.book("bob", request("10:00", "11:00", room="RM002"))

    again = await world.book("carol", request("10:00", "11:00"))

    assert again.room_id == world.room_ids["RM001"]


async def test_booking_needs_a_signed_in_caller(world: World) -> None:
    commits = world.db.commits

    error = await rejected(world.bookings.book(ANONYMOUS, request("09:00", "10:00")))

    assert (error.code, error.field) == (ErrorCode.UNAUTHENTICATED, None)
    world.unchanged_since(commits, mails=0, bookings=0)


async def test_a_rejected_token_explains_itself(world: World) -> None:
    reason = DomainError(ErrorCode.UNAUTHENTICATED, "the token has expired; sign in again")

    error = await rejected(
        world.bookings.book(Principal(rejection=reason), request("09:00", "10:00"))
    )

    assert error is reason


Call = Callable[[Bookings, Principal], Awaitable[object]]
EVERY_USE_CASE: list[Call] = [
    lambda b, p: b.book(p, request("09:00", "10:00")),
    lambda b, p: b.cancel(p, "BOOKOCCUPI2026AAAAAAAA"),
    lambda b, p: b.check_in(p, "BOOKOCCUPI2026AAAAAAAA"),
    lambda b, p: b.get(p, "BOOKOCCUPI2026AAAAAAAA"),
    lambda b, p: b.search(p, BookingSearch(), PageRequest(), mine=False),
    lambda b, p: b.available_slots(p, "RM001", TOMORROW),
]


@pytest.mark.parametrize(
    "call", EVERY_USE_CASE, ids=["book", "cancel", "check_in", "get", "search", "slots"]
)
async def test_every_use_case_needs_a_signed_in_caller(world: World, call: Call) -> None:
    error = await rejected(call(world.bookings, ANONYMOUS))

    assert (error.code, error.field) == (ErrorCode.UNAUTHENTICATED, None)


# --- cancel -----------------------------------------------------------------------------


@pytest.mark.parametrize("canceller", ["alice", "admin"])
async def test_the_creator_or_an_admin_cancels(world: World, canceller: str) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    booking = world.stored(view.code)
    world.forget_side_effects()
    world.clock.advance(timedelta(hours=1))
    now = world.clock.now()
    canceller_id = world.people[canceller].id

    cancelled = await world.bookings.cancel(world.as_(canceller), booking.code)

    assert (cancelled.code, cancelled.status, cancelled.cancelled_at) == (
        booking.code,
        BookingStatus.CANCELLED,
        now,
    )
    assert cancelled.details is not None
    assert cancelled.details.attendees == booking.attendees
    stored = replace(
        booking, status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=canceller_id
    )
    assert world.stored(booking.code) == stored
    assert world.db.state.cancelled_by == {booking.id: canceller_id}
    mail = world.db.state.mails[-1]
    assert (mail.to, mail.bcc, mail.subject) == (
        (),
        ("alice@example.com", "bob@example.com"),
        "Booking cancelled: Boardroom",
    )
    assert [e for e in world.publisher.events if not isinstance(e, NotificationEvent)] == [
        BookingEvent(BookingChanged(BookingChange.CANCELLED, stored, now), "RM001"),
        MailQueued(now),
    ]
    assert world.publisher.seen[0].booking(booking.code) == stored


@pytest.mark.parametrize(
    ("other", "code", "field"),
    [
        pytest.param("bob", ErrorCode.FORBIDDEN, None, id="invited"),
        pytest.param("carol", ErrorCode.NOT_FOUND, "id", id="stranger"),
    ],
)
async def test_nobody_else_cancels(
    world: World, other: str, code: ErrorCode, field: str | None
) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    booking = world.stored(view.code)
    world.forget_side_effects()
    commits = world.db.commits

    error = await rejected(world.bookings.cancel(world.as_(other), booking.code))

    assert (error.code, error.field) == (code, field)
    assert world.stored(booking.code) == booking
    world.unchanged_since(commits, mails=2, bookings=1)


async def test_a_cancelled_booking_cannot_be_cancelled_again(world: World) -> None:
    view = await world.book("alice", request("09:00", "10:00"))
    await world.bookings.cancel(world.as_("alice"), view.code)
    world.forget_side_effects()

    error = await rejected(world.bookings.cancel(world.as_("admin"), view.code))

    assert (error.code, error.field) == (ErrorCode.BOOKING_NOT_ACTIVE, None)
    stored = world.stored(view.code)
    assert stored.cancelled_by == world.people["alice"].id
    assert world.db.state.cancelled_by == {stored.id: world.people["alice"].id}
    assert world.publisher.events == []


@pytest.mark.parametrize(
    ("after_end", "allowed"),
    [(-timedelta(microseconds=1), True), (timedelta(0), False), (timedelta(days=1), False)],
)
async def test_a_booking_can_be_cancelled_until_it_ends(
    world: World, after_end: timedelta, allowed: bool
) -> None:
    booking = await world.book("alice", request("09:00", "10:00"))
    world.clock.set(booking.interval.end + after_end)

    cancel = world.bookings.cancel(world.as_("alice"), booking.code)

    if allowed:
        assert (await cancel).status is BookingStatus.CANCELLED
    else:
        error = await rejected(cancel)
        assert (error.code, error.field) == (ErrorCode.BOOKING_ENDED, None)
        assert world.stored(booking.code).is_active


async def test_cancelling_an_unknown_booking_is_not_found(world: World) -> None:
    error = await rejected(world.bookings.cancel(world.as_("admin"), "BOOKOCCUPI2026NOPE0000"))

    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "id")


async def test_a_cancelled_slot_can_be_booked_again(world: World) -> None:
    first = await world.book("alice", request("09:00", "10:00"))
    await world.bookings.cancel(world.as_("alice"), first.code)

    second = await world.book("bob", request("09:00", "10:00"))

    assert second.interval == first.interval
    assert second.code != first.code


# --- check in ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "open_"),
    [
        pytest.param(-timedelta(minutes=15, microseconds=1), False, id="just-too-early"),
        pytest.param(-timedelta(minutes=15), True, id="opens"),
        pytest.param(timedelta(0), True, id="at-the-start"),
        pytest.param(timedelta(minutes=15), True, id="closes"),
        pytest.param(timedelta(minutes=15, microseconds=1), False, id="just-too-late"),
    ],
)
async def test_check_in_window_edges(world: World, offset: timedelta, open_: bool) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    booking = world.stored(view.code)
    world.forget_side_effects()
    world.clock.set(booking.interval.start + offset)

    check_in = world.bookings.check_in(world.as_("bob"), booking.code)

    if open_:
        checked = await check_in
        bob = Attendee("bob@example.com", world.people["bob"].id, world.clock.now())
        assert checked.details is not None
        assert checked.details.attendees[1] == bob
        assert checked.details.checked_in
        assert world.stored(booking.code).attendees[1] == bob
    else:
        error = await rejected(check_in)
        assert (error.code, error.field) == (ErrorCode.CHECK_IN_CLOSED, None)
        assert error.message == (
            f"check-in is open from {local('08:45').isoformat()} to {local('09:15').isoformat()}"
        )
        assert world.stored(booking.code) == booking
        assert world.publisher.events == []


@pytest.mark.parametrize(
    ("offset", "open_"),
    [
        (-timedelta(minutes=10), False),
        (-timedelta(minutes=5), True),
        (timedelta(0), True),
        (timedelta(microseconds=1), False),
    ],
)
async def test_a_custom_check_in_window(
    clock: MutableClock, offset: timedelta, open_: bool
) -> None:
    policy = BookingPolicy(check_in=CheckInWindow(before=timedelta(minutes=5), after=timedelta(0)))
    world = await build_world(clock, policy)
    booking = await world.book("alice", request("09:00", "10:00"))
    clock.set(booking.interval.start + offset)

    check_in = world.bookings.check_in(world.as_("alice"), booking.code)

    if open_:
        checked = await check_in
        assert checked.details is not None
        assert checked.details.attendees[0].checked_in_at == clock.now()
        assert world.stored(booking.code).attendees[0].checked_in_at == clock.now()
    else:
        assert (await rejected(check_in)).code is ErrorCode.CHECK_IN_CLOSED


async def test_check_in_marks_only_the_caller_and_keeps_the_first_time(world: World) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    booking = world.stored(view.code)
    world.forget_side_effects()
    mails = len(world.db.state.mails)
    world.clock.set(local("08:50"))
    first = world.clock.now()
    await world.bookings.check_in(world.as_("bob"), booking.code)
    commits = world.db.commits
    world.clock.set(local("09:05"))

    again = await world.bookings.check_in(world.as_("bob"), booking.code)

    assert again.details is not None
    assert [a.checked_in_at for a in again.details.attendees] == [None, first]
    checked = replace(
        booking,
        attendees=(booking.attendees[0], replace(booking.attendees[1], checked_in_at=first)),
    )
    assert world.stored(booking.code) == checked
    # The second check-in changes nothing, so it stores and announces nothing.
    assert world.db.commits == commits
    assert world.publisher.events == [
        BookingEvent(BookingChanged(BookingChange.CHECKED_IN, checked, first), "RM001")
    ]
    assert len(world.db.state.mails) == mails  # a check-in mails nobody
    assert world.publisher.seen[0].booking(booking.code) == checked


async def test_the_creator_checks_in_under_a_changed_address(world: World) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    alice = world.people["alice"]
    renamed = Principal(actor=Actor(alice.id, "alice.new@example.com", alice.role))
    world.clock.set(local("09:00"))

    checked = await world.bookings.check_in(renamed, view.code)

    assert checked.details is not None
    assert [a.checked_in_at for a in checked.details.attendees] == [world.clock.now(), None]
    stored = world.stored(view.code)
    assert [a.checked_in_at for a in stored.attendees] == [world.clock.now(), None]
    assert stored.attendees[0].email == "alice@example.com"


@pytest.mark.parametrize(
    ("outsider", "code", "field"),
    [
        pytest.param("carol", ErrorCode.NOT_FOUND, "id", id="stranger"),
        pytest.param("admin", ErrorCode.FORBIDDEN, None, id="admin-not-invited"),
    ],
)
async def test_only_people_involved_check_in(
    world: World, outsider: str, code: ErrorCode, field: str | None
) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    booking = world.stored(view.code)
    world.clock.set(local("09:00"))
    world.forget_side_effects()

    error = await rejected(world.bookings.check_in(world.as_(outsider), booking.code))

    assert (error.code, error.field) == (code, field)
    assert world.stored(booking.code) == booking
    assert world.publisher.events == []


async def test_a_cancelled_booking_takes_no_check_in(world: World) -> None:
    booking = await world.book("alice", request("09:00", "10:00"))
    await world.bookings.cancel(world.as_("alice"), booking.code)
    world.clock.set(local("09:00"))

    error = await rejected(world.bookings.check_in(world.as_("alice"), booking.code))

    assert (error.code, error.field) == (ErrorCode.BOOKING_NOT_ACTIVE, None)


# --- get --------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["alice", "bob", "admin"])
async def test_the_people_involved_and_admins_see_a_booking(world: World, viewer: str) -> None:
    view = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))
    stored = world.stored(view.code)

    seen = await world.bookings.get(world.as_(viewer), view.code)

    assert seen == BookingView(
        code=stored.code,
        room_id=stored.room_id,
        interval=Interval(local("09:00"), local("10:00")),
        status=BookingStatus.ACTIVE,
        source=BookingSource.ADHOC,
        cancelled_at=None,
        details=BookingDetails(
            title="",
            creator_id=world.people["alice"].id,
            attendees=stored.attendees,
            created_at=stored.created_at,
            checked_in=False,
        ),
    )


async def test_an_uninvolved_user_does_not_find_a_booking(world: World) -> None:
    booking = await world.book("alice", request("09:00", "10:00", attendees=["bob@example.com"]))

    error = await rejected(world.bookings.get(world.as_("carol"), booking.code))

    assert error.code is ErrorCode.NOT_FOUND


async def test_a_hidden_booking_is_indistinguishable_from_a_missing_one(world: World) -> None:
    booking = await world.book("alice", request("09:00", "10:00"))
    missing_code = "BOOKOCCUPI2026ZZZZZZZZ"

    hidden = await rejected(world.bookings.get(world.as_("carol"), booking.code))
    missing = await rejected(world.bookings.get(world.as_("carol"), missing_code))

    # Same code, same wording, same field: otherwise the answer leaks that the code exists.
    assert (missing.code, missing.field) == (ErrorCode.NOT_FOUND, "id")
    assert (hidden.code, hidden.message.replace(booking.code, missing_code), hidden.field) == (
        missing.code,
        missing.message,
        missing.field,
    )


# --- search -----------------------------------------------------------------------------


@dataclass
class Three:
    alice_with_bob: BookingView
    carol_alone: BookingView
    admin_alone: BookingView


@pytest.fixture
async def three(world: World) -> Three:
    return Three(
        alice_with_bob=await world.book(
            "alice", request("09:00", "10:00", attendees=["bob@example.com"])
        ),
        carol_alone=await world.book("carol", request("10:00", "11:00", room="RM002")),
        admin_alone=await world.book("admin", request("11:00", "12:00")),
    )


def codes(bookings: Iterable[BookingView]) -> list[str]:
    return [b.code for b in bookings]


@pytest.mark.parametrize("mine", [False, True])
@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("alice", ["alice_with_bob"]), ("bob", ["alice_with_bob"]), ("carol", ["carol_alone"])],
)
async def test_basic_users_only_ever_list_their_own_bookings(
    world: World, three: Three, viewer: str, expected: list[str], mine: bool
) -> None:
    page = await world.bookings.search(world.as_(viewer), BookingSearch(), PageRequest(), mine=mine)

    assert codes(page.items) == [getattr(three, name).code for name in expected]
    assert (page.total, page.offset) == (len(expected), 0)
    assert all(view.details is not None for view in page.items)


@pytest.mark.parametrize(
    ("mine", "expected"),
    [(False, ["alice_with_bob", "carol_alone", "admin_alone"]), (True, ["admin_alone"])],
)
async def test_admins_list_everything_unless_they_ask_for_their_own(
    world: World, three: Three, mine: bool, expected: list[str]
) -> None:
    page = await world.bookings.search(
        world.as_("admin"), BookingSearch(), PageRequest(), mine=mine
    )

    assert codes(page.items) == [getattr(three, name).code for name in expected]
    # An admin sees the details of other people's bookings too.
    creators = [view.details.creator_id if view.details else None for view in page.items]
    assert creators == [world.stored(view.code).creator_id for view in page.items]


async def test_search_by_room(world: World, three: Three) -> None:
    search = BookingSearch(room_code="RM001")

    page = await world.bookings.search(world.as_("admin"), search, PageRequest(), mine=False)

    assert codes(page.items) == [three.alice_with_bob.code, three.admin_alone.code]


async def test_search_by_room_still_hides_other_peoples_bookings(
    world: World, three: Three
) -> None:
    search = BookingSearch(room_code="RM001")

    page = await world.bookings.search(world.as_("carol"), search, PageRequest(), mine=False)

    assert (list(page.items), page.total) == ([], 0)


async def test_search_in_an_unknown_room_is_not_found(world: World) -> None:
    search = BookingSearch(room_code="RM999")

    error = await rejected(
        world.bookings.search(world.as_("admin"), search, PageRequest(), mine=False)
    )

    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "roomId")


async def test_search_by_time_and_status(world: World, three: Three) -> None:
    await world.bookings.cancel(world.as_("admin"), three.admin_alone.code)
    admin = world.as_("admin")
    morning = BookingSearch(ends_after=local("09:30"), starts_before=local("11:00"))
    cancelled = BookingSearch(statuses=(BookingStatus.CANCELLED,))
    every = BookingSearch(statuses=(BookingStatus.ACTIVE, BookingStatus.CANCELLED))

    in_morning = await world.bookings.search(admin, morning, PageRequest(), mine=False)
    only_cancelled = await world.bookings.search(admin, cancelled, PageRequest(), mine=False)
    everything = await world.bookings.search(admin, every, PageRequest(), mine=False)

    assert codes(in_morning.items) == [three.alice_with_bob.code, three.carol_alone.code]
    assert codes(only_cancelled.items) == [three.admin_alone.code]
    assert everything.total == 3


async def test_search_pages(world: World, three: Three) -> None:
    page = await world.bookings.search(
        world.as_("admin"), BookingSearch(), PageRequest(first=1, offset=1), mine=False
    )

    assert codes(page.items) == [three.carol_alone.code]
    assert (page.total, page.offset, page.has_next) == (3, 1, True)


async def test_an_actor_unknown_to_the_store_still_cannot_see_others_bookings(
    world: World, three: Three
) -> None:
    stranger = Principal(actor=Actor(999, "stranger@example.com", Role.BASIC))

    page = await world.bookings.search(stranger, BookingSearch(), PageRequest(), mine=False)

    assert list(page.items) == []


# --- available slots --------------------------------------------------------------------


async def test_available_slots_are_the_gaps_in_the_bookable_day(world: World) -> None:
    await world.book("alice", request("10:00", "11:00"))
    await world.book("bob", request("13:00", "14:00"))
    cancelled = await world.book("carol", request("15:00", "16:00"))
    await world.bookings.cancel(world.as_("carol"), cancelled.code)

    slots = await world.bookings.available_slots(world.as_("carol"), "RM001", TOMORROW)

    assert slots == [
        Interval(local("08:00"), local("10:00")),
        Interval(local("11:00"), local("13:00")),
        Interval(local("14:00"), local("17:00")),
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("08:00", [("08:00", "10:00"), ("11:00", "17:00")]),
        ("09:30", [("09:30", "10:00"), ("11:00", "17:00")]),
        ("10:30", [("11:00", "17:00")]),
        ("17:00", []),
    ],
)
async def test_available_slots_start_from_the_clock(
    world: World, now: str, expected: list[tuple[str, str]]
) -> None:
    await world.book("alice", request("10:00", "11:00", day=TODAY))
    world.clock.set(local(now, TODAY))

    slots = await world.bookings.available_slots(world.as_("alice"), "RM001", TODAY)

    assert slots == [Interval(local(s, TODAY), local(e, TODAY)) for s, e in expected]


async def test_available_slots_of_an_unknown_room_are_not_found(world: World) -> None:
    error = await rejected(world.bookings.available_slots(world.as_("alice"), "RM999", TOMORROW))

    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "roomId")


# --- read models ------------------------------------------------------------------------


async def rooms(world: World, *codes: str) -> list[Room]:
    async with world.db.reading() as uow:
        found = [await uow.rooms.by_code(code) for code in codes]
    return [room for room in found if room is not None]


async def test_a_room_day_shows_the_callers_own_bookings_in_full_and_others_busy(
    world: World,
) -> None:
    mine = await world.book("alice", request("10:00", "11:00"))
    theirs = await world.book("bob", request("13:00", "14:00"))
    reader = FakeBatchReader(world.db)
    (rm001,) = await rooms(world, "RM001")

    (day,) = await Reads(reader, world.clock).room_days(world.as_("alice"), [(rm001, TOMORROW)])

    assert (day.room, day.day) == (rm001, TOMORROW)
    assert day.window == Interval(local("08:00"), local("17:00"))
    assert [(v.code, v.details is not None) for v in day.bookings] == [
        (mine.code, True),
        (theirs.code, False),
    ]
    assert day.slots == (
        Interval(local("08:00"), local("10:00")),
        Interval(local("11:00"), local("13:00")),
        Interval(local("14:00"), local("17:00")),
    )


async def test_room_days_default_to_today_and_read_each_utc_date_once(world: World) -> None:
    await world.book("alice", request("10:00", "11:00", day=TODAY))
    await world.book("alice", request("10:00", "11:00", room="RM002", day=TOMORROW))
    reader = FakeBatchReader(world.db)
    rm001, rm002 = await rooms(world, "RM001", "RM002")
    requests: list[tuple[Room, date | None]] = [
        (rm001, None),
        (rm002, TODAY),
        (rm002, TOMORROW),
        (rm001, TOMORROW),
    ]

    days = await Reads(reader, world.clock).room_days(world.as_("carol"), requests)

    assert [(d.room.code, d.day, len(d.bookings)) for d in days] == [
        ("RM001", TODAY, 1),
        ("RM002", TODAY, 0),
        ("RM002", TOMORROW, 1),
        ("RM001", TOMORROW, 0),
    ]
    assert all(v.details is None for d in days for v in d.bookings)
    assert [name for name, _ in reader.calls] == ["bookings_by_room", "bookings_by_room"]


async def test_people_are_shown_as_the_caller_may_see_them(world: World) -> None:
    reads = Reads(FakeBatchReader(world.db), world.clock)
    alice, bob, carol = (world.people[h] for h in ("alice", "bob", "carol"))
    before = await reads.people(world.as_("alice"), [alice.id, bob.id, carol.id, 999])
    await world.book("bob", request("09:00", "10:00", attendees=["alice@example.com"]))

    as_alice = await reads.people(world.as_("alice"), [alice.id, bob.id, carol.id, 999])
    as_admin = await reads.people(world.as_("admin"), [bob.id, carol.id])

    mine = PersonView(alice.id, "Alice", "alice@example.com", Role.BASIC)
    # Nobody else until they share a booking: accounts cannot be enumerated by id.
    assert before == {alice.id: mine}
    assert as_alice == {alice.id: mine, bob.id: PersonView(bob.id, "Bob", None, None)}
    assert as_admin == {
        bob.id: PersonView(bob.id, "Bob", "bob@example.com", Role.BASIC),
        carol.id: PersonView(carol.id, "Carol", "carol@example.com", Role.BASIC),
    }


async def test_read_models_need_a_signed_in_caller(world: World) -> None:
    reads = Reads(FakeBatchReader(world.db), world.clock)
    (rm001,) = await rooms(world, "RM001")

    for call in (
        reads.people(ANONYMOUS, [1]),
        reads.rooms(ANONYMOUS, [rm001.id]),
        reads.room_days(ANONYMOUS, [(rm001, TOMORROW)]),
    ):
        assert (await rejected(call)).code is ErrorCode.UNAUTHENTICATED
