"""Booking use cases: book, cancel, check in, list, available slots."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.audit import AuditEntity
from domain.bookings import (
    MAX_ATTENDEES,
    Attendee,
    Booking,
    BookingChanged,
    BookingSource,
    BookingStatus,
    CheckInWindow,
    check_new_booking,
)
from domain.errors import DomainError, ErrorCode, invalid
from domain.intervals import Interval
from domain.notifications import DEFAULT_REMINDER_LEAD
from domain.rooms import Room
from domain.text import TextCap, clean_text
from domain.time_bounds import (
    DEFAULT_HORIZON,
    check_booking_times,
    check_date,
    check_optional_instant,
)
from domain.users import Actor, normalise_email
from gateway.services import audit, booking_notices, mails
from gateway.services.audit_snapshots import booking_fields
from gateway.services.authz import Principal, not_found
from gateway.services.events import BookingEvent, MailQueued
from gateway.services.notify import announce
from gateway.services.ports import Clock, Database, EventPublisher, UnitOfWork
from gateway.services.ration import DAY, MailRation, queue_mail
from gateway.services.reads import Reads
from gateway.services.records import BookingQuery, Page, PageRequest
from gateway.services.views import BookingView

MAX_TITLE_LENGTH = TextCap.TITLE
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
        check_optional_instant(self.ends_after, "endsAfter")
        check_optional_instant(self.starts_before, "startsBefore")


@dataclass(frozen=True)
class BookingPolicy:
    """`invites_per_day`: distinct addresses one person may invite in a rolling day;
    `reminder_lead`: how long before its start a booking's people are reminded;
    `horizon`: how far ahead of now a booking may end."""

    check_in: CheckInWindow = field(default_factory=CheckInWindow)
    invites_per_day: int = 100
    mail: MailRation = field(default_factory=MailRation)
    reminder_lead: timedelta = DEFAULT_REMINDER_LEAD
    horizon: timedelta = DEFAULT_HORIZON


def new_booking_code(year: int) -> str:
    """Legacy clients know bookings as BOOKOCCUPI<year><suffix>; the suffix is random."""
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"BOOKOCCUPI{year}{suffix}"


class Bookings:
    """Use cases on bookings. Any signed-in user may book and see rooms' busy times;
    changes to a booking are decided by the `domain.bookings.Booking` aggregate. Every
    booking returned is a view for the caller: details only for its people and admins."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: EventPublisher,
        reads: Reads,
        policy: BookingPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._reads = reads
        self._policy = policy or BookingPolicy()

    async def book(self, principal: Principal, request: BookingRequest) -> BookingView:
        """Book a room. Two concurrent requests for one slot never both succeed: the check
        and the insert share one writing unit of work, which holds the write lock."""
        actor = principal.require()
        interval = check_booking_times(
            request.start, request.end, self._clock.now(), self._policy.horizon
        )
        title = clean_text(request.title, "title", MAX_TITLE_LENGTH)
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
            await self._ensure_invitation_budget(uow, actor, emails[1:], now)
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
            await audit.record(
                uow,
                actor,
                AuditEntity.BOOKING,
                booking.code,
                "booked",
                at=now,
                after=booking_fields(booking),
            )
            for mail in mails.booking_confirmation(booking, room, actor.email):
                await queue_mail(uow, mail, now, self._policy.mail)
            notified = await booking_notices.on_booked(
                uow, booking, room, actor.email, now, self._policy.reminder_lead
            )
            await uow.commit()
        await self._announce(booking.created(now), room, mailed=True)
        await announce(self._publisher, notified)
        return BookingView.of(booking, actor)

    async def cancel(self, principal: Principal, code: str) -> BookingView:
        """Cancel a booking (the creator or an admin); attendees are mailed after commit."""
        actor = principal.require()
        async with self._db.writing() as uow:
            await uow.lock(booking_key(code))
            booking = await self._visible_booking(uow, code, actor)
            cancelled, changed = booking.cancel(actor, self._clock.now())
            await uow.bookings.save_cancellation(cancelled)
            await audit.record(
                uow,
                actor,
                AuditEntity.BOOKING,
                booking.code,
                "cancelled",
                at=changed.occurred_at,
                before=booking_fields(booking),
                after=booking_fields(cancelled),
            )
            room = await self._room_of(uow, booking)
            mail = mails.booking_cancellation(cancelled, room)
            await queue_mail(uow, mail, changed.occurred_at, self._policy.mail)
            notified = await booking_notices.on_cancelled(
                uow, cancelled, room, actor, changed.occurred_at
            )
            await uow.commit()
        await self._announce(changed, room, mailed=True)
        await announce(self._publisher, notified)
        return BookingView.of(cancelled, actor)

    async def check_in(self, principal: Principal, code: str) -> BookingView:
        """Mark the caller present. Checking in twice keeps the first time."""
        actor = principal.require()
        async with self._db.writing() as uow:
            await uow.lock(booking_key(code))
            booking = await self._visible_booking(uow, code, actor)
            checked, changed = booking.check_in(actor, self._clock.now(), self._policy.check_in)
            if changed is None:
                return BookingView.of(booking, actor)
            await uow.bookings.save_check_ins(checked)
            await audit.record(
                uow,
                actor,
                AuditEntity.BOOKING,
                booking.code,
                "checked_in",
                at=changed.occurred_at,
                before=booking_fields(booking),
                after=booking_fields(checked),
            )
            room = await self._room_of(uow, booking)
            await uow.commit()
        await self._announce(changed, room, mailed=False)
        return BookingView.of(checked, actor)

    async def get(self, principal: Principal, code: str) -> BookingView:
        """A booking the caller is part of (any booking, for an admin)."""
        actor = principal.require()
        async with self._db.reading() as uow:
            return BookingView.of(await self._visible_booking(uow, code, actor), actor)

    async def search(
        self, principal: Principal, search: BookingSearch, page: PageRequest, *, mine: bool
    ) -> Page[BookingView]:
        """Bookings matching `search`. Basic users only ever list bookings they are part of;
        admins see all unless they ask for `mine`."""
        actor = principal.require()
        involving = mine or not actor.is_admin
        async with self._db.reading() as uow:
            room_ids = None
            if search.room_code is not None:
                room_ids = ((await self._room(uow, search.room_code)).id,)
            query = BookingQuery(
                room_ids=room_ids,
                involving=actor if involving else None,
                statuses=search.statuses,
                sources=search.sources,
                ends_after=search.ends_after,
                starts_before=search.starts_before,
            )
            found = await uow.bookings.list(query, page)
        return found.map(lambda b: BookingView.of(b, actor))

    async def available_slots(
        self, principal: Principal, room_code: str, day: date
    ) -> list[Interval]:
        """The free parts of the room's bookable hours on `day` (site-local), from now on."""
        principal.require()
        check_date(day, "date")
        async with self._db.reading() as uow:
            room = await self._room(uow, room_code)
        (room_day,) = await self._reads.room_days(principal, [(room, day)])
        return list(room_day.slots)

    async def _ensure_invitation_budget(
        self, uow: UnitOfWork, actor: Actor, invited: Sequence[str], now: datetime
    ) -> None:
        """Each person invites at most `invites_per_day` distinct addresses a rolling day, so
        bookings cannot be used to probe or mail-bomb arbitrary addresses."""
        if not invited:
            return
        budget = self._policy.invites_per_day
        await uow.lock(f"invites:{actor.user_id}")
        already = await uow.bookings.invited_since(actor.user_id, now - DAY)
        if len(already | set(invited)) > budget:
            left = max(0, budget - len(already))
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                f"you can invite at most {budget} different addresses a day; "
                f"{left} new ones are left for now",
                field="attendees",
            )

    async def _announce(self, changed: BookingChanged, room: Room, *, mailed: bool) -> None:
        await self._publisher.publish(BookingEvent(changed, room.code))
        if mailed:
            await self._publisher.publish(MailQueued(changed.occurred_at))

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

    @staticmethod
    async def _visible_booking(uow: UnitOfWork, code: str, actor: Actor) -> Booking:
        """Somebody else's booking answers exactly like a missing one: codes cannot be probed."""
        booking = await uow.bookings.by_code(code)
        if booking is None or not booking.details_visible_to(actor):
            raise not_found("booking", code, "id")
        return booking


def booking_key(code: str) -> str:
    """The lock under which a booking's own changes (cancel, check in) are decided."""
    return f"booking:{code}"


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
