"""Sensor readings (domain.readings) within the input bounds of issue 11: times that
overflow or precede 1970, location numbers beyond int4, visitors with control
characters are each refused with a reason, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.readings import Refused, parse_reading

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"time": "0001-01-01T00:00:00+01:00"}, "time is out of range"),
        ({"time": "1969-12-31T23:59:59Z"}, "time must be after 1970-01-01 (UTC)"),
        ({"locationId": 2**31}, "locationId must be a location number"),
        ({"locationId": "9" * 30}, "locationId must be a location number"),
        ({"visitor": "a\x00"}, "visitor contains a control character (U+0000)"),
        ({"visitor": "\ud800"}, "visitor contains a lone surrogate (U+D800)"),
    ],
)
def test_out_of_bounds_readings_are_refused(changes: dict[str, object], reason: str) -> None:
    raw = {"locationId": 3, "time": "2026-03-02T11:00:00Z", "direction": "in", **changes}
    with pytest.raises(Refused) as refused:
        parse_reading(raw, NOW)
    assert refused.value.reason == reason


@given(st.datetimes(timezones=st.sampled_from([UTC])), st.integers(-14 * 60, 14 * 60))
def test_any_iso_time_is_parsed_or_refused_never_raised(instant: datetime, minutes: int) -> None:
    sign = "+" if minutes >= 0 else "-"
    text = (
        instant.replace(tzinfo=None).isoformat()
        + f"{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    )
    reason = None
    try:
        reading = parse_reading({"locationId": 3, "time": text, "count": 1}, NOW)
    except Refused as refused:
        reason = refused.reason
    if reason is not None:
        assert reason.startswith("time")
    else:
        assert reading.at.year >= 1970
