"""Live booking changes for subscribers, filtered by the same visibility rule as queries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from domain.errors import DomainError, ErrorCode
from domain.users import Actor
from gateway.services.authz import EXPIRED_MESSAGE, Principal, not_found
from gateway.services.events import (
    BookingEvent,
    NotificationEvent,
    notifications_topic,
    room_bookings_topic,
)
from gateway.services.ports import Clock, Database, EventStream

# How often a quiet subscription wakes to look at the clock (token expiry), in seconds.
TICK_SECONDS = 1.0
# How often the subscriber's account is read again (deleted, role changed).
RECHECK = timedelta(seconds=15)

Reauthenticate = Callable[[str], Awaitable[Principal]]


def _expired() -> DomainError:
    return DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED_MESSAGE)


class Live:
    """Subscriptions. A subscriber receives an event only if they may see it, and a
    running subscription ends with an error as soon as its token expires, or at the next
    recheck after its account is deleted."""

    def __init__(
        self,
        db: Database,
        stream: EventStream,
        clock: Clock,
        reauthenticate: Reauthenticate,
        *,
        recheck: timedelta = RECHECK,
        tick: float = TICK_SECONDS,
    ) -> None:
        self._db = db
        self._stream = stream
        self._clock = clock
        self._reauthenticate = reauthenticate
        self._recheck = recheck.total_seconds()
        self._tick = tick

    async def room_bookings(
        self, principal: Principal, room_code: str
    ) -> AsyncIterator[BookingEvent]:
        """Bookings made, cancelled or checked into in a room; anybody signed in may
        watch, and check-ins reach only the booking's people and admins."""
        principal.require()
        async with self._db.reading() as uow:
            room = await uow.rooms.by_code(room_code)
        if room is None:
            raise not_found("room", room_code, "roomId")
        async with self._stream.subscribe(room_bookings_topic(room.code)) as queue:
            checked_at = time.monotonic()
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), self._timeout(principal))
                except TimeoutError:
                    event = None
                if time.monotonic() - checked_at >= self._recheck:
                    principal = await self._again(principal)
                    checked_at = time.monotonic()
                actor = self._still_valid(principal)
                if isinstance(event, BookingEvent) and event.visible_to(actor):
                    yield event

    async def notifications(self, principal: Principal) -> AsyncIterator[NotificationEvent]:
        """The caller's own new notifications (an admin's too: only their own)."""
        actor = principal.require()
        async with self._stream.subscribe(notifications_topic(actor.user_id)) as queue:
            checked_at = time.monotonic()
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), self._timeout(principal))
                except TimeoutError:
                    event = None
                if time.monotonic() - checked_at >= self._recheck:
                    principal = await self._again(principal)
                    checked_at = time.monotonic()
                actor = self._still_valid(principal)
                if isinstance(event, NotificationEvent) and event.visible_to(actor):
                    yield event

    def _timeout(self, principal: Principal) -> float:
        if principal.expires_at is None:
            return self._tick
        remaining = (principal.expires_at - self._clock.now()).total_seconds()
        return max(0.0, min(self._tick, remaining))

    def _still_valid(self, principal: Principal) -> Actor:
        actor = principal.require()
        if principal.expires_at is not None and self._clock.now() >= principal.expires_at:
            raise _expired()
        return actor

    async def _again(self, principal: Principal) -> Principal:
        if principal.credential is None:
            return principal
        fresh = await self._reauthenticate(principal.credential)
        fresh.require()
        return fresh
