"""Site-local days and bookable hours: local time is computed in the site's IANA zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import invalid
from domain.intervals import Interval, require_aware


def parse_time_zone(name: str) -> ZoneInfo:
    """An IANA zone by name, or a precise INVALID_INPUT error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name like "Europe" hits a directory (IsADirectoryError) in the tz database.
        raise invalid(f"unknown time zone {name!r}; use an IANA name", "timeZone") from None


@dataclass(frozen=True)
class BookableHours:
    """The daily window in which rooms may be booked, in site-local wall time."""

    opens: time = time(8, 0)
    closes: time = time(17, 0)

    def __post_init__(self) -> None:
        for name, value in (("opensAt", self.opens), ("closesAt", self.closes)):
            if value.tzinfo is not None:
                raise invalid("bookable hours are site-local wall times, without an offset", name)
        if not self.opens < self.closes:
            raise invalid("bookable hours must open before they close", "closesAt")


@dataclass(frozen=True)
class SiteCalendar:
    """A site's zone and bookable hours; turns local days into UTC windows."""

    zone: ZoneInfo
    hours: BookableHours = field(default_factory=BookableHours)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def bookable_window(self, day: date) -> Interval:
        """The bookable hours of `day`, as UTC instants (DST-aware)."""
        opens = datetime.combine(day, self.hours.opens, tzinfo=self.zone)
        closes = datetime.combine(day, self.hours.closes, tzinfo=self.zone)
        return Interval(require_aware(opens, "date"), require_aware(closes, "date"))
