"""A site's office hours: a weekly table of local opening and closing times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DomainError, ErrorCode, invalid

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DayHours:
    """One weekday's hours, in site-local wall time; opens before it closes."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        for value in (self.opens, self.closes):
            if value.tzinfo is not None:
                raise invalid("office hours are site-local wall times, without an offset", "days")
        if not self.opens < self.closes:
            raise invalid(
                f"office hours must open before they close ({_hhmm(self.opens)} is not "
                f"before {_hhmm(self.closes)})",
                "days",
            )


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _default_days() -> Mapping[int, DayHours]:
    return {day: DayHours(time(8), time(17)) for day in range(1, 6)}


@dataclass(frozen=True)
class OfficeHours:
    """ISO weekday (1 = Monday … 7 = Sunday) -> hours; a weekday left out is closed.

    The default is the documented rule: Monday to Friday, 08:00 to 17:00. Treat `days`
    as read-only: tables are values.
    """

    days: Mapping[int, DayHours] = field(default_factory=_default_days)

    @classmethod
    def of(cls, entries: Iterable[tuple[int, time, time]]) -> OfficeHours:
        """A table from (weekday, opens, closes) entries; each weekday at most once."""
        days: dict[int, DayHours] = {}
        for weekday, opens, closes in entries:
            if not 1 <= weekday <= 7:
                raise invalid(f"weekday {weekday} must be 1 (Monday) to 7 (Sunday)", "days")
            if weekday in days:
                raise invalid(f"{WEEKDAYS[weekday - 1]} is listed more than once", "days")
            days[weekday] = DayHours(opens, closes)
        return cls(dict(sorted(days.items())))

    def on(self, day: date) -> DayHours | None:
        return self.days.get(day.isoweekday())

    def window(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The office hours of local `day` as UTC instants (DST-aware), or None if closed."""
        hours = self.on(day)
        if hours is None:
            return None
        return _instant(day, hours.opens, zone), _instant(day, hours.closes, zone)

    def describe(self) -> str:
        """E.g. "Monday 08:00-17:00, Tuesday 08:00-17:00"; "closed every day" if empty."""
        if not self.days:
            return "closed every day"
        return ", ".join(
            f"{WEEKDAYS[d - 1]} {_hhmm(h.opens)}-{_hhmm(h.closes)}" for d, h in self.days.items()
        )

    def require_open(self, now: datetime, zone: ZoneInfo) -> None:
        """Raise OUTSIDE_OFFICE_HOURS unless `now` falls within the day's office hours."""
        local = now.astimezone(zone)
        window = self.window(local.date(), zone)
        if window is not None and window[0] <= now < window[1]:
            return
        raise OutsideOfficeHours(local, zone, self.on(local.date()))

    def day_end(self, entered: datetime, zone: ZoneInfo) -> datetime:
        """When the office day of a session entered at `entered` ends: that local day's
        closing time, never before `entered`; on a day without hours, local midnight."""
        day = entered.astimezone(zone).date()
        window = self.window(day, zone)
        if window is None:
            return _instant(day + timedelta(days=1), time(0), zone)
        return max(window[1], entered)


class OutsideOfficeHours(DomainError):
    """OUTSIDE_OFFICE_HOURS, with what an API may show of it: the site's local time
    `local` (aware, in `zone`) and that day's hours (None: closed all day)."""

    def __init__(self, local: datetime, zone: ZoneInfo, hours: DayHours | None) -> None:
        today = f"{_hhmm(hours.opens)} to {_hhmm(hours.closes)}" if hours else "closed all day"
        super().__init__(
            ErrorCode.OUTSIDE_OFFICE_HOURS,
            f"on-site toggling is only allowed in office hours; on {WEEKDAYS[local.weekday()]}"
            f" the site is {today}, and its local time is {local:%Y-%m-%d %H:%M} "
            f"({zone.key})",
        )
        self.local = local
        self.zone = zone
        self.hours = hours


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Local wall time on `day` in `zone` as a UTC instant. A wall time skipped by a DST
    change is read with the offset in force before it (fold=0), as zoneinfo does."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
