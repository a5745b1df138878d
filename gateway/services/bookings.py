"""Booking use cases: book, cancel, check in, list, available slots."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.bookings import (
    MAX_ATTENDEES,
    Attendee,
    Booking,
    BookingSource,
    BookingStatus,
    CheckInWindow,
    check_new_booking,
)
from domain.errors import invalid
from domain.intervals import Interval, require_aware
from domain.rooms import Room
from domain.slots import free_slots
from domain.users import Actor, normalise_email
from gateway.services import mails
from gateway.services.authz import Principal, not_found
from gateway.services.events import BookingChange, BookingEvent, MailQueued
from gateway.services.ports import Clock, Database, EventPublisher, UnitOfWork
from gateway.services.records import BookingQuery, Page, PageRequest

MAX_TITLE_LENGTH = 200
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class BookingRequest:
    room_code: str
    start: datetime
    end: datetime
    attendees: Sequence[str] = ()
    title: str = ""


@dataclass(frozen=True)
class BookingSearch:
    """A caller's filter; `room_code` and the time bounds are optional."""

    room_code: str | None = None
    ends_after: datetime | None = None
    starts_before: datetime | None = None
    statuses: tuple[BookingStatus, ...] = (BookingStatus.ACTIVE,)
    sources: tuple[BookingSource, ...] | None = None

    def __post_init__(self) -> None:
        if self.ends_after is not None:
            require_aware(self.ends_after, "endsAfter")
        if self.starts_before is not None:
            require_aware(self.starts_before, "startsBefore")


@dataclass(frozen=True)
class BookingPolicy:
    check_in: CheckInWindow = field(default_factory=CheckInWindow)


def new_booking_code(year: int) -> str:
    """Legacy clients know bookings as BOOKOCCUPI<year><suffix>; the suffix is random."""
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"BOOKOCCUPI{year}{suffix}"


def offered_slots(window: Interval, busy: Iterable[Interval], now: datetime) -> list[Interval]:
    """What a room offers in a bookable window: its free parts, never in the past."""
    return free_slots(window, busy, not_before=now)


def details_visible(actor: Actor, booking: Booking) -> bool:
    """Who booked and who attends is shown to the people involved and to admins only."""
    return actor.is_admin or booking.involves(actor)


class Bookings:
    """Use cases on bookings. Any signed-in user may book and see rooms' busy times;
    changes to a booking are limited by the rules on `domain.bookings.Booking`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: EventPublisher,
        policy: BookingPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._policy = policy or BookingPolicy()

    async def book(self, principal: Principal, request: BookingRequest) -> Booking:
        """Book a room. Two concurrent requests for one slot never both succeed: the check
        and the insert share one writing unit of work, which holds the write lock."""
        actor = principal.require()
        interval = Interval(
            require_aware(request.start, "start"), require_aware(request.end, "end")
        )
        title = request.title.strip()
        if len(title) > MAX_TITLE_LENGTH:
            raise invalid(f"title must be at most {MAX_TITLE_LENGTH} characters", "title")
        emails = _attendee_emails(actor, request.attendees)
        async with self._db.writing() as uow:
            room = await self._room(uow, request.room_code)
            # Read the clock once the write lock is held: waiting for it may take a while.
            now = self._clock.now()
            window = room.calendar.bookable_window(room.calendar.local_day(interval.start))
            check_new_booking(
                interval,
                attendee_count=len(emails),
                calendar=room.calendar,
                limits=room.limits,
                now=now,
                existing=await uow.bookings.active_intervals(room.id, window),
            )
            users = await uow.users.by_emails(emails)
            booking = await uow.bookings.add(
                code=new_booking_code(now.year),
                room_id=room.id,
                creator_id=actor.user_id,
                interval=interval,
                source=BookingSource.ADHOC,
                title=title,
                attendees=[Attendee(e, users[e].id if e in users else None) for e in emails],
                created_at=now,
            )
            for mail in mails.booking_confirmation(booking, room, actor.email):
                await uow.outbox.add(mail)
            await uow.commit()
        await self._announce(BookingChange.CREATED, booking, room, now)
        return booking

    async def cancel(self, principal: Principal, code: str) -> Booking:
        """Cancel a booking (the creator or an admin); attendees are mailed after commit."""
        actor = principal.require()
        async with self._db.writing() as uow:
            booking = await self._visible_booking(uow, code, actor)
            now = self._clock.now()
            booking.ensure_cancellable(actor, now)
            await uow.bookings.cancel(booking.id, by_user_id=actor.user_id, at=now)
            room = await self._room_of(uow, booking)
            await uow.outbox.add(mails.booking_cancellation(booking, room))
            cancelled = await self._booking(uow, code)
            await uow.commit()
        await self._announce(BookingChange.CANCELLED, cancelled, room, now)
        return cancelled

    async def check_in(self, principal: Principal, code: str) -> Booking:
        """Mark the caller present. Checking in twice keeps the first time."""
        actor = principal.require()
        async with self._db.writing() as uow:
            booking = await self._visible_booking(uow, code, actor)
            now = self._clock.now()
            booking.ensure_check_in(actor, now, self._policy.check_in)
            await uow.bookings.check_in(booking.id, email=actor.email, at=now)
            room = await self._room_of(uow, booking)
            checked = await self._booking(uow, code)
            await uow.commit()
        await self._publisher.publish(_event(BookingChange.CHECKED_IN, checked, room, now))
        return checked

    async def get(self, principal: Principal, code: str) -> Booking:
        """A booking the caller is part of (any booking, for an admin)."""
        actor = principal.require()
        async with self._db.reading() as uow:
            return await self._visible_booking(uow, code, actor)

    async def search(
        self, principal: Principal, search: BookingSearch, page: PageRequest, *, mine: bool
    ) -> Page[Booking]:
        """Bookings matching `search`. Basic users only ever list bookings they are part of;
        admins see all unless they ask for `mine`."""
        actor = principal.require()
        involving = actor.email if mine or not actor.is_admin else None
        async with self._db.reading() as uow:
            room_ids = None
            if search.room_code is not None:
                room_ids = ((await self._room(uow, search.room_code)).id,)
            query = BookingQuery(
                room_ids=room_ids,
                involving_email=involving,
                statuses=search.statuses,
                sources=search.sources,
                ends_after=search.ends_after,
                starts_before=search.starts_before,
            )
            return await uow.bookings.list(query, page)

    async def available_slots(
        self, principal: Principal, room_code: str, day: date
    ) -> list[Interval]:
        """The free parts of the room's bookable hours on `day` (site-local), from now on."""
        principal.require()
        async with self._db.reading() as uow:
            room = await self._room(uow, room_code)
            window = room.calendar.bookable_window(day)
            busy = await uow.bookings.active_intervals(room.id, window)
        return offered_slots(window, busy, self._clock.now())

    async def _announce(
        self, change: BookingChange, booking: Booking, room: Room, now: datetime
    ) -> None:
        await self._publisher.publish(_event(change, booking, room, now))
        await self._publisher.publish(MailQueued(now))

    @staticmethod
    async def _room(uow: UnitOfWork, code: str) -> Room:
        room = await uow.rooms.by_code(code)
        if room is None:
            raise not_found("room", code, "roomId")
        return room

    @staticmethod
    async def _room_of(uow: UnitOfWork, booking: Booking) -> Room:
        room = await uow.rooms.by_id(booking.room_id)
        if room is None:
            raise not_found("room", str(booking.room_id))
        return room

    @classmethod
    async def _visible_booking(cls, uow: UnitOfWork, code: str, actor: Actor) -> Booking:
        """Somebody else's booking answers exactly like a missing one: codes cannot be probed."""
        booking = await cls._booking(uow, code)
        if not details_visible(actor, booking):
            raise not_found("booking", code, "id")
        return booking

    @staticmethod
    async def _booking(uow: UnitOfWork, code: str) -> Booking:
        booking = await uow.bookings.by_code(code)
        if booking is None:
            raise not_found("booking", code, "id")
        return booking


def _event(change: BookingChange, booking: Booking, room: Room, now: datetime) -> BookingEvent:
    return BookingEvent(
        change=change,
        booking_code=booking.code,
        room_code=room.code,
        starts_at=booking.interval.start,
        ends_at=booking.interval.end,
        occurred_at=now,
    )


def _attendee_emails(actor: Actor, raw: Sequence[str]) -> list[str]:
    """The creator first, then each invited address once, in the order given."""
    too_many = invalid(f"a booking can have at most {MAX_ATTENDEES} attendees", "attendees")
    if len(raw) > MAX_ATTENDEES:  # before any work: the list comes straight from the client
        raise too_many
    invited = (normalise_email(a, f"attendees[{i}]") for i, a in enumerate(raw))
    emails = list(dict.fromkeys([actor.email, *invited]))
    if len(emails) > MAX_ATTENDEES:
        raise too_many
    return emails
