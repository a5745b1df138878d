"""Office-hours analytics: hours per site-local day and ISO week, arrival and departure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.presence_analytics import MAX_RANGE_DAYS, Stay, check_range, summarise

JOBURG = ZoneInfo("Africa/Johannesburg")
NEW_YORK = ZoneInfo("America/New_York")


def stay(user: int, day: int, start: str, end: str, zone: ZoneInfo = JOBURG) -> Stay:
    def instant(clock: str) -> datetime:
        hours, minutes = map(int, clock.split(":"))
        return datetime(2026, 11, day, hours, minutes, tzinfo=zone).astimezone(UTC)

    return Stay(user, zone, instant(start), instant(end))


def test_hours_per_day_and_week_and_averages() -> None:
    stays = [
        stay(1, 23, "08:00", "12:00"),
        stay(1, 23, "13:00", "16:00"),
        stay(1, 24, "10:00", "16:30"),
        stay(2, 30, "09:30", "11:00"),
    ]
    summary = summarise(stays, date(2026, 11, 22), date(2026, 11, 30))
    assert summary.hours_by_day[date(2026, 11, 22)] == 0.0
    assert summary.hours_by_day[date(2026, 11, 23)] == 7.0
    assert summary.hours_by_day[date(2026, 11, 24)] == 6.5
    assert summary.hours_by_week == {(2026, 47): 0.0, (2026, 48): 13.5, (2026, 49): 1.5}
    # Arrivals 08:00, 10:00, 09:30 and departures 16:00, 16:30, 11:00 (one per person-day).
    assert summary.average_arrival == time(9, 10)
    assert summary.average_departure == time(14, 30)
    assert summary.total_hours == 15.0


def test_stays_count_on_their_site_local_day() -> None:
    # 20:00 in New York on the 23rd is 01:00 UTC on the 24th: it counts on the 23rd.
    late = stay(1, 23, "16:00", "20:00", NEW_YORK)
    summary = summarise([late], date(2026, 11, 23), date(2026, 11, 23))
    assert summary.hours_by_day == {date(2026, 11, 23): 4.0}
    assert summarise([late], date(2026, 11, 24), date(2026, 11, 24)).total_hours == 0.0


def test_no_stays_no_averages() -> None:
    summary = summarise([], date(2026, 11, 23), date(2026, 11, 23))
    assert (summary.average_arrival, summary.average_departure) == (None, None)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 11, 2), date(2026, 11, 1), "the range must not end before it starts"),
        (date(2026, 1, 1), date(2027, 1, 2), f"the range may span at most {MAX_RANGE_DAYS} days"),
    ],
)
def test_bad_ranges(first: date, last: date, message: str) -> None:
    with pytest.raises(DomainError) as raised:
        check_range(first, last)
    assert (raised.value.message, raised.value.field) == (message, "to")
    check_range(date(2028, 1, 1), date(2028, 12, 31))  # 366 days, a leap year


@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(8 * 60, 12 * 60), st.integers(0, 5 * 60)),
        max_size=20,
    )
)
def test_weeks_add_up_to_the_days(entries: list[tuple[int, int, int]]) -> None:
    base = datetime(2026, 11, 23, tzinfo=JOBURG)
    stays = [
        Stay(
            1, JOBURG, base + timedelta(days=d, minutes=m), base + timedelta(days=d, minutes=m + n)
        )
        for d, m, n in entries
    ]
    summary = summarise(stays, date(2026, 11, 20), date(2026, 12, 1))
    assert sum(summary.hours_by_week.values()) == pytest.approx(sum(summary.hours_by_day.values()))
    assert summary.total_hours == pytest.approx(sum(n for _, _, n in entries) / 60, abs=1e-3)
