"""Bookings of a room: the rules for making, cancelling and checking in.

Every ad-hoc booking, timetabled session and external event is a booking of a room, so
the overlap rule here sees all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.calendar import SiteCalendar
from domain.errors import DomainError, ErrorCode
from domain.intervals import Interval
from domain.locations import OccupancyLimits
from domain.users import Actor

MAX_ATTENDEES = 500


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class BookingSource(StrEnum):
    ADHOC = "adhoc"
    TIMETABLE = "timetable"
    EXTERNAL = "external"


@dataclass(frozen=True)
class CheckInWindow:
    """Check-in is open from `before` ahead of the start until `after` past it."""

    before: timedelta = timedelta(minutes=15)
    after: timedelta = timedelta(minutes=15)

    def around(self, start: datetime) -> Interval:
        return Interval(start - self.before, start + self.after)


def check_new_booking(
    interval: Interval,
    *,
    attendee_count: int,
    calendar: SiteCalendar,
    limits: OccupancyLimits,
    now: datetime,
    existing: Iterable[Interval],
) -> None:
    """Raise the first rule a new booking breaks; return quietly when it may be made.

    `existing` are the room's active bookings near the interval; the caller must hold the
    room's write lock (or rely on a database constraint) for the answer to stay true.
    """
    if interval.start < now:
        raise DomainError(
            ErrorCode.IN_THE_PAST, "a booking cannot start in the past", field="start"
        )
    day = calendar.local_day(interval.start)
    if calendar.local_day(interval.end - timedelta(microseconds=1)) != day:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "a booking must start and end on the same local day",
            field="end",
        )
    window = calendar.bookable_window(day)
    if not window.contains(interval):
        hours = calendar.hours
        raise DomainError(
            ErrorCode.OUTSIDE_BOOKABLE_HOURS,
            f"rooms can be booked between {hours.opens:%H:%M} and {hours.closes:%H:%M} "
            f"({calendar.zone.key})",
            field="start" if not window.start <= interval.start < window.end else "end",
        )
    if not limits.admits(attendee_count):
        most = "no upper limit" if limits.maximum is None else f"at most {limits.maximum}"
        raise DomainError(
            ErrorCode.OCCUPANCY_OUT_OF_RANGE,
            f"this room takes at least {limits.minimum} and {most} people; "
            f"the booking has {attendee_count}",
            field="attendees",
        )
    if any(interval.overlaps(other) for other in existing):
        raise slot_taken()


def slot_taken() -> DomainError:
    return DomainError(ErrorCode.SLOT_TAKEN, "the room is already booked for part of that time")


@dataclass(frozen=True)
class Attendee:
    email: str
    user_id: int | None = None
    checked_in_at: datetime | None = None

    def is_(self, actor: Actor) -> bool:
        """The account this entry was invited as, or (for an address that had no account
        when invited) the account that now owns the address."""
        if self.user_id is not None:
            return self.user_id == actor.user_id
        return self.email == actor.email


class BookingChange(StrEnum):
    CREATED = "created"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"


@dataclass(frozen=True)
class BookingChanged:
    """What happened to a booking; published after the change is committed."""

    change: BookingChange
    booking: Booking
    occurred_at: datetime

    def visible_to(self, actor: Actor) -> bool:
        """A room's busy times are public to signed-in users; who checked in is not."""
        if self.change is BookingChange.CHECKED_IN:
            return self.booking.details_visible_to(actor)
        return True


@dataclass(frozen=True)
class Booking:
    """A room booked for a half-open interval by its creator, with its attendees.

    The creator is always the first attendee. The aggregate decides every change to
    itself: `cancel` and `check_in` return the new state and the event to publish, and
    repositories store exactly that.
    """

    id: int
    code: str
    room_id: int
    creator_id: int
    interval: Interval
    status: BookingStatus
    source: BookingSource
    attendees: tuple[Attendee, ...]
    created_at: datetime
    cancelled_at: datetime | None = None
    title: str = ""
    cancelled_by: int | None = None

    @property
    def is_active(self) -> bool:
        return self.status is BookingStatus.ACTIVE

    @property
    def checked_in(self) -> bool:
        return any(a.checked_in_at is not None for a in self.attendees)

    def attendee_index(self, actor: Actor) -> int | None:
        return next((i for i, a in enumerate(self.attendees) if a.is_(actor)), None)

    def involves(self, actor: Actor) -> bool:
        return actor.user_id == self.creator_id or self.attendee_index(actor) is not None

    def details_visible_to(self, actor: Actor) -> bool:
        """The one visibility rule: title, people, check-in and creation time are shown to
        the people in the booking and to admins; to anybody else only the busy time."""
        return actor.is_admin or self.involves(actor)

    def created(self, now: datetime) -> BookingChanged:
        return BookingChanged(BookingChange.CREATED, self, now)

    def cancel(self, actor: Actor, now: datetime) -> tuple[Booking, BookingChanged]:
        """Only the creator or an admin may cancel, and only an active booking not yet over."""
        if not (actor.is_admin or actor.user_id == self.creator_id):
            raise DomainError(
                ErrorCode.FORBIDDEN, "only the person who booked or an admin may cancel"
            )
        self._ensure_active()
        if self.interval.end <= now:
            raise DomainError(ErrorCode.BOOKING_ENDED, "the booking is already over")
        cancelled = replace(
            self, status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor.user_id
        )
        return cancelled, BookingChanged(BookingChange.CANCELLED, cancelled, now)

    def check_in(
        self, actor: Actor, now: datetime, window: CheckInWindow
    ) -> tuple[Booking, BookingChanged | None]:
        """Mark the actor present, inside the window around the start.

        Checking in twice keeps the first time and announces nothing new.
        """
        index = self.attendee_index(actor)
        first = self.attendees[0] if self.attendees else None
        if index is None and actor.user_id == self.creator_id and first and first.user_id is None:
            index = 0  # the creator's own entry, written before they had an account id on it
        if index is None:
            raise DomainError(
                ErrorCode.FORBIDDEN, "only the person who booked or an attendee may check in"
            )
        self._ensure_active()
        allowed = window.around(self.interval.start)
        if not allowed.start <= now <= allowed.end:
            raise DomainError(
                ErrorCode.CHECK_IN_CLOSED,
                f"check-in is open from {allowed.start.isoformat()} to {allowed.end.isoformat()}",
            )
        if self.attendees[index].checked_in_at is not None:
            return self, None
        attendees = list(self.attendees)
        attendees[index] = replace(attendees[index], checked_in_at=now)
        checked = replace(self, attendees=tuple(attendees))
        return checked, BookingChanged(BookingChange.CHECKED_IN, checked, now)

    def _ensure_active(self) -> None:
        if not self.is_active:
            raise DomainError(ErrorCode.BOOKING_NOT_ACTIVE, "the booking has been cancelled")
