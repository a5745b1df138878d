"""Booking rules through the use cases, run twice: on the in-memory fakes and on the real
SQL store over the migrated database (SQLite, or PostgreSQL under `make test-pg`). The
tests use only the ports and the use cases' answers, so both stores must agree on every
rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from domain.bookings import BookingChange, BookingStatus
from domain.errors import DomainError, ErrorCode
from domain.intervals import Interval
from domain.locations import LocationKind, OccupancyLimits
from domain.users import Role, User
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.authz import Principal
from gateway.services.bookings import BookingPolicy, BookingRequest, Bookings, BookingSearch
from gateway.services.events import BookingEvent
from gateway.services.ports import BatchReader, Database
from gateway.services.ration import MailRation
from gateway.services.reads import Reads
from gateway.services.records import MailKind, OutgoingMail, PageRequest
from gateway.services.views import BookingView
from gateway.store.engine import create_engine
from gateway.store.readers import SqlBatchReader
from gateway.store.tables import users
from gateway.store.uow import SqlDatabase
from tests.support.clock import MutableClock
from tests.support.fakes import (
    FakeBatchReader,
    FakeDatabase,
    FakeHasher,
    FakeTokens,
    RecordingPublisher,
    rejected,
    signed_in,
)

ZONE = ZoneInfo("Africa/Johannesburg")
TOMORROW = date(2026, 11, 24)  # the clock starts on Monday 23 November 2026, 08:00 local


def local(hhmm: str, day: date = TOMORROW) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZONE).astimezone(UTC)


@dataclass
class Backend:
    name: str
    db: Database
    reader: BatchReader
    rename: Callable[[User, str], Awaitable[None]]


@pytest.fixture(params=["fakes", "sql"])
async def backend(
    request: pytest.FixtureRequest, clock: MutableClock, database_url: str
) -> AsyncIterator[Backend]:
    if request.param == "fakes":
        fake = FakeDatabase(clock)

        async def rename_fake(user: User, email: str) -> None:
            fake.state.users[user.id] = User(user.id, email, user.name, user.role)

        yield Backend("fakes", fake, FakeBatchReader(fake), rename_fake)
        return
    sql = SqlDatabase(create_engine(database_url), clock)

    async def rename_sql(user: User, email: str) -> None:
        async with sql.engine.begin() as conn:
            await conn.execute(update(users).where(users.c.id == user.id).values(email=email))

    yield Backend("sql", sql, SqlBatchReader(sql.read_sessions()), rename_sql)
    await sql.dispose()


@dataclass
class Rules:
    backend: Backend
    clock: MutableClock
    publisher: RecordingPublisher
    bookings: Bookings
    accounts: Accounts
    reads: Reads
    people: dict[str, User] = field(default_factory=dict)

    def as_(self, handle: str) -> Principal:
        return signed_in(self.people[handle])

    async def book(
        self,
        handle: str,
        start: str,
        end: str,
        *,
        room: str = "RM001",
        attendees: Sequence[str] = (),
        day: date = TOMORROW,
    ) -> BookingView:
        request = BookingRequest(room, local(start, day), local(end, day), attendees)
        return await self.bookings.book(self.as_(handle), request)

    async def outbox(self) -> list[OutgoingMail]:
        # A claim that is never committed: a look at the queued mail that leaves no lease.
        async with self.backend.db.writing() as uow:
            claimed = await uow.outbox.claim(1000, now=self.clock.now(), lease=timedelta(0))
            return [queued.mail for queued in claimed]

    async def add_person(self, handle: str, role: Role = Role.BASIC) -> User:
        async with self.backend.db.writing() as uow:
            user = await uow.users.add(
                email=f"{handle}@example.com", name=handle.title(), role=role, password_hash="x"
            )
            await uow.commit()
        self.people[handle] = user
        return user


Build = Callable[..., Awaitable[Rules]]


@pytest.fixture
def build(backend: Backend, clock: MutableClock) -> Build:
    async def make(policy: BookingPolicy | None = None, ration: MailRation | None = None) -> Rules:
        publisher = RecordingPublisher()
        reads = Reads(backend.reader, clock)
        accounts_policy = AccountPolicy(mail=ration or MailRation())
        rules = Rules(
            backend,
            clock,
            publisher,
            Bookings(backend.db, clock, publisher, reads, policy),
            Accounts(backend.db, clock, FakeHasher(), FakeTokens(), publisher, accounts_policy),
            reads,
        )
        for handle in ("admin", "alice", "bob", "carol"):
            await rules.add_person(handle, Role.ADMIN if handle == "admin" else Role.BASIC)
        async with backend.db.writing() as uow:
            site = await uow.locations.add(
                parent_id=None, kind=LocationKind.SITE, name="HQ", time_zone=ZONE.key
            )
            building = await uow.locations.add(
                parent_id=site.id, kind=LocationKind.BUILDING, name="Main"
            )
            floor = await uow.locations.add(
                parent_id=building.id, kind=LocationKind.FLOOR, name="Ground"
            )
            for code, limits in (("RM001", OccupancyLimits(1, 10)), ("RM002", OccupancyLimits())):
                await uow.rooms.add(
                    floor_id=floor.id,
                    code=code,
                    name=f"Room {code}",
                    number="",
                    description="",
                    limits=limits,
                    resources=(),
                )
            await uow.commit()
        return rules

    return make


@pytest.fixture
async def rules(build: Build) -> Rules:
    return await build()


# --- making bookings ---------------------------------------------------------------------


async def test_a_new_booking_is_shown_in_full_to_its_creator(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])

    assert made.interval == Interval(local("09:00"), local("10:00"))
    assert made.status is BookingStatus.ACTIVE
    assert made.details is not None
    assert [a.email for a in made.details.attendees] == ["alice@example.com", "bob@example.com"]
    assert [a.user_id for a in made.details.attendees] == [
        rules.people["alice"].id,
        rules.people["bob"].id,
    ]
    assert made.details.creator_id == rules.people["alice"].id


async def test_overlapping_bookings_are_refused_and_back_to_back_ones_are_not(
    rules: Rules,
) -> None:
    await rules.book("alice", "09:00", "10:00")

    taken = await rejected(rules.book("bob", "09:30", "10:30"))
    after = await rules.book("bob", "10:00", "11:00")
    elsewhere = await rules.book("bob", "09:00", "10:00", room="RM002")

    assert taken.code is ErrorCode.SLOT_TAKEN
    assert after.interval.start == local("10:00")
    assert elsewhere.interval.start == local("09:00")


async def test_a_cancelled_booking_frees_its_slot(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00")
    await rules.bookings.cancel(rules.as_("alice"), made.code)

    again = await rules.book("bob", "09:00", "10:00")

    assert again.interval == made.interval


# --- who sees what -----------------------------------------------------------------------


async def test_outsiders_cannot_fetch_a_booking_and_its_people_can(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])

    missing = await rejected(rules.bookings.get(rules.as_("carol"), made.code))
    for handle in ("alice", "bob", "admin"):
        seen = await rules.bookings.get(rules.as_(handle), made.code)
        assert seen.details is not None, handle

    assert missing.code is ErrorCode.NOT_FOUND


async def test_a_rooms_day_shows_outsiders_the_busy_time_only(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])
    async with rules.backend.db.reading() as uow:
        room = await uow.rooms.by_code("RM001")
    assert room is not None

    (for_carol,) = await rules.reads.room_days(rules.as_("carol"), [(room, TOMORROW)])
    (for_bob,) = await rules.reads.room_days(rules.as_("bob"), [(room, TOMORROW)])

    assert [(b.code, b.interval, b.details) for b in for_carol.bookings] == [
        (made.code, made.interval, None)
    ]
    assert [b.details is not None for b in for_bob.bookings] == [True]
    assert for_carol.slots == for_bob.slots


async def test_search_lists_a_basic_users_own_bookings_and_everything_for_admins(
    rules: Rules,
) -> None:
    mine = await rules.book("alice", "09:00", "10:00")
    invited = await rules.book("bob", "10:00", "11:00", attendees=["alice@example.com"])
    other = await rules.book("carol", "11:00", "12:00")

    async def codes(handle: str, *, mine_only: bool) -> list[str]:
        page = await rules.bookings.search(
            rules.as_(handle), BookingSearch(), PageRequest(first=50), mine=mine_only
        )
        return [b.code for b in page.items]

    assert await codes("alice", mine_only=False) == [mine.code, invited.code]
    assert await codes("admin", mine_only=False) == [mine.code, invited.code, other.code]
    assert await codes("admin", mine_only=True) == []


async def test_available_slots_are_the_gaps_from_now_on(rules: Rules) -> None:
    await rules.book("alice", "09:00", "10:00")
    cancelled = await rules.book("alice", "12:00", "13:00")
    await rules.bookings.cancel(rules.as_("alice"), cancelled.code)
    rules.clock.set(local("08:30"))

    slots = await rules.bookings.available_slots(rules.as_("bob"), "RM001", TOMORROW)

    assert slots == [
        Interval(local("08:30"), local("09:00")),
        Interval(local("10:00"), local("17:00")),
    ]


# --- cancelling and checking in ----------------------------------------------------------


@pytest.mark.parametrize(
    ("handle", "code"), [("bob", ErrorCode.FORBIDDEN), ("carol", ErrorCode.NOT_FOUND)]
)
async def test_only_the_creator_or_an_admin_cancels(
    rules: Rules, handle: str, code: ErrorCode
) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])

    refused = await rejected(rules.bookings.cancel(rules.as_(handle), made.code))
    cancelled = await rules.bookings.cancel(rules.as_("admin"), made.code)

    assert refused.code is code
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancelled_at == rules.clock.now()


async def test_check_in_keeps_the_first_time_and_announces_once(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])
    rules.clock.set(local("08:50"))
    first = await rules.bookings.check_in(rules.as_("bob"), made.code)
    rules.clock.set(local("08:55"))
    rules.publisher.events.clear()

    again = await rules.bookings.check_in(rules.as_("bob"), made.code)

    assert first.details is not None
    assert again.details is not None
    times = [a.checked_in_at for a in again.details.attendees]
    assert times == [None, local("08:50")]
    assert again.details.checked_in is True
    assert rules.publisher.events == []


async def test_check_in_outside_the_window_is_refused(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00")
    rules.clock.set(local("09:16"))

    closed = await rejected(rules.bookings.check_in(rules.as_("alice"), made.code))

    assert closed.code is ErrorCode.CHECK_IN_CLOSED


async def test_the_creator_checks_in_after_changing_their_email(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00")
    await rules.backend.rename(rules.people["alice"], "alice.new@example.com")
    renamed = User(rules.people["alice"].id, "alice.new@example.com", "Alice", Role.BASIC)
    rules.clock.set(local("09:00"))

    checked = await rules.bookings.check_in(signed_in(renamed), made.code)
    stored = await rules.bookings.get(rules.as_("admin"), made.code)

    assert checked.details is not None
    assert stored.details is not None
    assert [a.checked_in_at for a in stored.details.attendees] == [local("09:00")]
    assert stored.details.checked_in is True


async def test_an_address_invited_before_it_had_an_account_checks_in(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["dave@example.com"])
    dave = await rules.add_person("dave")
    rules.clock.set(local("09:05"))

    await rules.bookings.check_in(signed_in(dave), made.code)
    stored = await rules.bookings.get(rules.as_("dave"), made.code)

    assert stored.details is not None
    assert [a.checked_in_at for a in stored.details.attendees] == [None, local("09:05")]


async def test_a_check_in_event_is_visible_to_its_people_only(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])
    rules.clock.set(local("09:00"))
    rules.publisher.events.clear()

    await rules.bookings.check_in(rules.as_("bob"), made.code)

    (event,) = [e for e in rules.publisher.events if isinstance(e, BookingEvent)]
    assert (event.change, event.booking_code) == (BookingChange.CHECKED_IN, made.code)
    seen = {h: event.visible_to(rules.people[h].as_actor()) for h in rules.people}
    assert seen == {"admin": True, "alice": True, "bob": True, "carol": False}


# --- rations -----------------------------------------------------------------------------


async def test_the_invitation_budget_counts_distinct_addresses_a_day(build: Build) -> None:
    rules = await build(BookingPolicy(invites_per_day=3))
    three = ["x@example.org", "y@example.org", "z@example.org"]
    await rules.book("alice", "09:00", "10:00", attendees=three)

    over = await rejected(rules.book("alice", "10:00", "11:00", attendees=["w@example.org"]))
    same_again = await rules.book("alice", "11:00", "12:00", attendees=three[:2])
    other_person = await rules.book("bob", "12:00", "13:00", attendees=["w@example.org"])
    rules.clock.advance(timedelta(days=1, seconds=1))
    next_day = await rules.book(
        "alice", "09:00", "10:00", attendees=["w@example.org"], day=TOMORROW + timedelta(days=1)
    )

    assert (over.code, over.field) == (ErrorCode.RATE_LIMITED, "attendees")
    assert "at most 3 different addresses a day; 0 new ones are left" in over.message
    for made in (same_again, other_person, next_day):
        assert made.status is BookingStatus.ACTIVE


async def test_mail_on_somebodys_behalf_is_rationed_per_recipient(build: Build) -> None:
    rules = await build(BookingPolicy(mail=MailRation(per_recipient=2)))
    victim = "victim@example.org"
    for i, handle in enumerate(("alice", "bob", "carol")):
        await rules.book(handle, f"{9 + i:02d}:00", f"{9 + i:02d}:30", attendees=[victim])

    invitations = [m for m in await rules.outbox() if m.kind is MailKind.INVITATION]
    confirmations = [m for m in await rules.outbox() if m.kind is MailKind.BOOKING_CONFIRMATION]

    assert [m.bcc for m in invitations] == [(victim,), (victim,)]
    assert len(confirmations) == 3  # mail to the person who acted is theirs, not rationed


async def test_the_already_registered_mail_has_a_cooldown(rules: Rules) -> None:
    await rules.accounts.request_registration_code("Alice@Example.com")
    for _ in range(2):
        too_soon = await rejected(rules.accounts.request_registration_code("alice@example.com"))
        assert too_soon.code is ErrorCode.RATE_LIMITED
    rules.clock.advance(timedelta(minutes=1))
    await rules.accounts.request_registration_code("alice@example.com")

    sent = [m for m in await rules.outbox() if m.kind is MailKind.ALREADY_REGISTERED]

    assert [m.to for m in sent] == [("alice@example.com",), ("alice@example.com",)]


async def test_registration_mail_stops_when_the_ration_is_spent(build: Build) -> None:
    rules = await build(ration=MailRation(per_recipient=2))
    answers = []
    for _ in range(4):
        try:
            await rules.accounts.request_registration_code("new@example.org")
            answers.append("sent")
        except DomainError as error:
            answers.append(error.code.value)
        rules.clock.advance(timedelta(minutes=2))

    sent = [m for m in await rules.outbox() if m.kind is MailKind.REGISTRATION_CODE]

    assert answers == ["sent", "sent", "RATE_LIMITED", "RATE_LIMITED"]
    assert len(sent) == 2


async def test_invitations_never_use_up_an_addresss_registration_mail(build: Build) -> None:
    rules = await build(BookingPolicy(mail=MailRation(per_recipient=1)))
    await rules.book("alice", "09:00", "10:00", attendees=["new@example.org"])

    await rules.accounts.request_registration_code("new@example.org")

    kinds = [m.kind for m in await rules.outbox() if "new@example.org" in m.recipients]
    assert kinds == [MailKind.INVITATION, MailKind.REGISTRATION_CODE]


# --- concurrency: every check-then-write rule holds for simultaneous requests -------------


async def test_only_one_of_many_simultaneous_cancellations_goes_through(rules: Rules) -> None:
    made = await rules.book("alice", "09:00", "10:00", attendees=["bob@example.com"])
    rules.publisher.events.clear()

    outcomes = await asyncio.gather(
        *(rules.bookings.cancel(rules.as_("alice"), made.code) for _ in range(10)),
        return_exceptions=True,
    )

    cancelled = [o for o in outcomes if isinstance(o, BookingView)]
    refused = [o.code for o in outcomes if isinstance(o, DomainError)]
    assert len(cancelled) == 1
    assert refused == [ErrorCode.BOOKING_NOT_ACTIVE] * 9
    events = [e for e in rules.publisher.events if isinstance(e, BookingEvent)]
    assert [e.change for e in events] == [BookingChange.CANCELLED]
    mails = [m for m in await rules.outbox() if m.kind is MailKind.CANCELLATION]
    assert len(mails) == 1


async def test_simultaneous_wrong_codes_get_five_tries_in_all(rules: Rules) -> None:
    await rules.accounts.request_registration_code("new@example.org")

    outcomes = await asyncio.gather(
        *(
            rules.accounts.register("new@example.org", f"{i:06d}x", "Str0ng-pass!", "New")
            for i in range(30)
        ),
        return_exceptions=True,
    )

    assert {type(o) for o in outcomes} == {DomainError}
    async with rules.backend.db.reading() as uow:
        stored = await uow.codes.latest("new@example.org")
    assert stored is not None
    assert stored.attempts == 5


async def test_the_invitation_budget_holds_for_simultaneous_bookings(build: Build) -> None:
    rules = await build(BookingPolicy(invites_per_day=2))

    outcomes = await asyncio.gather(
        *(
            rules.book(
                "alice",
                f"{9 + i:02d}:00",
                f"{9 + i:02d}:30",
                attendees=[f"{i}a@x.org", f"{i}b@x.org"],
            )
            for i in range(5)
        ),
        return_exceptions=True,
    )

    made = [o for o in outcomes if isinstance(o, BookingView)]
    refused = [o.code for o in outcomes if isinstance(o, DomainError)]
    assert len(made) == 1
    assert refused == [ErrorCode.RATE_LIMITED] * 4


async def test_simultaneous_registration_requests_mail_once(rules: Rules) -> None:
    outcomes = await asyncio.gather(
        *(rules.accounts.request_registration_code("new@example.org") for _ in range(10)),
        return_exceptions=True,
    )

    refused = [o.code for o in outcomes if isinstance(o, DomainError)]
    assert refused == [ErrorCode.RATE_LIMITED] * 9
    sent = [m for m in await rules.outbox() if m.kind is MailKind.REGISTRATION_CODE]
    assert len(sent) == 1
