"""The mail relay: sends outbox mail after commit, retries failures after a backoff, gives
up after five, and shares one outbox with other relays without sending a mail twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.bookings import Booking, BookingSource, BookingStatus
from domain.intervals import Interval
from gateway.app import Gateway
from gateway.mail.relay import BATCH, LEASE, SEND_MARGIN, MailRelay, retry_delay
from gateway.services.bookings import BookingRequest
from gateway.services.events import BookingEvent, MailQueued
from gateway.services.ports import Database
from gateway.services.records import OutgoingMail, QueuedMail
from gateway.store.engine import create_engine
from gateway.store.outbox import MAX_ATTEMPTS
from gateway.store.tables import outbox
from gateway.store.uow import SqlDatabase
from tests.support.bookings import local
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase
from tests.support.mail import RecordingSender
from tests.support.world import World


def letter(n: int) -> OutgoingMail:
    return OutgoingMail(to=(f"person{n}@example.com",), subject=f"Mail {n}", body=f"Body {n}\n")


class FailingSender:
    """Refuses the mails `refuses` picks (all by default) and records the rest."""

    timeout = 1.0

    def __init__(self, refuses: Callable[[OutgoingMail], bool] = lambda _: True) -> None:
        self.refuses = refuses
        self.tried: list[OutgoingMail] = []
        self.sent: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        self.tried.append(mail)
        if self.refuses(mail):
            raise ConnectionError("smtp is down")
        self.sent.append(mail)


class SlowSender:
    """Takes a moment over each mail, so relays sharing an outbox really overlap."""

    timeout = 1.0

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        await asyncio.sleep(0.01)
        self.sent.append(mail)


async def queue(gateway: Gateway, *mails: OutgoingMail) -> None:
    await queue_in(gateway.db, *mails)


async def queue_in(db: Database, *mails: OutgoingMail) -> None:
    async with db.writing() as uow:
        for mail in mails:
            await uow.outbox.add(mail)
        await uow.commit()


async def claim(db: Database, clock: MutableClock) -> list[QueuedMail]:
    """Claim everything claimable now and commit, like a relay about to die."""
    async with db.writing() as uow:
        claimed = await uow.outbox.claim(1000, now=clock.now(), lease=LEASE)
        await uow.commit()
    return claimed


async def rows(gateway: Gateway) -> list[tuple[str, int, bool, str | None]]:
    """(subject, attempts, sent, last_error) of every outbox row, in id order."""
    async with gateway.db.engine.connect() as connection:
        found = await connection.execute(select(outbox).order_by(outbox.c.id))
        return [(r.subject, r.attempts, r.sent_at is not None, r.last_error) for r in found]


def relay_with(gateway: Gateway, sender: FailingSender, clock: MutableClock) -> MailRelay:
    return MailRelay(gateway.db, sender, clock)


async def eventually(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    """Wait, in small steps, until `condition` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    assert condition(), f"not true within {seconds} s"


async def test_drain_sends_pending_mail_once(gateway: Gateway, mail: RecordingSender) -> None:
    await queue(gateway, letter(1), letter(2))

    assert await gateway.relay.drain() == 2
    assert await gateway.relay.drain() == 0

    assert mail.sent == [letter(1), letter(2)]
    assert await rows(gateway) == [("Mail 1", 1, True, None), ("Mail 2", 1, True, None)]


async def test_drain_with_nothing_pending(gateway: Gateway, mail: RecordingSender) -> None:
    assert await gateway.relay.drain() == 0
    assert mail.sent == []


async def test_drain_sends_more_than_a_batch(gateway: Gateway, mail: RecordingSender) -> None:
    count = 2 * BATCH + 3
    await queue(gateway, *(letter(n) for n in range(count)))

    assert await gateway.relay.drain() == count
    assert mail.sent == [letter(n) for n in range(count)]


async def test_a_failed_mail_stays_pending(gateway: Gateway, clock: MutableClock) -> None:
    sender = FailingSender()
    await queue(gateway, letter(1))

    assert await relay_with(gateway, sender, clock).drain() == 0

    assert sender.tried == [letter(1)]
    stamp = clock.now().isoformat()
    assert await rows(gateway) == [("Mail 1", 1, False, f"{stamp}: smtp is down")]
    assert await claim(gateway.db, clock) == []  # backing off
    clock.advance(retry_delay(1))
    [pending] = await claim(gateway.db, clock)
    assert (pending.mail, pending.attempts) == (letter(1), 1)


async def test_a_failure_does_not_stop_the_other_mails(
    gateway: Gateway, clock: MutableClock
) -> None:
    sender = FailingSender(refuses=lambda m: m.subject == "Mail 2")
    await queue(gateway, letter(1), letter(2), letter(3))

    assert await relay_with(gateway, sender, clock).drain() == 2

    assert sender.sent == [letter(1), letter(3)]
    assert [(s, a, sent) for s, a, sent, _ in await rows(gateway)] == [
        ("Mail 1", 1, True),
        ("Mail 2", 1, False),
        ("Mail 3", 1, True),
    ]


async def test_a_failed_mail_is_sent_on_a_later_drain(
    gateway: Gateway, clock: MutableClock, mail: RecordingSender
) -> None:
    await queue(gateway, letter(1))
    assert await relay_with(gateway, FailingSender(), clock).drain() == 0
    clock.advance(retry_delay(1))

    assert await gateway.relay.drain() == 1

    assert mail.sent == [letter(1)]
    assert [(s, a, sent) for s, a, sent, _ in await rows(gateway)] == [("Mail 1", 2, True)]


@pytest.mark.parametrize(
    ("failures", "delivered"),
    [
        pytest.param(MAX_ATTEMPTS - 1, True, id="last-chance"),
        pytest.param(MAX_ATTEMPTS, False, id="given-up"),
    ],
)
async def test_the_relay_gives_up_after_five_failures(
    gateway: Gateway,
    clock: MutableClock,
    mail: RecordingSender,
    failures: int,
    delivered: bool,
) -> None:
    assert MAX_ATTEMPTS == 5
    failing = FailingSender()
    relay = relay_with(gateway, failing, clock)
    await queue(gateway, letter(1))
    for attempts in range(1, failures + 1):
        assert await relay.drain() == 0
        clock.advance(retry_delay(attempts))
    assert len(failing.tried) == failures

    assert await gateway.relay.drain() == int(delivered)

    assert mail.sent == ([letter(1)] if delivered else [])
    attempts = failures + 1 if delivered else failures
    assert [(s, a, sent) for s, a, sent, _ in await rows(gateway)] == [
        ("Mail 1", attempts, delivered)
    ]


async def test_a_failing_mail_is_tried_once_per_drain(
    gateway: Gateway, clock: MutableClock
) -> None:
    """Failures wait for a later pass, even when more than a batch is pending."""
    sender = FailingSender(refuses=lambda m: m.subject == "Mail 0")
    count = 2 * BATCH + 1
    await queue(gateway, *(letter(n) for n in range(count)))

    assert await relay_with(gateway, sender, clock).drain() == count - 1

    assert sender.tried.count(letter(0)) == 1
    assert (await rows(gateway))[0][:3] == ("Mail 0", 1, False)


async def test_a_failing_batch_does_not_hold_back_later_mail(
    gateway: Gateway, clock: MutableClock
) -> None:
    """A whole batch of undeliverable mail must not keep the mail after it waiting."""
    sender = FailingSender(refuses=lambda m: m.subject != "Mail last")
    await queue(gateway, *(letter(n) for n in range(BATCH)))
    await queue(gateway, OutgoingMail(to=("late@example.com",), subject="Mail last", body="."))

    await relay_with(gateway, sender, clock).drain()

    assert [m.subject for m in sender.sent] == ["Mail last"]


def test_the_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    delays = [retry_delay(attempts).total_seconds() for attempts in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_a_failed_mail_is_not_retried_before_its_backoff(
    gateway: Gateway, clock: MutableClock
) -> None:
    sender = FailingSender()
    relay = relay_with(gateway, sender, clock)
    await queue(gateway, letter(1))
    assert await relay.drain() == 0

    for attempts in (1, 2, 3):
        clock.advance(retry_delay(attempts) - timedelta(seconds=1))
        await relay.drain()
        assert len(sender.tried) == attempts, "retried before the backoff ended"
        clock.advance(timedelta(seconds=1))
        await relay.drain()
        assert len(sender.tried) == attempts + 1


async def test_a_mail_that_failed_five_times_is_never_tried_again(
    gateway: Gateway, clock: MutableClock, mail: RecordingSender
) -> None:
    failing = FailingSender()
    relay = relay_with(gateway, failing, clock)
    await queue(gateway, letter(1))
    for _ in range(MAX_ATTEMPTS):
        await relay.drain()
        clock.advance(timedelta(days=1))
    assert len(failing.tried) == MAX_ATTEMPTS

    clock.advance(timedelta(days=365))
    assert await gateway.relay.drain() == 0
    assert await relay.drain() == 0
    assert mail.sent == []
    assert len(failing.tried) == MAX_ATTEMPTS


# --- several relays on one outbox ----------------------------------------------------------


@pytest.fixture
async def databases(database_url: str, clock: MutableClock) -> AsyncIterator[list[SqlDatabase]]:
    """Two engines on one database, as two gateway processes have."""
    found = [SqlDatabase(create_engine(database_url), clock) for _ in range(2)]
    yield found
    for database in found:
        await database.dispose()


async def test_two_relays_on_one_database_send_each_mail_once(
    databases: list[SqlDatabase], clock: MutableClock
) -> None:
    count = 60
    await queue_in(databases[0], *(letter(n) for n in range(count)))
    senders = [SlowSender(), SlowSender()]
    relays = [
        MailRelay(database, sender, clock, batch=5)
        for database, sender in zip(databases, senders, strict=True)
    ]

    # Two drains per relay too: the timer and a MailQueued can overlap in one process.
    sent = await asyncio.gather(*(relay.drain() for relay in relays for _ in range(2)))

    everything = senders[0].sent + senders[1].sent
    assert Counter(m.subject for m in everything) == {f"Mail {n}": 1 for n in range(count)}
    assert sum(sent) == count
    assert all(sender.sent for sender in senders), "the relays did not overlap"
    clock.advance(timedelta(days=365))
    assert [await claim(database, clock) for database in databases] == [[], []]


async def test_a_claimed_mail_waits_out_the_lease_of_a_relay_that_died(
    gateway: Gateway, clock: MutableClock, mail: RecordingSender
) -> None:
    await queue(gateway, letter(1))
    assert [q.mail for q in await claim(gateway.db, clock)] == [letter(1)]  # then it died

    clock.advance(LEASE - timedelta(seconds=1))
    assert await gateway.relay.drain() == 0
    clock.advance(timedelta(seconds=1))
    assert await gateway.relay.drain() == 1

    assert mail.sent == [letter(1)]
    assert await rows(gateway) == [("Mail 1", 1, True, None)]


async def test_a_relay_sends_no_mail_whose_lease_has_run_out(
    gateway: Gateway, clock: MutableClock
) -> None:
    """A send that outlasts the lease lets another relay claim the rest of the batch; the
    first relay must then leave that rest alone. (The slow mail itself goes out twice:
    at least once is all a lease can promise.)"""
    other = RecordingSender()
    stalled: list[OutgoingMail] = []

    class StallingSender:
        timeout = 1.0

        async def send(self, mail: OutgoingMail) -> None:
            if not stalled:
                clock.advance(LEASE)
                await MailRelay(gateway.db, other, clock).drain()
            stalled.append(mail)

    await queue(gateway, letter(1), letter(2))

    assert await MailRelay(gateway.db, StallingSender(), clock).drain() == 1

    assert stalled == [letter(1)]
    assert other.sent == [letter(1), letter(2)]
    # Each mail's outcome is the other relay's, which held its lease when it recorded it.
    assert await rows(gateway) == [("Mail 1", 1, True, None), ("Mail 2", 1, True, None)]


async def test_a_relay_that_lost_its_lease_does_not_record_its_failure(
    gateway: Gateway, clock: MutableClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The other relay sent the mail; a late failure must not make it look unsent."""
    other = RecordingSender()

    class StallingSender:
        timeout = 1.0

        async def send(self, mail: OutgoingMail) -> None:
            clock.advance(LEASE)
            await MailRelay(gateway.db, other, clock).drain()
            raise ConnectionError("smtp went away")

    await queue(gateway, letter(1))

    assert await MailRelay(gateway.db, StallingSender(), clock).drain() == 0

    assert other.sent == [letter(1)]
    assert await rows(gateway) == [("Mail 1", 1, True, None)]
    assert "lease" in caplog.text


class TimedSender:
    """Declares the longest a send may take, and takes `takes` (on the test clock) over
    the first mail."""

    def __init__(self, clock: MutableClock, timeout: float, takes: timedelta) -> None:
        self.timeout = timeout
        self._clock = clock
        self._takes = takes
        self.sent: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        if not self.sent:
            self._clock.advance(self._takes)
        self.sent.append(mail)


@pytest.mark.parametrize(
    ("left", "second_sent"),
    [
        pytest.param(timedelta(seconds=60) + SEND_MARGIN, True, id="time-enough"),
        pytest.param(
            timedelta(seconds=60) + SEND_MARGIN - timedelta(microseconds=1),
            False,
            id="too-little-time",
        ),
    ],
)
async def test_no_send_starts_that_could_outlast_the_lease(
    gateway: Gateway, clock: MutableClock, left: timedelta, second_sent: bool
) -> None:
    """A send starts only while the lease has the sender's timeout and a margin left, so
    it ends (or gives up) before another relay can claim the mail."""
    claimed_at = clock.now()
    sender = TimedSender(clock, timeout=60.0, takes=LEASE - left)
    await queue(gateway, letter(1), letter(2))

    assert await MailRelay(gateway.db, sender, clock).drain() == 1 + second_sent

    assert sender.sent == [letter(1), letter(2)][: 1 + second_sent]
    if not second_sent:  # left for the next claim, once the lease has run out
        assert clock.now() < claimed_at + LEASE
        assert await MailRelay(gateway.db, sender, clock).drain() == 0
        clock.set(claimed_at + LEASE)
        assert await MailRelay(gateway.db, sender, clock).drain() == 1
        assert sender.sent == [letter(1), letter(2)]


def test_a_relay_refuses_a_lease_its_sender_could_outlast(gateway: Gateway) -> None:
    sender = TimedSender(MutableClock(), timeout=LEASE.total_seconds(), takes=timedelta(0))

    with pytest.raises(ValueError, match="lease"):
        MailRelay(gateway.db, sender, MutableClock())


@pytest.fixture(params=["fake", "sql"])
def any_database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the fake database of the use-case tests, else the real one's URL."""
    return None if request.param == "fake" else str(request.getfixturevalue("database_url"))


@pytest.fixture
async def any_db(any_database_url: str | None, clock: MutableClock) -> AsyncIterator[Database]:
    """The fake database and the real one: they must follow the same outbox rules."""
    if any_database_url is None:
        yield FakeDatabase(clock)
        return
    database = SqlDatabase(create_engine(any_database_url), clock)
    yield database
    await database.dispose()


async def record(db: Database, claimed: QueuedMail, *, sent: bool, clock: MutableClock) -> bool:
    now = clock.now()
    async with db.writing() as uow:
        if sent:
            recorded = await uow.outbox.mark_sent(claimed, now)
        else:
            recorded = await uow.outbox.mark_failed(claimed, "refused", now, now)
        await uow.commit()
    return recorded


async def test_only_the_claim_holding_the_lease_records_an_outcome(
    any_db: Database, clock: MutableClock
) -> None:
    await queue_in(any_db, letter(1))
    [stale] = await claim(any_db, clock)
    clock.advance(LEASE)
    [current] = await claim(any_db, clock)
    assert current.leased_until == stale.leased_until + LEASE

    assert not await record(any_db, stale, sent=True, clock=clock)
    assert not await record(any_db, stale, sent=False, clock=clock)
    assert await claim(any_db, clock) == []  # still leased to `current`
    assert await record(any_db, current, sent=True, clock=clock)
    assert not await record(any_db, current, sent=False, clock=clock)  # recorded once

    clock.advance(timedelta(days=365))
    assert await claim(any_db, clock) == []  # sent, for good


# --- the running relay ---------------------------------------------------------------------


async def test_the_relay_sends_on_start_and_when_woken(
    gateway: Gateway, clock: MutableClock, mail: RecordingSender
) -> None:
    relay = gateway.relay
    await queue(gateway, letter(1))
    relay.start()
    try:
        await eventually(lambda: mail.sent == [letter(1)])

        await queue(gateway, letter(2))
        # Not a wake-up call: only MailQueued is.
        booking = Booking(
            id=1,
            code="BOOKOCCUPI2026AAAAAAAA",
            room_id=1,
            creator_id=1,
            interval=Interval(local("10:00"), local("11:00")),
            status=BookingStatus.ACTIVE,
            source=BookingSource.ADHOC,
            attendees=(),
            created_at=clock.now(),
        )
        await relay.publish(BookingEvent(booking.created(clock.now()), "RM000"))
        for _ in range(10):
            await asyncio.sleep(0.01)
        assert mail.sent == [letter(1)]

        await relay.publish(MailQueued(clock.now()))
        await eventually(lambda: mail.sent == [letter(1), letter(2)])
    finally:
        await relay.stop()


async def test_a_stopped_relay_sends_nothing(
    gateway: Gateway, clock: MutableClock, mail: RecordingSender
) -> None:
    relay = gateway.relay
    relay.start()
    await relay.stop()
    await relay.stop()  # stopping twice is harmless

    await queue(gateway, letter(1))
    await relay.publish(MailQueued(clock.now()))
    for _ in range(10):
        await asyncio.sleep(0.01)

    assert mail.sent == []
    assert [(s, a, sent) for s, a, sent, _ in await rows(gateway)] == [("Mail 1", 0, False)]


async def test_stop_without_start(gateway: Gateway) -> None:
    await gateway.relay.stop()


async def test_the_relay_survives_a_failing_sender(gateway: Gateway, clock: MutableClock) -> None:
    sender = FailingSender(refuses=lambda m: m.subject == "Mail 1")
    relay = relay_with(gateway, sender, clock)
    await queue(gateway, letter(1))
    relay.start()
    try:
        await eventually(lambda: sender.tried == [letter(1)])
        await queue(gateway, letter(2))
        await relay.publish(MailQueued(clock.now()))
        await eventually(lambda: sender.sent == [letter(2)])
    finally:
        await relay.stop()
    assert sender.tried[-1] == letter(2)


async def test_a_booking_wakes_the_running_relay(
    gateway: Gateway, world: World, mail: RecordingSender
) -> None:
    """The app's publisher hands MailQueued to the relay after the booking commits."""
    gateway.relay.start()
    try:
        await gateway.app.bookings.book(
            world.principal(world.alice),
            BookingRequest(room_code="RM000", start=local("10:00"), end=local("11:00")),
        )
        await eventually(lambda: len(mail.sent) == 1)
    finally:
        await gateway.relay.stop()
    assert [(m.subject, m.to) for m in mail.sent] == [
        ("Booking confirmed: Room 0", ("alice@example.com",))
    ]
