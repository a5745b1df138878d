"""Bookings of a room: the rules for making, cancelling and checking in.

Every ad-hoc booking, timetabled session and external event is a booking of a room, so
the overlap rule here sees all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
        raise DomainError(ErrorCode.SLOT_TAKEN, "the room is already booked for part of that time")


@dataclass(frozen=True)
class Attendee:
    email: str
    user_id: int | None = None
    checked_in_at: datetime | None = None


@dataclass(frozen=True)
class Booking:
    """A room booked for a half-open interval by its creator, with its attendees.

    The creator is always one of the attendees.
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

    @property
    def is_active(self) -> bool:
        return self.status is BookingStatus.ACTIVE

    def involves(self, actor: Actor) -> bool:
        return actor.user_id == self.creator_id or any(
            a.email == actor.email for a in self.attendees
        )

    def ensure_cancellable(self, actor: Actor, now: datetime) -> None:
        """Only the creator or an admin may cancel, and only an active booking not yet over."""
        if not (actor.is_admin or actor.user_id == self.creator_id):
            raise DomainError(
                ErrorCode.FORBIDDEN, "only the person who booked or an admin may cancel"
            )
        self._ensure_active()
        if self.interval.end <= now:
            raise DomainError(ErrorCode.BOOKING_ENDED, "the booking is already over")

    def ensure_check_in(self, actor: Actor, now: datetime, window: CheckInWindow) -> None:
        """The creator or an invited attendee may check in, inside the window around the start."""
        if not self.involves(actor):
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

    def _ensure_active(self) -> None:
        if not self.is_active:
            raise DomainError(ErrorCode.BOOKING_NOT_ACTIVE, "the booking has been cancelled")
