"""Sane bounds on the times and dates a caller sends.

Every instant and date an API accepts lies in the years 1970-2100 (UTC), so that adding
a day, a week or an offset to it can never leave Python's range (years 1-9999); bookings
also end within a horizon from now (see `check_booking_times`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.errors import invalid
from domain.intervals import Interval, require_aware

FIRST_YEAR = 1970
LAST_YEAR = 2100
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)  # exclusive
DEFAULT_HORIZON = timedelta(days=366)
_RANGE = f"between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31"


def check_instant(instant: datetime, field: str) -> datetime:
    """`instant` in UTC, or INVALID_INPUT naming `field` when it has no offset or lies
    outside the years 1970-2100."""
    in_utc = require_aware(instant, field).astimezone(UTC)
    if not EARLIEST <= in_utc < LATEST:
        raise invalid(f"{field} must be {_RANGE} (UTC)", field)
    return in_utc


def check_optional_instant(instant: datetime | None, field: str) -> datetime | None:
    return None if instant is None else check_instant(instant, field)


def check_date(day: date, field: str) -> date:
    """`day` itself, or INVALID_INPUT naming `field` outside the years 1970-2100."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise invalid(f"{field} must be {_RANGE}", field)
    return day


def check_booking_times(
    start: datetime, end: datetime, now: datetime, horizon: timedelta
) -> Interval:
    """A booking's interval: both ends within 1970-2100, the end at most `horizon` after
    `now` (bookings far ahead are mistakes or abuse, and mails would confirm them)."""
    interval = Interval(check_instant(start, "start"), check_instant(end, "end"))
    if interval.end > now + horizon:
        raise invalid(f"a booking must end within {horizon.days} days from now", "end")
    return interval
