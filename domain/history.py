"""Occupancy history from hourly rollups, in the site's time zone.

Readings are rolled up per location and *local* hour (its start kept as a UTC instant, so
a 23- or 25-hour DST day has 23 or 25 buckets and half-hour zones stay right). A leaf's
hour has the mean and the peak of its samples; a parent's hour has the sums of its
children's (their readings are not synchronised, so the sum of hourly means is the
honest figure, and the sum of peaks an upper bound). Then:
- daily occupancy: mean and max over the day's hours with samples;
- hourly profile: for each hour of day 0-23, mean and max over the range (24 rows);
- visitors: entries per day or per hour;
- dwell time: minutes per visit of the day's visits (by entry), visits of 3 minutes or
  less left out; days that have not ended yet have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import invalid
from domain.time_bounds import check_date

SHORT_VISIT = timedelta(minutes=3)
MAX_DAYS = 366


@dataclass(frozen=True)
class HourRollup:
    """One location's readings in one local hour (`hour` is its start, in UTC)."""

    samples: int = 0
    count_sum: int = 0
    count_max: int = 0
    entries: int = 0
    visits: int = 0
    dwell_seconds: float = 0.0
    dwell_max_seconds: float = 0.0

    def with_sample(self, count: int) -> HourRollup:
        return replace(
            self,
            samples=self.samples + 1,
            count_sum=self.count_sum + count,
            count_max=max(self.count_max, count) if self.samples else count,
        )

    def with_entry(self) -> HourRollup:
        return replace(self, entries=self.entries + 1)

    def with_visit(self, seconds: float) -> HourRollup:
        return replace(
            self,
            visits=self.visits + 1,
            dwell_seconds=self.dwell_seconds + seconds,
            dwell_max_seconds=max(self.dwell_max_seconds, seconds),
        )

    def merge(self, other: HourRollup) -> HourRollup:
        """Both hours' readings together (two batches of one location's hour)."""
        return HourRollup(
            samples=self.samples + other.samples,
            count_sum=self.count_sum + other.count_sum,
            count_max=max(self.count_max, other.count_max),
            entries=self.entries + other.entries,
            visits=self.visits + other.visits,
            dwell_seconds=self.dwell_seconds + other.dwell_seconds,
            dwell_max_seconds=max(self.dwell_max_seconds, other.dwell_max_seconds),
        )


def is_counted_visit(entered_at: datetime, left_at: datetime) -> bool:
    return left_at - entered_at > SHORT_VISIT


def hour_start(at: datetime, zone: ZoneInfo) -> datetime:
    """The start, as a UTC instant, of the local hour `at` falls in."""
    local = at.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


@dataclass(frozen=True)
class Range:
    """Local days `first` … `last` (inclusive) in `zone`."""

    first: date
    last: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        check_date(self.first, "start")
        check_date(self.last, "end")
        if self.last < self.first:
            raise invalid("end must not be before start", "end")
        if (self.last - self.first).days >= MAX_DAYS:
            raise invalid(f"a range covers at most {MAX_DAYS} days", "end")

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self.day_start(self.first)

    @property
    def end(self) -> datetime:
        return self.day_start(self.last + timedelta(days=1))

    def hours_of(self, day: date) -> list[datetime]:
        """The UTC starts of the local hours of `day`: 23 or 25 on DST days."""
        end = self.day_start(day + timedelta(days=1))
        starts, current = [], self.day_start(day)
        while current < end:
            starts.append(current)
            current = hour_start(current + timedelta(hours=1), self.zone)
        return starts


@dataclass(frozen=True)
class HourValue:
    """One location's hour: mean and peak count (when it had samples), entries, dwell."""

    avg: float | None = None
    peak: int | None = None
    entries: int = 0
    visits: int = 0
    dwell_seconds: float = 0.0
    dwell_max_seconds: float = 0.0


def leaf_hours(rollups: Mapping[datetime, HourRollup]) -> dict[datetime, HourValue]:
    return {
        hour: HourValue(
            avg=r.count_sum / r.samples if r.samples else None,
            peak=r.count_max if r.samples else None,
            entries=r.entries,
            visits=r.visits,
            dwell_seconds=r.dwell_seconds,
            dwell_max_seconds=r.dwell_max_seconds,
        )
        for hour, r in rollups.items()
    }


def summed_hours(children: Iterable[Mapping[datetime, HourValue]]) -> dict[datetime, HourValue]:
    """A parent's hours: its children's summed (max for the longest visit)."""
    total: dict[datetime, HourValue] = {}
    for child in children:
        for hour, value in child.items():
            seen = total.get(hour, HourValue())
            with_occupancy = value.avg is not None or seen.avg is not None
            total[hour] = HourValue(
                avg=(seen.avg or 0.0) + (value.avg or 0.0) if with_occupancy else None,
                peak=(seen.peak or 0) + (value.peak or 0) if with_occupancy else None,
                entries=seen.entries + value.entries,
                visits=seen.visits + value.visits,
                dwell_seconds=seen.dwell_seconds + value.dwell_seconds,
                dwell_max_seconds=max(seen.dwell_max_seconds, value.dwell_max_seconds),
            )
    return total


@dataclass(frozen=True)
class OccupancyRow:
    """Mean and peak people; `day` for daily rows, `hour_of_day` for the profile."""

    avg: float
    peak: int
    day: date | None = None
    hour_of_day: int | None = None


@dataclass(frozen=True)
class VisitorRow:
    day: date
    visitors: int
    hour: datetime | None = None  # hourly rows: the local hour's start (UTC)


@dataclass(frozen=True)
class DwellRow:
    day: date
    avg_minutes: float
    peak_minutes: float


@dataclass
class History:
    """The answers for one location over one range, from its hours."""

    range: Range
    hours: Mapping[datetime, HourValue] = field(default_factory=dict)
    # No data at all in the range: every answer is empty (not 24 rows of zeros).
    missing: bool = False

    def _day_hours(self, day: date) -> list[tuple[datetime, HourValue]]:
        return [(h, self.hours[h]) for h in self.range.hours_of(day) if h in self.hours]

    def daily_occupancy(self) -> list[OccupancyRow]:
        if self.missing:
            return []
        rows = []
        for day in self.range.days():
            values = [v for _, v in self._day_hours(day) if v.avg is not None]
            if values:
                avg = sum(v.avg or 0.0 for v in values) / len(values)
                rows.append(OccupancyRow(avg, max(v.peak or 0 for v in values), day=day))
        return rows

    def hourly_profile(self) -> list[OccupancyRow]:
        if self.missing:
            return []
        by_hour: dict[int, list[HourValue]] = {h: [] for h in range(24)}
        for day in self.range.days():
            for start, value in self._day_hours(day):
                if value.avg is not None:
                    by_hour[start.astimezone(self.range.zone).hour].append(value)
        return [
            OccupancyRow(
                sum(v.avg or 0.0 for v in values) / len(values) if values else 0.0,
                max((v.peak or 0 for v in values), default=0),
                hour_of_day=hour,
            )
            for hour, values in by_hour.items()
        ]

    def daily_visitors(self) -> list[VisitorRow]:
        if self.missing:
            return []
        return [
            VisitorRow(day, sum(v.entries for _, v in self._day_hours(day)))
            for day in self.range.days()
        ]

    def hourly_visitors(self) -> list[VisitorRow]:
        if self.missing:
            return []
        return [
            VisitorRow(day, self.hours[h].entries if h in self.hours else 0, hour=h)
            for day in self.range.days()
            for h in self.range.hours_of(day)
        ]

    def daily_dwell(self, now: datetime) -> list[DwellRow]:
        if self.missing:
            return []
        rows = []
        for day in self.range.days():
            if self.range.day_start(day + timedelta(days=1)) > now:
                break  # computed once the day has ended
            values = [v for _, v in self._day_hours(day) if v.visits]
            visits = sum(v.visits for v in values)
            if visits:
                avg = sum(v.dwell_seconds for v in values) / visits / 60
                peak = max(v.dwell_max_seconds for v in values) / 60
                rows.append(DwellRow(day, avg, peak))
        return rows
