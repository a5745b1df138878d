"""A reminder scheduled before a restart is delivered once after it, by mail over a real
local SMTP server and as one notification, and never again after another restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import func, select
from starlette.applications import Starlette

from domain.notifications import NotificationKind
from gateway.app import Gateway, create_app
from gateway.services.authz import Principal
from gateway.services.bookings import BookingRequest
from gateway.services.records import PageRequest
from gateway.settings import Settings
from gateway.store.tables import outbox
from tests.conftest import FAST_ARGON2
from tests.mail.servers import SmtpServer
from tests.support.bookings import instant, local
from tests.support.clock import MutableClock
from tests.support.world import build_world

TIMEOUT = 10.0
SUBJECT = "Booking starting soon: Room 0"


@asynccontextmanager
async def running(settings: Settings, clock: MutableClock) -> AsyncIterator[Gateway]:
    """A fresh app on the same database, through its whole lifespan (start and stop)."""
    app: Starlette = create_app(settings, clock=clock, hasher=FAST_ARGON2)
    async with app.router.lifespan_context(app):
        yield app.state.gateway


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(int(TIMEOUT / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    assert condition(), f"not true within {TIMEOUT} s"


async def settled(gateway: Gateway) -> None:
    """Until the relay has recorded every mail it sent: a stop between a send and its
    record would leave the mail to go out again after the lease (at least once)."""
    for _ in range(int(TIMEOUT / 0.02)):
        async with gateway.db.engine.connect() as connection:
            unsent = await connection.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            )
        if unsent == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"mail still unsent after {TIMEOUT} s")


def subjects(server: SmtpServer) -> list[str]:
    return [str(d.message["Subject"]) for d in server.delivered]


async def reminders_of(gateway: Gateway, principal: Principal) -> int:
    page = await gateway.app.notifications.list(principal, PageRequest(first=100))
    return sum(1 for n in page.items if n.kind is NotificationKind.REMINDER)


async def test_a_reminder_survives_a_restart_and_goes_out_once(
    settings: Settings, clock: MutableClock, smtp_server: SmtpServer
) -> None:
    async with running(settings, clock) as first:
        world = await build_world(first)
        alice = world.principal(world.alice)
        await first.app.bookings.book(
            alice, BookingRequest(world.rooms[0], local("10:00"), local("11:00"))
        )
        await until(lambda: len(smtp_server.delivered) == 1)  # the confirmation
        await settled(first)
        assert await first.reminders.run_once() == 0  # not due yet
    assert subjects(smtp_server) == ["Booking confirmed: Room 0"]

    clock.set(instant("09:50"))  # past 09:45, when the reminder is due
    async with running(settings, clock) as second:
        await until(lambda: len(smtp_server.delivered) == 2)
        await settled(second)
        assert await reminders_of(second, alice) == 1
    (reminder,) = smtp_server.delivered[1:]
    assert str(reminder.message["Subject"]) == SUBJECT
    assert reminder.rcpt_tos == ["alice@example.com"]
    assert "starts on Tuesday 24 November 2026, 10:00" in reminder.plain
    assert "starts on Tuesday 24 November 2026, 10:00" in reminder.html

    clock.advance(timedelta(hours=1))
    async with running(settings, clock) as third:
        assert await third.reminders.run_once() == 0
        assert await third.relay.drain() == 0
        assert await reminders_of(third, alice) == 1
    assert subjects(smtp_server) == ["Booking confirmed: Room 0", SUBJECT]
