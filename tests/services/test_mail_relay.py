"""The mail relay: sends outbox mail after commit, retries failures, gives up after five."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select

from domain.bookings import Booking, BookingSource, BookingStatus
from domain.intervals import Interval
from gateway.app import Gateway
from gateway.mail.relay import BATCH, MailRelay
from gateway.services.bookings import BookingRequest
from gateway.services.events import BookingEvent, MailQueued
from gateway.services.records import OutgoingMail
from gateway.store.outbox import MAX_ATTEMPTS
from gateway.store.tables import outbox
from tests.support.bookings import local
from tests.support.clock import MutableClock
from tests.support.mail import RecordingSender
from tests.support.world import World


def letter(n: int) -> OutgoingMail:
    return OutgoingMail(to=(f"person{n}@example.com",), subject=f"Mail {n}", body=f"Body {n}\n")


class FailingSender:
    """Refuses the mails `refuses` picks (all by default) and records the rest."""

    def __init__(self, refuses: Callable[[OutgoingMail], bool] = lambda _: True) -> None:
        self.refuses = refuses
        self.tried: list[OutgoingMail] = []
        self.sent: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        self.tried.append(mail)
        if self.refuses(mail):
            raise ConnectionError("smtp is down")
        self.sent.append(mail)


async def queue(gateway: Gateway, *mails: OutgoingMail) -> None:
    async with gateway.db.writing() as uow:
        for mail in mails:
            await uow.outbox.add(mail)
        await uow.commit()


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
    async with gateway.db.reading() as uow:
        [pending] = await uow.outbox.pending(BATCH)
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
    for _ in range(failures):
        assert await relay.drain() == 0
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
