"""OUTSIDE_OFFICE_HOURS carries the site's local time, zone and hours of the day."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.office_hours import DayHours, OfficeHours, OutsideOfficeHours

ZONE = ZoneInfo("Africa/Johannesburg")


def test_the_refusal_says_when_and_where() -> None:
    with pytest.raises(OutsideOfficeHours) as raised:
        OfficeHours().require_open(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), ZONE)
    refusal = raised.value
    assert isinstance(refusal, DomainError)
    assert refusal.code is ErrorCode.OUTSIDE_OFFICE_HOURS
    assert refusal.local == datetime(2026, 11, 23, 18, 30, tzinfo=ZONE)
    assert refusal.local.utcoffset() == ZONE.utcoffset(refusal.local)
    assert refusal.zone is ZONE
    assert refusal.hours == DayHours(time(8), time(17))
    assert "18:30" in refusal.message


def test_a_closed_day_has_no_hours() -> None:
    with pytest.raises(OutsideOfficeHours) as raised:
        OfficeHours().require_open(datetime(2026, 11, 28, 8, 0, tzinfo=UTC), ZONE)
    assert raised.value.hours is None
    assert "closed all day" in raised.value.message


def test_inside_office_hours_nothing_is_raised() -> None:
    OfficeHours().require_open(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), ZONE)


INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001  (bounds for hypothesis; the zone is UTC)
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
ZONES = st.sampled_from(["Africa/Johannesburg", "America/New_York", "Asia/Kolkata", "UTC"])


@given(INSTANTS, ZONES)
def test_a_refusal_always_carries_the_local_time_of_the_instant(now: datetime, name: str) -> None:
    zone = ZoneInfo(name)
    hours = OfficeHours()
    day = now.astimezone(zone).date()
    window = hours.window(day, zone)
    if window is not None and window[0] <= now < window[1]:
        hours.require_open(now, zone)
        return
    with pytest.raises(OutsideOfficeHours) as raised:
        hours.require_open(now, zone)
    assert raised.value.local == now
    assert raised.value.local.tzinfo is zone
    assert raised.value.hours == hours.on(day)
