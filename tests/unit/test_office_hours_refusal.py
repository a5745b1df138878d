"""OUTSIDE_OFFICE_HOURS carries the site's local time, zone and hours of the day."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

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
