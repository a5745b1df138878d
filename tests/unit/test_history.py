"""History from hourly rollups, in the site's zone: DST days, the answers, and that the
rollups answer exactly what the raw samples would."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.history import (
    History,
    HourRollup,
    HourValue,
    Range,
    hour_start,
    is_counted_visit,
    leaf_hours,
    summed_hours,
)

ZURICH = ZoneInfo("Europe/Zurich")
KOLKATA = ZoneInfo("Asia/Kolkata")
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)  # Europe's DST changes in 2026


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ZURICH) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_dst_days_have_23_and_25_hours_and_others_24() -> None:
    span = Range(date(2026, 3, 28), date(2026, 10, 25), ZURICH)
    assert len(span.hours_of(SPRING)) == 23
    assert len(span.hours_of(AUTUMN)) == 25
    assert len(span.hours_of(date(2026, 3, 28))) == 24
    autumn = span.hours_of(AUTUMN)
    assert [h.astimezone(ZURICH).hour for h in autumn[:4]] == [0, 1, 2, 2]


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_every_day_has_23_24_or_25_hours_of_one_hour_each(day: date) -> None:
    hours = Range(day, day, ZURICH).hours_of(day)
    assert len(hours) in (23, 24, 25)
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(hours))


def test_hours_start_on_the_local_hour_in_half_hour_zones() -> None:
    reading = datetime(2026, 3, 2, 4, 10, tzinfo=UTC)  # 09:40 in Kolkata
    assert hour_start(reading, KOLKATA) == datetime(2026, 3, 2, 3, 30, tzinfo=UTC)


def test_a_range_is_checked() -> None:
    with pytest.raises(DomainError) as backwards:
        Range(date(2026, 3, 2), date(2026, 3, 1), ZURICH)
    assert backwards.value.field == "end"
    with pytest.raises(DomainError):
        Range(date(2024, 1, 1), date(2025, 1, 1), ZURICH)  # 367 days


def test_visits_of_three_minutes_or_less_do_not_count() -> None:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert not is_counted_visit(start, start + timedelta(minutes=3))
    assert is_counted_visit(start, start + timedelta(minutes=3, seconds=1))


def test_daily_occupancy_profile_visitors_and_dwell() -> None:
    day = date(2026, 3, 2)
    rollups = {
        local(day, 9): HourRollup().with_sample(10).with_sample(20).with_entry(),
        local(day, 10): HourRollup().with_sample(40).with_entry().with_entry(),
        local(day, 11): HourRollup().with_visit(600).with_visit(1200),
    }
    history = History(Range(day, day, ZURICH), leaf_hours(rollups))
    [daily] = history.daily_occupancy()
    assert (daily.day, daily.avg, daily.peak) == (day, 27.5, 40)  # mean of 15 and 40
    profile = history.hourly_profile()
    assert len(profile) == 24
    assert [(r.hour_of_day, r.avg, r.peak) for r in profile[8:11]] == [
        (8, 0.0, 0),
        (9, 15.0, 20),
        (10, 40.0, 40),
    ]
    assert [v.visitors for v in history.daily_visitors()] == [3]
    hourly = history.hourly_visitors()
    assert len(hourly) == 24
    assert [v.visitors for v in hourly[9:12]] == [1, 2, 0]
    assert history.daily_dwell(now=local(day, 23)) == []  # the day has not ended
    [dwell] = history.daily_dwell(now=local(day + timedelta(days=1), 1))
    assert (dwell.avg_minutes, dwell.peak_minutes) == (15.0, 20.0)


samples = st.lists(
    st.tuples(
        st.integers(0, 4 * 24 * 60 - 1),  # minutes from 2026-10-23 00:00 UTC, across autumn DST
        st.integers(0, 200),
    ),
    min_size=1,
    max_size=80,
)
FIRST = date(2026, 10, 23)
BASE = datetime(2026, 10, 23, tzinfo=UTC)


def rolled_up(points: list[tuple[int, int]], batches: int) -> dict[datetime, HourRollup]:
    """As ingest does it: each batch rolled up alone, then merged into the stored hours."""
    stored: dict[datetime, HourRollup] = {}
    for batch in range(batches):
        delta: dict[datetime, HourRollup] = {}
        for minute, count in points[batch::batches]:
            key = hour_start(BASE + timedelta(minutes=minute), ZURICH)
            delta[key] = delta.get(key, HourRollup()).with_sample(count)
        for key, rollup in delta.items():
            stored[key] = stored[key].merge(rollup) if key in stored else rollup
    return stored


def from_raw(points: list[tuple[int, int]]) -> dict[date, tuple[float, int]]:
    """Daily mean of hourly means and max, straight from the samples and Python's own
    local-time arithmetic (date, hour, fold), without the rollups."""
    by_hour: dict[tuple[date, int, int], list[int]] = defaultdict(list)
    for minute, count in points:
        moment = (BASE + timedelta(minutes=minute)).astimezone(ZURICH)
        by_hour[(moment.date(), moment.hour, moment.fold)].append(count)
    by_day: dict[date, list[list[int]]] = defaultdict(list)
    for (day, _, _), counts in sorted(by_hour.items()):
        by_day[day].append(counts)
    return {
        day: (sum(sum(h) / len(h) for h in hours) / len(hours), max(max(h) for h in hours))
        for day, hours in by_day.items()
    }


@settings(max_examples=60)
@given(samples, st.integers(1, 5))
def test_rollups_answer_what_the_raw_samples_answer(
    points: list[tuple[int, int]], batches: int
) -> None:
    span = Range(FIRST, FIRST + timedelta(days=4), ZURICH)
    history = History(span, leaf_hours(rolled_up(points, batches)))
    answered = {r.day: (r.avg, r.peak) for r in history.daily_occupancy()}
    expected = from_raw(points)
    assert answered.keys() == expected.keys()
    for day, (avg, peak) in expected.items():
        assert answered[day][0] == pytest.approx(avg)
        assert answered[day][1] == peak
    for row in [*history.daily_occupancy(), *history.hourly_profile()]:
        assert row.peak >= row.avg >= 0


hour_values = st.dictionaries(
    st.integers(0, 47).map(lambda h: BASE + timedelta(hours=h)),
    st.builds(
        lambda n, total, peak, entries: HourRollup(n, total * n, max(peak, total), entries),
        st.integers(1, 5),
        st.integers(0, 100),
        st.integers(0, 150),
        st.integers(0, 30),
    ),
    max_size=20,
)


@given(st.lists(hour_values, min_size=1, max_size=4))
def test_a_parent_is_the_sum_of_its_children(children: list[dict[datetime, HourRollup]]) -> None:
    leaves = [leaf_hours(c) for c in children]
    parent = summed_hours(leaves)
    span = Range(FIRST, FIRST + timedelta(days=2), ZURICH)
    for hour, value in parent.items():
        kids = [c[hour] for c in leaves if hour in c]
        assert value.avg == pytest.approx(sum(k.avg or 0.0 for k in kids))
        assert value.peak == sum(k.peak or 0 for k in kids)
        assert value.entries == sum(k.entries for k in kids)
        assert value.peak is not None
        assert value.avg is not None
        assert value.peak >= value.avg
    total = History(span, parent).daily_visitors()
    per_child = [History(span, c).daily_visitors() for c in leaves]
    for n, row in enumerate(total):
        assert row.visitors == sum(rows[n].visitors for rows in per_child)


def test_an_hour_without_samples_has_no_occupancy_but_may_have_visitors() -> None:
    [value] = leaf_hours({BASE: HourRollup().with_entry()}).values()
    assert value == HourValue(avg=None, peak=None, entries=1)
