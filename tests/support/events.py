"""Events for the broker and live tests: a plain one per number, and one with every field
set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from domain.bookings import Attendee, Booking, BookingChanged, BookingSource, BookingStatus
from domain.intervals import Interval
from gateway.services.events import BookingChange, BookingEvent, Event, MailQueued

AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def event(n: int, room: str = "RM000", change: BookingChange = BookingChange.CREATED) -> Event:
    """A distinct booking event; `n` goes into the booking id and the time."""
    start = AT + timedelta(hours=n)
    booking = Booking(
        id=n,
        code=f"BOOKOCCUPI2026{n:08d}",
        room_id=1,
        creator_id=1,
        interval=Interval(start, start + timedelta(hours=1)),
        status=BookingStatus.ACTIVE,
        source=BookingSource.ADHOC,
        attendees=(Attendee("alice@example.com", 1),),
        created_at=AT,
    )
    return BookingEvent(BookingChanged(change, booking, AT), room)


def everything_set() -> BookingEvent:
    """A cancelled, checked-in booking: no field left at its default."""
    johannesburg = timezone(timedelta(hours=2))
    start = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=johannesburg)
    booking = Booking(
        id=42,
        code="BOOKOCCUPI202600000042",
        room_id=7,
        creator_id=3,
        interval=Interval(start, start + timedelta(minutes=45)),
        status=BookingStatus.CANCELLED,
        source=BookingSource.TIMETABLE,
        attendees=(
            Attendee("carol@example.com", 3, checked_in_at=start - timedelta(minutes=5)),
            Attendee("guest@example.org"),
            Attendee("dave@example.com", 9),
        ),
        created_at=AT,
        cancelled_at=AT + timedelta(hours=1),
        title="Sprint review — ünïcødé ✓",
        cancelled_by=1,
    )
    changed = BookingChanged(BookingChange.CANCELLED, booking, AT + timedelta(hours=1))
    return BookingEvent(changed, "RM007")


def mail_queued() -> MailQueued:
    return MailQueued(AT)
