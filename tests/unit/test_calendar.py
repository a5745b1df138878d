"""Site calendars: IANA zones, bookable hours and DST-aware UTC windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BookableHours, SiteCalendar, parse_time_zone
from domain.errors import DomainError, ErrorCode

LONDON = ZoneInfo("Europe/London")
JOHANNESBURG = ZoneInfo("Africa/Johannesburg")


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# --- parse_time_zone --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/London", "Africa/Johannesburg", "UTC"])
def test_parse_time_zone_accepts_iana_names(name: str) -> None:
    assert parse_time_zone(name).key == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Not/AZone",
        "Europe/Londres",
        "Europe/London/",
        " Europe/London",
        "UTC+2",
        "+02:00",
        "../etc/passwd",
        "/etc/localtime",
        "Europe",  # a directory of the tz database, not a zone
        "America/Argentina",
        "Europe/London\x00",
    ],
)
def test_parse_time_zone_rejects_bad_names(name: str) -> None:
    with pytest.raises(DomainError) as exc:
        parse_time_zone(name)
    assert exc.value.code is ErrorCode.INVALID_INPUT
    assert exc.value.field == "timeZone"


# --- BookableHours ----------------------------------------------------------------------


def test_bookable_hours_default_to_eight_to_five() -> None:
    assert BookableHours() == BookableHours(time(8, 0), time(17, 0))


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(time(9, 0), time(9, 0)), (time(17, 0), time(8, 0))],
    ids=["empty", "reversed"],
)
def test_bookable_hours_must_open_before_they_close(opens: time, closes: time) -> None:
    with pytest.raises(DomainError) as exc:
        BookableHours(opens, closes)
    assert exc.value.code is ErrorCode.INVALID_INPUT
    assert exc.value.field == "closesAt"


# --- bookable_window --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "opens_utc", "closes_utc"),
    [
        # Europe/London: BST starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
        (LONDON, date(2026, 3, 28), 8, 17),
        (LONDON, date(2026, 3, 29), 7, 16),
        (LONDON, date(2026, 7, 1), 7, 16),
        (LONDON, date(2026, 10, 24), 7, 16),
        (LONDON, date(2026, 10, 25), 8, 17),
        (LONDON, date(2026, 12, 1), 8, 17),
        # Africa/Johannesburg: UTC+2 all year, no DST.
        (JOHANNESBURG, date(2024, 8, 21), 6, 15),
        (JOHANNESBURG, date(2026, 3, 29), 6, 15),
        (JOHANNESBURG, date(2026, 10, 25), 6, 15),
    ],
)
def test_bookable_window_is_site_local_hours_as_utc(
    zone: ZoneInfo, day: date, opens_utc: int, closes_utc: int
) -> None:
    window = SiteCalendar(zone).bookable_window(day)
    assert window.start == utc(day, opens_utc)
    assert window.end == utc(day, closes_utc)
    assert window.start.utcoffset() == timedelta(0)
    assert window.end.utcoffset() == timedelta(0)


def test_bookable_window_uses_custom_hours() -> None:
    calendar = SiteCalendar(LONDON, BookableHours(time(7, 30), time(21, 45)))
    window = calendar.bookable_window(date(2026, 3, 29))
    assert (window.start, window.end) == (
        utc(date(2026, 3, 29), 6, 30),
        utc(date(2026, 3, 29), 20, 45),
    )


def test_bookable_window_spanning_the_spring_forward_gap_is_an_hour_shorter() -> None:
    # 00:00-05:00 local on 2026-03-29 in London contains the skipped hour 01:00-02:00.
    calendar = SiteCalendar(LONDON, BookableHours(time(0, 0), time(5, 0)))
    window = calendar.bookable_window(date(2026, 3, 29))
    assert (window.start, window.end) == (
        utc(date(2026, 3, 29), 0),
        utc(date(2026, 3, 29), 4),
    )


# --- local_day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "instant", "expected"),
    [
        (JOHANNESBURG, datetime(2024, 8, 21, 21, 59, tzinfo=UTC), date(2024, 8, 21)),
        (JOHANNESBURG, datetime(2024, 8, 21, 22, 0, tzinfo=UTC), date(2024, 8, 22)),
        (LONDON, datetime(2026, 6, 30, 22, 59, tzinfo=UTC), date(2026, 6, 30)),
        (LONDON, datetime(2026, 6, 30, 23, 0, tzinfo=UTC), date(2026, 7, 1)),
        (LONDON, datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2026, 12, 31)),
    ],
)
def test_local_day_is_the_date_in_the_site_zone(
    zone: ZoneInfo, instant: datetime, expected: date
) -> None:
    assert SiteCalendar(zone).local_day(instant) == expected
