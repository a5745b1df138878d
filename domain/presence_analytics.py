"""Office-hours analytics from presence sessions: hours per local day and per ISO week,
and average arrival and departure local times (the original's user-hours and
arrival-departure-average analytics)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import invalid
from domain.time_bounds import check_date

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Stay:
    """A session's span (open sessions end at min(now, their cap)) and its site's zone."""

    user_id: int
    zone: ZoneInfo
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PresenceSummary:
    """Hours per local day and per ISO week (year, week), summed over everyone counted;
    arrival and departure are averages over the person-days with a stay, or None."""

    hours_by_day: dict[date, float]
    hours_by_week: dict[tuple[int, int], float]
    average_arrival: time | None
    average_departure: time | None
    total_hours: float


def check_range(first: date, last: date) -> None:
    check_date(first, "from")
    check_date(last, "to")
    if last < first:
        raise invalid("the range must not end before it starts", "to")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise invalid(f"the range may span at most {MAX_RANGE_DAYS} days", "to")


def _seconds(t: datetime) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _mean(values: list[int]) -> time | None:
    if not values:
        return None
    seconds = round(sum(values) / len(values))
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def summarise(stays: Iterable[Stay], first: date, last: date) -> PresenceSummary:
    """Stays are attributed to the local day (in their site's zone) they start on; those
    starting outside [first, last] are left out."""
    check_range(first, last)
    by_day: dict[date, float] = defaultdict(float)
    arrivals: dict[tuple[int, date], datetime] = {}
    departures: dict[tuple[int, date], datetime] = {}
    for stay in stays:
        start, end = stay.start.astimezone(stay.zone), stay.end.astimezone(stay.zone)
        day = start.date()
        if not first <= day <= last:
            continue
        by_day[day] += (stay.end - stay.start).total_seconds() / 3600
        key = (stay.user_id, day)
        if key not in arrivals or start < arrivals[key]:
            arrivals[key] = start
        if key not in departures or end > departures[key]:
            departures[key] = end
    days = {first + timedelta(days=n): 0.0 for n in range((last - first).days + 1)}
    days.update({d: round(h, 4) for d, h in by_day.items()})
    weeks: dict[tuple[int, int], float] = defaultdict(float)
    for day, hours in days.items():
        iso = day.isocalendar()
        weeks[(iso.year, iso.week)] += hours
    return PresenceSummary(
        hours_by_day=days,
        hours_by_week={w: round(h, 4) for w, h in weeks.items()},
        average_arrival=_mean([_seconds(t) for t in arrivals.values()]),
        average_departure=_mean([_seconds(t) for t in departures.values()]),
        total_hours=round(sum(by_day.values()), 4),
    )
